"""What a stream of GPS fixes means for one patrol (pure): which fixes count, distance today, time outside its grid.

The Redis script in dashboard/live/patrol_scripts.py applies exactly these rules to every batch, in the same
order; `advance` is the reference the integration tests hold the script to, fix by fix.

- A fix not newer than the patrol's last accepted one is dropped (`stale`): phones resend and reorder.
- A fix that would need more than `max_speed_mps` from the last accepted fix is dropped (`too_fast`): a GPS jump,
  not a walk. The last accepted fix stays the reference, so a real move far away is accepted once enough time
  has passed to make it possible (a wrong first fix 10 km off heals within 200 s at 50 m/s). A fix whose device
  time was clamped to the server's clock has no trustworthy time, so the next fix is not speed-checked against it.
- Distance today is the sum of the straight segments between accepted fixes (a lower bound of what was walked);
  time outside today sums, for each segment that starts outside the patrol's own grid, its duration capped at
  the offline gap (nobody knows where a silent phone was). Both restart at local midnight; a segment that
  crosses midnight counts today only with its part after midnight (distance pro rata of time).
- A patrol with no fix for `OFFLINE_AFTER_MS` is offline, whatever its last status said.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dashboard.domain.clock import local_day_start
from dashboard.domain.geo import haversine_m

OFFLINE_AFTER_MS = 5 * 60 * 1000
TRAIL_MS = 60 * 60 * 1000
MAX_SPEED_MPS = 50.0  # people on foot or e-bikes; a car on a ring road is not a grid patrol
DAY_MS = 86_400_000

# Where a fix lies with respect to the patrol's own grid: inside, outside, or the patrol has no own grid.
Own = Literal["i", "o", "-"]
Verdict = Literal["accepted", "stale", "too_fast"]


@dataclass(frozen=True, slots=True)
class TrackFix:
    """One validated fix with what the feed worked out about it."""

    lon: float
    lat: float
    status: str
    ts_ms: int
    grid: str  # the grid it lies in, "" outside the jurisdiction
    own: Own
    clamped: bool = False  # the device's time was ahead of the server's and was replaced by it


@dataclass(frozen=True, slots=True)
class TrackState:
    """What is kept per patrol: its last accepted fix and today's counters."""

    lon: float
    lat: float
    status: str
    grid: str
    own: Own
    clamped: bool
    day_ms: int  # local midnight the counters belong to
    distance_m: float
    outside_ms: int
    ts_ms: int


def day_start_ms(ts_ms: int, today_ms: int, utc_offset_ms: int) -> int:
    """Local midnight of the day `ts_ms` falls in: exactly today's for today's fixes (any time zone); earlier
    days by today's UTC offset (exact without daylight saving, as in China)."""
    if ts_ms >= today_ms:
        return today_ms
    return (ts_ms + utc_offset_ms) // DAY_MS * DAY_MS - utc_offset_ms


def local_midnight_ms(now_ms: int, tz: str) -> tuple[int, int]:
    """(today's local midnight, the UTC offset now), both in milliseconds, in time zone `tz`."""
    now = datetime.fromtimestamp(now_ms / 1000, UTC)
    offset = now.astimezone(ZoneInfo(tz)).utcoffset() or timedelta(0)
    return int(local_day_start(now, tz).timestamp() * 1000), int(offset / timedelta(milliseconds=1))


def too_fast(prev: TrackState, fix: TrackFix, max_speed_mps: float) -> bool:
    """True when reaching `fix` from the last accepted fix needs more than `max_speed_mps`."""
    if prev.clamped:
        return False
    metres = haversine_m(prev.lon, prev.lat, fix.lon, fix.lat)
    return metres > max_speed_mps * (fix.ts_ms - prev.ts_ms) / 1000


def advance(
    prev: TrackState | None,
    fix: TrackFix,
    *,
    today_ms: int,
    utc_offset_ms: int,
    max_speed_mps: float = MAX_SPEED_MPS,
    gap_ms: int = OFFLINE_AFTER_MS,
) -> tuple[TrackState | None, Verdict]:
    """The patrol's state after `fix`, and whether the fix was accepted or why it was dropped."""
    day = day_start_ms(fix.ts_ms, today_ms, utc_offset_ms)
    if prev is None:
        first = TrackState(fix.lon, fix.lat, fix.status, fix.grid, fix.own, fix.clamped, day, 0.0, 0, fix.ts_ms)
        return first, "accepted"
    if fix.ts_ms <= prev.ts_ms:
        return prev, "stale"
    if too_fast(prev, fix, max_speed_mps):
        return prev, "too_fast"
    dt = fix.ts_ms - prev.ts_ms
    metres = haversine_m(prev.lon, prev.lat, fix.lon, fix.lat)
    distance, outside, share = prev.distance_m, prev.outside_ms, 1.0
    if day != prev.day_ms:
        distance, outside, share = 0.0, 0, min(1.0, (fix.ts_ms - day) / dt)
    distance += metres * share
    if prev.own == "o":
        # The patrol is known to be where its last fix put it for at most the gap after it, and only the part of
        # that after midnight is today's.
        outside += max(0, min(prev.ts_ms + gap_ms, fix.ts_ms) - max(prev.ts_ms, day))
    moved = replace(prev, day_ms=day, distance_m=distance, outside_ms=outside)
    state = replace(
        moved,
        lon=fix.lon,
        lat=fix.lat,
        status=fix.status,
        grid=fix.grid,
        own=fix.own,
        clamped=fix.clamped,
        ts_ms=fix.ts_ms,
    )
    return state, "accepted"


def today_counters(state: TrackState, today_ms: int) -> tuple[float, int]:
    """(distance m, ms outside) today: nothing yet when the counters belong to an earlier day."""
    if state.day_ms != today_ms:
        return 0.0, 0
    return state.distance_m, state.outside_ms


def is_online(ts_ms: int, now_ms: int, offline_after_ms: int = OFFLINE_AFTER_MS) -> bool:
    """A patrol is online while its last fix is younger than the offline gap."""
    return now_ms - ts_ms < offline_after_ms
