"""Oversight of an open case, whatever its state: escalate (上报), supervise (督办) and its reply, instruct (批示),
and the overdue rule (flag-overdue) that supervises and escalates on its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dashboard.domain.actions import ACTIONS, CLOCK_RUNNING, OVERDUE_COMMAND, escalates_when_overdue
from dashboard.domain.clock import as_utc, local_iso
from dashboard.services import validate
from dashboard.services.commands_write import Ctx, command_note, load_case, require_offered, write_case
from dashboard.services.errors import FieldError
from dashboard.store.models import Case

MAX_REPLY_WITHIN = timedelta(days=30)  # the furthest a 督办's reply deadline (reply_by) may lie


def escalate_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """上报: move an open case from street tier to the district center."""
    case = load_case(ctx, case_id, expected_version, "escalate")
    require_offered(case, "escalate")
    if case.tier != ACTIONS["escalate"].tier:
        raise FieldError("tier", "the case is already at district tier")
    return write_case(
        ctx, case, "escalate", {"tier": "district", "escalated_at": ctx.now}, note=command_note(note, required=False)
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
    case = load_case(ctx, case_id, expected_version, "supervise")
    require_offered(case, "supervise")
    deadline = _reply_by(reply_by, ctx.now)
    return write_case(
        ctx,
        case,
        "supervise",
        {"supervision_count": case.supervision_count + 1, **_supervision_opened(deadline)},
        note=command_note(note, required=False),
        payload={"reply_by": local_iso(deadline, ctx.tz)} if deadline else None,
    )


def ack_supervision(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """回复督办: the handling department (or the desk) acknowledges the open supervision; the state stays."""
    case = load_case(ctx, case_id, expected_version, "ack-supervision")
    require_offered(case, "ack-supervision")
    if not case.supervision_count or case.supervision_acked_at is not None:
        raise FieldError("supervision", f"case {case.code} has no supervision waiting for a reply")
    return write_case(
        ctx,
        case,
        "ack-supervision",
        {"supervision_acked_at": ctx.now, "supervision_acked_by": ctx.actor.name},
        note=command_note(note, required=False),
    )


def instruct_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """批示: a leader's written instruction on any case, in its timeline and on its row; the state stays."""
    case = load_case(ctx, case_id, expected_version, "instruct")
    require_offered(case, "instruct")
    text = command_note(note, required=True)
    return write_case(ctx, case, "instruct", {"instruction_count": (case.instruction_count or 0) + 1}, note=text)


_STAGE_ZH = {"dispatch": "派遣", "handling": "处置", "verification": "核查"}


def flag_overdue(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """超时督办 (system command): supervise a case whose stage deadline has passed, once per stage, and escalate
    it when the rule says so (escalates_when_overdue). Run by the scheduler as the system actor.

    The supervision is recorded as a `supervise` event (payload rule=overdue), as a person's would be, so
    timelines and counts read the same whoever supervised; the escalation is the `escalate` command itself.
    """
    case = load_case(ctx, case_id, expected_version, OVERDUE_COMMAND)
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
        note=command_note(note, required=False) or f"{stage_zh}超时，自动督办",
        payload={"rule": "overdue", "stage": stage},
    )
    if escalates_when_overdue(tier=case.tier, level=case.level, supervision_count=case.supervision_count):
        case = escalate_case(ctx, case.id, expected_version=case.version, note=f"{stage_zh}超时，自动上报")
    return case
