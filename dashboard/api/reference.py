"""Reference data under /api/v1 (DESIGN.md section 10): grids as GeoJSON with their load, the catalog of
conditions, and the deadline of a time limit on the center's calendar.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import func, select

from dashboard.api.args import aware_time_arg
from dashboard.api.auth import require
from dashboard.api.registry import Route, per_app, runtime
from dashboard.domain.cases import TERMINAL
from dashboard.domain.sla import deadline as sla_deadline_at
from dashboard.domain.time_limits import TimeLimitError, parse_time_limit
from dashboard.services import validate
from dashboard.services.errors import FieldError, NotFound
from dashboard.store.models import Case, CatalogItem, Grid

# Per app (registry.per_app): (grid code, its feature's JSON cut open just before the load value).
GRID_FEATURES = "gridcmd_api_grid_features"


def grids() -> Response:
    """GET /grids: every grid as a GeoJSON feature with its count of open cases (`load`)."""
    require()
    rt = runtime()
    features: list[tuple[str, str]] = per_app(GRID_FEATURES, list)
    with rt.session() as session:
        load = dict(
            session.execute(
                select(Case.grid_code, func.count(Case.id))
                .where(Case.state.not_in([s.value for s in TERMINAL]))
                .group_by(Case.grid_code)
            ).all()
        )
        if not features:
            # Each feature encoded once, open at the end so only its load is spliced in per call.
            for g in session.scalars(select(Grid).order_by(Grid.code)):
                text = json.dumps(_grid_feature(g), ensure_ascii=False, separators=(",", ":"))
                features.append((g.code, text[:-2] + ',"load":'))
    body = (
        '{"type":"FeatureCollection","features":['
        + ",".join(f"{head}{load.get(code, 0)}}}}}" for code, head in features)
        + "]}"
    )
    return Response(body, mimetype="application/geo+json")


def grid(code: str) -> Response:
    """GET /grids/{code}: one grid as a GeoJSON feature with its load."""
    require()
    rt = runtime()
    validate.code(code, "code")
    with rt.session() as session:
        g = session.get(Grid, code)
        if g is None:
            raise NotFound(f"grid {code} not found")
        feature = _grid_feature(g)
        feature["properties"]["load"] = session.scalar(
            select(func.count(Case.id)).where(Case.grid_code == code, Case.state.not_in([s.value for s in TERMINAL]))
        )
    return jsonify(feature)


def catalog() -> Response:
    """GET /catalog: every condition with its class, level, department and time limit."""
    require()
    rt = runtime()
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


def sla_deadline() -> Response:
    """GET /sla/deadline?limit=&start=: when a time limit started at `start` runs out."""
    require()
    rt = runtime()
    raw_limit = validate.text(request.args.get("limit"), "limit", max_len=32, multiline=False) or ""
    try:
        limit = parse_time_limit(raw_limit)
    except TimeLimitError as exc:
        raise FieldError("limit", str(exc)) from exc
    start = aware_time_arg("start", rt.settings.timezone)
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


ROUTES: tuple[Route, ...] = (
    Route("/grids", ("GET",), grids),
    Route("/grids/<code>", ("GET",), grid),
    Route("/catalog", ("GET",), catalog),
    Route("/sla/deadline", ("GET",), sla_deadline),
)
