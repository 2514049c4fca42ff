"""KPI figures under /api/v1 (DESIGN.md sections 7 and 10): counts and rates for a scope and a time window."""

from __future__ import annotations

from dataclasses import asdict

from flask import Response, jsonify, request

from dashboard.api.args import instant_arg
from dashboard.api.auth import require
from dashboard.api.registry import Route, runtime
from dashboard.domain.kpi import LABELS, kpis
from dashboard.services.clock import local_day_start, local_iso, utcnow
from dashboard.services.errors import FieldError, Forbidden, NotFound
from dashboard.store.kpi_queries import kpi_counts, scope_exists


def kpi_figures() -> Response:
    """GET /kpis?scope=&from=&to=: the window defaults to today so far; a street's callers see their street."""
    principal = require("screen", "dispatcher", "leader", "admin")
    rt = runtime()
    tz = rt.settings.timezone
    now = utcnow()
    start = instant_arg("from", tz, end_of_day=False) or local_day_start(now, tz)
    end = instant_arg("to", tz, end_of_day=True) or now
    if start >= end:
        raise FieldError("to", "must be later than from")
    scope = request.args.get("scope") or None
    if not principal.actor().district_wide:
        # A street's people see their street and what lies inside it, nothing beside it.
        scope = scope or principal.scope
        if not scope.startswith(principal.scope):
            raise Forbidden(f"scope {scope!r} is outside your street {principal.scope}")
    with rt.session() as session:
        # Screen odd input before it reaches the database (PostgreSQL rejects NUL in text, for one).
        known = scope is None or (
            len(scope) <= 32 and scope.isprintable() and scope_exists(session=session, scope=scope)
        )
        if not known:
            raise NotFound(f"scope {scope!r} is not a district, street, community, grid or department code")
        counts = kpi_counts(session=session, scope=scope, start=start, end=end, now=now)
    return jsonify(
        {
            "scope": scope or rt.settings.county_code,
            "from": local_iso(start, tz),
            "to": local_iso(end, tz),
            "counts": asdict(counts),
            "kpis": kpis(counts),
            "labels": {key: label._asdict() for key, label in LABELS.items()},
        }
    )


ROUTES: tuple[Route, ...] = (Route("/kpis", ("GET",), kpi_figures),)
