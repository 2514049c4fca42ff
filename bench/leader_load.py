"""Leader pass (领导通) first view on a phone: time to the first complete view and bytes sent, against a naive page.

    .venv/bin/python bench/leader_load.py [--grids 8000] [--cases 2000] [--loads 5] [--json-out FILE] [--workdir DIR]

Load (as bench/screen_perf.py builds it): `gridcmd init --grids 8000` into a temporary SQLite file, the real app
(threaded Werkzeug, local Redis with its own key prefix), 2,000 open cases written through the real services (40 %
reported, 30 % filed, 30 % dispatched, stage clocks in the past so every deadline colour occurs).

Measured in headless Chromium at 390×844 (a phone: mobile, touch, device scale 3), signed in as the district's
leader; every load is cold (a fresh browser context: no HTTP cache) and starts at navigation:
- /leader: navigation start → the page's "leader-summary-drawn" mark (status line, cards with trends, rankings and
  needs list drawn from GET /api/v1/leader/summary); also first contentful paint, and from Resource Timing the
  bytes of every response (the page, Dash's scripts, the summary) and how long the summary request took;
- then one drill: a tap on the worst street's row (most overdue cases) → its map drawn (its summary and outline);
- the naive baseline, measured the same way: the same page fed as a quick implementation would feed it, with the
  whole map (GET /api/v1/grids, every grid's GeoJSON) and every open case (GET /api/v1/cases?open=1) fetched and
  parsed before its figures are drawn (NAIVE_LOADER: generously, in parallel from the page's first script);
- server side: GET /api/v1/leader/summary for the district and the street, timed from Python (10 each), and the
  JSON sizes of the summary, the outline, /grids and /cases?open=1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `tests.e2e.*` and `bench.*` importable

from bench.screen_perf import seed_open_cases, wait_relayed  # noqa: E402
from tests.e2e.screen_cases import CaseWriter  # noqa: E402
from tests.e2e.server import Jurisdiction, LiveApp, launch_chromium, running_app  # noqa: E402

# The baseline: the same page, as a quick implementation would feed it — the whole map (every grid's GeoJSON) and
# every open case fetched and parsed when the page starts (generously: in parallel, before Dash has rendered),
# the figures drawn only once they are in. Wrapping fetch keeps everything else (shell, summary, drawing) equal.
NAIVE_LOADER = """(() => {
  if (location.pathname.indexOf('/leader') !== 0) return;
  const own = window.fetch.bind(window);
  const get = (url) => own(url, {credentials: 'same-origin'}).then((r) => r.json());
  const naive = Promise.all([get('/api/v1/grids'), get('/api/v1/cases?open=1&limit=5000')]).then(([grids, open]) => {
    window.__naive = {grids: grids.features.length, open: open.cases.length};
  });
  window.fetch = (url, init) => String(url).indexOf('/api/v1/leader/summary') >= 0
    ? naive.then(() => own(url, init)) : own(url, init);
})();"""
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
LEADER_DRAWN = "() => window.gridcmdLeaderView && window.gridcmdLeaderView.drawnAt() !== null"
FCP = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
RESOURCES = """() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
  .map((e) => ({name: e.name, bytes: e.transferSize || e.encodedBodySize || 0, body: e.encodedBodySize || 0,
                start: e.startTime, ms: e.duration}))"""
DRILL = """([code]) => new Promise((done) => {
  const v = window.gridcmdLeaderView;
  const before = v.mapDraws();
  document.querySelector('.leader-tab[data-by="overdue"]').click(); // 超期案件: the worst street is listed
  const t0 = performance.now();
  document.querySelector('button.leader-rank-row[data-code="' + code + '"]').click();
  (function poll() {
    if (v.summary().scope === code && v.mapDraws() > before) done(performance.now() - t0);
    else requestAnimationFrame(poll);
  })();
})"""


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def sign_in(browser: Any, live: LiveApp) -> dict[str, Any]:
    """The district leader's session, signed in once through the form (each load reuses its cookie)."""
    context = browser.new_context()
    live.login(context.new_page(), "leader")
    state = context.storage_state()
    context.close()
    return state


def _bytes(entries: list[dict[str, Any]], part: str | None = None) -> int:
    return sum(e["bytes"] for e in entries if part is None or part in e["name"])


def load_leader(browser: Any, live: LiveApp, state: dict[str, Any], street: str | None) -> dict[str, Any]:
    """One cold load of /leader/ (and, given `street`, one drill into it)."""
    context = browser.new_context(storage_state=state, locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live.base_url}/leader/")
        page.wait_for_function(LEADER_DRAWN, timeout=60_000, polling=50)
        drawn = page.evaluate("() => window.gridcmdLeaderView.drawnAt()")
        entries = page.evaluate(RESOURCES)
        summary = [e for e in entries if "/api/v1/leader/summary" in e["name"]]
        out = {
            "drawn_ms": round(drawn, 1),
            "fcp_ms": page.evaluate(FCP),
            "bytes_total": _bytes(entries),
            "bytes_summary": summary[0]["body"] if summary else None,
            "summary_request_ms": round(summary[0]["ms"], 1) if summary else None,
            "summary_sent_at_ms": round(summary[0]["start"], 1) if summary else None,
            "requests": len(entries),
            "largest": [
                [e["name"].split("?")[0].rsplit("/", 1)[-1], e["bytes"]]
                for e in sorted(entries, key=lambda e: -e["bytes"])[:6]
            ],
        }
        if street:
            out["drill_ms"] = round(page.evaluate(DRILL, [street]), 1)
            after = page.evaluate(RESOURCES)
            out["drill_bytes"] = _bytes(after) - out["bytes_total"]
        return out
    finally:
        context.close()


def load_naive(browser: Any, live: LiveApp, state: dict[str, Any]) -> dict[str, Any]:
    """One cold load of the same /leader/ page made naive by NAIVE_LOADER (module docstring)."""
    context = browser.new_context(storage_state=state, locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    context.add_init_script(NAIVE_LOADER)
    try:
        page = context.new_page()
        page.goto(f"{live.base_url}/leader/")
        page.wait_for_function(LEADER_DRAWN, timeout=120_000, polling=50)
        entries = page.evaluate(RESOURCES)
        return {
            "drawn_ms": round(page.evaluate("() => window.gridcmdLeaderView.drawnAt()"), 1),
            "fcp_ms": page.evaluate(FCP),
            "bytes_total": _bytes(entries),
            "bytes_grids": _bytes(entries, "/api/v1/grids"),
            "bytes_cases": _bytes(entries, "/api/v1/cases"),
            "requests": len(entries),
        }
    finally:
        context.close()


def server_side(live: LiveApp, street: str, runs: int = 10) -> dict[str, Any]:
    """Response times (ms) of the summary from Python, and the JSON sizes of what each page asks for."""
    headers = live.headers("leader")
    out: dict[str, Any] = {}
    for name, params in (("district", {}), ("street", {"scope": street})):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            resp = requests.get(f"{live.base_url}/api/v1/leader/summary", params=params, headers=headers, timeout=60)
            times.append((time.perf_counter() - t0) * 1000)
            resp.raise_for_status()
        out[f"summary_{name}_ms_p50"] = median(times)
        out[f"summary_{name}_bytes"] = len(resp.content)
    sizes = {
        "outline_street_bytes": ("/api/v1/leader/outline", {"scope": street}),
        "grids_bytes": ("/api/v1/grids", {}),
        "open_cases_bytes": ("/api/v1/cases", {"open": "1", "limit": "5000"}),
    }
    for key, (path, params) in sizes.items():
        resp = requests.get(f"{live.base_url}{path}", params=params, headers=headers, timeout=120)
        resp.raise_for_status()
        out[key] = len(resp.content)
    return out


def worst_street(live: LiveApp) -> str:
    """The street with the most overdue cases: the first a leader drills into (top of 超期案件's 最差)."""
    body = requests.get(f"{live.base_url}/api/v1/leader/summary", headers=live.headers("leader"), timeout=60).json()
    return body["rankings"]["overdue"]["worst"][0]["code"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--grids", type=int, default=8000)
    p.add_argument("--cases", type=int, default=2000, help="open cases seeded before the loads")
    p.add_argument("--loads", type=int, default=5, help="cold loads of each page")
    p.add_argument("--json-out", type=Path)
    p.add_argument("--workdir", type=Path)
    return p.parse_args()


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    ours, naive = report["leader"], report["naive"]
    out = {
        "leader_drawn_ms_p50": median([x["drawn_ms"] for x in ours]),
        "leader_drawn_ms_max": max(x["drawn_ms"] for x in ours),
        "leader_bytes_p50": median([x["bytes_total"] for x in ours]),
        "leader_summary_bytes": ours[0]["bytes_summary"],
        "leader_drill_ms_p50": median([x["drill_ms"] for x in ours if "drill_ms" in x]),
        "naive_drawn_ms_p50": median([x["drawn_ms"] for x in naive]),
        "naive_bytes_p50": median([x["bytes_total"] for x in naive]),
    }
    if out["leader_drawn_ms_p50"] and out["naive_drawn_ms_p50"]:
        out["time_ratio"] = round(out["naive_drawn_ms_p50"] / out["leader_drawn_ms_p50"], 1)
        out["bytes_ratio"] = round(out["naive_bytes_p50"] / out["leader_bytes_p50"], 1)
    return out


def main() -> None:
    args = parse_args()
    from playwright.sync_api import sync_playwright

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gc-leader-bench-"))
    sizes = Jurisdiction(grids=args.grids, streets=25, communities=max(24, args.grids // 14), seed=5)
    report: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg": os.getloadavg()},
        "load": {"grids": args.grids, "open_cases": args.cases, "loads": args.loads},
    }
    t0 = time.monotonic()
    with running_app(workdir, sizes) as live:
        writer = CaseWriter(live.env)
        seed_open_cases(writer, args.cases, random.Random(1))
        wait_relayed(writer)
        print(f"app up and {args.cases} open cases seeded in {time.monotonic() - t0:.0f} s", flush=True)
        street = worst_street(live)
        report["street"] = street
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            state = sign_in(browser, live)
            load_leader(browser, live, state, None)  # warm the server's own caches (grid index, catalog) once
            report["leader"] = [load_leader(browser, live, state, street) for _ in range(args.loads)]
            print("leader:", report["leader"], flush=True)
            report["naive"] = [load_naive(browser, live, state) for _ in range(args.loads)]
            print("naive:", report["naive"], flush=True)
            browser.close()
        report["server"] = server_side(live, street)
    report["machine"]["load_avg_end"] = os.getloadavg()
    report["summary"] = summarise(report)
    print(json.dumps({"server": report["server"], "summary": report["summary"]}, indent=2, ensure_ascii=False))
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
