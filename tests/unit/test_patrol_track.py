"""The pure rules of patrol tracking: GCJ-02 for base maps, great-circle distance, the jump filter, today's counters."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dashboard.domain import geo
from dashboard.domain.patrol_track import (
    DAY_MS,
    OFFLINE_AFTER_MS,
    TrackFix,
    TrackState,
    advance,
    day_start_ms,
    is_online,
    local_midnight_ms,
    today_counters,
    too_fast,
)

TZ = "Asia/Shanghai"
# 2026-03-02 00:00 in Beijing, and an hour's worth of milliseconds.
MIDNIGHT = int(datetime(2026, 3, 2, tzinfo=ZoneInfo(TZ)).timestamp() * 1000)
OFFSET = 8 * 3_600_000
H = 3_600_000

# ---- GCJ-02: the one place positions leave WGS-84 ----------------------------------------------------------


def test_tiananmen_in_amap_datum_within_a_metre() -> None:
    # AutoNavi's (GCJ-02) pin of 天安门 is 116.397477,39.908692; its WGS-84 point is 116.391236,39.907291. (The
    # pair 116.391248,39.907400 sometimes quoted for it lies 12 m north of that: not an exact pair.)
    lon, lat = geo.to_map_crs(116.391236, 39.907291, "gcj02")
    assert geo.haversine_m(lon, lat, 116.397477, 39.908692) < 1.0
    back = geo.gcj02_to_wgs84(116.397477, 39.908692)
    assert geo.haversine_m(*back, 116.391236, 39.907291) < 1.0


def test_gcj02_matches_coordtransform_next_to_tiananmen() -> None:
    # wandergis/coordtransform's published example: wgs84togcj02(116.404, 39.915).
    lon, lat = geo.to_map_crs(116.404, 39.915, "gcj02")
    assert lon == pytest.approx(116.41024449916938, abs=1e-9)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)


@pytest.mark.parametrize(("lon", "lat"), [(2.35, 48.85), (-74.0, 40.7), (139.69, 35.69), (151.2, -33.87)])
def test_gcj02_is_the_identity_outside_china(lon: float, lat: float) -> None:
    assert geo.to_map_crs(lon, lat, "gcj02") == (lon, lat)


def test_wgs84_maps_are_left_alone_and_unknown_datums_refused() -> None:
    assert geo.to_map_crs(116.39, 39.9, "wgs84") == (116.39, 39.9)
    with pytest.raises(ValueError):
        geo.to_map_crs(116.39, 39.9, "bd09")


# ---- distance ------------------------------------------------------------------------------------------------


def test_haversine_known_distances() -> None:
    assert geo.haversine_m(116.4, 39.9, 116.4, 40.9) == pytest.approx(111_195, rel=1e-4)  # a degree of latitude
    assert geo.haversine_m(116.4074, 39.9042, 121.4737, 31.2304) == pytest.approx(1_067_000, rel=5e-3)  # 北京–上海
    assert geo.haversine_m(116.4, 39.9, 116.4, 39.9) == 0.0
    assert geo.haversine_m(0, 0, 180, 0) == pytest.approx(math.pi * geo.EARTH_RADIUS_M)


# ---- the jump filter ----------------------------------------------------------------------------------------


def _state(lon: float = 116.7, lat: float = 39.9, ts: int = MIDNIGHT + H, **kw: object) -> TrackState:
    base = {"status": "available", "grid": "", "own": "-", "clamped": False, "day_ms": MIDNIGHT}
    base.update({"distance_m": 0.0, "outside_ms": 0, **kw})
    return TrackState(lon, lat, ts_ms=ts, **base)  # type: ignore[arg-type]


def _fix(lon: float, lat: float, ts: int, own: str = "-", grid: str = "", clamped: bool = False) -> TrackFix:
    return TrackFix(lon, lat, "available", ts, grid, own, clamped)  # type: ignore[arg-type]


def test_speed_limit_is_judged_against_the_last_accepted_fix() -> None:
    prev = _state()
    north_1km = 39.9 + 1000 / 111_195
    assert not too_fast(prev, _fix(116.7, north_1km, prev.ts_ms + 21_000), 50)  # 48 m/s
    assert too_fast(prev, _fix(116.7, north_1km, prev.ts_ms + 19_000), 50)  # 53 m/s
    assert not too_fast(_state(clamped=True), _fix(116.7, north_1km, prev.ts_ms + 1_000), 50)  # no true time


def test_advance_drops_stale_and_impossible_fixes_and_keeps_the_reference() -> None:
    prev = _state()
    kw = {"today_ms": MIDNIGHT, "utc_offset_ms": OFFSET}
    assert advance(prev, _fix(116.71, 39.9, prev.ts_ms), **kw) == (prev, "stale")
    assert advance(prev, _fix(116.71, 39.9, prev.ts_ms - 5), **kw) == (prev, "stale")
    assert advance(prev, _fix(117.7, 39.9, prev.ts_ms + 10_000), **kw) == (prev, "too_fast")
    # The far fix becomes possible once enough time has passed since the last accepted one.
    far = _fix(117.7, 39.9, prev.ts_ms + 2_000_000)
    state, verdict = advance(prev, far, **kw)
    assert verdict == "accepted" and state is not None and state.ts_ms == far.ts_ms


def test_distance_sums_the_accepted_segments() -> None:
    kw = {"today_ms": MIDNIGHT, "utc_offset_ms": OFFSET}
    state, _ = advance(None, _fix(116.7, 39.9, MIDNIGHT + H), **kw)
    expected = 0.0
    points = [(116.7 + i * 1e-4, 39.9 + i * 5e-5) for i in range(1, 20)]
    lon0, lat0 = 116.7, 39.9
    for i, (lon, lat) in enumerate(points, start=1):
        state, verdict = advance(state, _fix(lon, lat, MIDNIGHT + H + i * 10_000), **kw)
        assert verdict == "accepted"
        expected += geo.haversine_m(lon0, lat0, lon, lat)
        lon0, lat0 = lon, lat
    assert state is not None
    assert today_counters(state, MIDNIGHT) == (pytest.approx(expected), 0)


def test_counters_restart_at_midnight_with_the_share_after_it() -> None:
    kw = {"today_ms": MIDNIGHT, "utc_offset_ms": OFFSET}
    yesterday = _state(ts=MIDNIGHT - 60_000, day_ms=MIDNIGHT - DAY_MS, distance_m=5000.0, outside_ms=900_000, own="o")
    lat = 39.9 + 100 / 111_195  # 100 m north, a minute before to a minute after midnight
    state, verdict = advance(yesterday, _fix(116.7, lat, MIDNIGHT + 60_000, own="o"), **kw)
    assert verdict == "accepted" and state is not None
    distance, outside = today_counters(state, MIDNIGHT)
    assert distance == pytest.approx(50.0, rel=1e-3)  # half the segment is today's
    assert outside == 60_000  # outside from the previous fix on, only the minute after midnight counts
    assert today_counters(yesterday, MIDNIGHT) == (0.0, 0)  # read today, yesterday's counters are nothing


def test_time_outside_counts_segments_that_start_outside_capped_at_the_gap() -> None:
    kw = {"today_ms": MIDNIGHT, "utc_offset_ms": OFFSET}
    t = MIDNIGHT + 10 * H
    state, _ = advance(None, _fix(116.7, 39.9, t, own="i", grid="A"), **kw)
    state, _ = advance(state, _fix(116.7, 39.9, t + 60_000, own="o", grid="B"), **kw)  # started inside: 0
    state, _ = advance(state, _fix(116.7, 39.9, t + 180_000, own="o", grid="B"), **kw)  # 120 s outside
    state, _ = advance(state, _fix(116.7, 39.9, t + 3_780_000, own="i", grid="A"), **kw)  # silent an hour: 5 min
    assert state is not None and today_counters(state, MIDNIGHT)[1] == 120_000 + OFFLINE_AFTER_MS
    state, _ = advance(state, _fix(116.7, 39.9, t + 3_840_000, own="i", grid="A"), **kw)  # back inside: nothing
    assert today_counters(state, MIDNIGHT)[1] == 120_000 + OFFLINE_AFTER_MS


# ---- days and online ----------------------------------------------------------------------------------------


def test_local_midnight_and_day_of_a_fix() -> None:
    assert local_midnight_ms(MIDNIGHT + 13 * H, TZ) == (MIDNIGHT, OFFSET)
    assert local_midnight_ms(MIDNIGHT - 1, TZ) == (MIDNIGHT - DAY_MS, OFFSET)
    assert day_start_ms(MIDNIGHT + 5, MIDNIGHT, OFFSET) == MIDNIGHT
    assert day_start_ms(MIDNIGHT - 5, MIDNIGHT, OFFSET) == MIDNIGHT - DAY_MS
    assert day_start_ms(MIDNIGHT - 3 * DAY_MS + 7, MIDNIGHT, OFFSET) == MIDNIGHT - 3 * DAY_MS
    # Daylight saving: today's midnight is exact in any zone (New York, the morning after the spring change).
    ny = int(datetime(2026, 3, 8, tzinfo=ZoneInfo("America/New_York")).timestamp() * 1000)
    assert local_midnight_ms(ny + 10 * H, "America/New_York")[0] == ny


def test_online_until_the_offline_gap() -> None:
    assert is_online(1_000_000, 1_000_000 + OFFLINE_AFTER_MS - 1)
    assert not is_online(1_000_000, 1_000_000 + OFFLINE_AFTER_MS)
