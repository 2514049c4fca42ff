"""The one write path every case command takes (services/commands.py lists the commands).

`load_case` checks role, scope and expected version; `write_case` compare-and-sets the row, appends the audit
row, queues the outbox row and owes the 12345 hotline its verb, all in the caller's transaction. The stage-clock
helpers and the checks several commands share live here too, so each command module holds only its commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard.domain.actions import offered_from
from dashboard.domain.actors import Actor, in_scope, may_run
from dashboard.domain.clock import as_utc, utcnow
from dashboard.domain.sla import StageClock, WorkCalendar
from dashboard.domain.time_limits import TimeLimit, parse_time_limit
from dashboard.services import validate
from dashboard.services.audit import record
from dashboard.services.errors import Conflict, FieldError, Forbidden, NotFound
from dashboard.services.hotline_callbacks import owe as owe_hotline
from dashboard.services.intake import MAX_PHOTOS, GridLocator
from dashboard.services.media_store import MediaStore
from dashboard.services.outbox import enqueue
from dashboard.services.photos import merged_urls
from dashboard.services.rows import case_row_in
from dashboard.store.models import Case, CaseEvent, CatalogItem

MAX_NOTE = 2000


@dataclass(frozen=True)
class Ctx:
    """What every command needs besides its own arguments."""

    session: Session
    actor: Actor
    cal: WorkCalendar
    tz: str
    now: datetime = field(default_factory=utcnow)
    media: MediaStore | None = None  # the photo store, for commands that take photos of ours (None: links only)
    grids: GridLocator | None = None  # the point-in-grid index, for `locate` (None: that command is refused)


# ---- stage clocks ---------------------------------------------------------------------------------------


def _clock_dict(stage: str, start: datetime, limit: TimeLimit) -> dict[str, Any]:
    return {"stage": stage, "start": as_utc(start).isoformat(), "limit": limit.text, "pauses": [], "extensions": []}


def start_clock(ctx: Ctx, stage: str, limit: TimeLimit) -> tuple[dict[str, Any], datetime]:
    """A fresh stage clock starting now, and its deadline."""
    clock = _clock_dict(stage, ctx.now, limit)
    # UTC before it is stored: SQLite keeps the wall-clock digits of an aware value, so a +08:00 deadline would
    # read back (as UTC) eight hours late.
    return clock, as_utc(stage_clock(clock, ctx.cal).deadline_at(ctx.now))  # type: ignore[union-attr]


def stage_clock(data: dict[str, Any], cal: WorkCalendar) -> StageClock | None:
    """The StageClock stored on a case (None when no stage clock runs)."""
    if not data or "stage" not in data:
        return None
    return StageClock(
        start=datetime.fromisoformat(data["start"]),
        limit=parse_time_limit(data["limit"]),
        calendar=cal,
        pauses=tuple((datetime.fromisoformat(s), datetime.fromisoformat(e) if e else None) for s, e in data["pauses"]),
        extensions=tuple(parse_time_limit(x) for x in data["extensions"]),
    )


def catalog_limit(session: Session, case: Case) -> TimeLimit:
    item = session.get(CatalogItem, case.category_code) if case.category_code else None
    if item is None:
        raise FieldError("condition", "the case has no catalog condition; file it first")
    return parse_time_limit(item.time_limit)


# ---- the one write path ------------------------------------------------------------------------------------


def load_case(ctx: Ctx, case_id: int, expected_version: int, command: str) -> Case:
    if not may_run(ctx.actor, command):
        raise Forbidden(f"role {ctx.actor.role} may not {command}")
    case = ctx.session.get(Case, case_id)
    if case is None or not in_scope(
        ctx.actor, street_code=case.street_code, tier=case.tier, department_code=case.department_code
    ):
        # Out of scope looks exactly like missing: ids must not be probeable across streets.
        raise NotFound(f"case {case_id} not found")
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise FieldError("expected_version", "is required and must be an integer")
    validate.integer(expected_version, "expected_version")  # signed 64-bit; a stale one is a 409 below
    if case.version != expected_version:
        raise _conflict(ctx.session, case)
    return case


def _conflict(session: Session, case: Case) -> Conflict:
    last = session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc()))
    who = f"{last.command} by {last.actor} at {as_utc(last.at).isoformat(timespec='seconds')}" if last else ""
    return Conflict(
        f"case {case.code} is now {case.state} (version {case.version}){': ' + who if who else ''}",
        current={
            "state": case.state,
            "version": case.version,
            "last_command": last.command if last else None,
            "last_actor": last.actor if last else None,
            "last_at": as_utc(last.at).isoformat() if last else None,
        },
    )


def require_offered(case: Case, command: str, message: str = "") -> None:
    """The case's state is one `command` may start from (dashboard/domain/actions.py, the desk's table too)."""
    if not offered_from(command, case.state):
        raise FieldError("state", message or f"cannot {command} a case that is {case.state}")


def write_case(
    ctx: Ctx,
    case: Case,
    command: str,
    changes: dict[str, Any],
    *,
    note: str = "",
    payload: dict[str, Any] | None = None,
) -> Case:
    """The one write path: compare-and-set the row, append the audit row, queue the live row."""
    from_state = case.state
    values = {**changes, "updated_at": ctx.now, "version": Case.version + 1}
    result = ctx.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.version == case.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        ctx.session.rollback()
        fresh = ctx.session.get(Case, case.id)
        assert fresh is not None
        ctx.session.refresh(fresh)
        raise _conflict(ctx.session, fresh)
    ctx.session.refresh(case)
    ctx.session.add(
        CaseEvent(
            case_id=case.id,
            at=ctx.now,
            actor=ctx.actor.name,
            command=command,
            from_state=from_state,
            to_state=case.state,
            note=note,
            payload=payload or {},
        )
    )
    enqueue(session=ctx.session, topic="case", payload=case_row_in(case, session=ctx.session, tz=ctx.tz))
    record(
        session=ctx.session,
        actor=ctx.actor.name,
        action=f"case:{command}",
        target=case.code,
        detail={"from": from_state, "to": case.state, "version": case.version},
    )
    # A case from a 12345 order owes the hotline its verb (签收, 退单, 延期申请, 办结, 回访) in this same transaction.
    owe_hotline(
        session=ctx.session, case=case, command=command, note=note, payload=payload or {}, now=ctx.now, tz=ctx.tz
    )
    return case


def command_note(note: str | None, *, required: bool, what: str = "note") -> str:
    text = (validate.text(note, what, max_len=MAX_NOTE) or "").strip()
    if required and not text:
        raise FieldError(what, "is required for this command")
    return text


def require_located(case: Case, command: str) -> None:
    """A case that waits for its point (待定位) cannot go on round the loop before `locate` gives it one."""
    if case.grid_code is None:
        raise FieldError("location", f"case {case.code} has no location yet; locate it before you {command} it")


def check_photo_room(case: Case, new: list[str]) -> None:
    if len(merged_urls(case.photos, new)) > 2 * MAX_PHOTOS:
        raise FieldError("photos", f"a case keeps at most {2 * MAX_PHOTOS} photos (before and after)")
