"""The handling loop of a filed case: dispatch, acknowledge, return, report handled, verify, and the visit-back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from dashboard.domain.cases import State
from dashboard.domain.clock import as_utc
from dashboard.domain.photos import PhotoKind
from dashboard.domain.sla import dispatch_limit, verification_limit
from dashboard.services import validate
from dashboard.services.commands_write import (
    Ctx,
    catalog_limit,
    check_photo_room,
    command_note,
    load_case,
    require_offered,
    start_clock,
    write_case,
)
from dashboard.services.errors import FieldError
from dashboard.services.intake import parse_photo_urls
from dashboard.services.photos import attach, merged_urls, our_photos
from dashboard.store.models import Case, Department

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")


STREET_UNIT = "JD"  # catalog shorthand for "the street or town where the case is" (属地街道)


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
    case = load_case(ctx, case_id, expected_version, "dispatch")
    require_offered(case, "dispatch")
    dept = resolve_department(ctx.session, department, case)
    if patrol is not None:
        validate.patrol_id(patrol, "patrol")
    limit = catalog_limit(ctx.session, case)
    clock, deadline = start_clock(ctx, "handling", limit)
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
        note=command_note(note, required=False),
        payload={"department": dept.code, "patrol": patrol},
    )


def acknowledge_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """签收: the department takes the case (dispatched → handling); the handling clock keeps running."""
    case = load_case(ctx, case_id, expected_version, "acknowledge")
    require_offered(case, "acknowledge")
    return write_case(
        ctx, case, "acknowledge", {"state": State.HANDLING.value}, note=command_note(note, required=False)
    )


def return_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """退回: the department says it is not theirs (reason required); a new dispatch clock starts."""
    case = load_case(ctx, case_id, expected_version, "return")
    require_offered(case, "return")
    clock, deadline = start_clock(ctx, "dispatch", dispatch_limit(case.level))
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
        note=command_note(note, required=True),
    )


def report_handled(
    ctx: Ctx, case_id: int, *, expected_version: int, note: str = "", photos: list[str] | None = None
) -> Case:
    """办结反馈: handling → handled; the verification clock (2 h) starts."""
    case = load_case(ctx, case_id, expected_version, "report-handled")
    require_offered(case, "report-handled")
    photos = parse_photo_urls(photos)
    check_photo_room(case, photos)
    ours = our_photos(photos, name="photos", store=ctx.media, session=ctx.session)
    started = as_utc(case.dispatched_at or case.updated_at)
    work_hours = ctx.cal.working_time_between(started, ctx.now) / timedelta(hours=1)
    clock, deadline = start_clock(ctx, "verification", verification_limit())
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
        note=command_note(note, required=False),
        payload={"photos": photos or []},
    )
    attach(ctx.session, case_id=case.id, photos=ours, kind=PhotoKind.HANDLED, uploaded_by=ctx.actor.name, now=ctx.now)
    return case


def verify_case(ctx: Ctx, case_id: int, *, expected_version: int, result: str, note: str = "") -> Case:
    """核查: pass → closed; fail → back to dispatched for rework (返工) with a fresh handling clock."""
    case = load_case(ctx, case_id, expected_version, "verify")
    if result not in ("pass", "fail"):
        raise FieldError("result", "must be pass or fail")
    require_offered(case, "verify")  # pass and fail alike: only a handled case is checked on site
    if result == "pass":
        return write_case(
            ctx,
            case,
            "verify",
            {"state": State.CLOSED.value, "closed_at": ctx.now, "clock": {}, "deadline": None, "overdue_stage": None},
            note=command_note(note, required=False),
            payload={"result": "pass"},
        )
    clock, deadline = start_clock(ctx, "handling", catalog_limit(ctx.session, case))
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
        note=command_note(note, required=True),
        payload={"result": "fail"},
    )


def visit_back(ctx: Ctx, case_id: int, *, expected_version: int, satisfaction: str, note: str = "") -> Case:
    """回访: record the reporter's satisfaction with a closed case (once)."""
    case = load_case(ctx, case_id, expected_version, "visit-back")
    require_offered(case, "visit-back", f"only closed cases get a visit-back; this one is {case.state}")
    if satisfaction not in SATISFACTION:
        raise FieldError("satisfaction", f"must be one of {', '.join(SATISFACTION)}")
    if case.satisfaction is not None:
        raise FieldError("satisfaction", "the visit-back is already recorded")
    return write_case(
        ctx,
        case,
        "visit-back",
        {"satisfaction": satisfaction, "visited_at": ctx.now},
        note=command_note(note, required=False),
        payload={"satisfaction": satisfaction},
    )
