"""Patrol positions through the API on real Redis: the compact form, order, the jump filter, offline, distance today
and midnight, grid and time outside, trails, roles, GCJ-02 reads, the rate limit and the latest-fix-only mode.

The server's clock is pinned (NOW, a Monday afternoon in Beijing), so an hour or a day of fixes needs no waiting.
"""

from __future__ import annotations

import gzip
import random
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import dashboard.api.patrols as patrols_api
import dashboard.live.patrols as patrols_live
from dashboard.config import Settings
from dashboard.domain import geo
from dashboard.services.lookups import full_time_workers
from tests.integration.conftest import make_token

TZ = "Asia/Shanghai"
MIDNIGHT = int(datetime(2026, 3, 2, tzinfo=ZoneInfo(TZ)).timestamp() * 1000)
NOW = MIDNIGHT + 15 * 3_600_000  # 15:00
MIN = 60_000


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patrols_api, "_now_ms", lambda: NOW)
    monkeypatch.setattr(patrols_live, "_now_ms", lambda: NOW)


def _post(client: Any, fixes: list[dict[str, Any]]) -> Any:
    return client.post("/api/v1/patrols/positions", json={"positions": fixes})


def _csv(client: Any, text: str, *, compress: bool = False) -> Any:
    body = text.encode()
    headers = {"Content-Encoding": "gzip"} if compress else {}
    return client.post(
        "/api/v1/patrols/positions",
        data=gzip.compress(body) if compress else body,
        content_type="text/csv",
        headers=headers,
    )


def _fix(pid: str, lon: float, lat: float, ts: int, status: str = "available") -> dict[str, Any]:
    return {"id": pid, "lon": lon, "lat": lat, "ts": ts, "status": status}


def _walk(lon: float, lat: float, metres_north: float) -> tuple[float, float]:
    return lon, lat + metres_north / 111_195


@pytest.fixture
def worker(grid_app) -> tuple[str, str]:  # noqa: ANN001
    """(staff code, own grid) of a full-time grid worker on the roster."""
    with grid_app.runtime.session() as session:
        return full_time_workers(session=session)[0]


# ---- forms and order ---------------------------------------------------------------------------------------


def test_csv_lines_plain_and_gzip_land_like_json(client, grid_app, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    text = (
        f"id,lon,lat,ts,status\r\nP-1,{lon},{lat},{NOW - 20_000}\r\n\r\nP-1,{lon},{lat + 1e-4},{NOW - 10_000},busy\r\n"
    )
    resp = _csv(client, text)
    assert resp.status_code == 202, resp.get_json()
    assert resp.get_json() == {"received": 2, "accepted": 2, "dropped": {"stale": 0, "too_fast": 0}}
    zipped = _csv(client, f"P-2,{lon},{lat},{NOW - 5_000}\nP-1,{lon},{lat + 2e-4},{NOW}", compress=True)
    assert zipped.status_code == 202 and zipped.get_json()["accepted"] == 2
    rows = {r[0]: r for r in grid_app.runtime.patrols.all_rows()}
    assert rows["P-1"] == ["P-1", lon, pytest.approx(lat + 2e-4), "available"]
    assert rows["P-2"][3] == "available"


def test_a_batch_is_applied_in_time_order_and_older_fixes_are_counted_stale(client, grid_app, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    fixes = [_fix("P-3", *_walk(lon, lat, 10 * k), NOW - (5 - k) * 10_000) for k in (3, 1, 4, 2, 0)]
    resp = _post(client, fixes)
    assert resp.get_json()["accepted"] == 5  # buffered out of order on the phone: all five count
    trail = client.get("/api/v1/patrols/P-3/trail").get_json()["points"]
    assert [p[0] for p in trail] == sorted(p[0] for p in trail) and len(trail) == 5
    late = _post(client, [_fix("P-3", lon, lat, NOW - 45_000), _fix("P-3", lon, lat, NOW - 10_000)])
    assert late.get_json() == {"received": 2, "accepted": 0, "dropped": {"stale": 2, "too_fast": 0}}


def test_an_impossible_jump_is_dropped_and_counted(client, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    assert _post(client, [_fix("P-4", lon, lat, NOW - 100_000)]).status_code == 202
    far = _walk(lon, lat, 2000)  # 2 km in 10 s: 200 m/s
    resp = _post(client, [_fix("P-4", *far, NOW - 90_000), _fix("P-4", *_walk(lon, lat, 20), NOW - 80_000)])
    assert resp.get_json() == {"received": 2, "accepted": 1, "dropped": {"stale": 0, "too_fast": 1}}
    body = client.get("/api/v1/patrols/P-4").get_json()
    assert body["lat"] == pytest.approx(_walk(lon, lat, 20)[1], abs=1e-6)
    # 2 km from the last accepted fix 90 s later is 22 m/s: possible, accepted.
    assert _post(client, [_fix("P-4", *far, NOW - 10_000)]).get_json()["accepted"] == 1


# ---- online / offline ---------------------------------------------------------------------------------------


def test_no_fix_for_five_minutes_is_offline_in_frames_snapshot_and_detail(client, grid_app, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    store = grid_app.runtime.patrols
    _post(client, [_fix("ON", lon, lat, NOW - 4 * MIN), _fix("OFF", lon, lat, NOW - 6 * MIN, "busy")])
    frame = {r[0]: r[3] for r in store.take_frame(NOW)}
    assert frame == {"ON": "available", "OFF": "offline"}
    assert {r[0]: r[3] for r in store.all_rows(NOW)} == frame
    assert client.get("/api/v1/patrols/OFF").get_json()["status"] == "offline"
    assert store.take_frame(NOW) == []  # each is framed once
    # Two minutes on, ON falls silent: one frame carries it offline (the wall's 在线巡查 tile counts it out), once.
    assert store.take_frame(NOW + 2 * MIN) == [["ON", lon, lat, "offline"]]
    assert store.take_frame(NOW + 3 * MIN) == []
    # At NOW the desk's suggestions offer ON, never the silent OFF (whatever status it last sent).
    near = {p["id"]: p["status"] for p in store.nearest(lon, lat, k=5, radius_m=1000, available_only=False)}
    assert near == {"ON": "available", "OFF": "offline"}
    assert [p["id"] for p in store.nearest(lon, lat, k=5, radius_m=1000, available_only=True)] == ["ON"]


# ---- distance today, grid, time outside ---------------------------------------------------------------------


def test_distance_today_sums_segments_and_restarts_at_midnight(client, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    yesterday = [_fix("P-5", *_walk(lon, lat, 100 * k), MIDNIGHT - (4 - k) * MIN) for k in range(4)]
    assert _post(client, yesterday).get_json()["accepted"] == 4  # 300 m walked yesterday
    # 100 m from a minute before midnight to a minute after: half of it is today's; then 100 m more.
    today = [_fix("P-5", *_walk(lon, lat, 400), MIDNIGHT + MIN), _fix("P-5", *_walk(lon, lat, 500), MIDNIGHT + 3 * MIN)]
    assert _post(client, today).get_json()["accepted"] == 2
    body = client.get("/api/v1/patrols/P-5").get_json()
    assert body["distance_today_m"] == pytest.approx(150.0, abs=0.5)


def test_grid_and_time_outside_the_own_grid(client, grid_app, worker) -> None:  # noqa: ANN001
    pid, home = worker
    index = grid_app.runtime.grid_index()
    rng = random.Random(4)
    inside = index.random_point_in(home, rng)
    other = next(c for c in index.codes() if c != home)
    away = index.random_point_in(other, rng)
    travel = int(geo.haversine_m(*inside, *away) / 40 * 1000) + 1000  # at 40 m/s, within the limit
    t0 = NOW - travel - 20 * MIN
    fixes = [
        _fix(pid, *inside, t0),
        _fix(pid, *away, t0 + travel),  # the segment started inside: not outside time
        _fix(pid, *away, t0 + travel + 2 * MIN),  # 2 min outside
        _fix(pid, *inside, t0 + travel + 12 * MIN),  # 10 min silent outside: 5 min count (the offline gap)
    ]
    assert _post(client, fixes).get_json()["accepted"] == 4
    body = client.get(f"/api/v1/patrols/{pid}").get_json()
    assert (body["grid_code"], body["own_grid"], body["in_own_grid"]) == (home, home, True)
    assert body["outside_today_s"] == 2 * 60 + 5 * 60
    _post(client, [_fix(pid, *away, NOW)])
    body = client.get(f"/api/v1/patrols/{pid}").get_json()
    assert (body["grid_code"], body["in_own_grid"]) == (other, False)
    # Off the roster: no own grid, no time outside.
    _post(client, [_fix("CAR-9", *away, NOW)])
    car = client.get("/api/v1/patrols/CAR-9").get_json()
    assert (car["grid_code"], car["own_grid"], car["in_own_grid"], car["outside_today_s"]) == (other, None, None, 0)


# ---- trails -------------------------------------------------------------------------------------------------


def test_trail_is_the_last_hour_and_redis_keeps_little_more(client, grid_app, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    fixes = [_fix("P-6", *_walk(lon, lat, 30 * k), NOW - (90 - k) * MIN) for k in range(91)]  # 90 minutes, 1 a minute
    for start in range(0, 91, 10):  # as a phone would send them, ten at a time
        assert _post(client, fixes[start : start + 10]).status_code == 202
    hour = client.get("/api/v1/patrols/P-6/trail").get_json()
    assert hour["minutes"] == 60 and len(hour["points"]) == 61
    assert hour["points"][0][0] == NOW - 60 * MIN and hour["points"][-1][0] == NOW
    half = client.get("/api/v1/patrols/P-6/trail?minutes=30").get_json()["points"]
    assert [p[0] for p in half] == [NOW - k * MIN for k in range(30, -1, -1)]
    kept = grid_app.runtime.redis.llen(grid_app.runtime.keys.patrol_trail("P-6"))
    assert 61 <= kept <= 81  # trimmed once it held ten minutes more than the hour
    for bad in ("0", "61", "x"):
        resp = client.get(f"/api/v1/patrols/P-6/trail?minutes={bad}")
        assert resp.status_code == 422 and resp.get_json()["field"] == "minutes"


def test_reads_in_gcj02_for_chinese_base_maps(client, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    _post(client, [_fix("P-7", lon, lat, NOW)])
    shifted = client.get("/api/v1/patrols/P-7?crs=gcj02").get_json()
    want = geo.wgs84_to_gcj02(lon, lat)
    assert (shifted["lon"], shifted["lat"]) == (pytest.approx(want[0], abs=1e-6), pytest.approx(want[1], abs=1e-6))
    assert 100 < geo.haversine_m(lon, lat, shifted["lon"], shifted["lat"]) < 1000
    point = client.get("/api/v1/patrols/P-7/trail?crs=gcj02").get_json()["points"][0]
    assert point[1:] == [pytest.approx(want[0], abs=1e-6), pytest.approx(want[1], abs=1e-6)]
    resp = client.get("/api/v1/patrols/P-7?crs=bd09")
    assert resp.status_code == 422 and resp.get_json()["field"] == "crs"
    assert client.get("/api/v1/patrols/NOBODY").status_code == 404


# ---- who may post and read ----------------------------------------------------------------------------------


def _as(grid_app, token: str):  # noqa: ANN001, ANN202
    client = grid_app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_a_workers_phone_posts_and_reads_only_its_own_patrol(grid_app, client, worker) -> None:  # noqa: ANN001
    from dashboard.services.accounts import create_user, issue_token

    pid, home = worker
    lon, lat = grid_app.runtime.grid_index().random_point_in(home, random.Random(1))
    with grid_app.runtime.session() as session:
        user = create_user(session=session, name=pid, role="worker", scope=home[:9])
        phone = _as(grid_app, issue_token(session=session, user=user, label="phone"))
    assert _post(phone, [_fix(pid, lon, lat, NOW)]).status_code == 202
    refused = _post(phone, [_fix(pid, lon, lat, NOW), _fix("SOMEONE", lon, lat, NOW)])
    assert refused.status_code == 403 and "positions[1].id" in refused.get_json()["error"]
    assert phone.get(f"/api/v1/patrols/{pid}").status_code == 200
    _post(client, [_fix("SOMEONE", lon, lat, NOW)])
    assert phone.get("/api/v1/patrols/SOMEONE").status_code == 404


def test_a_streets_desk_reads_only_its_streets_patrols(grid_app, client, worker) -> None:  # noqa: ANN001
    pid, home = worker
    lon, lat = grid_app.runtime.grid_index().random_point_in(home, random.Random(1))
    _post(client, [_fix(pid, lon, lat, NOW), _fix("CAR-1", lon, lat, NOW)])
    other_street = next(c[:9] for c in grid_app.runtime.grid_index().codes() if c[:9] != home[:9])
    own = _as(grid_app, make_token(grid_app, "dispatcher", scope=home[:9]))
    other = _as(grid_app, make_token(grid_app, "dispatcher", scope=other_street))
    assert own.get(f"/api/v1/patrols/{pid}").status_code == 200
    assert other.get(f"/api/v1/patrols/{pid}").status_code == 404  # out of scope reads as missing
    assert own.get("/api/v1/patrols/CAR-1").status_code == 404  # not on the roster: district users only
    assert client.get("/api/v1/patrols/CAR-1").status_code == 200
    channel = _as(grid_app, make_token(grid_app, "channel"))
    assert _post(channel, [_fix("GW-1", lon, lat, NOW)]).status_code == 202  # a GPS gateway relays any phone
    assert channel.get("/api/v1/patrols/GW-1").status_code == 403


# ---- the rate limit and the latest-fix-only mode ------------------------------------------------------------


def test_each_token_has_its_own_budget_of_batches(settings: Settings, monkeypatch, inside_point) -> None:  # noqa: ANN001
    import app
    import dashboard.api.rate_limit as rl

    monkeypatch.setattr(rl, "_now", lambda: 1_800_000_020.0)  # 20 s into a window: no straddling
    limited = app.create_app(settings.model_copy(update={"rate_limits": "patrols=2"}), start_loops=False)
    lon, lat = inside_point
    first, second = (_as(limited, make_token(limited, "channel")) for _ in range(2))
    answers = [_post(first, [_fix("R-1", lon, lat, NOW - 10_000 + i)]).status_code for i in range(3)]
    assert answers == [202, 202, 429]
    refused = _post(first, [_fix("R-1", lon, lat, NOW)])
    assert refused.get_json()["field"] == "Authorization" and refused.headers["Retry-After"] == "40"
    assert _post(second, [_fix("R-2", lon, lat, NOW)]).status_code == 202


def test_with_tracking_off_only_the_latest_fix_is_kept(settings: Settings, inside_point) -> None:
    import app

    latest = app.create_app(settings.model_copy(update={"patrol_tracking": False}), start_loops=False)
    client = _as(latest, make_token(latest, "admin"))
    lon, lat = inside_point
    far = _walk(lon, lat, 5000)
    resp = _post(client, [_fix("L-1", lon, lat, NOW - 20_000), _fix("L-1", *far, NOW - 10_000)])
    assert resp.get_json() == {"received": 2, "accepted": 2, "dropped": {"stale": 0, "too_fast": 0}}  # no filter
    body = client.get("/api/v1/patrols/L-1").get_json()
    assert body["lat"] == pytest.approx(far[1], abs=1e-6) and body["distance_today_m"] == 0.0
    assert client.get("/api/v1/patrols/L-1/trail").get_json()["points"] == []
