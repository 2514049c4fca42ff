"""Intake through the whole path on `gridcmd serve-prod` (PostgreSQL, Redis, nginx, 2 gunicorn gthread processes):
cases/s from POST to a connected screen, single POSTs against batches; and DESIGN.md section 9's load.

    .venv/bin/python bench/intake_rate.py rate [--modes single,batch100,batch500] [--seconds 15] [--baseline-ref HEAD]
    .venv/bin/python bench/intake_rate.py load [--seconds 30] [--rate 50] [--patrols 10000] [--screens 20]

Each run starts its own cluster (tests/faults/cluster.py: own PostgreSQL via initdb/pg_ctl, own redis-server,
nginx in front of the app processes). The load generator shares the machine's two cores with the servers.

`rate`: one screen (python-socketio through nginx, keeping the picture as assets/shared/live.js does) is connected;
clients post back to back for `--seconds` (8 for single POSTs, 4 for batches, keep-alive, a key per report). The
figure is cases acknowledged ÷ (time the screen held the last of them − start): validate → commit → publish →
seen. With `--baseline-ref REF` the same `single` mode first runs against that commit (`git archive` into a
temporary directory, this file copied in, its own cluster), so old and new single-POST figures come from one run.

`load`: `--rate` cases/s posted through nginx on a fixed schedule (one thread per POST, as a crowd of phones),
`--patrols` patrols each reporting every 10 s (a CSV batch a second through nginx, bench/patrol_fleet.py walkers),
`--screens` screens (python-socketio in `--screen-procs` child processes, half on each app process) and
`--pollers` clients polling GET /api/v1/cases?open=1&since=… every second (bench/polling_baseline.html's way) at
the same time. Latency
is POST sent → the case's first row on a screen (or in a poll answer), one clock (CLOCK_MONOTONIC is shared
across processes on Linux).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `tests.*` importable
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402

from tests.e2e.server import Jurisdiction  # noqa: E402
from tests.faults.cluster import Cluster, running_cluster  # noqa: E402
from tests.faults.live_clients import Screen, inside_points, wait_until  # noqa: E402
from tests.faults.storm import pct  # noqa: E402

MODES = {"single": 0, "batch100": 100, "batch500": 500}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _report(i: int, points: list[tuple[float, float]], label: str) -> dict[str, Any]:
    lon, lat = points[i % len(points)]
    return {"description": f"{label} {i}", "lat": lat, "lon": lon, "source": "hotline_12345"}


def _cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of `pids` so far (/proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def whole_path_rate(cluster: Cluster, mode: str, seconds: float, screen: Screen) -> dict[str, Any]:
    """Cases a second from the first POST to the screen holding the last acknowledged one."""
    size = MODES[mode]
    clients = 8 if size == 0 else 4
    points = inside_points(cluster)
    stop = threading.Event()
    ids: list[int] = []
    took: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def work(k: int) -> None:
        with requests.Session() as http:
            i = 0
            while not stop.is_set():
                start = time.monotonic()
                label = f"吞吐 {mode} {k}"
                if size == 0:
                    resp = http.post(
                        f"{cluster.base_url}/api/v1/cases",
                        json=_report(i, points, label),
                        headers={**cluster.headers(), "Idempotency-Key": uuid.uuid4().hex},
                        timeout=60,
                    )
                    got = [resp.json()["id"]] if resp.status_code == 201 else []
                else:
                    reports = [
                        {**_report(i + j, points, label), "idempotency_key": uuid.uuid4().hex} for j in range(size)
                    ]
                    resp = http.post(
                        f"{cluster.base_url}/api/v1/cases/batch",
                        json={"reports": reports},
                        headers=cluster.headers(),
                        timeout=120,
                    )
                    results = resp.json()["results"] if resp.status_code == 207 else []
                    got = [r["case"]["id"] for r in results if r["status"] == 201]
                with lock:
                    if got:
                        ids.extend(got)
                        took.append((time.monotonic() - start) * 1000)
                    if len(got) != (size or 1):
                        errors[str(resp.status_code)] = errors.get(str(resp.status_code), 0) + 1
                i += size or 1

    pool = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(clients)]
    workers = cluster.worker_pids()
    cpu0 = _cpu_s(workers)
    t0 = time.monotonic()
    for t in pool:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in pool:
        t.join(timeout=180)
    posted_s = time.monotonic() - t0
    wanted = set(ids)
    complete = wait_until(lambda: wanted <= screen.received_at.keys(), 180)
    with screen.lock:
        seen_at = [screen.received_at[i] for i in wanted if i in screen.received_at]
    seen_s = (max(seen_at) - t0) if seen_at else float("nan")
    # The app processes' CPU per case: steadier than a rate on a box whose load the other work sets.
    cpu_ms = (_cpu_s(workers) - cpu0) * 1000 / max(1, len(wanted))
    return {
        "mode": mode,
        "clients": clients,
        "cases": len(wanted),
        "posted_per_s": round(len(wanted) / posted_s, 1),
        "seen_per_s": round(len(wanted) / seen_s, 1),
        "app_cpu_ms_per_case": round(cpu_ms, 2),
        "request_ms_p50": round(pct(took, 50) or 0, 1),
        "request_ms_p99": round(pct(took, 99) or 0, 1),
        "screen_has_all": complete,
        "errors": errors,
    }


def rate(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"tree": str(ROOT), "runs": []}
    with (
        tempfile.TemporaryDirectory(prefix="gc-bench-rate-") as tmp,
        running_cluster(Path(tmp), processes=args.processes, worker="gthread") as cluster,
    ):
        screen = Screen(cluster.base_url, cluster.tokens["screen"], "rate").start(60)
        whole_path_rate(cluster, "single", 2, screen)  # warm-up: grid index, pools, the relay's first pass
        for mode in args.modes.split(","):
            run = {"load_before": _load(), **whole_path_rate(cluster, mode, args.seconds, screen)}
            run["load_after"] = _load()
            out["runs"].append(run)
            print(json.dumps(run, ensure_ascii=False), flush=True)
        screen.close()
    return out


def baseline(ref: str, args: argparse.Namespace) -> dict[str, Any]:
    """The `single` mode against commit `ref`: its tree in a temporary directory, this file copied in."""
    with tempfile.TemporaryDirectory(prefix="gc-bench-ref-") as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        shutil.copy(Path(__file__), tree / "bench" / "intake_rate.py")
        cmd = [sys.executable, str(tree / "bench" / "intake_rate.py"), "rate", "--modes", "single"]
        cmd += ["--seconds", str(args.seconds), "--processes", str(args.processes), "--json-only"]
        done = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"baseline run failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["ref"] = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True, text=True
        ).stdout.strip()
        return result


# ---- DESIGN.md section 9's load ----------------------------------------------------------------------------------


def screens_process(urls: list[str], token: str, commands: Any, answers: Any) -> None:
    """A child process holding screens on `urls`; told the case ids to wait for, answers each screen's stamps."""
    screens = [Screen(url, token, f"wall-{i}").start(120) for i, url in enumerate(urls)]
    answers.put("ready")
    wanted: set[int] = set(commands.get())
    wait_until(lambda: all(wanted <= s.received_at.keys() for s in screens), 120)
    answers.put([{c: s.received_at[c] for c in wanted if c in s.received_at} for s in screens])
    for s in screens:
        s.close()


def poller(cluster: Cluster, stop: threading.Event, seen: dict[int, float]) -> None:
    """GET /cases?open=1&since=… every second, as bench/polling_baseline.html does; stamps each case's first sight."""
    last = 0
    stop.wait(random.uniform(0, 1))  # pollers are not in phase with each other or with the posts
    with requests.Session() as http:
        while not stop.is_set():
            began = time.monotonic()
            try:
                resp = http.get(
                    f"{cluster.base_url}/api/v1/cases",
                    params={"open": "1", "since": str(last), "limit": "5000"},
                    headers=cluster.headers(),
                    timeout=10,
                )
                now = time.monotonic()
                for row in resp.json()["cases"] if resp.status_code == 200 else []:
                    seen.setdefault(row["id"], now)
                    last = max(last, row["id"])
            except requests.RequestException:
                pass  # an overloaded server is part of the load
            stop.wait(max(0.0, 1.0 - (time.monotonic() - began)))


def patrol_feed(cluster: Cluster, count: int, stop: threading.Event, sent: list[int]) -> None:
    """`count` walkers, each reporting every 10 s: a tenth of the fleet's fixes in one CSV batch a second."""
    from patrol_fleet import bodies, fleet

    rng = random.Random(7)
    starts = inside_points(cluster, 60)
    walkers = fleet(
        [(f"p{i:05d}", *starts[i % len(starts)]) for i in range(count)], seed=7, now_ms=int(time.time() * 1000)
    )
    for w in walkers:  # the fleet's clocks run in real time here: each walker's next fix is due now
        w.ts = int(time.time() * 1000) - 10_000
    share = max(1, count // 10)
    tick = 0
    with requests.Session() as http:
        while not stop.is_set():
            began = time.monotonic()
            part = walkers[(tick % 10) * share : (tick % 10 + 1) * share]
            rows = []
            for w in part:
                w.step(rng)
                w.ts = int(time.time() * 1000)
                rows.append((w.patrol_id, round(w.lon, 6), round(w.lat, 6), w.ts, w.status))
            body, headers = bodies(rows, "csv", len(rows))[0]
            try:
                resp = http.post(
                    f"{cluster.base_url}/api/v1/patrols/positions",
                    data=body,
                    headers={**cluster.headers(), **headers},
                    timeout=10,
                )
                if resp.status_code == 202:
                    sent[0] += resp.json()["accepted"]
            except requests.RequestException:
                pass
            tick += 1
            stop.wait(max(0.0, 1.0 - (time.monotonic() - began)))


def warm_up(cluster: Cluster, points: list[tuple[float, float]]) -> None:
    """A case and a patrol fix on each app process directly, so neither measures its first grid index load or
    patrol raster build (seconds of CPU for 1,809 grids) inside the window: a center's processes run for weeks."""
    for i in range(cluster.processes):
        base = cluster.app_url(i)
        for k in range(3):
            resp = requests.post(
                f"{base}/api/v1/cases",
                json=_report(k, points, "预热"),
                headers={**cluster.headers(), "Idempotency-Key": uuid.uuid4().hex},
                timeout=120,
            )
            resp.raise_for_status()
        lon, lat = points[0]
        fix = f"warm{i},{lon},{lat},{int(time.time() * 1000)},available".encode()
        resp = requests.post(
            f"{base}/api/v1/patrols/positions",
            data=fix,
            headers={**cluster.headers(), "Content-Type": "text/csv"},
            timeout=120,
        )
        resp.raise_for_status()


def section9(cluster: Cluster, args: argparse.Namespace) -> dict[str, Any]:
    warm_up(cluster, inside_points(cluster))
    ctx = mp.get_context("spawn")
    urls = [cluster.app_url(i % cluster.processes) for i in range(args.screens)]
    children = []
    for part in (urls[k :: args.screen_procs] for k in range(args.screen_procs)):
        commands, answers = ctx.Queue(), ctx.Queue()
        proc = ctx.Process(target=screens_process, args=(part, cluster.tokens["screen"], commands, answers))
        proc.start()
        children.append((proc, commands, answers))
    for _proc, _commands, answers in children:
        assert answers.get(timeout=300) == "ready"
    stop = threading.Event()
    fixes = [0]
    feeder = threading.Thread(target=patrol_feed, args=(cluster, args.patrols, stop, fixes), daemon=True)
    feeder.start()
    polls: list[dict[int, float]] = [{} for _ in range(args.pollers)]
    poll_threads = [threading.Thread(target=poller, args=(cluster, stop, p), daemon=True) for p in polls]
    for t in poll_threads:
        t.start()
    time.sleep(3)  # the first frames and polls settle
    load_before = _load()
    points = inside_points(cluster)
    sent: dict[int, float] = {}
    acked: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        with requests.Session() as http:
            t = time.monotonic()
            try:
                resp = http.post(
                    f"{cluster.base_url}/api/v1/cases",
                    json=_report(i, points, "九节负载"),
                    headers={**cluster.headers(), "Idempotency-Key": uuid.uuid4().hex},
                    timeout=30,
                )
            except requests.RequestException:
                return
            if resp.status_code == 201:
                with lock:
                    sent[resp.json()["id"]] = t
                    acked.append((time.monotonic() - t) * 1000)

    posting = []
    t0 = time.monotonic()
    for i in range(int(args.seconds * args.rate)):
        delay = t0 + i / args.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        th = threading.Thread(target=one, args=(i,), daemon=True)
        th.start()
        posting.append(th)
    for th in posting:
        th.join(timeout=60)
    for _proc, commands, _answers in children:
        commands.put(sorted(sent))
    stamps: list[dict[int, float]] = []
    for proc, _commands, answers in children:
        stamps.extend(answers.get(timeout=300))
        proc.join(timeout=30)
    time.sleep(1.5)  # the pollers' last round
    stop.set()
    load_after = _load()
    push = [(s[c] - t) * 1000 for s in stamps for c, t in sent.items() if c in s]
    poll = [(p[c] - t) * 1000 for p in polls for c, t in sent.items() if c in p]

    def figures(values: list[float]) -> dict[str, float]:
        return {k: round(pct(values, q) or 0, 1) for k, q in (("p50", 50), ("p99", 99))} | {
            "max": round(max(values, default=0), 1)
        }

    push_f, poll_f = figures(push), figures(poll)
    return {
        "load_before": load_before,
        "load_after": load_after,
        "cases": len(sent),
        "posted_per_s": args.rate,
        "post_ack_ms": figures(acked),
        "patrol_fixes_accepted_per_s": round(fixes[0] / (time.monotonic() - t0), 1),
        "screens": len(stamps),
        "push_ms": push_f,
        "push_missing": sum(1 for s in stamps for c in sent if c not in s),
        "pollers": len(polls),
        "poll_ms": poll_f,
        "poll_missing": sum(1 for p in polls for c in sent if c not in p),
        "poll_over_push": {k: round(poll_f[k] / push_f[k], 1) if push_f[k] else None for k in ("p50", "p99")},
    }


def load(args: argparse.Namespace) -> dict[str, Any]:
    sizes = Jurisdiction(grids=args.grids, streets=max(3, args.grids // 120), communities=max(12, args.grids // 3))
    with (
        tempfile.TemporaryDirectory(prefix="gc-bench-load-") as tmp,
        running_cluster(Path(tmp), processes=args.processes, worker="gthread", sizes=sizes) as cluster,
    ):
        return {"grids": args.grids, "processes": args.processes, **section9(cluster, args)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("rate")
    r.add_argument("--modes", default="single,batch100,batch500")
    r.add_argument("--seconds", type=float, default=15)
    r.add_argument("--processes", type=int, default=2)
    r.add_argument("--baseline-ref", help="also measure `single` on this commit first (e.g. HEAD)")
    r.add_argument("--json-only", action="store_true", help="print only the result line (the baseline's child)")
    m = sub.add_parser("load")
    m.add_argument("--seconds", type=float, default=30)
    m.add_argument("--rate", type=float, default=50)
    m.add_argument("--patrols", type=int, default=10_000)
    m.add_argument("--screens", type=int, default=20)
    m.add_argument("--pollers", type=int, default=2)
    m.add_argument("--screen-procs", type=int, default=10, help="child processes the screens are spread over")
    m.add_argument("--grids", type=int, default=1809)
    m.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    if args.mode == "rate" and args.json_only:
        print(json.dumps(rate(args)["runs"][0], ensure_ascii=False))
        return
    print("load average before:", _load(), flush=True)
    if args.mode == "rate":
        result: dict[str, Any] = {}
        if args.baseline_ref:
            result["baseline"] = baseline(args.baseline_ref, args)
            print("baseline", json.dumps(result["baseline"], ensure_ascii=False), flush=True)
        result.update(rate(args))
        if "baseline" in result:
            base = result["baseline"]["seen_per_s"]
            result["over_baseline"] = {run["mode"]: round(run["seen_per_s"] / base, 1) for run in result["runs"]}
    else:
        result = load(args)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
