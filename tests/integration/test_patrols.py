"""Patrol store on real Redis: latest fix wins, stale fixes dropped, nearest search, API validation."""

from __future__ import annotations

import time

from dashboard.live.patrols import Fix


def _t0() -> int:
    """A minute ago, taken when the test runs (not when it is collected: under xdist that can be minutes
    earlier), because a patrol not heard of for five minutes reads offline (test_patrol_positions.py)."""
    return int(time.time() * 1000) - 60_000


def test_latest_fix_wins_and_stale_is_dropped(grid_app) -> None:
    T0 = _t0()  # noqa: N806
    store = grid_app.runtime.patrols
    assert store.ingest([Fix("A", 116.70, 39.90, "available", T0 + 2000)]) == 1
    assert store.ingest([Fix("A", 116.10, 39.10, "available", T0 + 1000)]) == 0  # older than stored
    assert store.ingest([Fix("A", 116.71, 39.91, "busy", T0 + 3000)]) == 1
    assert store.all_rows() == [["A", 116.71, 39.91, "busy"]]
    assert store.take_frame() == [["A", 116.71, 39.91, "busy"]]
    assert store.take_frame() == []  # each move is framed once


def test_nearest_available_patrols(grid_app) -> None:
    T0 = _t0()  # noqa: N806
    store = grid_app.runtime.patrols
    store.ingest(
        [
            Fix("near", 116.7001, 39.9001, "available", T0),
            Fix("busy", 116.7000, 39.9000, "busy", T0),
            Fix("far", 116.7300, 39.9300, "available", T0),
        ]
    )
    found = store.nearest(116.7, 39.9, k=2, radius_m=10_000, available_only=True)
    assert [p["id"] for p in found] == ["near", "far"]
    assert found[0]["distance_m"] < found[1]["distance_m"]


def test_positions_api_validates_and_accepts(client) -> None:
    ok = client.post("/api/v1/patrols/positions", json={"positions": [{"id": "W1", "lat": 39.9, "lon": 116.7}]})
    assert ok.status_code == 202 and ok.get_json()["accepted"] == 1
    bad = client.post("/api/v1/patrols/positions", json={"positions": [{"id": "W1", "lat": 139.9, "lon": 116.7}]})
    assert bad.status_code == 422 and bad.get_json()["field"] == "positions[0].lat"
    near = client.get("/api/v1/patrols/nearest?lat=39.9&lon=116.7&k=3").get_json()
    assert near["patrols"][0]["id"] == "W1"
    assert client.get("/api/v1/patrols/nearest?lat=abc&lon=116.7").status_code == 422
