"""Capacity of the production mode (issue 16 item 4): how far intake rate and connected screens go with push p99
under 300 ms, against the single-process server and 1 s polling in the same run; and a soak with a plot.

    .venv/bin/python bench/capacity.py capacity [--rates 10,20,40,80,160] [--screens 10,20,40,80,160]
    .venv/bin/python bench/capacity.py soak [--seconds 3600] [--sample-s 15]

`capacity` measures three targets one after the other (only one runs at a time):
- `serve-prod`: `gridcmd serve-prod`, two gunicorn processes behind nginx on a PostgreSQL and a Redis of its own
  (tests/faults/cluster.py), screens and posts through nginx;
- `single`: `app.serve()`, the one-process server of `gridcmd serve` / `make run`, on SQLite and the local Redis
  (tests/e2e/server.py);
- `polling`: serve-prod again, the screens replaced by clients that poll every second what
  bench/polling_baseline.html polls (`GET /api/v1/cases?open=1&since=<last id>`, never two requests at once).
For each: a rate sweep (cases/s posted on a fixed schedule, `--fixed-screens` screens) and a screen sweep
(`--fixed-rate` cases/s, N screens). Latency = the post's scheduled time → the case's first row on a screen
(push: a python-socketio client keeping the picture like assets/shared/live.js, tests/faults/live_clients.py;
polling: the poll answer that lists it), one clock. A step passes when the p99 is under 300 ms (polling: under the
poll period + 300 ms, since a poll adds up to a whole period by construction), every post answered 201, the posts
kept up with the schedule and every screen got every case; the sweep stops at the first step that fails.

The load generator (posting threads and every screen client) runs on the same two cores as the servers, so the
screen sweep partly measures the clients: compare the targets, which share that cost, rather than the absolutes.
`soak` is in bench/soak.py (imported here so one command runs both).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `tests.*` importable

import requests  # noqa: E402

from tests.e2e.server import Jurisdiction, running_app  # noqa: E402
from tests.faults.cluster import running_cluster  # noqa: E402
from tests.faults.live_clients import Screen, inside_points, wait_until  # noqa: E402
from tests.faults.storm import pct  # noqa: E402

LIMIT_MS = 300.0
NO_RATE_LIMITS = {"RATE_LIMITS": "intake=0,open311=0,hotline=0,patrols=0,media=0"}  # the load is ours


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass
class Target:
    """A running server as the sweeps see it."""

    name: str
    base_url: str
    tokens: dict[str, str]
    points: list[tuple[float, float]]
    polling: bool = False

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


class Poller:
    """What bench/polling_baseline.html does, in a thread: poll every `period_s`, never two requests at once."""

    def __init__(self, target: Target, period_s: float = 1.0) -> None:
        self.url = f"{target.base_url}/api/v1/cases"
        self.headers = target.headers("dispatcher")
        self.period_s = period_s
        self.received_at: dict[int, float] = {}
        self.errors = 0
        self._stop = threading.Event()
        self._http = requests.Session()
        newest = self._http.get(self.url, params={"limit": 1}, headers=self.headers, timeout=30).json()["cases"]
        self.since = newest[0]["id"] if newest else 0  # start after the newest case, like the page
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Poller:
        self._thread.start()
        return self

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                params = {"open": 1, "since": self.since, "limit": 5000}
                resp = self._http.get(self.url, params=params, headers=self.headers, timeout=30)
                now = time.monotonic()
                for row in resp.json()["cases"]:
                    self.received_at.setdefault(row["id"], now)
                    self.since = max(self.since, row["id"])
            except (requests.RequestException, ValueError, KeyError):
                self.errors += 1
            next_at += self.period_s  # a setInterval: a slow answer delays the next poll, never stacks one
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def close(self) -> None:
        self._stop.set()


def open_screens(target: Target, n: int) -> list[Any]:
    """`n` screens (push) or pollers (polling), all holding the live picture before the step starts."""
    if target.polling:
        return [Poller(target).start() for _ in range(n)]
    token = target.tokens["screen"]
    with ThreadPoolExecutor(max_workers=16) as pool:  # a connect waits for its snapshot: overlap them
        return list(pool.map(lambda i: Screen(target.base_url, token, f"s{i}").start(120), range(n)))


def post_schedule(target: Target, rate: float, seconds: float) -> tuple[dict[int, float], dict[str, Any]]:
    """Post `rate` cases/s for `seconds` on a fixed schedule; case id → scheduled time, and the intake's figures."""
    n = max(1, round(rate * seconds))
    sent: dict[int, float] = {}
    failures: dict[str, int] = {}
    took: list[float] = []
    lock = threading.Lock()
    local = threading.local()

    def one(i: int, at: float) -> None:
        http = getattr(local, "http", None) or requests.Session()
        local.http = http
        lon, lat = target.points[i % len(target.points)]
        body = {"description": f"容量 capacity {i}", "lat": lat, "lon": lon, "source": "hotline_12345"}
        start = time.monotonic()
        try:
            resp = http.post(
                f"{target.base_url}/api/v1/cases",
                json=body,
                headers={**target.headers(), "Idempotency-Key": uuid.uuid4().hex},
                timeout=30,
            )
            status = str(resp.status_code)
        except requests.RequestException as exc:
            resp, status = None, type(exc).__name__
        with lock:
            if resp is not None and resp.status_code == 201:
                sent[resp.json()["id"]] = at
                took.append((time.monotonic() - start) * 1000)
            else:
                failures[status] = failures.get(status, 0) + 1

    t0 = time.monotonic() + 0.2
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i in range(n):
            at = t0 + i / rate
            delay = at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i, at)
    elapsed = time.monotonic() - t0  # every post answered (the pool joined): the rate the server kept up with
    return sent, {
        "posted": n,
        "achieved_per_s": round(len(sent) / elapsed, 1),
        "failures": failures,
        "post_ms_p50": round(pct(took, 50) or 0, 1),
        "post_ms_p99": round(pct(took, 99) or 0, 1),
    }


def step(target: Target, rate: float, screens: int, seconds: float) -> dict[str, Any]:
    """One step: `screens` clients connected, `rate` cases/s for `seconds`; p99 from schedule to screen."""
    t_connect = time.monotonic()
    clients = open_screens(target, screens)
    connect_s = time.monotonic() - t_connect
    try:
        sent, intake = post_schedule(target, rate, seconds)
        wait_until(lambda: all(sent.keys() <= c.received_at.keys() for c in clients), 15)
        lat = [(c.received_at[i] - t) * 1000 for c in clients for i, t in sent.items() if i in c.received_at]
        missing = sum(1 for c in clients for i in sent if i not in c.received_at)
    finally:
        # In parallel: a python-socketio client's disconnect waits seconds for its websocket's closing handshake.
        with ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(lambda c: c.close(), clients))
    limit = LIMIT_MS + (1000.0 if target.polling else 0.0)
    p99 = pct(lat, 99) or 0.0
    ok = (
        p99 < limit
        and not intake["failures"]
        and missing == 0
        and intake["achieved_per_s"] >= 0.9 * rate
        and not any(getattr(c, "errors", 0) for c in clients)
    )
    out = {
        "rate": rate,
        "screens": screens,
        "p50_ms": round(pct(lat, 50) or 0, 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(max(lat, default=0), 1),
        "missing": missing,
        **intake,
        "limit_ms": limit,
        "connect_s": round(connect_s, 1),
        "pass": ok,
        "load": load_avg(),
    }
    print(target.name, json.dumps(out, ensure_ascii=False), flush=True)
    return out


def sweep(target: Target, values: list[float], run: Callable[[float], dict[str, Any]]) -> dict[str, Any]:
    """Run steps up the list until one fails; the highest passing value and every step."""
    steps: list[dict[str, Any]] = []
    best = None
    for value in values:
        result = run(value)
        steps.append(result)
        if not result["pass"]:
            break
        best = value
    return {"held": best, "steps": steps}


def warm_up(target: Target) -> None:
    """Untimed posts with two screens open: a fresh process loads its grid index, fills its connection pools and
    takes its leases on first use (a first run without this failed serve-prod's first step on POST time alone)."""
    clients = open_screens(target, 2)
    try:
        post_schedule(target, 10, 5)
    finally:
        for c in clients:
            c.close()


def measure(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    rates = [float(x) for x in args.rates.split(",")]
    counts = [int(x) for x in args.screens.split(",")]
    warm_up(target)
    return {
        "load_before": load_avg(),
        "rate": sweep(target, rates, lambda r: step(target, r, args.fixed_screens, args.step_seconds)),
        "screens": sweep(target, counts, lambda n: step(target, args.fixed_rate, int(n), args.step_seconds)),
        "load_after": load_avg(),
    }


@contextlib.contextmanager
def prod_target(workdir: Path, processes: int, polling: bool) -> Iterator[Target]:
    with running_cluster(workdir, processes=processes, extra_env=NO_RATE_LIMITS) as cluster:
        name = "polling" if polling else "serve-prod"
        yield Target(name, cluster.base_url, cluster.tokens, inside_points(cluster), polling=polling)


@contextlib.contextmanager
def single_target(workdir: Path) -> Iterator[Target]:
    sizes = Jurisdiction(grids=60, streets=3, communities=12, seed=3)  # the cluster's (tests/faults/cluster.py)
    with running_app(workdir, sizes, extra_env=NO_RATE_LIMITS) as live:
        yield Target("single", live.base_url, live.tokens, live.inside_points(20))


def capacity(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"cores": os.cpu_count(), "processes": args.processes, "step_seconds": args.step_seconds}
    out["targets"] = {}
    with tempfile.TemporaryDirectory(prefix="gc-capacity-") as tmp:
        with single_target(Path(tmp) / "single") as target:
            out["targets"]["single"] = measure(target, args)
        with prod_target(Path(tmp) / "prod", args.processes, polling=False) as target:
            out["targets"]["serve-prod"] = measure(target, args)
            # Same cluster for polling: only the delivery differs.
            target.name, target.polling = "polling", True
            out["targets"]["polling"] = measure(target, args)
    out["ratios"] = ratios(out["targets"])
    return out


def ratios(targets: dict[str, Any]) -> dict[str, Any]:
    """serve-prod's held rate and screens over each baseline's, and polling's p99 over serve-prod's at each step
    both ran."""
    prod = targets["serve-prod"]
    out: dict[str, Any] = {}
    for base in ("single", "polling"):
        for kind in ("rate", "screens"):
            held, other = prod[kind]["held"], targets[base][kind]["held"]
            out[f"{kind}_held_vs_{base}"] = round(held / other, 2) if held and other else None
    for kind in ("rate", "screens"):  # a sweep steps through the value of the same name
        for base in ("single", "polling"):
            theirs = {s[kind]: s["p99_ms"] for s in targets[base][kind]["steps"]}
            out[f"p99_{base}_over_prod_by_{kind}"] = {
                str(s[kind]): round(theirs[s[kind]] / s["p99_ms"], 1)
                for s in prod[kind]["steps"]
                if s[kind] in theirs and s["p99_ms"]
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("capacity", help="rate and screen sweeps: serve-prod, single process, 1 s polling")
    c.add_argument("--rates", default="10,20,40,80,160", help="cases/s to step through")
    c.add_argument("--screens", default="10,20,40,80,160", help="connected screens to step through")
    c.add_argument("--fixed-screens", type=int, default=4, help="screens during the rate sweep")
    c.add_argument("--fixed-rate", type=float, default=5, help="cases/s during the screen sweep")
    c.add_argument("--step-seconds", type=float, default=10, help="seconds of posting per step")
    c.add_argument("--processes", type=int, default=2, help="serve-prod's app processes")
    c.add_argument("--json-out", type=Path)
    s = sub.add_parser("soak", help="simulator at 60×, a headless /screen, RSS, JS heap and latency over time")
    import soak  # bench/soak.py, beside this script

    soak.add_arguments(s)
    args = parser.parse_args()
    print("load average before:", load_avg(), flush=True)
    result = capacity(args) if args.mode == "capacity" else soak.run(args)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
