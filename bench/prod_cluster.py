"""`gridcmd serve-prod` measured: intake rate and push latency through nginx, per worker class; and the kill -9 fault
at 5,000 cases (the test in tests/faults/ posts 1,000).

    .venv/bin/python bench/prod_cluster.py measure [--workers gevent,gthread] [--processes 2] [--seconds 15]
    .venv/bin/python bench/prod_cluster.py kill9 [--cases 5000] [--worker gthread]

Each run starts its own cluster (tests/faults/cluster.py: own PostgreSQL via initdb/pg_ctl, own redis-server, a
60-grid jurisdiction, nginx in front of N gunicorn processes). `measure`, for each worker class:

- intake: 8 client threads post as fast as they can for `--seconds` through nginx (keep-alive sessions, one
  Idempotency-Key each) and count the 201s;
- push: 20 cases/s posted through nginx for `--seconds` while two screens per process (python-socketio, as the
  wall's live client) hold the live picture; latency = POST sent → first delta row of that case on a screen,
  one clock (this process's monotonic time).

The load generator runs on the same two cores as the servers: the figures are for the whole box. Prints the
load average before and after, since the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `tests.*` importable

import requests  # noqa: E402

from tests.faults.checks import half_written, labelled_cases  # noqa: E402
from tests.faults.cluster import Cluster, running_cluster  # noqa: E402
from tests.faults.live_clients import Poster, Screen, inside_points, wait_until  # noqa: E402
from tests.faults.storm import pct  # noqa: E402


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def intake_rate(cluster: Cluster, seconds: float, threads: int = 8) -> dict[str, Any]:
    """201s a second with `threads` clients posting back to back through nginx."""
    points = inside_points(cluster)
    stop = threading.Event()
    counts: list[int] = [0] * threads
    errors: list[int] = [0] * threads
    took: list[float] = []

    def work(k: int) -> None:
        with requests.Session() as http:
            i = 0
            while not stop.is_set():
                lon, lat = points[(k + i) % len(points)]
                body = {"description": f"吞吐 {k}-{i}", "lat": lat, "lon": lon, "source": "hotline_12345"}
                start = time.monotonic()
                resp = http.post(
                    f"{cluster.base_url}/api/v1/cases",
                    json=body,
                    headers={**cluster.headers(), "Idempotency-Key": uuid.uuid4().hex},
                    timeout=30,
                )
                if resp.status_code == 201:
                    counts[k] += 1
                    took.append((time.monotonic() - start) * 1000)
                else:
                    errors[k] += 1
                i += 1

    pool = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(threads)]
    t0 = time.monotonic()
    for t in pool:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in pool:
        t.join(timeout=60)
    elapsed = time.monotonic() - t0
    return {
        "cases_per_s": round(sum(counts) / elapsed, 1),
        "errors": sum(errors),
        "post_ms_p50": round(pct(took, 50) or 0, 1),
        "post_ms_p99": round(pct(took, 99) or 0, 1),
    }


def push_latency(cluster: Cluster, seconds: float, rate: float = 20.0) -> dict[str, Any]:
    """POST sent → delta on every screen (two per process, direct to the process), at `rate` cases/s."""
    token = cluster.tokens["screen"]
    screens = [
        Screen(cluster.app_url(i), token, f"app{i}-{j}").start(60) for i in range(cluster.processes) for j in (0, 1)
    ]
    poster = Poster(cluster.base_url, cluster.headers(), inside_points(cluster), label="时延")
    sent: dict[int, float] = {}
    lock = threading.Lock()

    def one(i: int) -> None:
        with requests.Session() as http:
            t = time.monotonic()
            case_id = poster.post(i, http, give_up_s=30)
            if case_id is not None:
                with lock:
                    sent[case_id] = t

    threads = []
    t0 = time.monotonic()
    n = int(seconds * rate)
    for i in range(n):
        delay = t0 + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        th = threading.Thread(target=one, args=(i,), daemon=True)
        th.start()
        threads.append(th)
    for th in threads:
        th.join(timeout=60)
    wait_until(lambda: all(sent.keys() <= s.received_at.keys() for s in screens), 30)
    lat = [(s.received_at[c] - t) * 1000 for s in screens for c, t in sent.items() if c in s.received_at]
    missing = sum(1 for s in screens for c in sent if c not in s.received_at)
    for s in screens:
        s.close()
    return {
        "cases": len(sent),
        "screens": len(screens),
        "push_ms_p50": round(pct(lat, 50) or 0, 1),
        "push_ms_p99": round(pct(lat, 99) or 0, 1),
        "push_ms_max": round(max(lat, default=0), 1),
        "missing": missing,
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"processes": args.processes, "cores": os.cpu_count(), "runs": {}}
    for worker in args.workers.split(","):
        with (
            tempfile.TemporaryDirectory(prefix=f"gc-bench-{worker}-") as tmp,
            running_cluster(Path(tmp), processes=args.processes, worker=worker) as cluster,
        ):
            run: dict[str, Any] = {"load_before": _load()}
            run["intake"] = intake_rate(cluster, args.seconds)
            run["push"] = push_latency(cluster, args.seconds)
            run["load_after"] = _load()
            out["runs"][worker] = run
            print(worker, json.dumps(run, ensure_ascii=False), flush=True)
    return out


def kill9(args: argparse.Namespace) -> dict[str, Any]:
    """The fault test's kill -9 at `--cases`: every acknowledged case exists once and reaches every screen."""
    with (
        tempfile.TemporaryDirectory(prefix="gc-bench-kill9-") as tmp,
        running_cluster(Path(tmp), processes=2, worker=args.worker) as cluster,
    ):
        token = cluster.tokens["screen"]
        urls = [cluster.app_url(0), cluster.app_url(1), cluster.base_url]
        screens = [Screen(u, token, f"s{i}").start(60) for i, u in enumerate(urls)]
        poster = Poster(cluster.base_url, cluster.headers(), inside_points(cluster), label="kill9")
        t0 = time.monotonic()
        posting = threading.Thread(target=poster.run, args=(range(args.cases),), kwargs={"threads": 8})
        posting.start()
        wait_until(lambda: len(poster.acknowledged) >= args.cases // 4, 600)
        victim = cluster.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        killed_after = time.monotonic() - t0
        posting.join()
        posted_s = time.monotonic() - t0
        ids = set(poster.acknowledged.values())
        delivered = wait_until(lambda: all(ids <= s.received_at.keys() for s in screens), 300)
        stored = labelled_cases(cluster, "kill9")
        result = {
            "cases": args.cases,
            "acknowledged": len(poster.acknowledged),
            "distinct_ids": len(ids),
            "stored": len(stored),
            "stored_not_acknowledged": len(set(stored) - ids),
            "half_written": {k: len(v) for k, v in half_written(cluster, "kill9").items()},
            "every_screen_has_all": delivered,
            "missing_per_screen": {s.name: len(ids - s.received_at.keys()) for s in screens},
            "killed_after_s": round(killed_after, 1),
            "posting_s": round(posted_s, 1),
            "statuses": {str(k): v for k, v in poster.statuses.items()},
            "load": _load(),
        }
        for s in screens:
            s.close()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--workers", default="gevent,gthread")
    m.add_argument("--processes", type=int, default=2)
    m.add_argument("--seconds", type=float, default=15)
    k = sub.add_parser("kill9")
    k.add_argument("--cases", type=int, default=5000)
    k.add_argument("--worker", default="gthread")
    args = parser.parse_args()
    print("load average before:", _load(), flush=True)
    result = measure(args) if args.mode == "measure" else kill9(args)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
