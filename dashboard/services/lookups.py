"""Read-only lookups for views and intake adapters: reference data and case reads.

Layouts, callbacks and feeds reach the database only through services (DESIGN.md section 10, checked by
import-linter); the queries they need and the commands do not already answer live here. Nothing here writes:
a case changes only through its command (services/commands.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.cases import TERMINAL, State
from dashboard.store.models import Case, CaseEvent, CatalogItem, Department, District, Grid, Staff, Street

# The records handed out are the stored rows themselves, read-only by convention: adapters read their fields
# (a case's state, a condition's level) and hand ids back to the commands. Named here so an adapter can say
# what it holds without importing the store.
__all__ = [
    "Case",
    "CatalogItem",
    "catalog_items",
    "desk_reference",
    "full_time_workers",
    "get_case",
    "grid_names",
    "open_cases_to_advance",
    "patrol_roster",
    "staff_contacts",
]


def desk_reference(*, session: Session) -> dict[str, Any]:
    """Departments (by tier, then code), streets and the district's name: what a desk shows beside its cases."""
    departments = [
        {"code": d.code, "name": d.name, "tier": d.tier}
        for d in session.scalars(select(Department).order_by(Department.tier, Department.code))
    ]
    streets = [{"code": s.code, "name": s.name} for s in session.scalars(select(Street).order_by(Street.code))]
    district = session.scalar(select(District.name).limit(1)) or ""
    return {"departments": departments, "streets": streets, "district": district}


def catalog_items(*, session: Session) -> list[CatalogItem]:
    """Every catalog condition (category, level, department, time limit)."""
    return list(session.scalars(select(CatalogItem)).all())


def grid_names(*, session: Session) -> list[tuple[str, str]]:
    """(code, name) of every grid."""
    return [(code, name) for code, name in session.execute(select(Grid.code, Grid.name)).all()]


def full_time_workers(*, session: Session) -> list[tuple[str, str]]:
    """(staff code, grid code) of every full-time grid worker 专职网格员, by code: the patrols of the grids."""
    rows = session.execute(
        select(Staff.code, Staff.grid_code).where(Staff.role == "full_time").order_by(Staff.code)
    ).all()
    return [(code, grid) for code, grid in rows]


def patrol_roster(*, session: Session) -> dict[str, tuple[str | None, str | None]]:
    """Staff code → (own grid, street) of everyone on the roster: a patrol's id is its staff code, and a grid
    team's member patrols the grid the roster puts them in (center inspectors have a street and no grid)."""
    rows = session.execute(select(Staff.code, Staff.grid_code, Staff.street_code)).all()
    return {code: (grid, street) for code, grid, street in rows}


def staff_contacts(*, session: Session, codes: list[str]) -> dict[str, dict[str, str]]:
    """Staff code → {name, phone} for those of `codes` on the roster (a patrol's id is its staff code)."""
    if not codes:
        return {}
    rows = session.execute(select(Staff.code, Staff.name, Staff.phone).where(Staff.code.in_(codes))).all()
    return {code: {"name": name, "phone": phone} for code, name, phone in rows}


def get_case(*, session: Session, case_id: int) -> Case | None:
    """One case by id, or None."""
    return session.get(Case, case_id)


def open_cases_to_advance(*, session: Session, limit: int, reported_by: str | None = None) -> list[Case]:
    """Cases that still have a step ahead, newest first: every open case, and closed ones not yet visited back.

    `reported_by`: only the cases whose report came from an actor of that name prefix (the demo simulator takes
    back only what it filed itself, never a case a person or another channel reported).
    """
    query = (
        select(Case)
        .where(Case.state.not_in([s.value for s in TERMINAL if s != State.CLOSED]))
        .where((Case.state != State.CLOSED.value) | Case.satisfaction.is_(None))
    )
    if reported_by is not None:
        reported = select(CaseEvent.case_id).where(
            CaseEvent.command == "report", CaseEvent.actor.startswith(reported_by, autoescape=True)
        )
        query = query.where(Case.id.in_(reported))
    return list(session.scalars(query.order_by(Case.id.desc()).limit(limit)).all())
