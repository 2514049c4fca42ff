"""What the leader pass's small map of one area reads (领导通): the area's stored outline with its children's, and
the area's open cases as points. Only street, community and grid scopes have a map: the district's would be the
whole map, which the phone never loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.domain.cases import TERMINAL
from dashboard.domain.kpi import scope_level
from dashboard.store.models import Case, Community, Grid, Street

_TERMINAL = [s.value for s in TERMINAL]
# Per mapped level: (the area's code and geometry columns, its children's code, name, geometry and parent columns,
# the case column that scopes it).
_AREAS: dict[str, tuple[Any, Any, tuple[Any, Any, Any, Any] | None, Any]] = {
    "street": (
        Street.code,
        Street.geometry,
        (Community.code, Community.name, Community.geometry, Community.street_code),
        Case.street_code,
    ),
    "community": (
        Community.code,
        Community.geometry,
        (Grid.code, Grid.name, Grid.geometry, Grid.community_code),
        Case.community_code,
    ),
    "grid": (Grid.code, Grid.geometry, None, Case.grid_code),
}


@dataclass(frozen=True)
class CasePoint:
    """An open case on the map: where it is and what its SLA colour is made of (deadline, stage start)."""

    id: int
    lon: float
    lat: float
    state: str
    level: str | None
    deadline: datetime | None
    clock: dict[str, Any]


def mapped(scope: str) -> bool:
    """True when `scope` is a street, community or grid (the levels that have a map)."""
    return scope_level(scope) in _AREAS


def area_geometry(*, session: Session, scope: str) -> tuple[str, list[tuple[str, str, str]]] | None:
    """(the area's GeoJSON geometry text, [(child code, name, geometry text)…] by code), None when not mapped."""
    level = scope_level(scope)
    if level not in _AREAS:
        return None
    code_col, geom_col, child, _ = _AREAS[level]
    geometry = session.scalar(select(geom_col).where(code_col == scope))
    if geometry is None:
        return None
    children: list[tuple[str, str, str]] = []
    if child is not None:
        c_code, c_name, c_geom, c_parent = child
        query = select(c_code, c_name, c_geom).where(c_parent == scope).order_by(c_code)
        children = [(code, name, geom) for code, name, geom in session.execute(query)]
    return geometry, children


def open_points(*, session: Session, scope: str, limit: int) -> tuple[list[CasePoint], int]:
    """The area's open cases, the most urgent first (earliest deadline, none last), at most `limit`, and how many
    there are in all."""
    level = scope_level(scope)
    if level not in _AREAS:
        return [], 0
    where = [_AREAS[level][3] == scope, Case.state.not_in(_TERMINAL)]
    total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    rows = session.execute(
        select(Case.id, Case.lon, Case.lat, Case.state, Case.level, Case.deadline, Case.clock)
        .where(*where)
        .order_by(Case.deadline.is_(None), Case.deadline, Case.id)
        .limit(limit)
    )
    return [CasePoint(*row[:6], row[6] or {}) for row in rows], int(total)
