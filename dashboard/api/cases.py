"""Cases under /api/v1 (DESIGN.md section 10): intake, the case list, one case with its timeline, dispatch
suggestions, and every command of section 5 (`POST /cases/{id}/{command}`).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.api.args import int_arg
from dashboard.api.auth import require
from dashboard.api.case_scope import case_in_scope as _case_in_scope
from dashboard.api.case_scope import scoped
from dashboard.api.photo_forms import media_store
from dashboard.api.rate_limit import rate_limit
from dashboard.api.registry import Route, hooks, runtime
from dashboard.api.worker_app import check_command_refs, command_body, read_report
from dashboard.domain.actors import may_run
from dashboard.domain.cases import TERMINAL, State
from dashboard.domain.privacy import mask_name, mask_phone
from dashboard.services import validate
from dashboard.services.clock import local_iso, utcnow
from dashboard.services.commands import COMMAND_FIELDS, COMMAND_FUNCTIONS, COMMAND_REQUIRED, MAX_NOTE, Ctx
from dashboard.services.errors import FieldError, Forbidden, NotFound
from dashboard.services.intake import Intaken, existing_for_key, report_case
from dashboard.services.photos import photo_items
from dashboard.services.races import first_commit_wins
from dashboard.services.rows import case_row_in
from dashboard.services.rules import suggestions
from dashboard.store.models import Case, CaseEvent

MAX_LIMIT = 5000
# Who may report a case, and who may read cases (each within `scoped`).
REPORTERS = ("dispatcher", "leader", "admin", "worker", "channel")
READERS = ("dispatcher", "leader", "admin", "handler", "worker", "channel")


def create_case() -> tuple[Response, int]:
    """POST /cases: report a case (JSON, or multipart with photos); a retry with the same Idempotency-Key
    answers with the first one (200)."""
    principal = require(*REPORTERS)
    rate_limit("intake", principal)
    rt = runtime()
    # JSON, or the grid-worker app's multipart form with photos (worker_app.py), checked and stored first.
    report = read_report(principal)
    cmd = report.cmd

    def attempt(session: Session) -> tuple[Intaken, dict[str, Any]]:
        result = report_case(
            cmd,
            session=session,
            grids=rt.grid_index(),
            county_code=rt.settings.county_code,
            tz=rt.settings.timezone,
            look_up_key=False,  # a retry collides on the key's unique index at flush: `winner` answers it
        )
        if result.created:
            result = report.complete(session, result)  # photo rows; the one-step self-handle
        return result, _intake_body(result)

    def winner(session: Session) -> tuple[Intaken, dict[str, Any]] | None:
        # A concurrent retry with the same key committed first: answer with its case.
        if not cmd.idempotency_key:
            return None
        earlier = existing_for_key(session=session, cmd=cmd, tz=rt.settings.timezone)
        return None if earlier is None else (earlier, _intake_body(earlier))

    result, body = first_commit_wins(rt.session, attempt, winner)
    if result.created:
        hooks().after_commit()
    return jsonify(body), (201 if result.created else 200)


def _intake_body(result: Intaken) -> dict[str, Any]:
    # Read inside the session: the case's attributes expire when it closes.
    return {**result.row, "grid_code": result.case.grid_code}


def list_cases() -> Response:
    """GET /cases: the caller's cases, newest first, filtered by state, grid, street, open, overdue, since."""
    principal = require(*READERS)
    rt = runtime()
    query = scoped(select(Case), principal).order_by(Case.id.desc())
    args = request.args
    if state := args.get("state"):
        query = query.where(Case.state == validate.choice(state, "state", [s.value for s in State]))
    if grid := validate.code(args.get("grid"), "grid", required=False):
        query = query.where(Case.grid_code == grid)
    if street := validate.code(args.get("street"), "street", required=False):
        query = query.where(Case.street_code == street)
    if args.get("open") in ("1", "true"):
        query = query.where(Case.state.not_in([s.value for s in TERMINAL]))
    if args.get("overdue") in ("1", "true"):
        query = query.where(Case.deadline.is_not(None), Case.deadline < utcnow())
    if since := validate.int_arg(args.get("since"), "since", low=0, high=validate.INT64_MAX):
        query = query.where(Case.id > since)
    limit = int_arg("limit", 100, 1, MAX_LIMIT)
    with rt.session() as session:
        rows = [case_row_in(c, session=session, tz=rt.settings.timezone) for c in session.scalars(query.limit(limit))]
    return jsonify({"cases": rows, "count": len(rows)})


def get_case(case_id: int) -> Response:
    """GET /cases/{id}: the case row with description, photos, reporter (masked unless allowed) and timeline."""
    principal = require(*READERS)
    rt = runtime()
    tz = rt.settings.timezone
    with rt.session() as session:
        case = _case_in_scope(session, case_id, principal)
        events = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))
        timeline = [
            {
                "at": local_iso(e.at, tz),
                "actor": e.actor,
                "command": e.command,
                "from": e.from_state,
                "to": e.to_state,
                "note": e.note,
            }
            for e in events
        ]
        handled_links = {
            u for e in events if e.command == "report-handled" for u in (e.payload or {}).get("photos", [])
        }
        body = {
            **case_row_in(case, session=session, tz=tz),
            "description": case.description,
            "photos": case.photos,
            # Each photo with its kind (上报 / 处置前 / 处置后 / 办结) and, when it is ours, its thumbnail.
            "photo_items": photo_items(session, case_id=case.id, urls=case.photos or [], handled_links=handled_links),
            "reporter": case.reporter if principal.sees_personal_data else mask_name(case.reporter),
            "phone": case.phone if principal.sees_personal_data else mask_phone(case.phone),
            "timeline": timeline,
        }
    return jsonify(body)


def case_suggestions(case_id: int) -> Response:
    """GET /cases/{id}/suggestions: department and patrol suggestions for dispatching the case."""
    principal = require("dispatcher", "admin")
    rt = runtime()
    with rt.session() as session:
        case = _case_in_scope(session, case_id, principal)
        body = suggestions(session=session, patrols=rt.patrols, case=case, tz=rt.settings.timezone)
    return jsonify(body)


def case_command(case_id: int, command: str) -> Response:
    """POST /cases/{id}/{command}: run one command of section 5; the body carries `expected_version`."""
    rt = runtime()
    principal = require()  # who you are before what you sent: a 401/403 never leaks field checks
    actor = principal.actor()
    if command not in COMMAND_FUNCTIONS:
        raise NotFound(f"unknown command {command!r}; commands: {', '.join(COMMAND_FUNCTIONS)}")
    if not may_run(actor, command):
        raise Forbidden(f"role {actor.role} may not {command}")
    with rt.session() as session:
        body = command_body(command)  # JSON, or a multipart form with photos (self-handle, report-handled)
        check_command_refs(session, principal, command, body)
        kwargs = {name: body[name] for name in COMMAND_FIELDS.get(command, ()) if name in body}
        for name in COMMAND_REQUIRED.get(command, ()):
            if name not in kwargs:
                raise FieldError(name, f"is required for {command}")
        note = validate.text(body.get("note"), "note", max_len=MAX_NOTE) or ""
        grids = rt.grid_index() if command == "locate" else None  # the one command that places a point
        ctx = Ctx(
            session=session, actor=actor, cal=rt.calendar, tz=rt.settings.timezone, grids=grids, media=media_store()
        )
        case = COMMAND_FUNCTIONS[command](
            ctx, case_id, expected_version=body.get("expected_version"), note=note, **kwargs
        )
        row = case_row_in(case, session=session, tz=rt.settings.timezone)
    hooks().after_commit()
    return jsonify(row)


ROUTES: tuple[Route, ...] = (
    Route("/cases", ("POST",), create_case),
    Route("/cases", ("GET",), list_cases),
    Route("/cases/<int:case_id>", ("GET",), get_case),
    Route("/cases/<int:case_id>/suggestions", ("GET",), case_suggestions),
    Route("/cases/<int:case_id>/<command>", ("POST",), case_command),
)
