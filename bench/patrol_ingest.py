"""Patrol fixes per second through the whole HTTP path: latest-fix store only, everything on, one fix per request.

    .venv/bin/python bench/patrol_ingest.py [--fixes 600000] [--batch 2000] [--clients 4] [--json-out FILE]

Builds the full Tongzhou jurisdiction (1,809 grids) into a temporary SQLite file once, then for each mode starts
the real app (`app.serve()`, threaded Werkzeug, the local Redis under a fresh key prefix) and lets several client
processes post pre-built batches over keep-alive connections, each process owning a disjoint share of the fleet
(the grid teams of the roster, so every patrol has its own grid, plus unassigned patrols up to --patrols):

- latest     PATROL_TRACKING=0: only the latest fix per patrol (today's store), JSON batches
- full-json  everything on (order, jump filter, distance today, grid and time outside, trails), JSON batches
- full-csv   everything on, the compact `text/csv` form; full-csv-gzip: the same gzip-compressed
- naive      everything on, one fix per request (JSON), the way a phone posting each fix would

Prints a Markdown table and the JSON result (fixes/s, the app's and Redis's CPU per fix, the load average).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `tests.e2e.server` and `bench.*` importable

from bench.patrol_fleet import ClientJob, run_client  # noqa: E402
from tests.e2e.server import Jurisdiction, app_env, build_jurisdiction, create_users, start_app, stop_app  # noqa: E402

MODES: dict[str, dict[str, Any]] = {
    "latest": {"form": "json", "tracking": "0", "naive": False},
    "full-json": {"form": "json", "tracking": "1", "naive": False},
    "full-csv": {"form": "csv", "tracking": "1", "naive": False},
    "full-csv-gzip": {"form": "csv-gzip", "tracking": "1", "naive": False},
    "naive": {"form": "json", "tracking": "1", "naive": True},
}
# The rate limit stays on (its Redis round trip is part of every request) with a budget no run can spend.
RATE_LIMITS = "intake=600,open311=120,hotline=1200,patrols=100000000,media=1200"


def fleet_starts(db_path: Path, patrols: int, seed: int) -> list[tuple[str, float, float]]:
    """(patrol id, lon, lat): the roster's grid teams at a point of their own grid, then unassigned patrols."""
    from dashboard.services.jurisdiction import load_grid_index
    from dashboard.store.db import session_scope

    with session_scope(f"sqlite:///{db_path}") as session:
        index = load_grid_index(session)
    with sqlite3.connect(db_path) as conn:
        roster = conn.execute("SELECT code, grid_code FROM staff WHERE grid_code IS NOT NULL ORDER BY code").fetchall()
    rng = random.Random(seed)
    codes = index.codes()
    starts = []
    for i in range(patrols):
        if i < len(roster):
            pid, grid = roster[i]
        else:
            grid = codes[i % len(codes)]
            pid = f"bench-{i:06d}"  # not on the roster: no own grid
        starts.append((pid, *index.random_point_in(grid, rng)))
    return starts


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _redis_cpu_s(url: str) -> float:
    import redis

    info = redis.Redis.from_url(url).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def run_mode(name: str, args: argparse.Namespace, base_env: dict[str, str], token: str, starts: list) -> dict:
    """Serve the app for one mode, post the mode's fixes from the client processes, return the figures."""
    mode = MODES[name]
    workdir = Path(base_env["VAR_DIR"]).parent
    env = {
        **base_env,
        "REDIS_PREFIX": f"gc-bench-{uuid.uuid4().hex[:8]}:",
        "RATE_LIMITS": RATE_LIMITS,
        "PATROL_TRACKING": mode["tracking"],
    }
    live = start_app(workdir, env)
    try:
        port = int(live.base_url.rsplit(":", 1)[1])
        total = args.naive_fixes if mode["naive"] else args.fixes
        batch = 1 if mode["naive"] else args.batch
        ctx = mp.get_context("fork")
        ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        share = total // args.clients
        jobs = [
            ClientJob("127.0.0.1", port, token, starts[k :: args.clients], share, batch, mode["form"], 100 + k, args.t0)
            for k in range(args.clients)
        ]
        procs = [ctx.Process(target=run_client, args=(job, ready, go, results)) for job in jobs]
        for p in procs:
            p.start()
        requests = sum(ready.get(timeout=600) for _ in procs)
        load_before = os.getloadavg()
        app_cpu, redis_cpu = _cpu_s(live.process.pid), _redis_cpu_s(env["REDIS_URL"])
        started = time.perf_counter()
        go.set()
        tallies = [results.get(timeout=3600) for _ in procs]
        elapsed = time.perf_counter() - started
        app_cpu, redis_cpu = _cpu_s(live.process.pid) - app_cpu, _redis_cpu_s(env["REDIS_URL"]) - redis_cpu
        load_after = os.getloadavg()
        for p in procs:
            p.join(timeout=30)
        received = sum(t["received"] for t in tallies)
        dropped: dict[str, int] = {}
        errors: dict[str, int] = {}
        for t in tallies:
            for k, v in (t.get("dropped") or {}).items():
                dropped[k] = dropped.get(k, 0) + v
            for k, v in t["errors"].items():
                errors[k] = errors.get(k, 0) + v
        stored = _stored_patrols(env)
        return {
            "mode": name,
            "form": mode["form"],
            "batch": batch,
            "clients": args.clients,
            "requests": requests,
            "fixes": received,
            "accepted": sum(t["accepted"] for t in tallies),
            "dropped": dropped,
            "errors": errors,
            "elapsed_s": round(elapsed, 2),
            "fixes_per_s": round(received / elapsed) if elapsed else 0,
            "wire_bytes_per_fix": round(sum(t["wire_bytes"] for t in tallies) / max(1, share * args.clients), 1),
            "app_cpu_us_per_fix": round(app_cpu / max(1, received) * 1e6, 1),
            "redis_cpu_us_per_fix": round(redis_cpu / max(1, received) * 1e6, 1),
            "patrols_stored": stored,
            "load_avg_before": [round(x, 2) for x in load_before],
            "load_avg_after": [round(x, 2) for x in load_after],
        }
    finally:
        stop_app(live)


def _stored_patrols(env: dict[str, str]) -> int:
    import redis

    return int(redis.Redis.from_url(env["REDIS_URL"]).hlen(f"{env['REDIS_PREFIX']}patrols:state"))


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Build once, run every requested mode against a fresh app, return the result document."""
    keep = nullcontext(str(args.workdir)) if args.workdir else tempfile.TemporaryDirectory(prefix="gc-bench-")
    with keep as tmp:
        workdir = Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        env = app_env(workdir)
        if not env["REDIS_URL"]:
            raise SystemExit("the bench needs the local Redis at 127.0.0.1:6379 (its CPU is measured)")
        build_jurisdiction(env, Jurisdiction(grids=args.grids, streets=15, communities=589, seed=1))
        token = create_users(env)["admin"]
        starts = fleet_starts(workdir / "grid.db", args.patrols, seed=7)
        args.t0 = int(time.time() * 1000)
        runs = [run_mode(name, args, env, token, starts) for name in args.modes]
    by = {r["mode"]: r["fixes_per_s"] for r in runs}
    ratios = {}
    for full in ("full-json", "full-csv", "full-csv-gzip"):
        if full in by and by.get("latest"):
            ratios[f"{full}/latest"] = round(by[full] / by["latest"], 2)
        if full in by and by.get("naive"):
            ratios[f"{full}/naive"] = round(by[full] / by["naive"], 1)
    return {
        "config": {
            "fixes": args.fixes,
            "naive_fixes": args.naive_fixes,
            "batch": args.batch,
            "clients": args.clients,
            "patrols": args.patrols,
            "grids": args.grids,
        },
        "machine": {"cpus": len(os.sched_getaffinity(0)), "python": platform.python_version()},
        "date": datetime.now().isoformat(timespec="seconds"),
        "runs": runs,
        "ratios": ratios,
    }


def table(result: dict[str, Any]) -> str:
    """A Markdown table of the runs."""
    rows = [
        "| mode | body | fixes / request | fixes | fixes/s | accepted | dropped | bytes / fix | app CPU µs / fix "
        "| Redis CPU µs / fix | load avg |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in result["runs"]:
        dropped = ", ".join(f"{k} {v:,}" for k, v in r["dropped"].items()) or "0"
        rows.append(
            f"| {r['mode']} | {r['form']} | {r['batch']:,} | {r['fixes']:,} | **{r['fixes_per_s']:,}** "
            f"| {r['accepted']:,} | {dropped} | {r['wire_bytes_per_fix']} | {r['app_cpu_us_per_fix']} "
            f"| {r['redis_cpu_us_per_fix']} | {r['load_avg_before'][0]} → {r['load_avg_after'][0]} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the modes and print the table and the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", type=int, default=600_000, help="fixes posted per batched mode")
    parser.add_argument("--naive-fixes", type=int, default=5_000, help="fixes posted one per request")
    parser.add_argument("--batch", type=int, default=2000, help="fixes per request in the batched modes")
    parser.add_argument("--clients", type=int, default=8, help="client processes posting at once")
    parser.add_argument("--patrols", type=int, default=10_000, help="patrols in the fleet")
    parser.add_argument("--grids", type=int, default=1809, help="grids of the jurisdiction built for the run")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES), help="what to measure")
    parser.add_argument("--json-out", type=Path, help="also write the JSON result here")
    parser.add_argument("--workdir", type=Path, help="keep the database and server.log here (default: a temp dir)")
    args = parser.parse_args(argv)
    result = measure(args)
    if args.json_out:
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if all(not r["errors"] for r in result["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
