"""The clients the production fault tests watch a cluster with (tests/faults/cluster.py starts it).

`Screen` behaves like assets/shared/live.js: snapshot, deltas buffered until the snapshot or `synced` of each
connect and then applied in stream-id order, newest version wins, terminal rows drop, `gap` → resync, reconnect
with `since` after a drop; it keeps a log of what it was told. `Poster` posts cases with an Idempotency-Key,
retrying like a channel would.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
import socketio

from tests.faults.cluster import TERMINAL_STATES, Cluster, id_tuple


class Screen:
    """A wall on one base URL, keeping its picture the way assets/shared/live.js does, reconnecting after drops."""

    def __init__(self, base_url: str, token: str, name: str = "") -> None:
        self.base = base_url
        self.token = token
        self.name = name
        self.sio = socketio.Client(reconnection=False)
        self.lock = threading.Lock()
        self.rows: dict[int, dict[str, Any]] = {}
        self.versions: dict[int, int] = {}  # newest version handed out per case (dedup, like the JS)
        self.last_id: str | None = None
        self.need_snapshot = True
        self.applied: list[tuple[str, int, int]] = []  # (stream id, case id, version) of every delta row applied
        self.received_at: dict[int, float] = {}  # case id → monotonic time its first row arrived
        self.events: list[tuple[float, str]] = []  # (monotonic, "snapshot"|"delta"|"gap"|"disconnect"|"connect")
        self.closed = False
        self.synced = False  # like live.js: deltas wait in `pending` until the snapshot or `synced` of a connect
        self.pending: list[dict[str, Any]] = []
        self._synced = threading.Event()
        self.sio.on("snapshot", self._on_snapshot, namespace="/live")
        self.sio.on("delta", self._on_delta, namespace="/live")
        self.sio.on("synced", self._on_synced, namespace="/live")
        self.sio.on("gap", self._on_gap, namespace="/live")
        self.sio.on("disconnect", self._on_disconnect, namespace="/live")
        self._thread = threading.Thread(target=self._keep_connected, name=f"screen-{name}", daemon=True)

    def _auth(self) -> dict[str, Any]:
        return {"view": "screen", "token": self.token, "since": None if self.need_snapshot else self.last_id}

    def start(self, timeout_s: float = 30) -> Screen:
        self._thread.start()
        if not self._synced.wait(timeout_s):
            raise AssertionError(f"screen {self.name} got no snapshot within {timeout_s} s")
        return self

    def _keep_connected(self) -> None:
        delay = 0.5
        while not self.closed:
            if not self.sio.connected:
                try:
                    self.sio.connect(
                        self.base, namespaces=["/live"], transports=["websocket"], auth=self._auth, wait_timeout=10
                    )
                    self._log("connect")
                    delay = 0.5
                except Exception:  # noqa: BLE001 - refused or unreachable: back off and retry, like the JS
                    time.sleep(delay)
                    delay = min(delay * 2, 4.0)
                    continue
            time.sleep(0.1)

    def _log(self, what: str) -> None:
        with self.lock:
            self.events.append((time.monotonic(), what))

    def _on_disconnect(self, *_args: Any) -> None:
        self._log("disconnect")
        with self.lock:
            self.synced = False
            self.pending = []  # the replay on reconnect sends them again, in order
        self._synced.clear()

    def _on_snapshot(self, snap: dict[str, Any]) -> None:
        now = time.monotonic()
        with self.lock:
            self.events.append((now, "snapshot"))
            self.rows = {row["id"]: row for row in snap["cases"]}
            for row in snap["cases"]:
                self.versions[row["id"]] = max(self.versions.get(row["id"], -1), row["version"])
                self.received_at.setdefault(row["id"], now)
            self.last_id = snap["id"]
            self.need_snapshot = False
            self._flush(None)
        self._synced.set()

    def _on_synced(self, msg: dict[str, Any]) -> None:
        with self.lock:
            if self.need_snapshot:
                return  # asked for a snapshot: only that completes the picture
            self._flush(msg.get("id"))
        self._synced.set()

    def _flush(self, covered: str | None) -> None:
        """Apply the buffered deltas in stream order, then advance to what the server said it covered."""
        self.synced = True
        buffered, self.pending = self.pending, []
        for delta in sorted(buffered, key=lambda d: id_tuple(d["id"])):
            self._apply(delta)
        if covered and (self.last_id is None or id_tuple(covered) > id_tuple(self.last_id)):
            self.last_id = covered

    def _on_gap(self, _msg: Any = None) -> None:
        self._log("gap")
        with self.lock:
            self.need_snapshot = True
            self.synced = False
            self.pending = []
        with contextlib.suppress(Exception):
            self.sio.emit("resync", namespace="/live")

    def _on_delta(self, delta: dict[str, Any]) -> None:
        now = time.monotonic()
        with self.lock:
            self.events.append((now, "delta"))
            for row in delta["cases"]:
                self.received_at.setdefault(row["id"], now)
            if not self.synced:
                self.pending.append(delta)
            else:
                self._apply(delta)

    def _apply(self, delta: dict[str, Any]) -> None:
        if self.last_id is not None and id_tuple(delta["id"]) <= id_tuple(self.last_id):
            return  # seen already (a replay overlap)
        self.last_id = delta["id"]
        for row in delta["cases"]:
            if row["version"] <= self.versions.get(row["id"], -1):
                continue
            self.versions[row["id"]] = row["version"]
            self.applied.append((delta["id"], row["id"], row["version"]))
            if row["state"] in TERMINAL_STATES:
                self.rows.pop(row["id"], None)
            else:
                self.rows[row["id"]] = row

    def open_cases(self) -> dict[int, int]:
        with self.lock:
            return {case_id: row["version"] for case_id, row in self.rows.items()}

    def count(self, what: str) -> int:
        with self.lock:
            return sum(1 for _, kind in self.events if kind == what)

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(Exception):
            self.sio.disconnect()


@dataclass
class Poster:
    """Posts cases with an Idempotency-Key each, retrying a failed or unanswered post with the same key."""

    base_url: str
    headers: dict[str, str]
    points: list[tuple[float, float]]
    acknowledged: dict[str, int] = field(default_factory=dict)  # idempotency key → case id (201)
    statuses: dict[int | str, int] = field(default_factory=dict)  # status (or error kind) → count, every try
    latencies_ms: list[float] = field(default_factory=list)
    retry_pause_s: float = 0.2
    timeout_s: float = 10.0
    label: str = "故障测试"

    def post(self, i: int, http: requests.Session, give_up_s: float = 120) -> int | None:
        """Post case `i` until acknowledged (or `give_up_s`); returns its id."""
        key = uuid.uuid4().hex  # ASCII: a header value
        lon, lat = self.points[i % len(self.points)]
        body = {"description": f"{self.label} {i}", "lat": lat, "lon": lon, "source": "hotline_12345"}
        deadline = time.monotonic() + give_up_s
        while time.monotonic() < deadline:
            start = time.monotonic()
            try:
                resp = http.post(
                    f"{self.base_url}/api/v1/cases",
                    json=body,
                    headers={**self.headers, "Idempotency-Key": key},
                    timeout=self.timeout_s,
                )
                status: int | str = resp.status_code
            except requests.RequestException as exc:
                resp, status = None, type(exc).__name__
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if resp is not None and resp.status_code in (200, 201):
                self.latencies_ms.append((time.monotonic() - start) * 1000)
                case_id = resp.json()["id"]
                self.acknowledged[key] = case_id
                return case_id
            time.sleep(self.retry_pause_s)
        return None

    def run(self, indices: range, threads: int = 4) -> None:
        """Post every index of `indices` from `threads` threads."""
        lock = threading.Lock()
        todo = iter(indices)

        def work() -> None:
            with requests.Session() as http:
                while True:
                    with lock:
                        i = next(todo, None)
                    if i is None:
                        return
                    self.post(i, http)

        pool = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()


def wait_until(predicate: Any, timeout_s: float, period_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(period_s)
    return bool(predicate())


def inside_points(cluster: Cluster, count: int = 20) -> list[tuple[float, float]]:
    from shapely.geometry import shape

    resp = requests.get(f"{cluster.base_url}/api/v1/grids", headers=cluster.headers(), timeout=30)
    resp.raise_for_status()
    features = resp.json()["features"]
    step = max(1, len(features) // count)
    points = []
    for feature in features[::step][:count]:
        p = shape(feature["geometry"]).representative_point()
        points.append((round(p.x, 6), round(p.y, 6)))
    return points
