"""REST API under /api/v1 (DESIGN.md section 10): intake, cases, grids, catalog, patrols, health."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard.api.auth import Principal, require
from dashboard.api.errors import install_error_handlers
from dashboard.api.inputs import json_body
from dashboard.domain.actors import may_run
from dashboard.domain.cases import TERMINAL, State
from dashboard.domain.kpi import LABELS, kpis
from dashboard.domain.privacy import mask_name, mask_phone
from dashboard.domain.sla import deadline as sla_deadline_at
from dashboard.domain.time_limits import TimeLimitError, parse_time_limit
from dashboard.live.patrols import STATUSES, Fix
from dashboard.runtime import Runtime
from dashboard.services import validate
from dashboard.services.clock import local_day_start, local_iso, parse_instant, utcnow
from dashboard.services.commands import COMMAND_FIELDS, COMMAND_FUNCTIONS, COMMAND_REQUIRED, MAX_NOTE, Ctx
from dashboard.services.errors import FieldError, Forbidden, NotFound
from dashboard.services.holidays import missing_years
from dashboard.services.intake import existing_for_key, parse_report, report_case
from dashboard.services.rows import case_row_in
from dashboard.services.rules import suggestions
from dashboard.store.kpi_queries import kpi_counts, scope_exists
from dashboard.store.models import Case, CaseEvent, CatalogItem, Grid

MAX_POSITIONS = 20_000
MAX_LIMIT = 5000


def _runtime() -> Runtime:
    return current_app.extensions["gridcmd"]


def _json_body() -> Any:
    return json_body()


def build_api(*, after_commit: Callable[[], None] | None = None) -> Blueprint:
    """The /api/v1 blueprint; `after_commit` wakes the outbox relay so new cases go live at once."""
    api = Blueprint("api", __name__, url_prefix="/api/v1")
    install_error_handlers(api)
    grid_features: list[tuple[str, str]] = []  # (code, feature JSON up to its load value)

    @api.post("/cases")
    def create_case():  # noqa: ANN202
        principal = require("dispatcher", "leader", "admin")
        rt = _runtime()
        cmd = parse_report(_json_body(), idempotency_key=request.headers.get("Idempotency-Key"), actor=principal.name)
        try:
            with rt.session() as session:
                result = report_case(
                    cmd,
                    session=session,
                    grids=rt.grid_index(),
                    county_code=rt.settings.county_code,
                    tz=rt.settings.timezone,
                )
                body = {**result.row, "grid_code": result.case.grid_code}
        except IntegrityError:
            if not cmd.idempotency_key:
                raise
            # A concurrent retry with the same key committed first: answer with its case.
            with rt.session() as session:
                earlier = existing_for_key(session=session, cmd=cmd, tz=rt.settings.timezone)
                if earlier is None:
                    raise
                result = earlier
                body = {**result.row, "grid_code": result.case.grid_code}
        if after_commit and result.created:
            after_commit()
        return jsonify(body), (201 if result.created else 200)

    @api.get("/cases")
    def list_cases():  # noqa: ANN202
        principal = require("dispatcher", "leader", "admin", "handler")
        rt = _runtime()
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
        limit = _int_arg("limit", 100, 1, MAX_LIMIT)
        with rt.session() as session:
            rows = [
                case_row_in(c, session=session, tz=rt.settings.timezone) for c in session.scalars(query.limit(limit))
            ]
        return jsonify({"cases": rows, "count": len(rows)})

    @api.get("/cases/<int:case_id>")
    def get_case(case_id: int):  # noqa: ANN202
        principal = require("dispatcher", "leader", "admin", "handler")
        rt = _runtime()
        tz = rt.settings.timezone
        with rt.session() as session:
            case = _case_in_scope(session, case_id, principal)
            events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
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
            body = {
                **case_row_in(case, session=session, tz=tz),
                "description": case.description,
                "photos": case.photos,
                "reporter": case.reporter if principal.sees_personal_data else mask_name(case.reporter),
                "phone": case.phone if principal.sees_personal_data else mask_phone(case.phone),
                "timeline": timeline,
            }
        return jsonify(body)

    @api.get("/cases/<int:case_id>/suggestions")
    def case_suggestions(case_id: int):  # noqa: ANN202
        principal = require("dispatcher", "admin")
        rt = _runtime()
        with rt.session() as session:
            case = _case_in_scope(session, case_id, principal)
            body = suggestions(session=session, patrols=rt.patrols, case=case, tz=rt.settings.timezone)
        return jsonify(body)

    @api.get("/grids")
    def grids():  # noqa: ANN202
        require()
        rt = _runtime()
        with rt.session() as session:
            load = dict(
                session.execute(
                    select(Case.grid_code, func.count(Case.id))
                    .where(Case.state.not_in([s.value for s in TERMINAL]))
                    .group_by(Case.grid_code)
                ).all()
            )
            if not grid_features:
                # Each feature encoded once, open at the end so only its load is spliced in per call.
                for g in session.scalars(select(Grid).order_by(Grid.code)):
                    text = json.dumps(_grid_feature(g), ensure_ascii=False, separators=(",", ":"))
                    grid_features.append((g.code, text[:-2] + ',"load":'))
        body = (
            '{"type":"FeatureCollection","features":['
            + ",".join(f"{head}{load.get(code, 0)}}}}}" for code, head in grid_features)
            + "]}"
        )
        return Response(body, mimetype="application/geo+json")

    @api.get("/grids/<code>")
    def grid(code: str):  # noqa: ANN202
        require()
        rt = _runtime()
        validate.code(code, "code")
        with rt.session() as session:
            g = session.get(Grid, code)
            if g is None:
                raise NotFound(f"grid {code} not found")
            feature = _grid_feature(g)
            feature["properties"]["load"] = session.scalar(
                select(func.count(Case.id)).where(
                    Case.grid_code == code, Case.state.not_in([s.value for s in TERMINAL])
                )
            )
        return jsonify(feature)

    @api.get("/catalog")
    def catalog():  # noqa: ANN202
        require()
        rt = _runtime()
        with rt.session() as session:
            items = [
                {
                    "code": c.code,
                    "major": c.major_name,
                    "minor": c.minor_name,
                    "condition": c.condition,
                    "level": c.level,
                    "department": c.department_code,
                    "time_limit": c.time_limit,
                    "limit_kind": c.limit_kind,
                    "limit_amount": c.limit_amount,
                }
                for c in session.scalars(select(CatalogItem).order_by(CatalogItem.code))
            ]
        return jsonify({"conditions": items, "count": len(items)})

    @api.post("/patrols/positions")
    def patrol_positions():  # noqa: ANN202
        require("dispatcher", "admin")
        body = _json_body()
        items = body.get("positions") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise FieldError("positions", "must be a list of {id, lat, lon, status, ts}")
        validate.items(items, "positions", max_len=MAX_POSITIONS)
        now_ms = int(time.time() * 1000)
        # The whole batch is checked before any of it is stored: a bad fix refuses the batch, never half of it.
        fixes = [_parse_fix(item, i, now_ms) for i, item in enumerate(items)]
        accepted = _runtime().patrols.ingest(fixes)
        return jsonify({"received": len(fixes), "accepted": accepted}), 202

    @api.get("/patrols/nearest")
    def patrols_nearest():  # noqa: ANN202
        require("dispatcher", "admin")
        lat = _float_arg("lat", -validate.GEO_MAX_LAT, validate.GEO_MAX_LAT)  # what GEOSEARCH accepts
        lon = _float_arg("lon", -180, 180)
        k = _int_arg("k", 5, 1, 100)
        available = request.args.get("available", "1") in ("1", "true")
        rows = _runtime().patrols.nearest(lon, lat, k=k, radius_m=20_000, available_only=available)
        return jsonify({"patrols": rows})

    @api.post("/cases/<int:case_id>/<command>")
    def case_command(case_id: int, command: str):  # noqa: ANN202
        rt = _runtime()
        actor = require().actor()  # who you are before what you sent: a 401/403 never leaks field checks
        if command not in COMMAND_FUNCTIONS:
            raise NotFound(f"unknown command {command!r}; commands: {', '.join(COMMAND_FUNCTIONS)}")
        if not may_run(actor, command):
            raise Forbidden(f"role {actor.role} may not {command}")
        with rt.session() as session:
            body = _json_body()
            if not isinstance(body, dict):
                raise FieldError("body", "must be a JSON object")
            kwargs = {name: body[name] for name in COMMAND_FIELDS.get(command, ()) if name in body}
            for name in COMMAND_REQUIRED.get(command, ()):
                if name not in kwargs:
                    raise FieldError(name, f"is required for {command}")
            note = validate.text(body.get("note"), "note", max_len=MAX_NOTE) or ""
            ctx = Ctx(session=session, actor=actor, cal=rt.calendar, tz=rt.settings.timezone)
            case = COMMAND_FUNCTIONS[command](
                ctx, case_id, expected_version=body.get("expected_version"), note=note, **kwargs
            )
            row = case_row_in(case, session=session, tz=rt.settings.timezone)
        if after_commit:
            after_commit()
        return jsonify(row)

    @api.get("/sla/deadline")
    def sla_deadline():  # noqa: ANN202
        require()
        rt = _runtime()
        raw_limit = validate.text(request.args.get("limit"), "limit", max_len=32, multiline=False) or ""
        try:
            limit = parse_time_limit(raw_limit)
        except TimeLimitError as exc:
            raise FieldError("limit", str(exc)) from exc
        start = _aware_time_arg("start", rt.settings.timezone)
        due = sla_deadline_at(start, limit, rt.calendar)
        unofficial = rt.calendar.missing_years({start.year, due.year})
        return jsonify(
            {
                "limit": limit.text,
                "kind": limit.kind.value,
                "amount": limit.amount,
                "start": start.isoformat(),
                "deadline": due.isoformat(),
                "warning": (
                    f"no official holiday schedule loaded for {', '.join(map(str, unofficial))}: "
                    "Monday–Friday plus center overrides were used"
                )
                if unofficial
                else None,
            }
        )

    @api.get("/kpis")
    def kpi_figures():  # noqa: ANN202
        principal = require("screen", "dispatcher", "leader", "admin")
        rt = _runtime()
        tz = rt.settings.timezone
        now = utcnow()
        start = _instant_arg("from", tz, end_of_day=False) or local_day_start(now, tz)
        end = _instant_arg("to", tz, end_of_day=True) or now
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

    return api


def scoped(query: Select, principal: Principal) -> Select:
    """Limit a case query to what the caller may see (street or department)."""
    actor = principal.actor()
    if principal.role == "handler":
        return query.where(Case.department_code == principal.department_code)
    if actor.district_wide:
        return query
    # A street's people read every case of their street, escalated ones included (they follow what they sent
    # up, as their live feed shows); commanding an escalated case is the district's (`in_scope` in actors).
    return query.where(Case.street_code == principal.scope)


def _case_in_scope(session: Session, case_id: int, principal: Principal) -> Case:
    # Out of scope answers exactly like missing, so ids cannot be probed across streets.
    case = session.scalar(scoped(select(Case).where(Case.id == case_id), principal))
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def _aware_time_arg(name: str, tz: str) -> datetime:
    # A time without an offset is the center's local time, as a dispatcher would type it.
    value = validate.instant(request.args.get(name), name, tz=tz)
    if value is None:
        raise FieldError(name, "is required: an ISO 8601 time, e.g. 2026-09-30T17:00")
    return value.astimezone(ZoneInfo(tz))


def _grid_feature(g: Grid) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": json.loads(g.geometry),
        "properties": {
            "code": g.code,
            "name": g.name,
            "level": "grid",
            "kind": g.kind,
            "street_code": g.street_code,
            "community_code": g.community_code,
            "population": g.population,
            "households": g.households,
        },
    }


def _parse_fix(item: Any, index: int, now_ms: int) -> Fix:
    where = f"positions[{index}]"
    if not isinstance(item, dict):
        raise FieldError(where, "must be an object")
    pid = validate.patrol_id(item.get("id"), f"{where}.id")
    lat = validate.latitude(item.get("lat"), f"{where}.lat", geo=True)  # Redis GEO refuses |lat| > 85.05112878
    lon = validate.longitude(item.get("lon"), f"{where}.lon")
    status = validate.choice(item.get("status", "available"), f"{where}.status", STATUSES)
    # A fix dated ahead of our clock is kept at now: dated next year it would make every real fix look stale.
    ts = validate.epoch_ms(item.get("ts", now_ms), f"{where}.ts", now_ms=now_ms)
    return Fix(pid, lon, lat, status, ts)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = validate.int_arg(request.args.get(name), name, default=default, low=low, high=high)
    assert value is not None
    return value


def _float_arg(name: str, low: float, high: float) -> float:
    return validate.number_arg(request.args.get(name), name, low=low, high=high)


def calendar_missing_years(now: datetime) -> list[int]:
    """This year, or next year from November on, when it has no official holidays (entered or packaged).

    The admin view words the warning in the UI language (layouts/i18n.py); /readyz lists the years.
    """
    return missing_years(_runtime().calendar, now)


def build_health() -> Blueprint:
    """/healthz (process up) and /readyz (database and Redis reachable)."""
    health = Blueprint("health", __name__)

    @health.get("/healthz")
    def healthz():  # noqa: ANN202
        return jsonify({"status": "ok"})

    @health.get("/readyz")
    def readyz():  # noqa: ANN202
        rt = _runtime()
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

    return health


def _instant_arg(name: str, tz: str, *, end_of_day: bool) -> datetime | None:
    """A query argument as an aware UTC instant (a local date, or a date-time with offset); None when absent."""
    return parse_instant(request.args.get(name), tz, end_of_day=end_of_day, name=name, require_offset=True)
