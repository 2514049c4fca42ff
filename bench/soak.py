"""The soak of bench/capacity.py (`capacity.py soak`): serve-prod under the demo simulator at 60× for an hour by
default, one headless Chromium wall on /screen, sampled every `--sample-s` seconds:

- server RSS: serve-prod and everything it started (nginx, the gunicorn masters and their workers), from /proc;
- the wall's JS heap after a forced GC (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage, as
  bench/screen_perf.py does) and its open-case count (the data it holds, so growth can be told from a leak);
- push latency: `--probes` cases posted from the page (fetch with the desk's session, as bench/e2e_latency.py
  does), each timed from just before the POST to its marker entering the case pane (one clock:
  performance.now()).

Writes `<out>.json` (every sample) and `<out>.png` (bench/soak_plot.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.server import PASSWORD, launch_chromium  # noqa: E402
from tests.faults.cluster import Cluster, running_cluster  # noqa: E402
from tests.faults.live_clients import inside_points  # noqa: E402
from tests.faults.storm import pct, proc_status  # noqa: E402

# Stamps when each case's marker enters the case pane. Every case, not only the probes: a marker often arrives
# before the POST's answer tells the page its id. The table is emptied before each batch of probes (probe()), so
# the simulator's cases do not pile up in the page being measured.
WATCH = """
() => {
  window.__want = {};
  window.__seen = {};
  const re = /(?:^|\\s)case-(\\d+)(?:\\s|$)/;
  new MutationObserver((mutations) => {
    const t = performance.now();
    for (const m of mutations) for (const node of m.addedNodes) {
      if (node.nodeType !== 1) continue;
      const hit = re.exec(node.getAttribute("class") || "");
      if (hit && !(hit[1] in window.__seen)) window.__seen[hit[1]] = t;
    }
  }).observe(document.querySelector(".leaflet-gc-cases-pane"), { childList: true, subtree: true });
}
"""

# One probe: POST from the page; returns [id, t0] (t0 just before fetch) or an error string.
PROBE = """
async ([lon, lat, i]) => {
  const t0 = performance.now();
  const r = await fetch("/api/v1/cases", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ description: "浸泡探针 soak probe " + i, lat, lon, source: "grid_worker" }),
  });
  if (r.status !== 201) return "HTTP " + r.status;
  const id = String((await r.json()).id);
  window.__want[id] = t0;
  return id;
}
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seconds", type=float, default=3600, help="how long to soak (default an hour)")
    p.add_argument("--sample-s", type=float, default=15, help="seconds between samples (10-30)")
    p.add_argument("--probes", type=int, default=3, help="latency probes per sample")
    p.add_argument("--speed", type=float, default=60, help="the simulator's speed")
    p.add_argument("--processes", type=int, default=2, help="serve-prod's app processes")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "figures" / "soak", help="<out>.json and <out>.png")
    p.add_argument("--json-out", type=Path, help="also write the summary here")


def tree_rss_mb(root: int) -> tuple[float, list[float]]:
    """RSS of `root` and all its descendants (MB), and of each gunicorn worker (the app itself)."""
    total, workers = 0, []
    todo = [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError, KeyError):
            total += proc_status(pid)["VmRSS"]
            kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            todo.extend(int(k) for k in kids)
            parent = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"gunicorn" in parent:
                workers.extend(proc_status(int(k))["VmRSS"] / 1024 for k in kids)
    return round(total / 1024, 1), [round(w, 1) for w in workers]


def heap_mb(cdp: Any) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    return round(cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20, 2)


def probe(page: Any, points: list[tuple[float, float]], n: int, k: int) -> tuple[list[float], int]:
    """`n` probes from the page; their latencies (ms) and how many failed or never showed within 10 s."""
    ids, failed = [], 0
    page.evaluate("() => { window.__want = {}; window.__seen = {}; }")
    for j in range(n):
        lon, lat = points[(k * n + j) % len(points)]
        answer = page.evaluate(PROBE, [lon, lat, k * n + j])
        if answer.startswith("HTTP"):
            failed += 1
        else:
            ids.append(answer)
        page.wait_for_timeout(300)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not page.evaluate("(ids) => ids.every((i) => i in window.__seen)", ids):
        page.wait_for_timeout(50)
    stamps = page.evaluate("(ids) => ids.map((i) => [window.__want[i], window.__seen[i] ?? null])", ids)
    lat = [seen - t0 for t0, seen in stamps if seen is not None]
    return lat, failed + len(ids) - len(lat)


def simulator(cluster: Cluster, speed: float, log: Path) -> subprocess.Popen[bytes]:
    """`gridcmd simulate --speed` on the cluster's database and Redis (one patrol per grid, the default)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "dashboard", "simulate", "--speed", str(speed)],
            cwd=ROOT,
            env=cluster.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def run(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    samples: list[dict[str, Any]] = []
    started = datetime.now().isoformat(timespec="seconds")
    with (
        tempfile.TemporaryDirectory(prefix="gc-soak-") as tmp,
        running_cluster(Path(tmp), processes=args.processes) as cluster,
        sync_playwright() as pw,
    ):
        sim = simulator(cluster, args.speed, Path(tmp) / "simulate.log")
        browser = launch_chromium(pw)
        try:
            page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            page.goto(f"{cluster.base_url}/login")
            page.fill("#login-name", "e2e-dispatcher")  # the probes post with the desk's session
            page.fill("#login-password", PASSWORD)
            page.click("#login-submit")
            page.wait_for_load_state()
            page.goto(f"{cluster.base_url}/screen")
            page.wait_for_function("() => window.gridcmdLive?.state === 'live'", timeout=60_000)
            page.evaluate(WATCH)
            cdp = page.context.new_cdp_session(page)
            points = inside_points(cluster)
            t0 = time.monotonic()
            k = 0
            while (elapsed := time.monotonic() - t0) < args.seconds:
                lat, failed = probe(page, points, args.probes, k)
                rss, workers = tree_rss_mb(cluster.process.pid)
                sample = {
                    "t_s": round(elapsed, 1),
                    "server_rss_mb": rss,
                    "worker_rss_mb": workers,
                    "heap_mb": heap_mb(cdp),
                    "open_cases": page.evaluate("window.gridcmdLive.openCount()"),
                    "state": page.evaluate("window.gridcmdLive.state"),
                    "push_ms": [round(x, 1) for x in lat],
                    "probe_failures": failed,
                    "load": round(os.getloadavg()[0], 2),
                }
                samples.append(sample)
                print("soak", sample, flush=True)
                k += 1
                time.sleep(max(0.0, t0 + k * args.sample_s - time.monotonic()))
        finally:
            browser.close()
            sim.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                sim.wait(timeout=20)
            if sim.poll() is None:
                sim.kill()
    return summarize(samples, args, started)


def summarize(samples: list[dict[str, Any]], args: argparse.Namespace, started: str) -> dict[str, Any]:
    import soak_plot  # bench/soak_plot.py: matplotlib, the optional `bench` extra
    from screen_perf import slope_mb_per_h  # least squares in MB/h over samples with t_s and heap_mb

    lat = [x for s in samples for x in s["push_ms"]]
    first, last = samples[0], samples[-1]
    summary = {
        "started": started,
        "seconds": args.seconds,
        "sample_s": args.sample_s,
        "speed": args.speed,
        "processes": args.processes,
        "samples": len(samples),
        "push_ms_p50": round(pct(lat, 50) or 0, 1),
        "push_ms_p99": round(pct(lat, 99) or 0, 1),
        "push_ms_max": round(max(lat, default=0), 1),
        "probe_failures": sum(s["probe_failures"] for s in samples),
        "server_rss_mb_first_last": [first["server_rss_mb"], last["server_rss_mb"]],
        "heap_mb_first_last": [first["heap_mb"], last["heap_mb"]],
        "open_cases_first_last": [first["open_cases"], last["open_cases"]],
        "heap_mb_per_h": slope_mb_per_h(samples),
        "server_rss_mb_per_h": slope_mb_per_h([{"t_s": s["t_s"], "heap_mb": s["server_rss_mb"]} for s in samples]),
        "load_first_last": [first["load"], last["load"]],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"summary": summary, "samples": samples}
    args.out.with_suffix(".json").write_text(json_dump(doc), encoding="utf-8")
    soak_plot.plot(doc, args.out.with_suffix(".png"))
    return summary


def json_dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
