"""The 12345 callbacks for admins, under /api/v1/admin (admin_api.py serves these ROUTES behind its admins-only
gate): the dead letters, and replaying one or all of them. The admin view's 12345 回调 tab calls the same services.

- `GET /hotline/callbacks?state=dead|pending|sent&limit=` (dead letters by default, oldest first)
- `POST /hotline/callbacks/{id}/replay`: that dead letter is pending again (attempts from 0); 404 when it is none
- `POST /hotline/callbacks/replay`: every dead letter; answers how many
"""

from __future__ import annotations

from flask import Response, jsonify, request

from dashboard.api.args import int_arg
from dashboard.api.auth import require
from dashboard.api.registry import Route, runtime
from dashboard.services import hotline_callbacks as callbacks
from dashboard.services import validate

STATES = (callbacks.DEAD, callbacks.PENDING, callbacks.SENT)


def list_callbacks() -> Response:
    """GET /hotline/callbacks: callbacks in one state (dead letters by default)."""
    rt = runtime()
    state = validate.choice(request.args.get("state", callbacks.DEAD), "state", STATES)
    limit = int_arg("limit", 100, 1, callbacks.MAX_LIST)
    with rt.session() as session:
        rows = callbacks.callbacks(session=session, tz=rt.settings.timezone, state=state, limit=limit)
    return jsonify({"callbacks": [r.as_json() for r in rows], "count": len(rows), "state": state})


def replay_one(callback_id: int) -> Response:
    """POST /hotline/callbacks/{id}/replay: send one dead letter again."""
    principal = require("admin")
    with runtime().session() as session:
        n = callbacks.replay(session=session, callback_id=callback_id, by=principal.name, ip=request.remote_addr or "")
    return jsonify({"replayed": n})


def replay_all() -> Response:
    """POST /hotline/callbacks/replay: send every dead letter again."""
    principal = require("admin")
    with runtime().session() as session:
        n = callbacks.replay_all(session=session, by=principal.name, ip=request.remote_addr or "")
    return jsonify({"replayed": n})


ROUTES: tuple[Route, ...] = (
    Route("/hotline/callbacks", ("GET",), list_callbacks),
    Route("/hotline/callbacks/replay", ("POST",), replay_all),
    Route("/hotline/callbacks/<int:callback_id>/replay", ("POST",), replay_one),
)
