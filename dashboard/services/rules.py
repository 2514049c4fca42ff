"""Suggestions for the desk: routing, nearest patrols and duplicates.

The overdue rule (督办/上报) is the system command `flag-overdue` (services/commands.py), run by the scheduler
(services/scheduler.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.cases import TERMINAL, State
from dashboard.domain.clock import as_utc, local_iso
from dashboard.domain.geo import haversine_m
from dashboard.live.patrols import PatrolStore
from dashboard.services.commands import STREET_UNIT
from dashboard.services.lookups import staff_contacts
from dashboard.store.models import Case, CatalogItem, Department

DUPLICATE_RADIUS_M = 50.0
DUPLICATE_WINDOW = timedelta(hours=24)
PATROL_RADIUS_M = 3000.0
# Degrees that surely contain DUPLICATE_RADIUS_M at Beijing's latitude, for an index-friendly prefilter.
_LAT_PAD = DUPLICATE_RADIUS_M / 111_000 * 1.2
_LON_PAD = DUPLICATE_RADIUS_M / (111_000 * 0.7) * 1.2


def duplicate_candidates(*, session: Session, case: Case, tz: str) -> list[dict[str, Any]]:
    """Cases of the same minor class within 50 m and 24 h (any class when this one is not yet filed)."""
    if case.lat is None or case.lon is None:
        return []  # not located yet: nothing is near it
    reported = as_utc(case.reported_at)
    query = select(Case).where(
        Case.id != case.id,
        Case.lat.between(case.lat - _LAT_PAD, case.lat + _LAT_PAD),
        Case.lon.between(case.lon - _LON_PAD, case.lon + _LON_PAD),
        Case.reported_at.between(reported - DUPLICATE_WINDOW, reported + DUPLICATE_WINDOW),
        Case.state != State.MERGED.value,
    )
    minor = case.category_code[:4] if case.category_code else None
    if minor:
        query = query.where(Case.category_code.startswith(minor))
    out = []
    for other in session.scalars(query.order_by(Case.reported_at.desc()).limit(50)):
        distance = haversine_m(case.lon, case.lat, other.lon, other.lat)  # type: ignore[arg-type] - BETWEEN skips NULL
        if distance <= DUPLICATE_RADIUS_M:
            out.append(
                {
                    "id": other.id,
                    "code": other.code,
                    "state": other.state,
                    "version": other.version,
                    "distance_m": round(distance, 1),
                    "reported_at": local_iso(other.reported_at, tz),
                    "description": other.description[:80],
                    "category_code": other.category_code,
                    "open": State(other.state) not in TERMINAL,
                }
            )
    return out


def suggested_department(*, session: Session, case: Case) -> dict[str, str] | None:
    """The catalog's department for the case's condition; 属地街道 resolves to the case's own street unit."""
    item = session.get(CatalogItem, case.category_code) if case.category_code else None
    if item is None or item.department_code is None:
        return None
    code = f"{case.street_code}ZF" if item.department_code == STREET_UNIT else item.department_code
    dept = session.get(Department, code)
    return {"code": dept.code, "name": dept.name} if dept else None


def suggested_category(*, session: Session, case: Case, duplicates: list[dict[str, Any]]) -> dict[str, str] | None:
    """The condition to file the case under: its reported category, else the nearest categorised duplicate's."""
    code = case.category_code
    if not code:
        near = sorted((d for d in duplicates if d["category_code"]), key=lambda d: d["distance_m"])
        code = near[0]["category_code"] if near else None
    item = session.get(CatalogItem, code) if code else None
    return {"code": item.code, "name": f"{item.major_name} › {item.minor_name}"} if item else None


def nearest_patrols(*, session: Session, patrols: PatrolStore, case: Case) -> list[dict[str, Any]]:
    """The nearest available patrols, each with its name and phone from the staff roster (None when unknown)."""
    if case.lat is None or case.lon is None:
        return []
    found = patrols.nearest(case.lon, case.lat, k=3, radius_m=PATROL_RADIUS_M, available_only=True)
    contacts = staff_contacts(session=session, codes=[p["id"] for p in found])
    none = {"name": None, "phone": None}
    return [{**p, **contacts.get(p["id"], none)} for p in found]


def suggestions(*, session: Session, patrols: PatrolStore, case: Case, tz: str) -> dict[str, Any]:
    """Everything the dispatch desk offers for one case: condition, department, nearest patrols, duplicates."""
    duplicates = duplicate_candidates(session=session, case=case, tz=tz)
    return {
        "category": suggested_category(session=session, case=case, duplicates=duplicates),
        "department": suggested_department(session=session, case=case),
        "tier": case.tier,
        "patrols": nearest_patrols(session=session, patrols=patrols, case=case),
        "duplicates": duplicates,
    }
