"""The live protocol's CASE_ROW (DESIGN.md section 10): the compact JSON a case becomes on the wire (pure).

A pure projection of a case's fields, so the live layer can render snapshot rows without calling a service and
the command layer renders the very same shape for its deltas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from dashboard.domain.clock import local_iso


class CaseFields(Protocol):
    """The fields of a case a row is made of (the stored case model has them all)."""

    id: int
    code: str
    state: str
    version: int
    tier: str
    source: str
    grid_code: str | None
    street_code: str | None
    lat: float | None
    lon: float | None
    level: str | None
    category_code: str | None
    department_code: str | None
    deadline: datetime | None
    clock: dict[str, Any]
    reported_at: datetime
    updated_at: datetime
    description: str
    supervision_count: int
    instruction_count: int
    overdue_stage: str | None
    supervision_reply_by: datetime | None
    supervision_acked_at: datetime | None
    supervision_acked_by: str | None


def case_row(case: CaseFields, *, tz: str, category_name: str | None = None) -> dict[str, Any]:
    """The live-protocol CASE_ROW; personal data (reporter, phone) never included."""
    return {
        "id": case.id,
        "code": case.code,
        "state": case.state,
        "version": case.version,
        "tier": case.tier,
        "source": case.source,
        # All four None while the report waits for the dispatcher to locate it (待定位): views count it, no map
        # draws it.
        "grid_code": case.grid_code,
        "street_code": case.street_code,
        "lat": None if case.lat is None else round(case.lat, 6),
        "lon": None if case.lon is None else round(case.lon, 6),
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
        # The stage the overdue rule supervised (超时督办), None once a new stage starts: the wall's "overdue" alert.
        "overdue_stage": case.overdue_stage,
        "instruction_count": case.instruction_count or 0,  # 批示: leaders' written instructions
        # 督办回复: the open supervision's reply deadline and who acknowledged it when (None: not yet / none asked).
        "supervision_reply_by": local_iso(case.supervision_reply_by, tz),
        "supervision_acked_at": local_iso(case.supervision_acked_at, tz),
        "supervision_acked_by": case.supervision_acked_by,
    }


def _stage_start(case: CaseFields, tz: str) -> str | None:
    start = (case.clock or {}).get("start")
    return local_iso(datetime.fromisoformat(start), tz) if isinstance(start, str) else None
