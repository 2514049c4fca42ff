"""`gridcmd serve-prod` for real on loopback, with a PostgreSQL and a Redis of the test's own (which the fault tests
stop, start and kill): nginx on a free port in front of N gunicorn processes, a small jurisdiction, one user and
token per role. Shared by tests/faults/test_prod_*.py and bench/prod_cluster.py, so both measure the same thing.

Also the clients the fault tests watch with: `Screen` behaves like assets/shared/live.js (snapshot, deltas in
stream-id order, newest version wins, terminal rows drop, `gap` → resync, reconnect with `since` after a drop) and
keeps a log of what it was told, and `Poster` posts cases with an Idempotency-Key, retrying like a channel would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import requests
import socketio

from dashboard.domain.cases import TERMINAL
from dashboard.live.leader import holder_pid
from tests.e2e.server import ROOT, Jurisdiction, build_jurisdiction, create_users, free_port
from tests.pg_server import OwnPostgres
from tests.redis_server import OwnRedis

TERMINAL_STATES = frozenset(s.value for s in TERMINAL)
PREFIX = "gc-prod:"


def id_tuple(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass
class Cluster:
    """A running serve-prod and what a test needs to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    processes: int
    env: dict[str, str]
    log_path: Path
    pg: OwnPostgres
    redis: OwnRedis
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """nginx."""
        return f"http://127.0.0.1:{self.port}"

    def app_url(self, i: int) -> str:
        """The i-th app process directly (0-based), bypassing nginx."""
        return f"http://127.0.0.1:{self.port + 1 + i}"

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def worker_pids(self) -> list[int]:
        """The gunicorn worker (the app itself) of each process, in port order."""
        pids = []
        for master in _children(self.process.pid):
            if b"gunicorn" in Path(f"/proc/{master}/cmdline").read_bytes():
                pids.extend(_children(master))
        return sorted(pids, key=self._port_of)

    def _port_of(self, pid: int) -> int:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        cmd = Path(f"/proc/{parent}/cmdline").read_bytes().decode(errors="replace")
        return int(cmd.split("--bind=127.0.0.1:", 1)[1].split("\0", 1)[0])

    def lease_holder(self, name: str) -> int | None:
        """The pid holding the lease `name` (relay, frames, rules)."""
        client = redis.Redis.from_url(self.redis.url, socket_timeout=2)
        return holder_pid(client, f"{PREFIX}lock:{name}")

    def wait_ready(self, timeout_s: float = 90) -> None:
        urls = [f"{self.app_url(i)}/readyz" for i in range(self.processes)] + [f"{self.base_url}/readyz"]
        deadline = time.monotonic() + timeout_s
        while urls and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve-prod exited with {self.process.returncode}:\n{self.log_tail()}")
            for url in list(urls):
                with contextlib.suppress(requests.RequestException):
                    if requests.get(url, timeout=2).status_code == 200:
                        urls.remove(url)
            time.sleep(0.2)
        if urls:
            raise RuntimeError(f"not ready within {timeout_s} s: {urls}\n{self.log_tail()}")

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def cluster_env(workdir: Path, pg: OwnPostgres, own_redis: OwnRedis) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=pg.url,
        REDIS_URL=own_redis.url,
        REDIS_PREFIX=PREFIX,
        VAR_DIR=str(workdir / "var"),
        PYTHONUNBUFFERED="1",
        RATE_LIMITS="intake=0,open311=0,hotline=0,patrols=0,media=0",  # the load is ours: no per-token budget
    )
    return env


@contextlib.contextmanager
def running_cluster(
    workdir: Path,
    *,
    processes: int = 2,
    worker: str = "gthread",
    sizes: Jurisdiction | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """Own PostgreSQL and Redis, a jurisdiction, users, then serve-prod; everything stopped afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    pg = OwnPostgres()
    own_redis = OwnRedis(workdir)
    process = None
    try:
        pg.init()
        pg.start()
        own_redis.start()
        env = {**cluster_env(workdir, pg, own_redis), **(extra_env or {})}
        build_jurisdiction(env, sizes or Jurisdiction(grids=60, streets=3, communities=12, seed=3))
        tokens = create_users(env)
        port = _free_run(processes + 1)
        log_path = workdir / "serve-prod.log"
        with log_path.open("wb") as log:
            cmd = [sys.executable, "-m", "dashboard", "serve-prod", "--port", str(port)]
            cmd += ["--processes", str(processes), "--worker", worker]
            process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        cluster = Cluster(process, port, processes, env, log_path, pg, own_redis, tokens)
        cluster.wait_ready()
        yield cluster
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        own_redis.stop()
        pg.destroy()


def _free_run(count: int) -> int:
    """A port P such that P … P+count-1 are all free now."""
    for _ in range(50):
        base = free_port()
        if base + count >= 65000:
            continue
        ok = True
        for p in range(base + 1, base + count):
            import socket

            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no run of free ports")


# ---------------------------------------------------------------- clients


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
        self._synced.set()

    def _on_synced(self, msg: dict[str, Any]) -> None:
        with self.lock:
            if msg.get("id") and (self.last_id is None or id_tuple(msg["id"]) > id_tuple(self.last_id)):
                self.last_id = msg["id"]
        self._synced.set()

    def _on_gap(self, _msg: Any = None) -> None:
        self._log("gap")
        with self.lock:
            self.need_snapshot = True
        with contextlib.suppress(Exception):
            self.sio.emit("resync", namespace="/live")

    def _on_delta(self, delta: dict[str, Any]) -> None:
        now = time.monotonic()
        with self.lock:
            self.events.append((now, "delta"))
            if self.last_id is not None and id_tuple(delta["id"]) <= id_tuple(self.last_id):
                return  # seen already (a replay overlap)
            self.last_id = delta["id"]
            for row in delta["cases"]:
                self.received_at.setdefault(row["id"], now)
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
