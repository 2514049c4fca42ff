"""Commands that hold or move a running stage clock: suspend (挂账), resume, extend (延期)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dashboard.domain.actions import ACTIONS, offered_from
from dashboard.domain.cases import State
from dashboard.domain.clock import as_utc, local_iso
from dashboard.domain.sla import ClockStateError, ExtensionLimit
from dashboard.domain.time_limits import TimeLimitError, parse_time_limit
from dashboard.services import validate
from dashboard.services.commands_write import Ctx, command_note, load_case, require_offered, stage_clock, write_case
from dashboard.services.errors import FieldError
from dashboard.store.models import Case


def suspend_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """挂账: an approved hold; every clock pauses until resume (reason required)."""
    case = load_case(ctx, case_id, expected_version, "suspend")
    require_offered(case, "suspend")
    clock = stage_clock(case.clock, ctx.cal)
    data = dict(case.clock)
    if clock is not None:
        data["pauses"] = [*case.clock["pauses"], [as_utc(ctx.now).isoformat(), None]]
    return write_case(
        ctx,
        case,
        "suspend",
        {"state": State.SUSPENDED.value, "suspended_from": case.state, "clock": data},
        note=command_note(note, required=True),
    )


def resume_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """解除挂账: back to the state it left; the stage deadline moves by the time spent suspended."""
    case = load_case(ctx, case_id, expected_version, "resume")
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
    return write_case(ctx, case, "resume", changes, note=command_note(note, required=False))


def _stage_deadline(stage: str, deadline: datetime) -> dict[str, datetime]:
    column = {"dispatch": "dispatch_deadline", "handling": "handling_deadline", "verification": "verify_deadline"}
    return {column[stage]: deadline} if stage in column else {}


def extend_case(ctx: Ctx, case_id: int, *, expected_version: int, limit: str, note: str = "") -> Case:
    """延期 (approved): the handling deadline moves by `limit`; at most two extensions per case."""
    case = load_case(ctx, case_id, expected_version, "extend")
    require_offered(case, "extend")
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
        note=command_note(note, required=True),
        payload={"limit": extra.text, "deadline": local_iso(deadline, ctx.tz)},
    )
