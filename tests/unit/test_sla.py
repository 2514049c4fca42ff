"""SLA deadlines on China's real 2026 working calendar, suspension, extension and colours (DESIGN.md section 6).

The 2026 dates below were checked against chinese-calendar 1.11 and the State Council's 2026 arrangement:
New Year 1–3 Jan (Sun 4 Jan worked); Spring Festival 15–23 Feb (Sat 14 and Sat 28 Feb worked);
Mid-Autumn 25–27 Sep; National Day 1–7 Oct (Sun 20 Sep and Sat 10 Oct worked).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.domain.sla import (
    MAX_EXTENSIONS,
    ClockStateError,
    ClockStatus,
    ExtensionLimit,
    StageClock,
    WorkCalendar,
    deadline,
    dispatch_limit,
    verification_limit,
    years_without_official_data,
)
from dashboard.domain.time_limits import parse_time_limit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> datetime:
    """Aware Beijing time."""
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


def test_official_2026_arrangement_is_what_the_pins_assume() -> None:
    worked = [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)]
    off = [date(2026, 2, 16), date(2026, 2, 23), date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 7)]
    assert all(chinese_calendar.is_workday(d) for d in worked)
    assert not any(chinese_calendar.is_workday(d) for d in off)
    assert chinese_calendar.is_workday(date(2026, 9, 30)) and chinese_calendar.is_workday(date(2026, 10, 8))


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        # Eve of National Day: one hour on Wed 30 Sep, then Oct 1–7 off, three more hours on Thu 8 Oct.
        (at(2026, 9, 30, 17, 0), "4工作时", at(2026, 10, 8, 11, 0)),
        (at(2026, 9, 30, 17, 0), "2工作日", at(2026, 10, 9, 17, 0)),
        # Spring Festival: the make-up Saturday 14 Feb counts, 15–23 Feb do not.
        (at(2026, 2, 13, 10, 0), "3工作日", at(2026, 2, 25, 10, 0)),
        (at(2026, 2, 13, 17, 0), "4工作时", at(2026, 2, 14, 11, 0)),
        # Urgent hours and natural days ignore nights and holidays.
        (at(2026, 9, 30, 23, 0), "2紧急工作时", at(2026, 10, 1, 1, 0)),
        (at(2026, 2, 14, 22, 30), "2小时", at(2026, 2, 15, 0, 30)),
        (at(2026, 2, 13, 10, 0), "1紧急工作日", at(2026, 2, 14, 10, 0)),
        (at(2026, 2, 13, 10, 0), "15天", at(2026, 2, 28, 10, 0)),
        (at(2026, 9, 30, 20, 15), "15天", at(2026, 10, 15, 20, 15)),
        # A Sunday start counts from Monday 08:00.
        (at(2026, 3, 8, 9, 0), "4工作时", at(2026, 3, 9, 12, 0)),
        (at(2026, 3, 8, 9, 0), "1工作日", at(2026, 3, 10, 8, 0)),
        # A lunch-break start counts from 14:00.
        (at(2026, 3, 9, 12, 30), "2工作时", at(2026, 3, 9, 16, 0)),
        (at(2026, 3, 9, 12, 30), "1工作日", at(2026, 3, 10, 14, 0)),
        # Ending exactly at a period's end stays on that day; 18:00 itself is outside working time.
        (at(2026, 3, 9, 14, 0), "4工作时", at(2026, 3, 9, 18, 0)),
        (at(2026, 3, 9, 18, 0), "1工作时", at(2026, 3, 10, 9, 0)),
        (at(2026, 3, 9, 9, 0), "0.5工作时", at(2026, 3, 9, 9, 30)),
    ],
)
def test_real_2026_deadlines(calendar: WorkCalendar, start: datetime, limit: str, expected: datetime) -> None:
    due = deadline(start, parse_time_limit(limit), calendar)
    assert due == expected
    assert due.tzinfo is not None and due.utcoffset() == timedelta(hours=8)
    assert not calendar.fallback_years_used


def test_start_in_another_zone_is_counted_in_local_time(calendar: WorkCalendar) -> None:
    # 09:00 UTC on Wed 30 Sep is 17:00 in Beijing: the same National Day case.
    start = datetime(2026, 9, 30, 9, 0, tzinfo=ZoneInfo("UTC"))
    assert deadline(start, parse_time_limit("4工作时"), calendar) == at(2026, 10, 8, 11, 0)


def test_naive_start_is_refused(calendar: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(datetime(2026, 3, 9, 9), parse_time_limit("4工作时"), calendar)


def test_2027_falls_back_to_monday_to_friday_and_says_so(calendar: WorkCalendar) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))
    # New Year's Day 2027 is a Friday; without official data it counts as a working day.
    assert deadline(at(2026, 12, 31, 17, 0), parse_time_limit("4工作时"), calendar) == at(2027, 1, 1, 11, 0)
    assert deadline(at(2027, 1, 1, 10, 0), parse_time_limit("1工作日"), calendar) == at(2027, 1, 4, 10, 0)
    assert calendar.is_workday(date(2027, 1, 8)) and not calendar.is_workday(date(2027, 1, 9))
    assert calendar.fallback_years_used == {2027}
    assert years_without_official_data([2027, 2025, 2026, 2028, 2027]) == [2027, 2028]
    assert years_without_official_data(range(2004, 2027)) == []


def test_entered_2027_schedule_overrides_the_guess_and_the_package() -> None:
    """Days entered from the State Council's notice answer their year; center overrides still win."""
    entered = WorkCalendar(
        entered_holidays=frozenset({date(2027, 1, 1), date(2027, 2, 12), date(2026, 12, 31)}),
        entered_workdays=frozenset({date(2027, 2, 14)}),
        entered_years=frozenset({2027}),
        extra_workdays=frozenset({date(2027, 2, 12)}),
    )
    assert deadline(at(2026, 12, 30, 17, 0), parse_time_limit("4工作时"), entered) == at(2027, 1, 4, 11, 0)
    assert not entered.is_workday(date(2026, 12, 31))  # a listed day of the year before (元旦 from 31 Dec)
    assert entered.is_workday(date(2027, 2, 14))  # a Sunday made up
    assert entered.is_workday(date(2027, 2, 12))  # the center's own override beats the notice
    assert entered.is_workday(date(2027, 3, 1)) and not entered.is_workday(date(2027, 3, 6))
    assert not entered.fallback_years_used
    assert entered.missing_years([2026, 2027, 2028]) == [2028]
    assert years_without_official_data([2027, 2028], entered=[2027]) == [2028]
    with pytest.raises(ValueError, match="both entered holiday and entered workday"):
        WorkCalendar(entered_holidays=frozenset({date(2027, 1, 1)}), entered_workdays=frozenset({date(2027, 1, 1)}))


def test_an_entered_year_overrides_the_package_for_that_year() -> None:
    # 2026 entered with 5 January off (say a correction): the entered data wins over chinese-calendar.
    cal = WorkCalendar(entered_holidays=frozenset({date(2026, 1, 5)}), entered_years=frozenset({2026}))
    assert not cal.is_workday(date(2026, 1, 5))
    assert not cal.is_workday(date(2026, 1, 4))  # not listed, so a plain Sunday: the package's make-up is gone


def test_center_overrides_win_over_official_data() -> None:
    start, limit = at(2026, 9, 30, 17, 0), parse_time_limit("4工作时")
    closed_8_oct = WorkCalendar(extra_holidays=frozenset({date(2026, 10, 8)}))
    assert deadline(start, limit, closed_8_oct) == at(2026, 10, 9, 11, 0)
    on_duty_7_oct = WorkCalendar(extra_workdays=frozenset({date(2026, 10, 7)}))
    assert deadline(start, limit, on_duty_7_oct) == at(2026, 10, 7, 11, 0)
    # The usual fix for a fallback year: the center enters New Year's Day itself.
    new_year = WorkCalendar(extra_holidays=frozenset({date(2027, 1, 1)}))
    assert deadline(at(2026, 12, 31, 17, 0), limit, new_year) == at(2027, 1, 4, 11, 0)


def test_configured_periods() -> None:
    summer = WorkCalendar(periods=((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0))))
    assert summer.day_length == timedelta(hours=7)
    assert deadline(at(2026, 3, 9, 11, 0), parse_time_limit("2工作时"), summer) == at(2026, 3, 9, 15, 30)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"periods": ()},
        {"periods": ((time(12), time(8)),)},
        {"periods": ((time(8), time(12)), (time(11), time(18)))},
        {"extra_holidays": frozenset({date(2026, 5, 1)}), "extra_workdays": frozenset({date(2026, 5, 1)})},
        {"tz": "Mars/Olympus_Mons"},
    ],
)
def test_bad_calendar_configuration_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises((ValueError, KeyError)):
        WorkCalendar(**kwargs)  # type: ignore[arg-type]


def test_working_time_between_is_signed_and_skips_holidays(calendar: WorkCalendar) -> None:
    assert calendar.working_time_between(at(2026, 9, 30, 17), at(2026, 10, 8, 11)) == timedelta(hours=4)
    assert calendar.working_time_between(at(2026, 10, 8, 11), at(2026, 9, 30, 17)) == -timedelta(hours=4)
    assert calendar.working_time_between(at(2026, 2, 13, 10), at(2026, 2, 25, 10)) == timedelta(hours=24)


# Suspension (挂账) and extension (延期).


def test_suspended_urgent_clock_freezes_then_moves_the_deadline(calendar: WorkCalendar) -> None:
    clock = StageClock(at(2026, 3, 9, 10, 0), parse_time_limit("2紧急工作时"), calendar)
    assert clock.deadline_at() == at(2026, 3, 9, 12, 0)
    paused = clock.pause(at(2026, 3, 9, 10, 30))
    for now in (at(2026, 3, 9, 10, 30), at(2026, 3, 9, 12, 0), at(2026, 3, 9, 23, 0)):
        assert paused.remaining(now) == timedelta(hours=1, minutes=30)
        assert paused.status(now) is ClockStatus.GREEN  # 75 % left, however long the suspension
    resumed = paused.resume(at(2026, 3, 9, 13, 0))
    assert resumed.paused_time() == timedelta(hours=2, minutes=30)
    assert resumed.deadline_at() == at(2026, 3, 9, 14, 30)
    assert resumed.remaining(at(2026, 3, 9, 13, 0)) == timedelta(hours=1, minutes=30)


def test_suspended_work_hours_clock_moves_by_working_time(calendar: WorkCalendar) -> None:
    clock = StageClock(at(2026, 3, 9, 9, 0), parse_time_limit("4工作时"), calendar)
    assert clock.deadline_at() == at(2026, 3, 9, 15, 0)  # 09–12, lunch, 14–15
    paused = clock.pause(at(2026, 3, 9, 10, 0))
    for now in (at(2026, 3, 9, 10, 0), at(2026, 3, 9, 16, 0), at(2026, 3, 9, 22, 0), at(2026, 3, 10, 9, 0)):
        assert paused.remaining(now) == timedelta(hours=3)
    with pytest.raises(ClockStateError):
        paused.deadline_at()  # an open suspension needs `now` to be measured
    # Paused 10:00 Mon → 09:00 Tue: 7 working hours, so 15:00 Mon + 7 h = 12:00 Tue.
    resumed = paused.resume(at(2026, 3, 10, 9, 0))
    assert resumed.paused_time() == timedelta(hours=7)
    assert resumed.deadline_at() == at(2026, 3, 10, 12, 0)


def test_a_suspended_working_day_moves_a_work_day_deadline_by_one_working_day(calendar: WorkCalendar) -> None:
    clock = StageClock(at(2026, 2, 13, 10, 0), parse_time_limit("3工作日"), calendar)
    assert clock.deadline_at() == at(2026, 2, 25, 10, 0)
    # Suspended across the whole Spring Festival break: only Sat 14 Feb's and Tue 24 Feb's hours count.
    resumed = clock.pause(at(2026, 2, 14, 8, 0)).resume(at(2026, 2, 24, 18, 0))
    assert resumed.paused_time() == timedelta(hours=16)
    assert resumed.deadline_at() == at(2026, 2, 27, 10, 0)


def test_pause_and_resume_must_alternate(calendar: WorkCalendar) -> None:
    clock = StageClock(at(2026, 3, 9, 9, 0), parse_time_limit("4工作时"), calendar)
    with pytest.raises(ClockStateError):
        clock.resume(at(2026, 3, 9, 10, 0))
    with pytest.raises(ClockStateError):
        clock.pause(at(2026, 3, 9, 10, 0)).pause(at(2026, 3, 9, 11, 0))
    with pytest.raises(ClockStateError):
        StageClock(clock.start, clock.limit, calendar, pauses=((at(2026, 3, 9, 10), None), (at(2026, 3, 9, 11), None)))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 3, 9, 10, 0), ClockStatus.GREEN),
        (at(2026, 3, 9, 10, 59, 59), ClockStatus.GREEN),
        (at(2026, 3, 9, 11, 0), ClockStatus.AMBER),  # exactly 50 % left
        (at(2026, 3, 9, 11, 47, 59), ClockStatus.AMBER),
        (at(2026, 3, 9, 11, 48), ClockStatus.RED),  # exactly 10 % left
        (at(2026, 3, 9, 12, 0), ClockStatus.RED),  # at the deadline, not yet late
        (at(2026, 3, 9, 12, 0, 1), ClockStatus.OVERDUE),
    ],
)
def test_status_colours_at_thresholds(calendar: WorkCalendar, now: datetime, expected: ClockStatus) -> None:
    clock = StageClock(at(2026, 3, 9, 10, 0), parse_time_limit("2小时"), calendar)
    assert clock.status(now) is expected


def test_work_hours_overdue_in_the_evening_not_next_morning(calendar: WorkCalendar) -> None:
    clock = StageClock(at(2026, 3, 9, 14, 0), parse_time_limit("4工作时"), calendar)
    assert clock.status(at(2026, 3, 9, 18, 0)) is ClockStatus.RED
    assert clock.status(at(2026, 3, 9, 18, 1)) is ClockStatus.OVERDUE
    assert clock.remaining(at(2026, 3, 10, 9, 0)) == -timedelta(hours=1)


def test_two_extensions_then_refused(calendar: WorkCalendar) -> None:
    clock = StageClock(at(2026, 3, 9, 10, 0), parse_time_limit("5个工作日"), calendar)
    assert clock.deadline_at() == at(2026, 3, 16, 10, 0)
    once = clock.extend(parse_time_limit("3个工作日"))
    twice = once.extend(parse_time_limit("2工作日"))
    assert once.deadline_at() == at(2026, 3, 19, 10, 0)
    assert twice.deadline_at() == at(2026, 3, 23, 10, 0)
    assert twice.allowance() == timedelta(hours=10 * 8)
    with pytest.raises(ExtensionLimit):
        twice.extend(parse_time_limit("1工作日"))
    with pytest.raises(ExtensionLimit):
        StageClock(clock.start, clock.limit, calendar, extensions=(clock.limit,) * (MAX_EXTENSIONS + 1))


def test_stage_defaults(calendar: WorkCalendar) -> None:
    filed = at(2026, 10, 1, 3, 0)  # a holiday night: dispatch clocks never stop
    assert deadline(filed, dispatch_limit("A"), calendar) == filed + timedelta(minutes=10)
    assert deadline(filed, dispatch_limit("B", urgent=True), calendar) == filed + timedelta(minutes=10)
    assert deadline(filed, dispatch_limit("C"), calendar) == filed + timedelta(minutes=30)
    assert deadline(filed, dispatch_limit(None), calendar) == filed + timedelta(minutes=30)
    assert deadline(filed, verification_limit(), calendar) == filed + timedelta(hours=2)
    with pytest.raises(ValueError):
        dispatch_limit("D")


_STARTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 11, 30)).map(
    lambda naive: naive.replace(tzinfo=SHANGHAI)
)


@given(start=_STARTS, hours=st.integers(min_value=1, max_value=80))
def test_work_hours_deadline_holds_exactly_that_much_working_time(start: datetime, hours: int) -> None:
    calendar = WorkCalendar()
    due = deadline(start, parse_time_limit(f"{hours}工作时"), calendar)
    assert calendar.working_time_between(start, due) == timedelta(hours=hours)
    assert calendar.is_workday(due.date())


@given(start=_STARTS, days=st.integers(min_value=1, max_value=20))
def test_work_days_deadline_is_n_working_days_of_working_time(start: datetime, days: int) -> None:
    calendar = WorkCalendar()
    due = deadline(start, parse_time_limit(f"{days}工作日"), calendar)
    assert calendar.working_time_between(start, due) == days * calendar.day_length
    assert due.time() == calendar.next_working_time(start).time()
