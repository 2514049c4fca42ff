"""The wall's alert ticker rebuilt from the case events of the last hour (GET /api/v1/screen/alerts).

The alerts have the shape and keys of assets/screen/11-alerts.js, so a reloaded wall merges them with the live ones:
{key, kind, id, at, category, source, grid}, kind one of

- "a": the case became level A — reported with an A condition, or filed (by a dispatcher or the simulator) with
  one when it was not A before; key "a:ID";
- "escalated": escalated to the district (by a person or the overdue rule); key "escalated:ID";
- "overdue" / "supervised": a supervision by the overdue rule (system:overdue-rule, payload rule=overdue) or by a
  person; key "KIND:ID:N", N the case's supervision count after it (its supervision_count on the wire); a
  supervision with a reply deadline carries it as `reply_by`;
- "instructed": a leader's 批示; key "instructed:ID:N", N the case's instruction count after it;
- "acked": the department answered the open supervision (回复督办); key "acked:ID:N", N the supervision answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from dashboard.domain.clock import as_utc, local_iso
from dashboard.store.alert_queries import (
    AlertEvent,
    alert_events_since,
    case_histories,
    catalog_levels,
    current_levels,
)

WINDOW = timedelta(hours=1)
MAX_ALERTS = 48  # the ticker shows 24; a few more let it merge with live ones without a gap

History = list[tuple[int, str, dict[str, Any]]]


def _intake_level(history: History, level_now: str | None) -> str | None:
    """The level a case had when reported (older report events did not record it: then the level now, if the case
    was never filed since)."""
    for _, command, payload in history:
        if command == "report":
            if "level" in payload:
                return payload["level"]
            break
    filed = any(command == "file" for _, command, _ in history)
    return None if filed else level_now


def _number(history: History, event_id: int, of: str) -> int:
    """How many `of` events the case had up to and including `event_id` (the Nth supervision, instruction)."""
    return sum(1 for eid, command, _ in history if command == of and eid <= event_id)


def _kind_and_key(
    event: AlertEvent, history: History, intake_level: str | None, levels: dict[str, str]
) -> tuple[str, str] | None:
    case_id = event.case_id
    if event.command == "report":
        return ("a", f"a:{case_id}") if intake_level == "A" else None
    if event.command == "file":
        level = levels.get(str(event.payload.get("condition")))
        return ("a", f"a:{case_id}") if level == "A" and intake_level != "A" else None
    if event.command == "escalate":
        return "escalated", f"escalated:{case_id}"
    if event.command == "supervise":
        kind = "overdue" if event.payload.get("rule") == "overdue" else "supervised"
        return kind, f"{kind}:{case_id}:{_number(history, event.event_id, 'supervise')}"
    if event.command == "instruct":
        return "instructed", f"instructed:{case_id}:{_number(history, event.event_id, 'instruct')}"
    if event.command == "ack-supervision":
        return "acked", f"acked:{case_id}:{_number(history, event.event_id, 'supervise')}"
    return None


def recent_alerts(
    *, session: Session, street: str | None, now: datetime, tz: str, window: timedelta = WINDOW
) -> list[dict[str, Any]]:
    """The alerts raised in [now - window, now] in `street` (None: the district), newest first, each key once."""
    events = alert_events_since(session=session, since=as_utc(now) - window, street=street)
    case_ids = sorted({e.case_id for e in events})
    histories = case_histories(session=session, case_ids=case_ids)
    levels_now = current_levels(session=session, case_ids=case_ids)
    conditions = {str(e.payload.get("condition")) for e in events if e.command == "file"}
    levels = catalog_levels(session=session, codes=conditions)
    seen: set[str] = set()
    alerts: list[dict[str, Any]] = []
    for event in events:  # oldest first: a key's first event is when it happened
        history = histories.get(event.case_id, [])
        found = _kind_and_key(event, history, _intake_level(history, levels_now.get(event.case_id)), levels)
        if found is None or found[1] in seen:
            continue
        seen.add(found[1])
        alert = {
            "key": found[1],
            "kind": found[0],
            "id": event.case_id,
            "at": local_iso(event.at, tz),
            "category": event.category,
            "source": event.source,
            "grid": event.grid_code,
        }
        if found[0] == "supervised" and event.payload.get("reply_by"):
            alert["reply_by"] = event.payload["reply_by"]  # as the command wrote it: local ISO with its offset
        alerts.append(alert)
    alerts.reverse()
    return alerts[:MAX_ALERTS]
