"""SLA clocks: the working calendar, stage deadlines, suspension and extension (DESIGN.md section 6).

Counting rules, in the calendar's local time zone:

- urgent_hours: continuous elapsed time, nights and holidays included.
- natural_days: the same local time of day N calendar days later.
- work_hours: only time inside the working periods of working days counts.
- work_days: a start outside working time first moves to the beginning of the next working period; the
  deadline is that time of day on the N-th following working day.

Working days follow China's official calendar: the State Council notices an admin entered (handed in as
`entered_holidays` / `entered_workdays` / `entered_years`, read from the database by the services), else the
`chinese-calendar` package (public holidays and 调休 make-up workdays); the center's extra holidays and workdays
win over both. For years neither knows, the calendar falls back to Monday–Friday plus the center's overrides and
records the year so admins can be warned.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

import chinese_calendar

from dashboard.domain.time_limits import TimeLimit, TimeLimitKind, parse_time_limit

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 0), time(12, 0)), (time(14, 0), time(18, 0)))
DEFAULT_TZ = "Asia/Shanghai"
MAX_EXTENSIONS = 2
# Share of a stage's allowance left at or below which a running clock turns amber, then red (section 6). Defined
# once: ClockStatus below, and the pages' JS colours read the same numbers from their data-config.
SLA_THRESHOLDS: Final[Mapping[str, float]] = MappingProxyType({"amber": 0.5, "red": 0.1})

_WORK_KINDS = frozenset({TimeLimitKind.WORK_HOURS, TimeLimitKind.WORK_DAYS})


class ExtensionLimit(ValueError):
    """A stage clock was asked for more extensions (延期) than the rules allow."""


class ClockStateError(ValueError):
    """A pause or resume that does not fit the clock's current state."""


class ClockStatus(StrEnum):
    """Colour of a running clock: share of the allowance left, or overdue."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    OVERDUE = "overdue"


@cache
def _official_workday(day: date) -> bool | None:
    """Official answer for `day`, or None when chinese-calendar has no data for its year."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def years_without_official_data(years: Iterable[int], entered: Iterable[int] = ()) -> list[int]:
    """The years among `years` with no holiday data: not in chinese-calendar and not `entered` (sorted, distinct)."""
    known = set(entered)
    return sorted({year for year in years if year not in known and _official_workday(date(year, 1, 1)) is None})


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and daily working periods of one command center."""

    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    tz: str = DEFAULT_TZ
    # Official schedules entered from the State Council's notices; they override chinese-calendar for their years.
    entered_holidays: frozenset[date] = frozenset()
    entered_workdays: frozenset[date] = frozenset()
    entered_years: frozenset[int] = frozenset()
    # Years answered Monday–Friday because chinese-calendar had no data: shown to admins as a warning.
    fallback_years_used: set[int] = field(default_factory=set, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise ValueError("a work calendar needs at least one working period")
        for start, end in periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("working periods are local wall-clock times without tzinfo")
            if not start < end:
                raise ValueError(f"working period {start}–{end} must end after it starts")
        for (_, end), (next_start, _) in zip(periods, periods[1:], strict=False):
            if next_start < end:
                raise ValueError("working periods must be in order and must not overlap")
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "extra_holidays", frozenset(self.extra_holidays))
        object.__setattr__(self, "extra_workdays", frozenset(self.extra_workdays))
        if both := self.extra_holidays & self.extra_workdays:
            raise ValueError(f"dates both extra holiday and extra workday: {sorted(both)}")
        for name in ("entered_holidays", "entered_workdays", "entered_years"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        if both := self.entered_holidays & self.entered_workdays:
            raise ValueError(f"dates both entered holiday and entered workday: {sorted(both)}")
        ZoneInfo(self.tz)  # fail at configuration time, not at the first deadline

    @property
    def zone(self) -> ZoneInfo:
        """The center's time zone."""
        return ZoneInfo(self.tz)

    @property
    def day_length(self) -> timedelta:
        """Working time in one working day."""
        return sum((_wall(end) - _wall(start) for start, end in self.periods), timedelta())

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """The years among `years` that neither an entered notice nor chinese-calendar covers."""
        return years_without_official_data(years, self.entered_years)

    def is_workday(self, day: date) -> bool:
        """True when `day` is a working day: center overrides, entered notices, chinese-calendar, Monday–Friday."""
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        # A notice may list days of the year before (元旦 from 30 December), so listed days count before years.
        if day in self.entered_workdays:
            return True
        if day in self.entered_holidays:
            return False
        if day.year in self.entered_years:
            return day.weekday() < 5
        official = _official_workday(day)
        if official is None:
            self.fallback_years_used.add(day.year)
            return day.weekday() < 5
        return official

    def working_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of `day` as aware local datetimes; empty on a non-working day."""
        if not self.is_workday(day):
            return []
        zone = self.zone
        return [
            (datetime.combine(day, start, tzinfo=zone), datetime.combine(day, end, tzinfo=zone))
            for start, end in self.periods
        ]

    def _periods_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods that end after `moment` (local), in order, without end."""
        day = moment.date()
        while True:
            for start, end in self.working_periods(day):
                if end > moment:
                    yield start, end
            day += timedelta(days=1)

    def next_working_time(self, moment: datetime) -> datetime:
        """`moment` if it lies in a working period (start inclusive, end exclusive), else the next period's start."""
        _require_aware(moment, "moment")
        local = moment.astimezone(self.zone)
        start, _ = next(self._periods_from(local))
        return max(start, local)

    def working_time_between(self, earlier: datetime, later: datetime) -> timedelta:
        """Working time from `earlier` to `later`; negative when `later` is before `earlier`."""
        _require_aware(earlier, "earlier")
        _require_aware(later, "later")
        if later < earlier:
            return -self.working_time_between(later, earlier)
        a, b = earlier.astimezone(self.zone), later.astimezone(self.zone)
        total = timedelta()
        day = a.date()
        while day <= b.date():
            if a.date() < day < b.date():
                # Whole days in between: no need to clip each period.
                total += self.day_length if self.is_workday(day) else timedelta()
            else:
                for start, end in self.working_periods(day):
                    low, high = max(start, a), min(end, b)
                    if high > low:
                        total += high - low
            day += timedelta(days=1)
        return total

    def add_working_time(self, moment: datetime, amount: timedelta) -> datetime:
        """The instant at which `amount` of working time has passed since `moment` (ends at a period's end)."""
        _require_aware(moment, "moment")
        if amount < timedelta():
            raise ValueError(f"working time to add must not be negative, got {amount}")
        local = moment.astimezone(self.zone)
        if not amount:
            return local
        for start, end in self._periods_from(local):
            begin = max(start, local)
            if amount <= end - begin:
                return begin + amount
            amount -= end - begin
        raise AssertionError("unreachable: _periods_from never ends")

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """Same time of day on the `days`-th working day after `moment` moved into working time."""
        start = self.next_working_time(moment)
        day, counted = start.date(), 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_workday(day)
        return datetime.combine(day, start.timetz())


def _wall(value: time) -> timedelta:
    return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond)


def limit_duration(limit: TimeLimit) -> timedelta:
    """The limit as a duration: elapsed time for hour kinds, whole days (24 h each) for day kinds."""
    if limit.kind in (TimeLimitKind.URGENT_HOURS, TimeLimitKind.WORK_HOURS):
        return timedelta(hours=limit.amount)
    return timedelta(days=limit.amount)


def deadline(start: datetime, limit: TimeLimit, cal: WorkCalendar) -> datetime:
    """When `limit` counted from `start` runs out, as an aware datetime in the calendar's time zone."""
    _require_aware(start, "start")
    zone = cal.zone
    match limit.kind:
        case TimeLimitKind.URGENT_HOURS:
            # Add in UTC so the result is true elapsed time even in zones with daylight saving.
            return (start.astimezone(UTC) + limit_duration(limit)).astimezone(zone)
        case TimeLimitKind.NATURAL_DAYS:
            local = start.astimezone(zone)
            return datetime.combine(local.date() + timedelta(days=int(limit.amount)), local.timetz())
        case TimeLimitKind.WORK_HOURS:
            return cal.add_working_time(cal.next_working_time(start), limit_duration(limit))
        case TimeLimitKind.WORK_DAYS:
            return cal.add_working_days(start, int(limit.amount))
    raise AssertionError(f"unknown time-limit kind {limit.kind!r}")


Interval = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class StageClock:
    """The clock of one stage (dispatch, handling, verification) with its suspensions and extensions.

    Suspensions (挂账) stop the clock: the deadline moves by the suspended time, measured the way the limit
    counts (elapsed time for urgent hours and natural days, working time for work hours and work days, where a
    whole suspended working day moves a work-day deadline by exactly one working day). Extensions (延期) are
    counted from the previous deadline, in order.
    """

    start: datetime
    limit: TimeLimit
    calendar: WorkCalendar
    pauses: tuple[Interval, ...] = ()
    extensions: tuple[TimeLimit, ...] = ()

    def __post_init__(self) -> None:
        _require_aware(self.start, "start")
        object.__setattr__(self, "pauses", tuple((begin, end) for begin, end in self.pauses))
        object.__setattr__(self, "extensions", tuple(self.extensions))
        if len(self.extensions) > MAX_EXTENSIONS:
            raise ExtensionLimit(f"at most {MAX_EXTENSIONS} extensions, got {len(self.extensions)}")
        previous_end: datetime | None = None
        for index, (begin, end) in enumerate(self.pauses):
            _require_aware(begin, "pause start")
            if previous_end is not None and begin < previous_end:
                raise ClockStateError("suspensions must be in order and must not overlap")
            if end is None:
                if index != len(self.pauses) - 1:
                    raise ClockStateError("only the last suspension may still be open")
                continue
            _require_aware(end, "pause end")
            if end < begin:
                raise ClockStateError(f"suspension ends ({end}) before it starts ({begin})")
            previous_end = end

    @property
    def paused(self) -> bool:
        """True while a suspension is open."""
        return bool(self.pauses) and self.pauses[-1][1] is None

    def pause(self, at: datetime) -> StageClock:
        """This clock suspended from `at`."""
        if self.paused:
            raise ClockStateError("the clock is already suspended")
        return StageClock(self.start, self.limit, self.calendar, (*self.pauses, (at, None)), self.extensions)

    def resume(self, at: datetime) -> StageClock:
        """This clock running again from `at`."""
        if not self.paused:
            raise ClockStateError("the clock is not suspended")
        begin, _ = self.pauses[-1]
        return StageClock(self.start, self.limit, self.calendar, (*self.pauses[:-1], (begin, at)), self.extensions)

    def extend(self, extra: TimeLimit) -> StageClock:
        """This clock with one more extension; raises ExtensionLimit beyond MAX_EXTENSIONS."""
        if len(self.extensions) >= MAX_EXTENSIONS:
            raise ExtensionLimit(f"this stage already has {MAX_EXTENSIONS} extensions, the most allowed")
        return StageClock(self.start, self.limit, self.calendar, self.pauses, (*self.extensions, extra))

    def _unpaused_deadline(self) -> datetime:
        due = deadline(self.start, self.limit, self.calendar)
        for extra in self.extensions:
            due = deadline(due, extra, self.calendar)
        return due

    def _span(self, earlier: datetime, later: datetime) -> timedelta:
        """Time between two instants as this clock counts it (working time for work kinds)."""
        if self.limit.kind in _WORK_KINDS:
            return self.calendar.working_time_between(earlier, later)
        return later.astimezone(UTC) - earlier.astimezone(UTC)

    def paused_time(self, now: datetime | None = None) -> timedelta:
        """Suspended time so far in the clock's own units; an open suspension counts up to `now`."""
        total = timedelta()
        for begin, end in self.pauses:
            if end is None:
                if now is None:
                    raise ClockStateError("the clock is suspended: pass `now` to measure the open suspension")
                end = max(now, begin)
            total += self._span(begin, end)
        return total

    def deadline_at(self, now: datetime | None = None) -> datetime:
        """The deadline after extensions and suspensions; `now` is required while suspended."""
        due, shift = self._unpaused_deadline(), self.paused_time(now)
        if self.limit.kind in _WORK_KINDS:
            return self.calendar.add_working_time(due, shift)
        return (due.astimezone(UTC) + shift).astimezone(self.calendar.zone)

    def allowance(self) -> timedelta:
        """The whole time granted (limit plus extensions) in the clock's own units."""
        return self._span(self.start, self._unpaused_deadline())

    def remaining(self, now: datetime) -> timedelta:
        """Time left at `now` in the clock's own units (working time for work kinds); negative once overdue."""
        _require_aware(now, "now")
        return self._span(now, self.deadline_at(now))

    def status(self, now: datetime) -> ClockStatus:
        """GREEN with more than half left, AMBER at half or less, RED at a tenth or less, then OVERDUE."""
        _require_aware(now, "now")
        # Overdue is judged on the wall clock: a work-hours deadline at 18:00 is late at 18:01, not next morning.
        if now > self.deadline_at(now):
            return ClockStatus.OVERDUE
        return status_for_share(self.remaining(now) / self.allowance())


def status_for_share(left: float) -> ClockStatus:
    """The colour of a running (not overdue) clock with `left` of its allowance remaining (0..1)."""
    if left <= SLA_THRESHOLDS["red"]:
        return ClockStatus.RED
    if left <= SLA_THRESHOLDS["amber"]:
        return ClockStatus.AMBER
    return ClockStatus.GREEN


def sla_thresholds() -> dict[str, float]:
    """The thresholds as a plain dict, for a page's JSON config."""
    return dict(SLA_THRESHOLDS)


_DISPATCH_URGENT = parse_time_limit("10分钟")
_DISPATCH_ROUTINE = parse_time_limit("30分钟")
_VERIFICATION = parse_time_limit("2小时")


def dispatch_limit(level: str | None, *, urgent: bool = False) -> TimeLimit:
    """Dispatch stage limit after filing: 10 minutes for level A or urgent cases, otherwise 30 (urgent clock)."""
    if level is not None and level not in ("A", "B", "C"):
        raise ValueError(f"case level must be A, B or C, got {level!r}")
    return _DISPATCH_URGENT if urgent or level == "A" else _DISPATCH_ROUTINE


def verification_limit() -> TimeLimit:
    """Verification (核查) stage limit: 2 continuous hours."""
    return _VERIFICATION
