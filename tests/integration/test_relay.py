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


class _CommitFails:
    """A session factory whose sessions die at commit, like a process killed between XADD and its commit."""

    def __init__(self, sessions) -> None:  # noqa: ANN001
        self._sessions = sessions

    def __call__(self):  # noqa: ANN204
        session = self._sessions()

        def crash() -> None:
            raise RuntimeError("killed before the commit")

        session.commit = crash  # type: ignore[method-assign]
        return session


def _entries_with(grid_app, case_ids: list[int]) -> dict[int, list[str]]:  # noqa: ANN001
    """Case id → the stream ids of the entries that carry it."""
    rt = grid_app.runtime
    found: dict[int, list[str]] = {i: [] for i in case_ids}
    for sid, fields in rt.redis.xrange(rt.keys.case_stream):
        for row in json.loads(fields["cases"]):
            if row["id"] in found:
                found[row["id"]].append(sid)
    return found


def test_a_batch_published_before_a_crash_is_not_published_again(client, grid_app, inside_point) -> None:
    rt = grid_app.runtime
    grid_app.loops.relay.drain()
    ids = _post(client, inside_point, 3)
    emitted: list[tuple[str, list[int]]] = []
    dying = OutboxRelay(sessions=_CommitFails(rt.sessions), client=rt.redis, keys=rt.keys, maxlen=1000, emit=None)
    try:
        dying.run_once()
        raise AssertionError("the commit must fail")
    except RuntimeError:
        pass
    assert _unsent(grid_app) == 3  # published, but not marked sent: what a kill -9 leaves
    orphan = _entries_with(grid_app, ids)
    assert all(len(sids) == 1 for sids in orphan.values())
    (orphan_id,) = {sids[0] for sids in orphan.values()}

    more = _post(client, inside_point, 2)  # the next batch also holds rows the dead relay never saw
    again = OutboxRelay(
        sessions=rt.sessions,
        client=rt.redis,
        keys=rt.keys,
        maxlen=1000,
        emit=lambda sid, delta: emitted.append((sid, [r["id"] for r in delta["cases"]])),
    )
    assert again.drain() == 5
    carried = _entries_with(grid_app, ids + more)
    assert {i: len(s) for i, s in carried.items()} == {i: 1 for i in ids + more}  # each case exactly once
    assert all(carried[i] == [orphan_id] for i in ids)
    with rt.session() as session:
        marks = dict(session.execute(select(Outbox.id, Outbox.stream_id).order_by(Outbox.id.desc()).limit(5)).all())
    assert sorted(set(marks.values())) == sorted({orphan_id, carried[more[0]][0]})
    # The recovered entry goes to clients under its own id (the dead relay may never have emitted it), first.
    assert emitted[0] == (orphan_id, ids)
    assert emitted[1][1] == more
    assert _unsent(grid_app) == 0
    assert again.drain() == 0
