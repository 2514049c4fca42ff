"""Intake → big screen latency: push (Socket.IO deltas) against a 1 s polling baseline, measured in the page.

    .venv/bin/python bench/e2e_latency.py [--rate 10] [--duration 30] [--patrols 0] [--json-out FILE]

Starts the real app in its own process over a freshly built jurisdiction (the e2e tests' helper), opens
/screen in headless Chromium and posts cases *from the page* with fetch() at a fixed rate. A MutationObserver
on the case-marker pane stamps when `.case-<id>` enters the DOM; both stamps come from the page's
performance.now(), so there is one clock. Then the same for bench/polling_baseline.html, which polls
GET /api/v1/cases?open=1&since=… every second and adds one element per new case. Prints a table and JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import tempfile
import threading
import time
from contextlib import nullcontext, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `tests.e2e.server` importable

from tests.e2e.server import Jurisdiction, LiveApp, launch_chromium, running_app  # noqa: E402

BASELINE = Path(__file__).with_name("polling_baseline.html")

# Stamps the first time an element whose class names `case-<id>` enters `target` (or its subtree).
OBSERVE = """
(selector) => {
  window.__seen = {};
  window.__sent = {};
  window.__acked = {};
  window.__failed = {};
  const target = document.querySelector(selector);
  if (!target) throw new Error("no " + selector);
  const re = /(?:^|\\s)case-(\\d+)(?:\\s|$)/;
  new MutationObserver((mutations) => {
    const t = performance.now();
    for (const m of mutations) {
      for (const node of m.addedNodes) {
        if (node.nodeType !== 1) continue;
        const hit = re.exec(node.getAttribute("class") || "");
        if (hit && !(hit[1] in window.__seen)) window.__seen[hit[1]] = t;
      }
    }
  }).observe(target, { childList: true, subtree: true });
}
"""

# Posts `rate` cases a second for `duration` seconds on a fixed schedule (no drift, no waiting for answers);
# t0 is taken right before fetch(), and keyed by the id the 201 returns.
POST = """
async ([rate, duration, points]) => {
  const n = Math.round(rate * duration);
  const period = 1000 / rate;
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < n; i++) {
    const wait = start + i * period - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const [lon, lat] = points[i % points.length];
    const t0 = performance.now();
    pending.push(
      fetch("/api/v1/cases", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ description: "延迟探针 latency probe " + i, lat, lon, source: "grid_worker" }),
      })
        .then((r) => (r.status === 201 ? r.json() : Promise.reject(r.status)))
        .then((b) => { window.__sent[b.id] = t0; window.__acked[b.id] = performance.now(); })
        .catch((e) => { const k = String(e); window.__failed[k] = (window.__failed[k] || 0) + 1; })
    );
  }
  await Promise.all(pending);
  return n;
}
"""

ALL_SEEN = "() => Object.keys(window.__sent).every((id) => id in window.__seen)"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summarize(
    sent: dict[str, float], seen: dict[str, float], acked: dict[str, float], failed: dict[str, int]
) -> dict[str, Any]:
    """Latency figures from the page's stamp tables (sent before fetch, 201 received, marker in the DOM)."""
    latencies = [seen[i] - t0 for i, t0 in sent.items() if i in seen]
    if not latencies:
        return {"n": 0, "missing": len(sent), "failed_posts": failed}
    acks = [acked[i] - t0 for i, t0 in sent.items() if i in acked]
    return {
        # How long the POST itself took (validate, locate, commit): the part of the latency that is intake.
        "post_ack_p50_ms": round(percentile(acks, 50), 1),
        "post_ack_p99_ms": round(percentile(acks, 99), 1),
        "n": len(latencies),
        "missing": len(sent) - len(latencies),
        "failed_posts": failed,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p90_ms": round(percentile(latencies, 90), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
        "mean_ms": round(sum(latencies) / len(latencies), 1),
    }


def run_phase(page: Any, marker_root: str, args: argparse.Namespace, points: list[tuple[float, float]]) -> dict:
    """Observe `marker_root`, post the cases, wait for their markers, return the summary."""
    page.evaluate(OBSERVE, marker_root)
    page.evaluate(POST, [args.rate, args.duration, points])
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with suppress(PlaywrightTimeout):  # a missing marker is a result to report, not a crash
        page.wait_for_function(ALL_SEEN, timeout=args.settle * 1000)
    sent, seen, acked, failed = page.evaluate("[window.__sent, window.__seen, window.__acked, window.__failed]")
    return summarize(sent, seen, acked, failed)


def patrol_feed(live: LiveApp, count: int, stop: threading.Event) -> None:
    """Background load: `count` patrols each moving a little once a second (1 Hz frames to the screen)."""
    import random

    import requests

    rng = random.Random(3)
    points = live.inside_points(min(count, len(live.grids())))
    fleet = [[f"b{i:05d}", *points[i % len(points)]] for i in range(count)]
    while not stop.is_set():
        started = time.monotonic()
        now_ms = int(time.time() * 1000)
        for p in fleet:
            p[1] += rng.uniform(-0.0004, 0.0004)
            p[2] += rng.uniform(-0.0004, 0.0004)
        body = {
            "positions": [
                {"id": i, "lon": lon, "lat": lat, "status": "available", "ts": now_ms} for i, lon, lat in fleet
            ]
        }
        with suppress(requests.RequestException):  # an overloaded server is part of the load; keep feeding
            requests.post(f"{live.base_url}/api/v1/patrols/positions", json=body, headers=live.headers(), timeout=10)
        stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Both phases against one app; returns the result document."""
    from playwright.sync_api import sync_playwright

    sizes = Jurisdiction(grids=args.grids, streets=4, communities=24, seed=5)
    keep = nullcontext(str(args.workdir)) if args.workdir else tempfile.TemporaryDirectory(prefix="gc-bench-")
    with keep as tmp, running_app(Path(tmp), sizes) as live:
        points = live.inside_points(50)
        stop = threading.Event()
        if args.patrols:
            threading.Thread(target=patrol_feed, args=(live, args.patrols, stop), daemon=True).start()
        try:
            with sync_playwright() as pw:
                browser = launch_chromium(pw)
                context = browser.new_context(viewport={"width": 1920, "height": 1080})

                page = context.new_page()
                live.login(page, "dispatcher")  # posts go out from the page with the desk's session
                page.goto(f"{live.base_url}/screen")
                page.wait_for_function("() => window.gridcmdLive?.state === 'live'", timeout=30_000)
                page.wait_for_timeout(1500)  # let the first patrol frames and the grid layer settle
                push = run_phase(page, ".leaflet-gc-cases-pane", args, points)
                page.close()

                html = BASELINE.read_text(encoding="utf-8")
                baseline_url = f"{live.base_url}/bench/polling-baseline"
                context.route(f"{baseline_url}*", lambda route: route.fulfill(body=html, content_type="text/html"))
                page = context.new_page()
                page.goto(f"{baseline_url}?interval={int(args.poll_interval * 1000)}")
                page.wait_for_function("() => window.__ready === true", timeout=10_000)
                poll = run_phase(page, "#cases", args, points)
                browser.close()
        finally:
            stop.set()
    ratio = {
        key: round(poll[f"{key}_ms"] / push[f"{key}_ms"], 1)
        if push.get(f"{key}_ms") and poll.get(f"{key}_ms")
        else None
        for key in ("p50", "p99")
    }
    return {
        "config": {
            "rate_per_s": args.rate,
            "duration_s": args.duration,
            "cases_per_phase": round(args.rate * args.duration),
            "grids": args.grids,
            "patrols": args.patrols,
            "poll_interval_s": args.poll_interval,
            "screens": 1,
        },
        "machine": {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()},
        "date": datetime.now().isoformat(timespec="seconds"),
        "push": push,
        "poll": poll,
        "ratio_poll_over_push": ratio,
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)


def table(result: dict[str, Any]) -> str:
    """A Markdown table of the result."""
    push, poll, ratio = result["push"], result["poll"], result["ratio_poll_over_push"]
    rows = [
        "| path | cases seen | p50 ms | p90 ms | p99 ms | max ms | missing | POST 201 p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in (("push (Socket.IO delta)", push), (f"poll every {result['config']['poll_interval_s']:g} s", poll)):
        rows.append(
            f"| {name} | {r['n']} | {r.get('p50_ms', '-')} | {r.get('p90_ms', '-')} | {r.get('p99_ms', '-')} "
            f"| {r.get('max_ms', '-')} | {r['missing']} "
            f"| {r.get('post_ack_p50_ms', '-')} / {r.get('post_ack_p99_ms', '-')} |"
        )
    rows.append(f"| **poll / push** | | **{ratio['p50']}×** | | **{ratio['p99']}×** | | | |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the probe and print the table and the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10, help="cases posted per second")
    parser.add_argument("--duration", type=float, default=30, help="seconds of posting per phase")
    parser.add_argument("--grids", type=int, default=120, help="grids in the jurisdiction built for the run")
    parser.add_argument("--patrols", type=int, default=0, help="moving patrols fed at 1 Hz as background load")
    parser.add_argument("--poll-interval", type=float, default=1.0, help="baseline polling period, seconds")
    parser.add_argument("--settle", type=float, default=10, help="seconds to wait for the last markers")
    parser.add_argument("--json-out", type=Path, help="also write the JSON result here")
    parser.add_argument("--workdir", type=Path, help="keep the database and server.log here (default: a temp dir)")
    args = parser.parse_args(argv)

    result = measure(args)
    if args.json_out:  # first, so a closed stdout (| head) cannot lose the run
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["push"]["n"] and not result["push"]["missing"] else 1


if __name__ == "__main__":
    sys.exit(main())
