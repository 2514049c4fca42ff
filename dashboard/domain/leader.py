"""The leader-pass view's rules (领导通, pure): its time windows, the composite index and why a case needs a leader.

Windows: today, this week (from Monday) and this month, each so far, in the center's time zone; the previous period
is the one before, to the same elapsed time (yesterday to this hour, last week to this weekday and hour), clipped to
the current period's start, so a count compares with a count of the same length.

Composite index (as Boston's CityScore): the mean of rate / target over the seeds' reference figures; 1.0 is on
target, above is better. A rate without data is left out; no rate with data gives None.

Trends: each window's figures over its last few periods (today: 7 days, week: 4 weeks, month: 6 months), the last
period being the window itself so far, so a trend's last point is the figure the card shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.domain.clock import as_utc

# The seeds' reference figures (DESIGN.md section 7), the index's targets.
TARGETS: dict[str, float] = {
    "handle_rate": 0.9797,
    "on_time_close_rate": 0.9733,
    "first_time_rate": 0.9992,
    "satisfaction_rate": 0.95,
}
WINDOWS: tuple[str, ...] = ("today", "week", "month")
TREND_POINTS: dict[str, int] = {"today": 7, "week": 4, "month": 6}
# The figures a trend follows: the composite index's rates and the two counts the leader pass shows.
TREND_KEYS: tuple[str, ...] = (*TARGETS, "filed", "closed")


@dataclass(frozen=True)
class Window:
    """A period so far [start, end) and the previous period to the same elapsed time [prev_start, prev_end)."""

    name: str
    start: datetime
    end: datetime
    prev_start: datetime
    prev_end: datetime


def _month_before(first: datetime) -> datetime:
    """The first day of the month before `first` (a local first of month)."""
    return (first - timedelta(days=1)).replace(day=1)


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall time as an aware UTC instant (DST-safe through ZoneInfo)."""
    return value.replace(tzinfo=zone).astimezone(UTC)


def _period_start(name: str, local: datetime) -> datetime:
    """The local start of the period `name` that holds the naive local time `local`."""
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if name == "today":
        return midnight
    if name == "week":
        return midnight - timedelta(days=midnight.weekday())
    if name == "month":
        return midnight.replace(day=1)
    raise ValueError(f"window must be one of {', '.join(WINDOWS)}, got {name!r}")


def _period_before(name: str, start: datetime) -> datetime:
    if name == "today":
        return start - timedelta(days=1)
    if name == "week":
        return start - timedelta(days=7)
    return _month_before(start)


def window(name: str, now: datetime, tz: str) -> Window:
    """The window `name` (today, week, month) ending at `now`."""
    zone = ZoneInfo(tz)
    local = as_utc(now).astimezone(zone).replace(tzinfo=None)
    start = _period_start(name, local)
    prev_start = _period_before(name, start)
    prev_end = min(prev_start + (local - start), start)
    return Window(name, _local(start, zone), as_utc(now), _local(prev_start, zone), _local(prev_end, zone))


def trend_starts(name: str, now: datetime, tz: str) -> list[datetime]:
    """The UTC starts of the trend's periods, oldest first; the last is `window(name, now, tz).start`, and each
    period runs to the next start (the last to `now`)."""
    zone = ZoneInfo(tz)
    local = as_utc(now).astimezone(zone).replace(tzinfo=None)
    starts = [_period_start(name, local)]
    while len(starts) < TREND_POINTS[name]:
        starts.insert(0, _period_before(name, starts[0]))
    return [_local(start, zone) for start in starts]


def composite_index(figures: dict[str, Any]) -> float | None:
    """Mean of rate / target over TARGETS (rates without data left out); None when no rate has data."""
    parts = [figures[key] / target for key, target in TARGETS.items() if isinstance(figures.get(key), int | float)]
    return sum(parts) / len(parts) if parts else None


def needs_reasons(
    *, overdue: bool, level: str | None, tier: str, supervision_count: int, reply_overdue: bool = False
) -> list[str]:
    """Why an open case needs a leader: overdue, A-level, escalated to the district, supervised more than once,
    or a supervision's reply deadline passed unanswered (reply_overdue)."""
    reasons = []
    if reply_overdue:
        reasons.append("reply_overdue")
    if overdue:
        reasons.append("overdue")
    if level == "A":
        reasons.append("level_a")
    if tier == "district":
        reasons.append("escalated")
    if supervision_count > 1:
        reasons.append("supervised")
    return reasons


def reply_status(
    *, supervision_count: int, reply_by: datetime | None, acked_at: datetime | None, now: datetime
) -> str | None:
    """The open supervision's read receipt (督办回复): None (never supervised), acked (已回复), overdue (its reply_by
    passed unanswered: 逾期未回复) or pending (待回复, with or without a reply deadline)."""
    if supervision_count <= 0:
        return None
    if acked_at is not None:
        return "acked"
    if reply_by is not None and as_utc(reply_by) < as_utc(now):
        return "overdue"
    return "pending"
