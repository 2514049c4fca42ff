"""The leader pass's small map of one area (领导通): its outline, and its open cases inside the summary.

`GET /leader/outline?scope=` answers, for a street, community or grid in the caller's scope, the area's bbox and
simplified outline and its children's (communities of a street, grids of a community) as [[lon, lat], …] rings
(dashboard/domain/outline.py): a few kilobytes, fetched once per area and kept by the browser (the shapes change
only when grids are imported). The district has no map: its would be the whole map, which the phone never loads.

The summary carries the area's open cases (`map_cases`): [id, lon, lat, deadline_ms, stage_start_ms, level] rows,
the most urgent first, deadline and stage start null while no stage clock runs (before filing, suspended), so the
page colours each dot by the SLA rule of assets/shared/sla.js as its countdowns run.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import Response, request
from sqlalchemy.orm import Session

from dashboard.api.registry import runtime
from dashboard.domain.clock import as_utc
from dashboard.domain.outline import area_outline
from dashboard.services.errors import FieldError, NotFound
from dashboard.store.leader_area import CasePoint, area_geometry, mapped, open_points

MAP_CASES = 400  # dots on the map at most: a street's open cases on a busy day, the most urgent first
OUTLINE_MAX_AGE_S = 600  # the browser keeps an outline this long (grids change only by an import)
RUNNING = frozenset({"filed", "returned", "dispatched", "handling", "handled"})  # states whose stage clock runs


def _ms(value: datetime | None) -> int | None:
    return None if value is None else int(as_utc(value).timestamp() * 1000)


def _start_ms(clock: dict[str, Any]) -> int | None:
    start = clock.get("start")
    return _ms(datetime.fromisoformat(start)) if isinstance(start, str) else None


def _point(p: CasePoint) -> list[Any]:
    running = p.state in RUNNING and p.deadline is not None
    deadline = _ms(p.deadline) if running else None
    start = _start_ms(p.clock) if running else None
    return [p.id, round(p.lon, 6), round(p.lat, 6), deadline, start, p.level]


def map_cases(session: Session, scope: str) -> dict[str, Any] | None:
    """The summary's `map_cases` for a mapped scope (module docstring), None for the district."""
    if not mapped(scope):
        return None
    points, total = open_points(session=session, scope=scope, limit=MAP_CASES)
    return {"total": total, "cases": [_point(p) for p in points]}


def outline_response(scope: str) -> Response:
    """The outline answer of a mapped scope already checked against the caller (module docstring)."""
    if not mapped(scope):
        raise FieldError(
            "scope", "must be a street, community or grid code (9, 12 or 15 digits): a district has no map"
        )
    with runtime().session() as session:
        found = area_geometry(session=session, scope=scope)
    if found is None:
        raise NotFound(f"scope {scope!r} is not a street, community or grid")
    geometry, children = found
    body = json.dumps({"scope": scope, **area_outline(geometry, children)}, separators=(",", ":"))
    resp = Response(body, mimetype="application/json")
    resp.set_etag(hashlib.sha1(body.encode(), usedforsecurity=False).hexdigest()[:20])
    resp.cache_control.private = True
    resp.cache_control.max_age = OUTLINE_MAX_AGE_S
    return resp.make_conditional(request)
