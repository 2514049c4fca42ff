"""The live spine's server side (issue 10): a bad `since` falls back to a snapshot, replays are ordered and complete,
concurrent snapshots of a scope share one database read, and /live admits clients while Redis is down."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from dashboard.config import Settings
from dashboard.live.gateway import NAMESPACE, PatrolStreets
from dashboard.live.snapshots import SnapshotCache, id_tuple
from tests.integration.conftest import free_port, make_token
from tests.integration.test_live import LiveClient, _post
from tests.redis_server import OwnRedis

BAD_SINCE: list[Any] = [
    "not-an-id",
    "١-٠",
    "²",
    "1-0\n",
    "18446744073709551616-0",
    "99999999999999-0",  # newer than anything in the stream
    "0-0",  # from a snapshot of an empty stream: the stream it came from may be gone
    "",
    12,
    1.5,
    True,
    [],
    ["1-0"],
    {"id": "1-0"},
    "\u0000",
    "x" * 10_000,
]


def _snapshot(client: LiveClient) -> dict[str, Any]:
    return next(data for name, data in client.events if name == "snapshot")


def test_a_bad_since_of_any_type_gets_a_snapshot(live_server, admin_token) -> None:
    for since in BAD_SINCE:
        client = LiveClient(live_server, admin_token)
        client.connect(since)
        try:
            client.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))
            assert not any(n == "synced" for n, _ in client.events), since
        finally:
            client.sio.disconnect()


def test_a_replay_over_many_batches_is_in_order_and_complete(live_server, inside_point, admin_token) -> None:
    first = LiveClient(live_server, admin_token)
    first.connect(None)
    first.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))
    seen = _post(live_server, inside_point, "井盖缺失", admin_token)
    first.wait_for(lambda ev: seen in first.case_ids())
    since = first.last_id()
    first.sio.disconnect()

    missed: list[int] = []
    threads = [
        threading.Thread(target=lambda i=i: missed.append(_post(live_server, inside_point, f"积水 {i}", admin_token)))
        for i in range(24)
    ]
    for t in threads:  # concurrent intake: the relay publishes them in several batches
        t.start()
    for t in threads:
        t.join()
    time.sleep(1.0)

    again = LiveClient(live_server, admin_token)
    again.connect(since)
    again.wait_for(lambda ev: any(n == "synced" for n, _ in ev))
    deltas = [d for n, d in again.events if n == "delta"]
    assert [id_tuple(d["id"]) for d in deltas] == sorted({id_tuple(d["id"]) for d in deltas})  # ordered, once
    assert all(id_tuple(d["id"]) > id_tuple(since) for d in deltas)
    replayed = again.case_ids()
    assert sorted(replayed) == sorted(missed)  # every missed case, once
    synced = next(d for n, d in again.events if n == "synced")
    assert synced["id"] == deltas[-1]["id"]
    again.sio.disconnect()


def test_concurrent_snapshots_of_a_scope_share_one_read(grid_app, client, inside_point) -> None:
    rt = grid_app.runtime
    lon, lat = inside_point
    body = {"description": "新的案件", "lat": lat, "lon": lon, "source": "wechat"}
    client.post("/api/v1/cases", json=body)
    grid_app.loops.relay.drain()  # a stream with an entry (a part taken of an empty stream is always re-read)
    cache = SnapshotCache(rt, namespace=NAMESPACE, patrols_of=PatrolStreets(rt).of_street)
    head = cache.head()
    packets: list[Any] = []
    barrier = threading.Barrier(16)

    def fetch() -> None:
        barrier.wait()
        packets.append(cache.packet(None, head))

    threads = [threading.Thread(target=fetch) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.reads == 1
    assert len({id(p) for p in packets}) == 1  # one encoded packet for all sixteen

    # A new change moves the stream on: the part is brought up to date from the stream, not read again.
    new_id = client.post("/api/v1/cases", json=body).get_json()["id"]
    grid_app.loops.relay.drain()
    fresh = cache.packet(None, cache.head())
    assert cache.reads == 1
    assert f'"id":{new_id},' in fresh.encode()
    assert fresh.encode().startswith(f'2{NAMESPACE},["snapshot",{{"id":"{cache.head()}"')


# ---------------------------------------------------------------- Redis down


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def outage_server(db_url: str, own_redis: OwnRedis, tmp_path: Path) -> Iterator[tuple[Any, str]]:
    """The app served for real on a Redis of the test's own (which the test stops); yields (app, base URL)."""
    import app

    settings = Settings(database_url=db_url, redis_url=own_redis.url, redis_prefix="gc-live-down:", var_dir=tmp_path)
    grid = app.create_app(settings, start_loops=False)
    port = free_port()
    kwargs = {"host": "127.0.0.1", "port": port, "allow_unsafe_werkzeug": True, "use_reloader": False}
    threading.Thread(
        target=grid.socketio.run, args=(grid.server,), kwargs={**kwargs, "log_output": False}, daemon=True
    ).start()
    grid.loops.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.05)
    yield grid, base
    grid.loops.stop.set()


def _open_ids(snapshot: dict[str, Any]) -> set[int]:
    return {row["id"] for row in snapshot["cases"]}


def test_live_admits_clients_while_redis_is_down(outage_server, own_redis: OwnRedis) -> None:
    grid, base = outage_server
    token = make_token(grid, "admin")
    index = grid.runtime.grid_index()
    point = index.random_point_in(index.codes()[0], random.Random(2))

    wall = LiveClient(base, token)
    wall.connect(None)
    wall.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))
    before = _post(base, point, "停电前上报", token)
    wall.wait_for(lambda ev: before in wall.case_ids())
    last_id = wall.last_id()
    wall.sio.disconnect()

    own_redis.stop()
    during = _post(base, point, "停电期间上报", token)  # the outbox keeps it until Redis is back

    fresh = LiveClient(base, token)
    fresh.connect(None)  # refused before: the snapshot needed Redis for its stream id
    fresh.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev), timeout=20)
    snap = _snapshot(fresh)
    assert {before, during} <= _open_ids(snap)  # from the database, so it has the unpublished case too
    assert id_tuple(snap["id"]) >= id_tuple(last_id)  # the newest id this process saw: resumes safely

    resuming = LiveClient(base, token)
    resuming.connect(last_id)  # a valid id, but no stream to replay from: a snapshot instead
    resuming.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev), timeout=20)
    assert during in _open_ids(_snapshot(resuming))

    bad = LiveClient(base, token)
    bad.connect(["not", "an", "id"])
    bad.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev), timeout=20)

    # Redis comes back empty (no persistence): the relay publishes the backlog; a client resuming from the id it
    # was given during the outage misses nothing.
    own_redis.start()
    after = _post(base, point, "恢复后上报", token)
    rt = grid.runtime
    deadline = time.monotonic() + 30
    while not any(f'"id":{after},' in f["cases"] for _, f in rt.redis.xrange(rt.keys.case_stream)):
        assert time.monotonic() < deadline, "the relay did not publish the backlog"
        time.sleep(0.2)
    back = LiveClient(base, token)
    back.connect(snap["id"])
    back.wait_for(lambda ev: any(n in ("snapshot", "synced") for n, _ in ev), timeout=20)
    if any(n == "snapshot" for n, _ in back.events):
        held = _open_ids(_snapshot(back))
    else:
        held = _open_ids(snap) | set(back.case_ids())
    assert {before, during, after} <= held
    for client in (fresh, resuming, bad, back):
        client.sio.disconnect()
