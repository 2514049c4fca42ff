"""Outbox relay: committed rows reach the stream in order, once; a Redis outage loses nothing."""

from __future__ import annotations

import json

import redis as redis_lib
from sqlalchemy import func, select

from dashboard.live.relay import OutboxRelay
from dashboard.store.models import Outbox


def _post(client, point: tuple[float, float], n: int) -> list[int]:  # noqa: ANN001
    lon, lat = point
    ids = []
    for i in range(n):
        resp = client.post(
            "/api/v1/cases", json={"description": f"占道经营 {i}", "lat": lat, "lon": lon, "source": "wechat"}
        )
        assert resp.status_code == 201
        ids.append(resp.get_json()["id"])
    return ids


def _stream_case_ids(grid_app) -> list[int]:  # noqa: ANN001
    rt = grid_app.runtime
    entries = rt.redis.xrange(rt.keys.case_stream)
    return [row["id"] for _, fields in entries for row in json.loads(fields["cases"])]


def _unsent(grid_app) -> int:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        return session.scalar(select(func.count(Outbox.id)).where(Outbox.sent_at.is_(None))) or 0


def test_relay_publishes_committed_rows_in_order_once(client, grid_app, inside_point) -> None:
    grid_app.loops.relay.drain()  # rows left by earlier tests on this shared database
    before = set(_stream_case_ids(grid_app))
    ids = _post(client, inside_point, 5)
    assert grid_app.loops.relay.drain() == 5
    published = [i for i in _stream_case_ids(grid_app) if i not in before]
    assert published == ids
    assert _unsent(grid_app) == 0
    assert grid_app.loops.relay.drain() == 0  # nothing published twice


def test_redis_outage_keeps_rows_until_redis_returns(client, grid_app, inside_point) -> None:
    rt = grid_app.runtime
    grid_app.loops.relay.drain()
    ids = _post(client, inside_point, 3)
    dead = redis_lib.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)  # nothing listens on port 1
    broken = OutboxRelay(sessions=rt.sessions, client=dead, keys=rt.keys, maxlen=1000, emit=None)
    try:
        broken.run_once()
        raise AssertionError("publishing to a dead Redis must raise")
    except redis_lib.ConnectionError:
        pass
    assert _unsent(grid_app) == 3  # still queued, nothing lost
    assert grid_app.loops.relay.drain() == 3
    assert _stream_case_ids(grid_app)[-3:] == ids
