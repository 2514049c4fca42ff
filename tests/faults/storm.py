"""A reconnect storm against a running app subprocess: many /live clients connecting and dropping, cases changing
meanwhile, a few clients that stay connected and must end with exactly the server's open cases.

Shared by tests/faults/test_reconnect_storm.py (short) and bench/reconnect_storm.py (long, figures for
BENCHMARKS.md), so both measure the same way:

- storm clients speak Engine.IO/Socket.IO by hand over websocket-client (one thread each, no JSON decoding of
  the 2 MB snapshot), so the load generator spends its share of the two cores receiving, not parsing; each
  connects with `since` null, waits for its snapshot (or gives up after `snapshot_timeout_s`), stays a random
  0.2–2 s and drops: half close the websocket properly, half just close the TCP socket;
- steady clients (python-socketio's `Client`, like a wall) connect before the storm, and a second group in the
  middle of it, and stay; each keeps the last snapshot and every delta, and its view is computed the way the JS
  client does it (apply deltas newer than the snapshot in stream-id order, newest version of a case wins, a
  terminal row drops the case);
- a writer closes one seeded case and posts a new one through the API, alternately, so the open set keeps its
  size and the deltas carry terminal rows, multi-version batches and new cases;
- a poller times GET /healthz, and a sampler reads VmRSS and Threads of the app process from /proc.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
import socketio
import websocket
from sqlalchemy import select

from dashboard.domain.cases import TERMINAL
from dashboard.services.clock import utcnow
from dashboard.services.commands import Ctx, file_case
from dashboard.services.intake import ReportCase, report_case
from dashboard.store.db import transaction
from dashboard.store.models import Case, Outbox
from tests.e2e.screen_cases import CaseWriter
from tests.e2e.server import LiveApp

TERMINAL_STATES = frozenset(s.value for s in TERMINAL)


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS (kB) and Threads of a process, from /proc/PID/status."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "Threads"):
            out[key] = int(value.split()[0])
    return out


def _id_tuple(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


# ---------------------------------------------------------------- load


def seed_open_cases(writer: CaseWriter, count: int, rng: random.Random) -> list[int]:
    """`count` open cases through the services (half reported, half filed), 200 to a transaction; their ids."""
    settings = writer.settings
    conditions = [c for c in writer.catalog if c.department_code]
    ids: list[int] = []
    while len(ids) < count:
        with transaction(writer.sessions) as session:
            for _ in range(min(200, count - len(ids))):
                lon, lat = writer.random_point(rng)
                cmd = ReportCase(description="重连风暴 存量案件", lat=lat, lon=lon, source="grid_worker", actor="storm")
                case = report_case(
                    cmd, session=session, grids=writer.index, county_code=settings.county_code, tz=settings.timezone
                ).case
                ids.append(case.id)
                if rng.random() < 0.5:
                    at = utcnow() - timedelta(minutes=rng.uniform(0, 40))
                    ctx = Ctx(session=session, actor=writer.actor, cal=writer.calendar, tz=settings.timezone, now=at)
                    file_case(ctx, case.id, expected_version=case.version, condition=rng.choice(conditions).code)
    return ids


def wait_relayed(writer: CaseWriter, timeout_s: float = 120) -> None:
    """Until the app's outbox relay has published every queued row."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with transaction(writer.sessions) as session:
            if session.scalar(select(Outbox.id).where(Outbox.sent_at.is_(None)).limit(1)) is None:
                return
        time.sleep(0.2)
    raise RuntimeError("the outbox relay did not drain")


def server_open_cases(writer: CaseWriter) -> dict[int, int]:
    """The database's open cases: id → version."""
    with transaction(writer.sessions) as session:
        rows = session.execute(select(Case.id, Case.version).where(Case.state.not_in(TERMINAL_STATES)))
        return {case_id: version for case_id, version in rows}


# ---------------------------------------------------------------- clients


@dataclass
class Attempt:
    """One storm client's connect: what came back and when (seconds from the start of the connect)."""

    outcome: str  # snapshot | synced | refused | timeout | error
    seconds: float
    size: int = 0


class StormClient:
    """Connects, waits for its snapshot, stays a moment, drops; again until `stop` (Socket.IO spoken by hand)."""

    def __init__(self, live: LiveApp, token: str, stop: threading.Event, seed: int, snapshot_timeout_s: float):
        self._url = live.base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self._auth = json.dumps({"view": "screen", "token": token, "since": None})
        self._stop = stop
        self._rng = random.Random(seed)
        self._timeout = snapshot_timeout_s
        self.attempts: list[Attempt] = []

    def run(self) -> None:
        """Loop until stopped; every attempt is recorded."""
        while not self._stop.is_set():
            self.attempts.append(self._once())
            self._stop.wait(self._rng.uniform(0.0, 0.3))

    def _once(self) -> Attempt:
        start = time.monotonic()
        ws: websocket.WebSocket | None = None
        try:
            ws = websocket.create_connection(self._url, timeout=self._timeout, skip_utf8_validation=True)
            ws.recv()  # Engine.IO open packet
            ws.send("40/live," + self._auth)
            outcome, size = self._await_snapshot(ws, start)
            took = time.monotonic() - start
            if outcome in ("snapshot", "synced"):
                self._hold(ws, self._rng.uniform(0.2, 2.0))
            return Attempt(outcome, took, size)
        except (websocket.WebSocketException, OSError) as exc:
            kind = "timeout" if isinstance(exc, (websocket.WebSocketTimeoutException, socket.timeout)) else "error"
            return Attempt(kind, time.monotonic() - start)
        finally:
            if ws is not None:
                self._drop(ws)

    def _await_snapshot(self, ws: websocket.WebSocket, start: float) -> tuple[str, int]:
        while True:
            left = self._timeout - (time.monotonic() - start)
            if left <= 0:
                return "timeout", 0
            ws.settimeout(left)
            message = ws.recv()
            if not isinstance(message, str):
                continue
            if message == "2":  # Engine.IO ping
                ws.send("3")
            elif message.startswith('42/live,["snapshot"'):
                return "snapshot", len(message)
            elif message.startswith('42/live,["synced"'):
                return "synced", len(message)
            elif message.startswith("44/live"):
                return "refused", 0

    def _hold(self, ws: websocket.WebSocket, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0 and not self._stop.is_set():
            ws.settimeout(min(left, 0.5))
            try:
                if ws.recv() == "2":
                    ws.send("3")
            except websocket.WebSocketTimeoutException:
                continue

    def _drop(self, ws: websocket.WebSocket) -> None:
        try:
            if self._rng.random() < 0.5:
                ws.close(timeout=1)  # a proper close frame
            else:
                ws.sock.close()  # the tab vanished: TCP closed, no websocket close
        except Exception:  # noqa: BLE001 - already broken; nothing to do
            pass


class SteadyClient:
    """A client that stays connected and keeps its snapshot and deltas, like the wall's JS."""

    def __init__(self, live: LiveApp, token: str) -> None:
        self.sio = socketio.Client(reconnection=False)
        self._base = live.base_url
        self._token = token
        self.snapshots: list[dict[str, Any]] = []
        self.deltas: list[dict[str, Any]] = []
        self.snapshot_after_s: float | None = None
        self._lock = threading.Lock()
        self._got = threading.Event()
        self.sio.on("snapshot", self._on_snapshot, namespace="/live")
        self.sio.on("delta", self._on_delta, namespace="/live")

    def _on_snapshot(self, data: dict[str, Any]) -> None:
        with self._lock:
            self.snapshots.append(data)
        self._got.set()

    def _on_delta(self, data: dict[str, Any]) -> None:
        with self._lock:
            self.deltas.append(data)

    def connect(self, timeout_s: float = 60) -> None:
        """Connect and wait for the snapshot."""
        start = time.monotonic()
        self.sio.connect(
            self._base,
            namespaces=["/live"],
            transports=["websocket"],
            auth={"view": "screen", "token": self._token, "since": None},
            wait_timeout=timeout_s,
        )
        if not self._got.wait(timeout_s):
            raise AssertionError(f"no snapshot within {timeout_s} s")
        self.snapshot_after_s = time.monotonic() - start

    def view(self) -> dict[int, int]:
        """Open cases as this client holds them: id → version."""
        with self._lock:
            snapshot = self.snapshots[-1]
            deltas = sorted(self.deltas, key=lambda d: _id_tuple(d["id"]))
        base = _id_tuple(snapshot["id"])
        rows: dict[int, dict[str, Any]] = {row["id"]: row for row in snapshot["cases"]}
        dropped: dict[int, int] = {}  # id → version of the terminal row that dropped it
        for delta in deltas:
            if _id_tuple(delta["id"]) <= base:
                continue
            for row in delta["cases"]:
                held = rows.get(row["id"])
                newest = max(held["version"] if held else -1, dropped.get(row["id"], -1))
                if row["version"] <= newest:
                    continue  # a duplicate or an older version
                if row["state"] in TERMINAL_STATES:
                    rows.pop(row["id"], None)
                    dropped[row["id"]] = row["version"]
                else:
                    rows[row["id"]] = row
        return {case_id: row["version"] for case_id, row in rows.items()}

    def close(self) -> None:
        """Disconnect."""
        self.sio.disconnect()


def agreement(view: dict[int, int], server: dict[int, int]) -> dict[str, int]:
    """How a client's open cases differ from the server's."""
    return {
        "missing": len(server.keys() - view.keys()),
        "extra": len(view.keys() - server.keys()),
        "stale": sum(1 for k in view.keys() & server.keys() if view[k] != server[k]),
    }


# ---------------------------------------------------------------- side loads


@dataclass
class Sampler:
    """Samples the app process's VmRSS and Threads every `period_s` into `samples` (t, rss_kb, threads)."""

    pid: int
    period_s: float = 0.5
    samples: list[tuple[float, int, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, name="storm-sampler", daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                st = proc_status(self.pid)
            except OSError:
                return
            self.samples.append((time.monotonic(), st["VmRSS"], st["Threads"]))
            self._stop.wait(self.period_s)

    def stop(self) -> None:
        self._stop.set()


def poll_healthz(base: str, stop: threading.Event, out: list[float], period_s: float = 0.2) -> None:
    """GET /healthz every `period_s` until stopped; latency in ms (a timeout or error counts as 30,000)."""
    with requests.Session() as http:
        while not stop.is_set():
            start = time.monotonic()
            try:
                ok = http.get(f"{base}/healthz", timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            out.append((time.monotonic() - start) * 1000 if ok else 30_000.0)
            stop.wait(period_s)


def churn_cases(
    live: LiveApp, writer: CaseWriter, seeded: list[int], stop: threading.Event, period_s: float, counts: dict[str, int]
) -> None:
    """Alternately close a seeded case (services) and post a new one (API) every `period_s`, until stopped."""
    rng = random.Random(11)
    points = live.inside_points(20)
    pool = list(seeded)
    rng.shuffle(pool)
    headers = live.headers()
    with requests.Session() as http:
        while not stop.is_set() and pool:
            with transaction(writer.sessions) as session:
                case = session.get(Case, pool.pop())
            if case is not None and case.state not in TERMINAL_STATES:
                writer.close_out(case)
                counts["closed"] = counts.get("closed", 0) + 1
            lon, lat = rng.choice(points)
            body = {"description": "风暴中上报", "lat": lat, "lon": lon, "source": "hotline_12345"}
            start = time.monotonic()
            try:
                resp = http.post(f"{live.base_url}/api/v1/cases", json=body, headers=headers, timeout=30)
                key = "posted" if resp.status_code == 201 else f"post_{resp.status_code}"
            except requests.RequestException:
                key = "post_timeout"  # the storm starved intake; the case may or may not have been stored
            counts[key] = counts.get(key, 0) + 1
            took_ms = (time.monotonic() - start) * 1000
            counts["post_ms_max"] = max(counts.get("post_ms_max", 0), round(took_ms))
            stop.wait(period_s)


# ---------------------------------------------------------------- the storm


@dataclass
class StormPlan:
    """Sizes of one storm."""

    clients: int = 200
    duration_s: float = 60.0
    steady: int = 4  # connected before the storm; as many again join halfway through
    snapshot_timeout_s: float = 15.0
    churn_period_s: float = 0.25
    settle_s: float = 60.0  # longest wait for RSS to come back after the storm
    rss_tolerance: float = 0.20
    thread_slack: int = 40  # threads above the baseline still counted as settled (pools, keep-alive handlers)


def _rss_stats(samples: list[tuple[float, int, int]], t0: float, t1: float) -> dict[str, Any]:
    during = [s for s in samples if t0 <= s[0] <= t1]
    return {
        "peak_rss_mb": round(max(s[1] for s in during) / 1024, 1) if during else None,
        "peak_threads": max(s[2] for s in during) if during else None,
    }


def _start_storm(
    live: LiveApp,
    writer: CaseWriter,
    seeded: list[int],
    plan: StormPlan,
    token: str,
    stop: threading.Event,
    health: list[float],
    churn: dict[str, int],
) -> tuple[list[StormClient], list[threading.Thread], float]:
    """Start the side loads and the storm clients; returns the clients, every started thread (storm clients first)
    and the storm's start (monotonic)."""
    side = [
        threading.Thread(target=poll_healthz, args=(live.base_url, stop, health), daemon=True),
        threading.Thread(
            target=churn_cases, args=(live, writer, seeded, stop, plan.churn_period_s, churn), daemon=True
        ),
    ]
    storm = [
        StormClient(live, token, stop, seed=i, snapshot_timeout_s=plan.snapshot_timeout_s) for i in range(plan.clients)
    ]
    threads = [threading.Thread(target=c.run, name=f"storm-{i}", daemon=True) for i, c in enumerate(storm)]
    t0 = time.monotonic()
    for t in side:
        t.start()
    for i, t in enumerate(threads):
        t.start()
        if i % 20 == 19:
            time.sleep(0.05)  # a storm, not a single SYN flood
    return storm, threads + side, t0


def _join_late(live: LiveApp, token: str, plan: StormPlan) -> tuple[list[SteadyClient], list[str]]:
    """A second group of steady clients joining in the middle of the storm, all at once; they and their errors."""
    late = [SteadyClient(live, token) for _ in range(plan.steady)]
    late_errors: list[str] = []

    def join(client: SteadyClient) -> None:  # joining under load: must still get a snapshot and follow
        try:
            client.connect(timeout_s=plan.snapshot_timeout_s * 4)
        except Exception as exc:  # noqa: BLE001 - reported in the figures
            late_errors.append(repr(exc))

    joiners = [threading.Thread(target=join, args=(c,), daemon=True) for c in late]
    for t in joiners:
        t.start()
    for t in joiners:
        t.join()
    return late, late_errors


def _check_agreement(writer: CaseWriter, clients: list[SteadyClient]) -> tuple[dict[int, int], list[dict[str, Any]]]:
    """Once every change has been relayed: the server's open cases, and how each client's view agrees with them."""
    wait_relayed(writer)
    time.sleep(1.5)  # the last deltas reach the clients
    server = server_open_cases(writer)
    agree = [{**agreement(c.view(), server), "connected": c.sio.connected, "deltas": len(c.deltas)} for c in clients]
    return server, agree


def _settle_times(pid: int, before: dict[str, int], plan: StormPlan, t1: float) -> tuple[float | None, float | None]:
    """Seconds after the storm until RSS is back within tolerance of the baseline, and until the connections'
    threads have ended (a peer that vanished without a FIN is only noticed after ping_interval + ping_timeout,
    20 s); None for what did not settle within `plan.settle_s`."""
    settled_after = threads_settled_after = None
    limit_kb = before["VmRSS"] * (1 + plan.rss_tolerance)
    threads_limit = before["Threads"] + plan.thread_slack
    while time.monotonic() - t1 < plan.settle_s and (settled_after is None or threads_settled_after is None):
        now = proc_status(pid)
        if settled_after is None and now["VmRSS"] <= limit_kb:
            settled_after = round(time.monotonic() - t1, 1)
        if threads_settled_after is None and now["Threads"] <= threads_limit:
            threads_settled_after = round(time.monotonic() - t1, 1)
        time.sleep(1.0)
    return settled_after, threads_settled_after


def _attempt_figures(storm: list[StormClient]) -> dict[str, Any]:
    """What the storm clients' connects got: outcomes, the largest snapshot and how long serving took."""
    attempts = [a for c in storm for a in c.attempts]
    served = [a for a in attempts if a.outcome in ("snapshot", "synced")]
    outcomes: dict[str, int] = {}
    for a in attempts:
        outcomes[a.outcome] = outcomes.get(a.outcome, 0) + 1
    sizes = [a.size for a in served if a.outcome == "snapshot"]
    return {
        "snapshot_mb": round(max(sizes) / 1e6, 2) if sizes else None,
        "attempts": len(attempts),
        "served": len(served),
        "served_per_attempt": round(len(served) / len(attempts), 3) if attempts else None,
        "outcomes": outcomes,
        "snapshot_s_p50": _round(pct([a.seconds for a in served], 50)),
        "snapshot_s_p90": _round(pct([a.seconds for a in served], 90)),
        "snapshot_s_max": _round(max((a.seconds for a in served), default=None)),
    }


def _healthz_figures(health: list[float]) -> dict[str, Any]:
    """How /healthz answered while the storm ran (a timeout counts as 30 s)."""
    return {
        "healthz_ms_p50": _round(pct(health, 50)),
        "healthz_ms_p99": _round(pct(health, 99)),
        "healthz_ms_max": _round(max(health, default=None)),
        "healthz_polls": len(health),
    }


def run_storm(
    live: LiveApp,
    writer: CaseWriter,
    seeded: list[int],
    plan: StormPlan,
    *,
    progress: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Run one storm against `live`; returns the figures (and the steady clients' agreement with the server)."""
    pid = live.process.pid
    token = live.tokens["screen"]
    steady = [SteadyClient(live, token) for _ in range(plan.steady)]
    for client in steady:
        client.connect()
    time.sleep(2.0)  # let the first snapshots' garbage go before the baseline sample
    before = proc_status(pid)
    progress(f"before: {before}")

    sampler = Sampler(pid)
    sampler.start()
    stop = threading.Event()
    health: list[float] = []
    churn: dict[str, int] = {}
    storm, threads, t0 = _start_storm(live, writer, seeded, plan, token, stop, health, churn)
    time.sleep(plan.duration_s / 2)
    late, late_errors = _join_late(live, token, plan)
    time.sleep(max(0.0, plan.duration_s - (time.monotonic() - t0)))
    stop.set()
    for t in threads:
        t.join(timeout=plan.snapshot_timeout_s + 10)
    t1 = time.monotonic()
    progress(f"storm over after {t1 - t0:.1f} s")

    server, agree = _check_agreement(writer, steady + [c for c in late if c.snapshots])
    settled_after, threads_settled_after = _settle_times(pid, before, plan, t1)
    after = proc_status(pid)
    sampler.stop()
    for client in steady + late:
        with contextlib.suppress(Exception):  # already gone
            client.close()

    return {
        "plan": plan.__dict__,
        "open_cases": len(server),
        **_attempt_figures(storm),
        **_healthz_figures(health),
        "threads_before": before["Threads"],
        "rss_mb_before": round(before["VmRSS"] / 1024, 1),
        **_rss_stats(sampler.samples, t0, t1),
        "threads_after": after["Threads"],
        "rss_mb_after": round(after["VmRSS"] / 1024, 1),
        "rss_settled_after_s": settled_after,
        "threads_settled_after_s": threads_settled_after,
        "churn": churn,
        "late_join_s": [_round(c.snapshot_after_s) for c in late],
        "late_join_errors": late_errors,
        "agreement": agree,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
