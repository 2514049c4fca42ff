"""The live protocol over a real server: snapshot, deltas, exact replay after a reconnect; patrol frames."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import requests
import socketio

from dashboard.live.patrols import Fix


class LiveClient:
    """A /live client that records what it receives, like the screen's JS does."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token
        self.sio = socketio.Client(reconnection=False)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.cond = threading.Condition()
        for name in ("snapshot", "delta", "synced", "patrols"):
            self.sio.on(name, self._recorder(name), namespace="/live")

    def _recorder(self, name: str):  # noqa: ANN202
        def record(data: dict[str, Any] | str) -> None:
            if name == "patrols":  # frames come as JSON text (gateway._emit_frame), parsed as live.js does
                assert isinstance(data, str), type(data)
                data = json.loads(data)
            with self.cond:
                self.events.append((name, data))
                self.cond.notify_all()

        return record

    def connect(self, since: str | None, view: str = "screen") -> None:
        self.sio.connect(
            self.base,
            namespaces=["/live"],
            transports=["websocket"],
            auth={"view": view, "since": since, "token": self.token},
            wait_timeout=10,
        )

    def wait_for(self, predicate, timeout: float = 10.0) -> None:  # noqa: ANN001
        with self.cond:
            assert self.cond.wait_for(lambda: predicate(self.events), timeout), self.events[-5:]

    def case_ids(self, kind: str = "delta") -> list[int]:
        return [row["id"] for name, data in self.events if name == kind for row in data["cases"]]

    def last_id(self) -> str:
        return [data["id"] for name, data in self.events if name in ("snapshot", "delta")][-1]


def _post(base: str, point: tuple[float, float], text: str, token: str) -> int:
    lon, lat = point
    resp = requests.post(
        f"{base}/api/v1/cases",
        json={"description": text, "lat": lat, "lon": lon, "source": "hotline_12345"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def test_snapshot_then_deltas_then_exact_replay(live_server, inside_point, admin_token) -> None:
    first = LiveClient(live_server, admin_token)
    first.connect(None)
    first.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))
    seen = _post(live_server, inside_point, "路灯不亮", admin_token)
    first.wait_for(lambda ev: seen in first.case_ids())
    last = first.last_id()
    first.sio.disconnect()

    missed = [_post(live_server, inside_point, f"垃圾满溢 {i}", admin_token) for i in range(3)]
    time.sleep(0.5)  # let the relay publish them while nobody listens

    again = LiveClient(live_server, admin_token)
    again.connect(last)
    again.wait_for(lambda ev: any(n == "synced" for n, _ in ev))
    assert not any(n == "snapshot" for n, _ in again.events)
    replayed = again.case_ids()
    assert replayed == missed  # every missed case, in order, once; nothing seen before
    synced = next(d for n, d in again.events if n == "synced")
    assert synced["replayed"] == len([n for n, _ in again.events if n == "delta"])
    again.sio.disconnect()


def test_stale_or_unknown_since_gets_a_fresh_snapshot(live_server, admin_token) -> None:
    client = LiveClient(live_server, admin_token)
    client.connect("1-0")  # older than anything retained in this test's stream? stream is new: replay
    client.wait_for(lambda ev: any(n in ("snapshot", "synced") for n, _ in ev))
    client.sio.disconnect()
    bogus = LiveClient(live_server, admin_token)
    bogus.connect("not-an-id")
    bogus.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))
    bogus.sio.disconnect()


def test_unknown_view_is_refused(live_server) -> None:
    sio = socketio.Client(reconnection=False)
    try:
        sio.connect(
            live_server, namespaces=["/live"], transports=["websocket"], auth={"view": "hacker"}, wait_timeout=5
        )
        refused = False
    except socketio.exceptions.ConnectionError:
        refused = True
    finally:
        sio.disconnect()
    assert refused


def test_patrols_are_coalesced_into_frames(live_server, grid_app, inside_point, admin_token) -> None:
    client = LiveClient(live_server, admin_token)
    client.connect(None)
    client.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))
    lon, lat = inside_point
    now = int(time.time() * 1000)
    store = grid_app.runtime.patrols
    # Ten fixes for one patrol within a frame period: the frame carries only the latest.
    store.ingest([Fix("P-1", lon + i * 1e-5, lat, "available", now + i) for i in range(10)])
    store.ingest([Fix("P-1", lon - 1, lat, "available", now - 5000)])  # out-of-order stale fix: dropped
    client.wait_for(lambda ev: any(n == "patrols" for n, _ in ev), timeout=5)
    frame = next(d for n, d in client.events if n == "patrols")
    rows = [r for r in frame["rows"] if r[0] == "P-1"]
    assert len(rows) == 1
    assert abs(rows[0][1] - (lon + 9e-5)) < 1e-6
    client.sio.disconnect()


def test_the_leader_view_gets_no_patrol_frames(live_server, grid_app, inside_point, admin_token) -> None:
    """Only views that draw patrols join the frames' room: a leader's phone is spared 1 Hz of positions."""
    from tests.integration.conftest import make_token

    wall = LiveClient(live_server, admin_token)
    leader = LiveClient(live_server, make_token(grid_app, "leader"))
    wall.connect(None)
    leader.connect(None, view="leader")
    for c in (wall, leader):
        c.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))
    lon, lat = inside_point
    grid_app.runtime.patrols.ingest([Fix("P-9", lon, lat, "available", int(time.time() * 1000))])
    wall.wait_for(lambda ev: any(n == "patrols" for n, _ in ev), timeout=5)
    time.sleep(1.5)  # another frame period: a frame sent to the leader would have arrived by now
    assert not any(n == "patrols" for n, _ in leader.events)
    # Nor does its snapshot carry them: a resync after the fix is in the store still brings none.
    leader.sio.emit("resync", namespace="/live")
    leader.wait_for(lambda ev: sum(n == "snapshot" for n, _ in ev) >= 2, timeout=5)
    assert [d["patrols"] for n, d in leader.events if n == "snapshot"][-1] == []
    wall.sio.emit("resync", namespace="/live")
    wall.wait_for(lambda ev: sum(n == "snapshot" for n, _ in ev) >= 2, timeout=5)
    assert "P-9" in {r[0] for r in [d for n, d in wall.events if n == "snapshot"][-1]["patrols"]}
    for c in (wall, leader):
        c.sio.disconnect()


def test_a_street_sees_only_its_own_patrols(live_server, grid_app, inside_point, admin_token) -> None:
    from sqlalchemy import select

    from dashboard.store.models import Staff
    from tests.integration.conftest import make_token

    with grid_app.runtime.session() as session:
        staff = session.execute(select(Staff.code, Staff.street_code).where(Staff.street_code.is_not(None))).all()
    streets = sorted({street for _code, street in staff})
    assert len(streets) >= 2, "the test jurisdiction needs two streets with staff"
    mine = next(code for code, street in staff if street == streets[0])
    theirs = next(code for code, street in staff if street == streets[1])
    lon, lat = inside_point
    now = int(time.time() * 1000)
    store = grid_app.runtime.patrols
    store.ingest(
        [
            Fix(mine, lon, lat, "available", now),
            Fix(theirs, lon, lat, "busy", now),
            Fix("CAR-7", lon, lat, "available", now),
        ]
    )
    time.sleep(1.5)  # framed once already: the snapshots below must carry them from the store

    street_wall = LiveClient(live_server, make_token(grid_app, "screen", scope=streets[0]))
    district = LiveClient(live_server, admin_token)
    for c in (street_wall, district):
        c.connect(None)
        c.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))

    def patrol_ids(client: LiveClient, kind: str) -> set[str]:
        return {
            row[0]
            for name, data in client.events
            if name == kind
            for row in data["patrols" if kind == "snapshot" else "rows"]
        }

    assert {mine, theirs, "CAR-7"} <= patrol_ids(district, "snapshot")
    assert mine in patrol_ids(street_wall, "snapshot")
    assert not {theirs, "CAR-7"} & patrol_ids(street_wall, "snapshot")

    now = int(time.time() * 1000)
    store.ingest([Fix(p, lon + 1e-4, lat, "available", now) for p in (mine, theirs, "CAR-7")])
    district.wait_for(lambda ev: {mine, theirs, "CAR-7"} <= patrol_ids(district, "patrols"), timeout=5)
    street_wall.wait_for(lambda ev: mine in patrol_ids(street_wall, "patrols"), timeout=5)
    time.sleep(1.2)  # one more frame period: nothing else may arrive
    assert patrol_ids(street_wall, "patrols") == {mine}
    for c in (street_wall, district):
        c.sio.disconnect()
