"""Official holiday schedules entered by an admin from the State Council's notice (DESIGN.md section 6).

A year entered here overrides the chinese-calendar package for that year in every process: the days live in the
database, each process's Runtime rebuilds its WorkCalendar when `schedule_version` changes (checked every
CALENDAR_REFRESH_S), and the domain calendar only ever receives the days (it never reads the database).

Entering a year (`save_notice`) replaces what was entered for it before and is audited in the same transaction.
Afterwards `recompute_open_deadlines` moves the stage deadlines of open cases that run into the changed days,
one transaction per case through the one write path (`write_case`: case row, case event, audit row and outbox
row, so dispatch desks and screens get the new deadline live).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from dashboard.domain.actors import Actor, Role
from dashboard.domain.cases import TERMINAL, State
from dashboard.domain.clock import as_utc, local_iso, utcnow
from dashboard.domain.holiday_notice import Notice, NoticeError, parse_notice
from dashboard.domain.sla import WorkCalendar
from dashboard.services import validate
from dashboard.services.audit import record
from dashboard.services.commands import Ctx, stage_clock, write_case
from dashboard.services.errors import Conflict, FieldError
from dashboard.store.models import Case, HolidayDay, HolidayYear

log = logging.getLogger(__name__)

MAX_NOTICE_CHARS = 20_000  # a notice is about 1,000 characters; a paste box is not a file store
RECOMPUTE_COMMAND = "recompute-deadline"
_STAGE_COLUMN = {"dispatch": "dispatch_deadline", "handling": "handling_deadline", "verification": "verify_deadline"}
_RETRIES = 3


@dataclass(frozen=True)
class EnteredSchedule:
    """Every entered day: holidays, make-up workdays and the years they cover."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DayRow:
    """One day of a year's schedule as shown to people."""

    day: date
    kind: str  # holiday | workday
    name: str


@dataclass(frozen=True)
class YearSchedule:
    """A year's holidays and make-up workdays and where they come from (entered, chinese-calendar or none)."""

    year: int
    source: str  # entered | package | none
    days: tuple[DayRow, ...]
    entered_at: str | None = None
    entered_by: str | None = None


@dataclass(frozen=True)
class Recomputed:
    """A case whose stage deadline moved when a schedule was entered."""

    case_id: int
    code: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class SaveResult:
    """What entering a notice did."""

    year: int
    replaced: bool  # the year had been entered before
    holidays: int
    workdays: int


def read_notice(text: Any) -> Notice:
    """The notice pasted or read from a file, checked; FieldError("notice", …) naming the line it cannot read."""
    if not isinstance(text, str) or not text.strip():
        raise FieldError("notice", "is empty: paste the State Council's notice as published")
    validate.text(text, "notice", max_len=MAX_NOTICE_CHARS)  # bounded, no NUL: it is stored as pasted
    try:
        return parse_notice(text)
    except NoticeError as exc:
        raise FieldError("notice", str(exc)) from exc


def schedule_version(*, session: Session) -> tuple[int, str]:
    """A value that changes whenever a year is entered, replaced or removed (cheap: one aggregate query)."""
    count, latest = session.execute(select(func.count(), func.max(HolidayYear.entered_at))).one()
    return int(count or 0), as_utc(latest).isoformat() if latest else ""


def entered_schedule(*, session: Session) -> EnteredSchedule:
    """Every entered day, for the WorkCalendar."""
    holidays, workdays = set(), set()
    for day, kind in session.execute(select(HolidayDay.day, HolidayDay.kind)):
        (holidays if kind == "holiday" else workdays).add(day)
    years = frozenset(session.scalars(select(HolidayYear.year)))
    return EnteredSchedule(frozenset(holidays), frozenset(workdays), years)


def with_schedule(base: WorkCalendar, schedule: EnteredSchedule) -> WorkCalendar:
    """`base` (the center's periods and overrides) answering entered years from `schedule`."""
    return dataclasses.replace(
        base,
        entered_holidays=schedule.holidays,
        entered_workdays=schedule.workdays,
        entered_years=schedule.years,
    )


def missing_years(cal: WorkCalendar, now: datetime) -> list[int]:
    """This year, and next year from November on, when neither an entered notice nor the package covers them."""
    local = as_utc(now).astimezone(cal.zone)
    years = {local.year} | ({local.year + 1} if local.month >= 11 else set())
    return cal.missing_years(years)


def save_notice(*, session: Session, notice: Notice, text: str, by: str, ip: str = "") -> SaveResult:
    """Enter (or replace) the notice's year; audited in the caller's transaction, which the caller commits."""
    year = notice.year
    days = [("holiday", day, name) for day, name in notice.holidays.items()]
    days += [("workday", day, name) for day, name in notice.workdays.items()]
    owned = {
        day: owner
        for day, owner in session.execute(
            select(HolidayDay.day, HolidayDay.year).where(
                HolidayDay.day.in_([d for _, d, _ in days]), HolidayDay.year != year
            )
        )
    }
    if owned:
        day, owner = min(owned.items())
        raise FieldError("notice", f"{day.isoformat()} is already entered with the {owner} notice")
    previous = session.get(HolidayYear, year)
    before = sorted(d.isoformat() for d in session.scalars(select(HolidayDay.day).where(HolidayDay.year == year)))
    if previous is not None:
        session.execute(delete(HolidayDay).where(HolidayDay.year == year))
        session.delete(previous)
        session.flush()
    session.add(HolidayYear(year=year, entered_at=utcnow(), entered_by=by[:64], notice=text))
    session.flush()
    session.add_all(HolidayDay(day=day, year=year, kind=kind, name=name[:32]) for kind, day, name in days)
    session.flush()
    record(
        session=session,
        actor=by,
        action="admin:holidays",
        target=str(year),
        ip=ip,
        detail={
            "year": year,
            "replaced": previous is not None,
            "holidays": sorted(d.isoformat() for d in notice.holidays),
            "workdays": sorted(d.isoformat() for d in notice.workdays),
            "before": before,
        },
    )
    return SaveResult(year, previous is not None, len(notice.holidays), len(notice.workdays))


def year_schedule(*, session: Session, year: int, tz: str) -> YearSchedule:
    """The year's days: entered ones when entered, else chinese-calendar's, else none (Monday–Friday)."""
    entered = session.get(HolidayYear, year)
    if entered is not None:
        rows = session.execute(
            select(HolidayDay.day, HolidayDay.kind, HolidayDay.name)
            .where(HolidayDay.year == year)
            .order_by(HolidayDay.day)
        )
        return YearSchedule(
            year,
            "entered",
            tuple(DayRow(d, k, n) for d, k, n in rows),
            entered_at=local_iso(entered.entered_at, tz),
            entered_by=entered.entered_by,
        )
    return _package_year(year)


def _package_year(year: int) -> YearSchedule:
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
    except NotImplementedError:
        return YearSchedule(year, "none", ())
    days = [DayRow(d, "holiday", n) for d, n in chinese_calendar.holidays.items() if d.year == year]
    days += [DayRow(d, "workday", "") for d in chinese_calendar.workdays if d.year == year and d.weekday() >= 5]
    return YearSchedule(year, "package", tuple(sorted(days, key=lambda r: r.day)))


def affected_since(notice: Notice, tz: str) -> datetime:
    """The first instant whose working time the notice can change (its first day, or 1 January)."""
    first = min([date(notice.year, 1, 1), *notice.holidays, *notice.workdays])
    return datetime.combine(first, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def calendar_actor(county_code: str) -> Actor:
    """The system actor that moves deadlines after a schedule is entered."""
    return Actor(name="system:holidays", role=Role.SYSTEM, scope=county_code)


def open_cases_due_since(*, session: Session, since: datetime) -> list[int]:
    """Open cases with a running stage clock whose deadline is at or after `since` (suspended clocks wait)."""
    closed = [*(s.value for s in TERMINAL), State.SUSPENDED.value, State.REPORTED.value]
    return list(
        session.scalars(
            select(Case.id)
            .where(Case.deadline.is_not(None), Case.deadline >= since, Case.state.not_in(closed))
            .order_by(Case.id)
        )
    )


def recompute_deadline(ctx: Ctx, case_id: int, *, year: int) -> Recomputed | None:
    """重算时限: the case's stage deadline on `ctx.cal`; writes (audited, live) only when it moves."""
    case = ctx.session.get(Case, case_id)
    if case is None or case.deadline is None or State(case.state) in TERMINAL or case.state == State.SUSPENDED:
        return None
    clock = stage_clock(case.clock, ctx.cal)
    if clock is None or clock.paused:
        return None
    new = as_utc(clock.deadline_at(ctx.now))
    old = as_utc(case.deadline)
    if new == old:
        return None
    stage = case.clock["stage"]
    changes: dict[str, Any] = {"deadline": new}
    if stage in _STAGE_COLUMN:
        changes[_STAGE_COLUMN[stage]] = new
    if new > ctx.now:
        changes["overdue_stage"] = None  # no longer overdue: the rule may supervise it again if it runs out
    old_text, new_text = local_iso(old, ctx.tz), local_iso(new, ctx.tz)
    write_case(
        ctx,
        case,
        RECOMPUTE_COMMAND,
        changes,
        note=f"{year}年节假日安排已录入，{_STAGE_ZH.get(stage, stage)}时限重算",
        payload={"year": year, "stage": stage, "from": old_text, "to": new_text},
    )
    return Recomputed(case.id, case.code, old_text, new_text)


_STAGE_ZH = {"dispatch": "派遣", "handling": "处置", "verification": "核查"}


def recompute_open_deadlines(
    *, sessions: sessionmaker[Session], cal: WorkCalendar, tz: str, county_code: str, year: int, since: datetime
) -> tuple[list[Recomputed], list[int]]:
    """Recompute every open case due from `since`, one transaction per case; (moved, ids that kept conflicting)."""
    session = sessions()
    try:
        ids = open_cases_due_since(session=session, since=since)
    finally:
        session.close()
    actor = calendar_actor(county_code)
    moved: list[Recomputed] = []
    failed: list[int] = []
    for case_id in ids:
        for _ in range(_RETRIES):
            session = sessions()
            try:
                result = recompute_deadline(Ctx(session=session, actor=actor, cal=cal, tz=tz), case_id, year=year)
                session.commit()
            except Conflict:
                session.rollback()
                continue  # a dispatcher acted on it meanwhile: read it again
            finally:
                session.close()
            if result is not None:
                moved.append(result)
            break
        else:
            log.warning("deadline of case %s not recomputed: it kept changing", case_id)
            failed.append(case_id)
    return moved, failed


@dataclass(frozen=True)
class Entered:
    """Everything entering a notice did: the save, the calendar now in force and the deadlines it moved."""

    saved: SaveResult
    calendar: WorkCalendar
    moved: list[Recomputed]
    not_moved: list[int]  # cases that kept changing while we tried (their next command recomputes them)


def enter_notice(
    *,
    sessions: sessionmaker[Session],
    base: WorkCalendar,
    tz: str,
    county_code: str,
    notice: Notice,
    text: str,
    by: str,
    ip: str = "",
) -> Entered:
    """Save the notice (one audited transaction), then recompute the open cases it affects (one per case)."""
    session = sessions()
    try:
        saved = save_notice(session=session, notice=notice, text=text, by=by, ip=ip)
        schedule = entered_schedule(session=session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    cal = with_schedule(base, schedule)
    moved, failed = recompute_open_deadlines(
        sessions=sessions,
        cal=cal,
        tz=tz,
        county_code=county_code,
        year=notice.year,
        since=affected_since(notice, tz),
    )
    return Entered(saved, cal, moved, failed)


@dataclass(frozen=True)
class Span:
    """Consecutive days of one kind and name, for display (春节 2027-02-05 … 2027-02-13, 9 days)."""

    kind: str
    name: str
    start: date
    end: date

    @property
    def days(self) -> int:
        """Days in the span."""
        return (self.end - self.start).days + 1


def spans(rows: tuple[DayRow, ...] | list[DayRow]) -> list[Span]:
    """Holidays grouped into ranges and make-up workdays one by one, in date order."""
    out: list[Span] = []
    for row in sorted(rows, key=lambda r: r.day):
        last = out[-1] if out else None
        if (
            row.kind == "holiday"
            and last is not None
            and last.kind == "holiday"
            and last.name == row.name
            and (row.day - last.end).days == 1
        ):
            out[-1] = dataclasses.replace(last, end=row.day)
        else:
            out.append(Span(row.kind, row.name, row.day, row.day))
    return out


def notice_rows(notice: Notice) -> list[DayRow]:
    """A parsed notice's days as rows (what was read, before it is saved)."""
    rows = [DayRow(d, "holiday", n) for d, n in notice.holidays.items()]
    return rows + [DayRow(d, "workday", n) for d, n in notice.workdays.items()]


def package_differences(notice: Notice) -> list[date] | None:
    """Days of the notice's year where it and chinese-calendar disagree; None when the package lacks the year."""
    try:
        chinese_calendar.is_workday(date(notice.year, 6, 30))
    except NotImplementedError:
        return None
    off, work = set(notice.holidays), set(notice.workdays)
    differ = []
    day = date(notice.year, 1, 1)
    while day.year == notice.year:
        ours = day in work or (day not in off and day.weekday() < 5)
        if ours != chinese_calendar.is_workday(day):
            differ.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    return differ
