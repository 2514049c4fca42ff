"""The case events the wall's alert ticker is rebuilt from (read-only; services/screen_alerts.py reads them).

Only the commands that can raise an alert are read: `report` (filed as A at intake), `file` (its condition sets
the level), `escalate`, `supervise` (a person's, or the overdue rule's with payload rule=overdue; a reply deadline
in payload reply_by), `instruct` (a leader's 批示) and `ack-supervision` (the department's 回复督办).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.clock import as_utc
from dashboard.store.models import Case, CaseEvent, CatalogItem

ALERT_COMMANDS = ("report", "file", "escalate", "supervise", "instruct", "ack-supervision")
# The events an alert's number is counted from (the Nth supervision, the Nth instruction).
HISTORY_COMMANDS = ("report", "file", "supervise", "instruct")


@dataclass(frozen=True)
class AlertEvent:
    """One event of a case that may raise an alert, with what the ticker shows of its case."""

    event_id: int
    case_id: int
    at: datetime
    command: str
    payload: dict[str, Any]
    source: str
    grid_code: str | None  # None: a report not located yet
    category: str | None


def alert_events_since(*, session: Session, since: datetime, street: str | None) -> list[AlertEvent]:
    """The alert-raising events from `since` on, oldest first, of the cases of `street` (None: the district)."""
    scope = [Case.street_code == street] if street else []
    rows = session.execute(
        select(
            CaseEvent.id,
            CaseEvent.case_id,
            CaseEvent.at,
            CaseEvent.command,
            CaseEvent.payload,
            Case.source,
            Case.grid_code,
            CatalogItem.minor_name,
        )
        .join(Case, Case.id == CaseEvent.case_id)
        .outerjoin(CatalogItem, CatalogItem.code == Case.category_code)
        .where(CaseEvent.at >= as_utc(since), CaseEvent.command.in_(ALERT_COMMANDS), *scope)
        .order_by(CaseEvent.id)
    ).all()
    return [AlertEvent(*row[:4], row[4] or {}, *row[5:]) for row in rows]


def case_histories(*, session: Session, case_ids: list[int]) -> dict[int, list[tuple[int, str, dict[str, Any]]]]:
    """Every report, file, supervise and instruct event of `case_ids` (all time), oldest first: (event id, command,
    payload)."""
    out: dict[int, list[tuple[int, str, dict[str, Any]]]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return out
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.id, CaseEvent.command, CaseEvent.payload)
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.command.in_(HISTORY_COMMANDS))
        .order_by(CaseEvent.id)
    )
    for case_id, event_id, command, payload in rows:
        out[case_id].append((event_id, command, payload or {}))
    return out


def catalog_levels(*, session: Session, codes: set[str]) -> dict[str, str]:
    """Catalog condition code → its level (A, B, C)."""
    if not codes:
        return {}
    return dict(session.execute(select(CatalogItem.code, CatalogItem.level).where(CatalogItem.code.in_(codes))).all())


def current_levels(*, session: Session, case_ids: list[int]) -> dict[int, str | None]:
    """Each case's level now (for events written before report events recorded the intake level)."""
    if not case_ids:
        return {}
    return dict(session.execute(select(Case.id, Case.level).where(Case.id.in_(case_ids))).all())
