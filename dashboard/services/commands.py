"""Case commands (DESIGN.md section 5): one function per command.

Each checks the caller's role and scope, the expected version and the state it starts from (the table of
dashboard/domain/actions.py, which the dispatch desk is handed too), then writes the case with a
compare-and-set on its version, appends the audit row and queues the outbox row, all in the caller's
transaction. Of two racing commands exactly one wins; the other gets `Conflict` naming who acted first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard.domain.actions import (
    ACTIONS,
    CLOCK_RUNNING,
    OVERDUE_COMMAND,
    escalates_when_overdue,
    offered_from,
)
from dashboard.domain.actors import Actor, Role, in_scope, may_run
from dashboard.domain.cases import TERMINAL, State
from dashboard.domain.clock import as_utc, local_iso, utcnow
from dashboard.domain.photos import PhotoKind
from dashboard.domain.sla import (
    ClockStateError,
    ExtensionLimit,
    StageClock,
    WorkCalendar,
    dispatch_limit,
    verification_limit,
)
from dashboard.domain.time_limits import TimeLimit, TimeLimitError, parse_time_limit
from dashboard.services import validate
from dashboard.services.audit import record
from dashboard.services.errors import Conflict, FieldError, Forbidden, NotFound
from dashboard.services.hotline_callbacks import owe as owe_hotline
from dashboard.services.intake import MAX_PHOTOS, GridLocator, parse_photo_urls
from dashboard.services.media_store import MediaStore
from dashboard.services.outbox import enqueue
from dashboard.services.photos import attach, merged_urls, our_photos
from dashboard.services.rows import case_row_in
from dashboard.store.models import Case, CaseEvent, CatalogItem, Department, Grid

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
MAX_NOTE = 2000
MAX_REPLY_WITHIN = timedelta(days=30)  # the furthest a 督办's reply deadline (reply_by) may lie
STREET_UNIT = "JD"  # catalog shorthand for "the street or town where the case is" (属地街道)


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


def _start_clock(ctx: Ctx, stage: str, limit: TimeLimit) -> tuple[dict[str, Any], datetime]:
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


def _catalog_limit(session: Session, case: Case) -> TimeLimit:
    item = session.get(CatalogItem, case.category_code) if case.category_code else None
    if item is None:
        raise FieldError("condition", "the case has no catalog condition; file it first")
    return parse_time_limit(item.time_limit)


# ---- the one write path ------------------------------------------------------------------------------------


def _load(ctx: Ctx, case_id: int, expected_version: int, command: str) -> Case:
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


def _require_offered(case: Case, command: str, message: str = "") -> None:
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


def _note(note: str | None, *, required: bool, what: str = "note") -> str:
    text = (validate.text(note, what, max_len=MAX_NOTE) or "").strip()
    if required and not text:
        raise FieldError(what, "is required for this command")
    return text


# ---- commands ------------------------------------------------------------------------------------------


def _require_located(case: Case, command: str) -> None:
    """A case that waits for its point (待定位) cannot go on round the loop before `locate` gives it one."""
    if case.grid_code is None:
        raise FieldError("location", f"case {case.code} has no location yet; locate it before you {command} it")


def file_case(ctx: Ctx, case_id: int, *, expected_version: int, condition: str, note: str = "") -> Case:
    """立案: reported → filed with a catalog condition; level and dispatch clock follow from it."""
    case = _load(ctx, case_id, expected_version, "file")
    _require_offered(case, "file")
    _require_located(case, "file")
    validate.code(condition, "condition", max_len=16)
    item = ctx.session.get(CatalogItem, condition)
    if item is None:
        raise FieldError("condition", f"unknown catalog condition {condition!r}")
    limit = dispatch_limit(item.level)
    clock, deadline = _start_clock(ctx, "dispatch", limit)
    return write_case(
        ctx,
        case,
        "file",
        {
            "state": State.FILED.value,
            "category_code": item.code,
            "level": item.level,
            "filed_at": ctx.now,
            "clock": clock,
            "deadline": deadline,
            "dispatch_deadline": deadline,
            "overdue_stage": None,
        },
        note=_note(note, required=False),
        payload={"condition": item.code},
    )


def resolve_department(session: Session, code: str, case: Case) -> Department:
    """The department a dispatch goes to; `JD` means the case's own street's law-enforcement unit."""
    validate.code(code, "department")
    if code == STREET_UNIT:
        code = f"{case.street_code}ZF"
    dept = session.get(Department, code)
    # A street-tier unit works in its own street only: a case is never sent to another street's unit.
    if dept is None or (dept.tier == "street" and not dept.code.startswith(case.street_code)):
        raise FieldError("department", f"department {code!r} not found or not serving this case's street")
    return dept


def dispatch_case(
    ctx: Ctx, case_id: int, *, expected_version: int, department: str, patrol: str | None = None, note: str = ""
) -> Case:
    """派遣: filed or returned → dispatched to a department (and optionally a patrol); handling clock starts."""
    case = _load(ctx, case_id, expected_version, "dispatch")
    _require_offered(case, "dispatch")
    dept = resolve_department(ctx.session, department, case)
    if patrol is not None:
        validate.patrol_id(patrol, "patrol")
    limit = _catalog_limit(ctx.session, case)
    clock, deadline = _start_clock(ctx, "handling", limit)
    return write_case(
        ctx,
        case,
        "dispatch",
        {
            "state": State.DISPATCHED.value,
            "department_code": dept.code,
            "patrol_id": patrol,
            "dispatched_at": case.dispatched_at or ctx.now,
            "clock": clock,
            "deadline": deadline,
            "handling_deadline": deadline,
            "overdue_stage": None,
        },
        note=_note(note, required=False),
        payload={"department": dept.code, "patrol": patrol},
    )


def acknowledge_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """签收: the department takes the case (dispatched → handling); the handling clock keeps running."""
    case = _load(ctx, case_id, expected_version, "acknowledge")
    _require_offered(case, "acknowledge")
    return write_case(ctx, case, "acknowledge", {"state": State.HANDLING.value}, note=_note(note, required=False))


def return_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """退回: the department says it is not theirs (reason required); a new dispatch clock starts."""
    case = _load(ctx, case_id, expected_version, "return")
    _require_offered(case, "return")
    clock, deadline = _start_clock(ctx, "dispatch", dispatch_limit(case.level))
    return write_case(
        ctx,
        case,
        "return",
        {
            "state": State.RETURNED.value,
            "return_count": case.return_count + 1,
            "clock": clock,
            "deadline": deadline,
            "overdue_stage": None,
        },
        note=_note(note, required=True),
    )


def report_handled(
    ctx: Ctx, case_id: int, *, expected_version: int, note: str = "", photos: list[str] | None = None
) -> Case:
    """办结反馈: handling → handled; the verification clock (2 h) starts."""
    case = _load(ctx, case_id, expected_version, "report-handled")
    _require_offered(case, "report-handled")
    photos = parse_photo_urls(photos)
    _check_room(case, photos)
    ours = our_photos(photos, name="photos", store=ctx.media, session=ctx.session)
    started = as_utc(case.dispatched_at or case.updated_at)
    work_hours = ctx.cal.working_time_between(started, ctx.now) / timedelta(hours=1)
    clock, deadline = _start_clock(ctx, "verification", verification_limit())
    case = write_case(
        ctx,
        case,
        "report-handled",
        {
            "state": State.HANDLED.value,
            "handled_at": ctx.now,
            "handling_work_hours": round(work_hours, 3),
            "clock": clock,
            "deadline": deadline,
            "verify_deadline": deadline,
            "overdue_stage": None,
            "photos": merged_urls(case.photos, photos),
        },
        note=_note(note, required=False),
        payload={"photos": photos or []},
    )
    attach(ctx.session, case_id=case.id, photos=ours, kind=PhotoKind.HANDLED, uploaded_by=ctx.actor.name, now=ctx.now)
    return case


def _check_room(case: Case, new: list[str]) -> None:
    if len(merged_urls(case.photos, new)) > 2 * MAX_PHOTOS:
        raise FieldError("photos", f"a case keeps at most {2 * MAX_PHOTOS} photos (before and after)")


def verify_case(ctx: Ctx, case_id: int, *, expected_version: int, result: str, note: str = "") -> Case:
    """核查: pass → closed; fail → back to dispatched for rework (返工) with a fresh handling clock."""
    case = _load(ctx, case_id, expected_version, "verify")
    if result not in ("pass", "fail"):
        raise FieldError("result", "must be pass or fail")
    _require_offered(case, "verify")  # pass and fail alike: only a handled case is checked on site
    if result == "pass":
        return write_case(
            ctx,
            case,
            "verify",
            {"state": State.CLOSED.value, "closed_at": ctx.now, "clock": {}, "deadline": None, "overdue_stage": None},
            note=_note(note, required=False),
            payload={"result": "pass"},
        )
    clock, deadline = _start_clock(ctx, "handling", _catalog_limit(ctx.session, case))
    return write_case(
        ctx,
        case,
        "verify",
        {
            "state": State.DISPATCHED.value,
            "rework_count": case.rework_count + 1,
            "clock": clock,
            "deadline": deadline,
            "handling_deadline": deadline,
            "overdue_stage": None,
        },
        note=_note(note, required=True),
        payload={"result": "fail"},
    )


def reject_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """不予立案: reported → rejected, reason required."""
    case = _load(ctx, case_id, expected_version, "reject")
    _require_offered(case, "reject")
    return write_case(
        ctx,
        case,
        "reject",
        {"state": State.REJECTED.value, "closed_at": ctx.now, "deadline": None, "clock": {}},
        note=_note(note, required=True),
    )


def merge_case(ctx: Ctx, case_id: int, *, expected_version: int, into: int, note: str = "") -> Case:
    """合并: a duplicate report joins an open case (reported → merged)."""
    case = _load(ctx, case_id, expected_version, "merge")
    _require_offered(case, "merge")
    if isinstance(into, bool) or not isinstance(into, int) or into == case_id:
        raise FieldError("into", "must be the id of another case")
    target = ctx.session.get(Case, into) if 0 < into <= validate.INT64_MAX else None
    # One answer for missing, closed and out of reach: a street user must not learn other streets' case ids.
    if (
        target is None
        or State(target.state) in TERMINAL
        or not in_scope(
            ctx.actor, street_code=target.street_code, tier=target.tier, department_code=target.department_code
        )
    ):
        raise FieldError("into", f"case {into} not found among the open cases you may command")
    return write_case(
        ctx,
        case,
        "merge",
        {"state": State.MERGED.value, "merged_into": into, "closed_at": ctx.now, "deadline": None, "clock": {}},
        note=_note(note, required=False),
        payload={"into": into},
    )


def self_handle(
    ctx: Ctx,
    case_id: int,
    *,
    expected_version: int,
    note: str = "",
    photos_before: list[str] | None = None,
    photos_after: list[str] | None = None,
) -> Case:
    """自处置: fixed on the spot (reported → self_handled), with photos of ours before and after (optional).

    A grid worker self-handles only what they reported themselves (the report's intake actor is their account):
    a case another worker or a channel reported is the desk's to decide.
    """
    case = _load(ctx, case_id, expected_version, "self-handle")
    _require_offered(case, "self-handle")
    _require_located(case, "self-handle")
    if ctx.actor.role is Role.WORKER and reported_by(ctx.session, case.id) != ctx.actor.name:
        raise Forbidden(f"a grid worker may self-handle only the cases they reported; {case.code} was not theirs")
    before_urls = parse_photo_urls(photos_before, name="photos_before")
    after_urls = parse_photo_urls(photos_after, name="photos_after")
    before = our_photos(before_urls, name="photos_before", store=ctx.media, session=ctx.session, only_ours=True)
    after = our_photos(after_urls, name="photos_after", store=ctx.media, session=ctx.session, only_ours=True)
    _check_room(case, [*before_urls, *after_urls])
    changes: dict[str, Any] = {"state": State.SELF_HANDLED.value, "closed_at": ctx.now}
    if before_urls or after_urls:
        changes["photos"] = merged_urls(case.photos, [*before_urls, *after_urls])
    case = write_case(
        ctx,
        case,
        "self-handle",
        changes,
        note=_note(note, required=False),
        payload={"photos_before": before_urls, "photos_after": after_urls} if before_urls or after_urls else None,
    )
    for kind, photos in ((PhotoKind.BEFORE, before), (PhotoKind.AFTER, after)):
        attach(ctx.session, case_id=case.id, photos=photos, kind=kind, uploaded_by=ctx.actor.name, now=ctx.now)
    return case


def reported_by(session: Session, case_id: int) -> str | None:
    """The account that reported the case (its intake event's actor)."""
    return session.scalar(
        select(CaseEvent.actor).where(CaseEvent.case_id == case_id, CaseEvent.command == "report").limit(1)
    )


def escalate_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """上报: move an open case from street tier to the district center."""
    case = _load(ctx, case_id, expected_version, "escalate")
    _require_offered(case, "escalate")
    if case.tier != ACTIONS["escalate"].tier:
        raise FieldError("tier", "the case is already at district tier")
    return write_case(
        ctx, case, "escalate", {"tier": "district", "escalated_at": ctx.now}, note=_note(note, required=False)
    )


def _reply_by(raw: Any, now: datetime) -> datetime | None:
    """The reply deadline a 督办 may carry: an ISO date-time with its UTC offset, after now, at most 30 days on."""
    value = validate.instant(raw, "reply_by")
    if value is None:
        return None
    if value <= now:
        raise FieldError("reply_by", "must lie in the future")
    if value > now + MAX_REPLY_WITHIN:
        raise FieldError("reply_by", f"must lie within {MAX_REPLY_WITHIN.days} days")
    return value


def _supervision_opened(reply_by: datetime | None) -> dict[str, Any]:
    """A new supervision waits for its own reply: the deadline it carries, no acknowledgement yet."""
    return {"supervision_reply_by": reply_by, "supervision_acked_at": None, "supervision_acked_by": None}


def supervise_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "", reply_by: Any = None) -> Case:
    """督办: count a supervision (leader, dispatcher, or the overdue rule) on an open case; `reply_by` (optional)
    is when the handling department must have replied (ack-supervision)."""
    case = _load(ctx, case_id, expected_version, "supervise")
    _require_offered(case, "supervise")
    deadline = _reply_by(reply_by, ctx.now)
    return write_case(
        ctx,
        case,
        "supervise",
        {"supervision_count": case.supervision_count + 1, **_supervision_opened(deadline)},
        note=_note(note, required=False),
        payload={"reply_by": local_iso(deadline, ctx.tz)} if deadline else None,
    )


def ack_supervision(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """回复督办: the handling department (or the desk) acknowledges the open supervision; the state stays."""
    case = _load(ctx, case_id, expected_version, "ack-supervision")
    _require_offered(case, "ack-supervision")
    if not case.supervision_count or case.supervision_acked_at is not None:
        raise FieldError("supervision", f"case {case.code} has no supervision waiting for a reply")
    return write_case(
        ctx,
        case,
        "ack-supervision",
        {"supervision_acked_at": ctx.now, "supervision_acked_by": ctx.actor.name},
        note=_note(note, required=False),
    )


def instruct_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """批示: a leader's written instruction on any case, in its timeline and on its row; the state stays."""
    case = _load(ctx, case_id, expected_version, "instruct")
    _require_offered(case, "instruct")
    text = _note(note, required=True)
    return write_case(ctx, case, "instruct", {"instruction_count": (case.instruction_count or 0) + 1}, note=text)


_STAGE_ZH = {"dispatch": "派遣", "handling": "处置", "verification": "核查"}


def flag_overdue(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """超时督办 (system command): supervise a case whose stage deadline has passed, once per stage, and escalate
    it when the rule says so (escalates_when_overdue). Run by the scheduler as the system actor.

    The supervision is recorded as a `supervise` event (payload rule=overdue), as a person's would be, so
    timelines and counts read the same whoever supervised; the escalation is the `escalate` command itself.
    """
    case = _load(ctx, case_id, expected_version, OVERDUE_COMMAND)
    if case.state not in CLOCK_RUNNING:
        raise FieldError("state", f"no running stage clock on a case that is {case.state}")
    if case.deadline is None or as_utc(case.deadline) >= ctx.now:
        raise FieldError("deadline", f"case {case.code} is not overdue")
    stage = (case.clock or {}).get("stage", case.state)
    if case.overdue_stage == stage:
        raise FieldError("overdue_stage", f"case {case.code} is already supervised for this overdue stage")
    stage_zh = _STAGE_ZH.get(stage, stage)
    case = write_case(
        ctx,
        case,
        "supervise",
        {
            "overdue_stage": stage,
            "supervision_count": case.supervision_count + 1,
            # An unanswered person's deadline stands; an answered supervision opens again, without one.
            **_supervision_opened(None if case.supervision_acked_at else case.supervision_reply_by),
        },
        note=_note(note, required=False) or f"{stage_zh}超时，自动督办",
        payload={"rule": "overdue", "stage": stage},
    )
    if escalates_when_overdue(tier=case.tier, level=case.level, supervision_count=case.supervision_count):
        case = escalate_case(ctx, case.id, expected_version=case.version, note=f"{stage_zh}超时，自动上报")
    return case


def suspend_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """挂账: an approved hold; every clock pauses until resume (reason required)."""
    case = _load(ctx, case_id, expected_version, "suspend")
    _require_offered(case, "suspend")
    clock = stage_clock(case.clock, ctx.cal)
    data = dict(case.clock)
    if clock is not None:
        data["pauses"] = [*case.clock["pauses"], [as_utc(ctx.now).isoformat(), None]]
    return write_case(
        ctx,
        case,
        "suspend",
        {"state": State.SUSPENDED.value, "suspended_from": case.state, "clock": data},
        note=_note(note, required=True),
    )


def resume_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """解除挂账: back to the state it left; the stage deadline moves by the time spent suspended."""
    case = _load(ctx, case_id, expected_version, "resume")
    if not offered_from("resume", case.state) or not case.suspended_from:
        raise FieldError("state", f"cannot resume a case that is {case.state}")
    data = dict(case.clock)
    changes: dict[str, Any] = {"state": case.suspended_from, "suspended_from": None}
    if data.get("pauses"):
        pauses = [list(p) for p in data["pauses"]]
        pauses[-1][1] = as_utc(ctx.now).isoformat()
        data["pauses"] = pauses
        deadline = as_utc(stage_clock(data, ctx.cal).deadline_at(ctx.now))  # type: ignore[union-attr]
        changes.update(clock=data, deadline=deadline, **_stage_deadline(data["stage"], deadline))
    return write_case(ctx, case, "resume", changes, note=_note(note, required=False))


def extend_case(ctx: Ctx, case_id: int, *, expected_version: int, limit: str, note: str = "") -> Case:
    """延期 (approved): the handling deadline moves by `limit`; at most two extensions per case."""
    case = _load(ctx, case_id, expected_version, "extend")
    _require_offered(case, "extend")
    try:
        extra = parse_time_limit(limit) if validate.text(limit, "limit", max_len=32, multiline=False) else None
    except TimeLimitError as exc:
        raise FieldError("limit", str(exc)) from exc
    if extra is None:
        raise FieldError("limit", "is required, written as in a catalog (e.g. 2工作日)")
    at_most = ACTIONS["extend"].at_most
    if at_most is not None and case.extension_count >= at_most:
        raise FieldError("extension_count", "a case may be extended at most twice")
    clock = stage_clock(case.clock, ctx.cal)
    if clock is None:
        raise FieldError("state", "no running handling clock to extend")
    try:
        extended = clock.extend(extra)
    except (ExtensionLimit, ClockStateError) as exc:
        raise FieldError("limit", str(exc)) from exc
    data = {**case.clock, "extensions": [*case.clock["extensions"], extra.text]}
    deadline = as_utc(extended.deadline_at(ctx.now))
    return write_case(
        ctx,
        case,
        "extend",
        {
            "extension_count": case.extension_count + 1,
            "clock": data,
            "deadline": deadline,
            "handling_deadline": deadline,
            "overdue_stage": None,
        },
        note=_note(note, required=True),
        payload={"limit": extra.text, "deadline": local_iso(deadline, ctx.tz)},
    )


def visit_back(ctx: Ctx, case_id: int, *, expected_version: int, satisfaction: str, note: str = "") -> Case:
    """回访: record the reporter's satisfaction with a closed case (once)."""
    case = _load(ctx, case_id, expected_version, "visit-back")
    _require_offered(case, "visit-back", f"only closed cases get a visit-back; this one is {case.state}")
    if satisfaction not in SATISFACTION:
        raise FieldError("satisfaction", f"must be one of {', '.join(SATISFACTION)}")
    if case.satisfaction is not None:
        raise FieldError("satisfaction", "the visit-back is already recorded")
    return write_case(
        ctx,
        case,
        "visit-back",
        {"satisfaction": satisfaction, "visited_at": ctx.now},
        note=_note(note, required=False),
        payload={"satisfaction": satisfaction},
    )


def locate_case(ctx: Ctx, case_id: int, *, expected_version: int, lat: Any, lon: Any, note: str = "") -> Case:
    """标注位置: give a reported case its point (WGS-84) and with it its grid, community and street.

    An unlocated report (no coordinates, an address naming none of our areas) waits at district tier; once
    located it belongs to its street like any report (unless it was escalated). A placed report may be moved too.
    """
    case = _load(ctx, case_id, expected_version, "locate")
    _require_offered(case, "locate")
    point_lat = validate.latitude(lat, "lat")
    point_lon = validate.longitude(lon, "lon")
    if ctx.grids is None:
        raise RuntimeError("locate needs the grid index (Ctx.grids)")
    grid = ctx.grids.locate(point_lon, point_lat)
    if grid is None:
        raise FieldError("lat/lon", "the point is outside every grid of the jurisdiction")
    was = case.grid_code
    unplaced_tier = was is None and case.escalated_at is None
    name = ctx.session.scalar(select(Grid.name).where(Grid.code == grid.code)) or grid.code
    told = _note(note, required=False)
    return write_case(
        ctx,
        case,
        "locate",
        {
            "lat": point_lat,
            "lon": point_lon,
            "grid_code": grid.code,
            "community_code": grid.community_code,
            "street_code": grid.street_code,
            **({"tier": "street"} if unplaced_tier else {}),
        },
        note=f"标注位置：{name}" + (f"；{told}" if told else ""),
        payload={"lat": point_lat, "lon": point_lon, "grid": grid.code, "from_grid": was},
    )


def _stage_deadline(stage: str, deadline: datetime) -> dict[str, datetime]:
    column = {"dispatch": "dispatch_deadline", "handling": "handling_deadline", "verification": "verify_deadline"}
    return {column[stage]: deadline} if stage in column else {}


COMMAND_FUNCTIONS = {
    "file": file_case,
    "dispatch": dispatch_case,
    "acknowledge": acknowledge_case,
    "return": return_case,
    "report-handled": report_handled,
    "verify": verify_case,
    "reject": reject_case,
    "merge": merge_case,
    "self-handle": self_handle,
    "escalate": escalate_case,
    "supervise": supervise_case,
    "ack-supervision": ack_supervision,
    "instruct": instruct_case,
    "suspend": suspend_case,
    "resume": resume_case,
    "extend": extend_case,
    "visit-back": visit_back,
    "locate": locate_case,
    OVERDUE_COMMAND: flag_overdue,  # system role only: the API answers 403 to every user
}
# Body fields each command takes besides expected_version and note (the API passes only these through).
COMMAND_FIELDS: dict[str, tuple[str, ...]] = {
    "supervise": ("reply_by",),
    "file": ("condition",),
    "dispatch": ("department", "patrol"),
    "report-handled": ("photos",),
    "self-handle": ("photos_before", "photos_after"),
    "verify": ("result",),
    "merge": ("into",),
    "extend": ("limit",),
    "visit-back": ("satisfaction",),
    "locate": ("lat", "lon"),
}
COMMAND_REQUIRED: dict[str, tuple[str, ...]] = {
    "file": ("condition",),
    "dispatch": ("department",),
    "verify": ("result",),
    "merge": ("into",),
    "extend": ("limit",),
    "visit-back": ("satisfaction",),
    "locate": ("lat", "lon"),
}
