"""Wire rows: the compact JSON a case becomes on the live protocol and in the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dashboard.services.clock import local_iso
from dashboard.store.models import Case, CatalogItem


def case_row(case: Case, *, tz: str, category_name: str | None = None) -> dict[str, Any]:
    """The live-protocol CASE_ROW (DESIGN.md section 10); personal data (reporter, phone) never included."""
    return {
        "id": case.id,
        "code": case.code,
        "state": case.state,
        "version": case.version,
        "tier": case.tier,
        "source": case.source,
        "grid_code": case.grid_code,
        "street_code": case.street_code,
        "lat": round(case.lat, 6),
        "lon": round(case.lon, 6),
        "level": case.level,
        "category_code": case.category_code,
        "category": category_name,
        "department_code": case.department_code,
        "deadline": local_iso(case.deadline, tz),
        # Start of the running stage clock: desks colour the countdown by the share of the stage left (§6).
        "stage_start": _stage_start(case, tz),
        "reported_at": local_iso(case.reported_at, tz),
        "updated_at": local_iso(case.updated_at, tz),
        "description": case.description[:140],
        "supervision_count": case.supervision_count,
    }


def _stage_start(case: Case, tz: str) -> str | None:
    start = (case.clock or {}).get("start")
    return local_iso(datetime.fromisoformat(start), tz) if isinstance(start, str) else None


def case_row_in(case: Case, *, session: Session, tz: str) -> dict[str, Any]:
    """`case_row` with the category's display name looked up in the session (cached by the identity map)."""
    item = session.get(CatalogItem, case.category_code) if case.category_code else None
    return case_row(case, tz=tz, category_name=item.minor_name if item else None)
