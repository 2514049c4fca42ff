"""/healthz (process up) and /readyz (database and Redis reachable), outside /api/v1 and open to anyone."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from dashboard.api.registry import Route, make_blueprint, runtime
from dashboard.services.clock import utcnow
from dashboard.services.holidays import missing_years


def healthz() -> Response:
    """GET /healthz: the process answers."""
    return jsonify({"status": "ok"})


def readyz() -> tuple[Response, int]:
    """GET /readyz: 200 when the database and Redis answer, 503 otherwise; warns of missing holiday schedules."""
    rt = runtime()
    checks: dict[str, str] = {}
    try:
        with rt.session() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # report, don't raise: readiness is a status, not an error
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        rt.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    missing = calendar_missing_years(utcnow())
    warnings = [f"no official holiday schedule for {year}: gridcmd holidays import NOTICE.txt" for year in missing]
    body = {"status": "ok" if ok else "unavailable", **checks, "warnings": warnings}
    return jsonify(body), (200 if ok else 503)


def calendar_missing_years(now: datetime) -> list[int]:
    """This year, or next year from November on, when it has no official holidays (entered or packaged).

    The admin view words the same warning in the UI language (layouts/admin.py); /readyz lists the years.
    """
    return missing_years(runtime().calendar, now)


ROUTES: tuple[Route, ...] = (
    Route("/healthz", ("GET",), healthz),
    Route("/readyz", ("GET",), readyz),
)


def blueprint() -> Blueprint:
    """The health blueprint, served from ROUTES."""
    return make_blueprint("health", __name__, ROUTES)
