"""The leader-pass view's queries (领导通, /leader): a scope's children and departments ranked, what needs the
leader, area names.

Counts per child reuse the section 7 aggregates of kpi_queries (same window semantics: a case belongs to the
window by `reported_at`, counted with its state as of now), so a child's figures equal `GET /kpis` for that child.
Children of a scope: district → streets, street → communities, community → grids; a grid has none.
Departments of a scope: each department that handled a case of the scope (reported in the window, or open now),
counted over the scope's cases only; district-wide these are the figures of `GET /kpis?scope=<department>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from dashboard.domain.cases import TERMINAL
from dashboard.domain.clock import as_utc
from dashboard.domain.kpi import KpiCounts, scope_level
from dashboard.store.kpi_queries import _aggregates, _counts, _where  # same layer: one definition of the figures
from dashboard.store.models import Case, CatalogItem, Community, Department, District, Grid, Street

# The child level of each area level: (case column, child table's code and name, the child's parent column).
_CHILDREN: dict[str, tuple[Any, Any, Any, Any]] = {
    "district": (Case.street_code, Street.code, Street.name, None),
    "street": (Case.community_code, Community.code, Community.name, Community.street_code),
    "community": (Case.grid_code, Grid.code, Grid.name, Grid.community_code),
}
_NAMES: dict[str, tuple[Any, Any]] = {
    "district": (District.code, District.name),
    "street": (Street.code, Street.name),
    "community": (Community.code, Community.name),
    "grid": (Grid.code, Grid.name),
}
_TERMINAL = [s.value for s in TERMINAL]


@dataclass(frozen=True)
class ChildRow:
    """One child area of a scope: its window's counts and its open and overdue cases now."""

    code: str
    name: str
    counts: KpiCounts
    open: int
    overdue: int


def child_level(scope: str | None) -> str | None:
    """The level of a scope's children (street, community, grid), None for a grid or a department."""
    return {"district": "street", "street": "community", "community": "grid"}.get(scope_level(scope))


def _in_scope(scope: str | None) -> list[ColumnElement[bool]]:
    level = scope_level(scope)
    column = {"street": Case.street_code, "community": Case.community_code, "grid": Case.grid_code}.get(level)
    return [] if column is None else [column == scope]


def _overdue(now: datetime) -> ColumnElement[bool]:
    return Case.deadline.is_not(None) & (Case.deadline < as_utc(now))


def child_rows(*, session: Session, scope: str | None, start: datetime, end: datetime, now: datetime) -> list[ChildRow]:
    """Every child of `scope` (children without cases included) with its counts in [start, end) and open cases now."""
    level = scope_level(scope)
    if level not in _CHILDREN:
        return []
    key, code_col, name_col, parent_col = _CHILDREN[level]
    names_query = select(code_col, name_col)
    if parent_col is not None:
        names_query = names_query.where(parent_col == scope)
    names: dict[str, str] = {code: name for code, name in session.execute(names_query.order_by(code_col))}
    counted = select(key.label("code"), *_aggregates(now, p90=False)).where(*_where(scope, start, end)).group_by(key)
    counts = {row.code: _counts(row) for row in session.execute(counted)}
    open_query = (
        select(key, func.count(), func.count().filter(_overdue(now)))
        .where(*_in_scope(scope), Case.state.not_in(_TERMINAL))
        .group_by(key)
    )
    live = {code: (int(n), int(late)) for code, n, late in session.execute(open_query)}
    return [
        ChildRow(code, name, counts.get(code, KpiCounts()), *live.get(code, (0, 0))) for code, name in names.items()
    ]


def department_rows(
    *, session: Session, scope: str | None, start: datetime, end: datetime, now: datetime
) -> list[ChildRow]:
    """Each department with a case of `scope` in [start, end) or open now: its counts over the scope's cases of
    the window and its open and overdue cases of the scope now, by code."""
    key = Case.department_code
    counted = (
        select(key.label("code"), *_aggregates(now, p90=False))
        .where(*_where(scope, start, end), key.is_not(None))
        .group_by(key)
    )
    counts = {row.code: _counts(row) for row in session.execute(counted)}
    open_query = (
        select(key, func.count(), func.count().filter(_overdue(now)))
        .where(*_in_scope(scope), key.is_not(None), Case.state.not_in(_TERMINAL))
        .group_by(key)
    )
    live = {code: (int(n), int(late)) for code, n, late in session.execute(open_query)}
    codes = sorted(set(counts) | set(live))
    names: dict[str, str] = {}
    if codes:
        names = dict(session.execute(select(Department.code, Department.name).where(Department.code.in_(codes))).all())
    return [
        ChildRow(code, names.get(code, code), counts.get(code, KpiCounts()), *live.get(code, (0, 0))) for code in codes
    ]


def _reply_overdue(now: datetime) -> ColumnElement[bool]:
    """A supervision whose reply deadline passed without the department's acknowledgement (逾期未回复)."""
    return (
        Case.supervision_reply_by.is_not(None)
        & (Case.supervision_reply_by < as_utc(now))
        & Case.supervision_acked_at.is_(None)
    )


def needs_me_query(scope: str | None, now: datetime) -> Select[Any]:
    """Open cases in `scope` that are overdue, A-level, escalated (tier district), supervised more than once or
    whose supervision's reply is overdue."""
    return select(Case).where(
        *_in_scope(scope),
        Case.state.not_in(_TERMINAL),
        or_(
            _overdue(now),
            Case.level == "A",
            # Escalated: at district tier with a street (an unlocated report is the district's desk's, not news).
            (Case.tier == "district") & Case.street_code.is_not(None),
            Case.supervision_count > 1,
            _reply_overdue(now),
        ),
    )


def needs_me(
    *, session: Session, scope: str | None, now: datetime, limit: int
) -> tuple[list[tuple[Case, str | None, str | None]], int]:
    """(case, grid name, category name) newest first, at most `limit`, and how many there are in all."""
    query = needs_me_query(scope, now)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.add_columns(Grid.name, CatalogItem.minor_name)
        .outerjoin(Grid, Grid.code == Case.grid_code)
        .outerjoin(CatalogItem, CatalogItem.code == Case.category_code)
        .order_by(Case.reported_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return [(case, grid, category) for case, grid, category in rows], int(total)


def area_name(*, session: Session, code: str) -> str | None:
    """The name of a district, street, community or grid; None when `code` names none."""
    level = scope_level(code)
    if level not in _NAMES:
        return None
    code_col, name_col = _NAMES[level]
    return session.scalar(select(name_col).where(code_col == code))
