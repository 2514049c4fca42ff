"""Big screen under load: first paint, main-thread cost of each 1 Hz frame, and JS heap over a soak — for /screen
and for the naive baseline (bench/screen_naive_app.py: the whole picture re-sent as GeoJSON every second),
measured in the same run on the same data.

    .venv/bin/python bench/screen_perf.py [--grids 8000] [--cases 2000] [--patrols 10000] [--soak-min 10]
                                          [--naive-soak-min 5] [--json-out FILE]

Load: `gridcmd init --grids 8000` into a temporary SQLite file; 2,000 open cases written through the real
services (reported, filed and dispatched, with stage clocks started at spread-out past times so every deadline
colour occurs); 10,000 patrols each sending a fix every 10 s (1,000 fixes a second into the patrol store, so each
1 Hz frame carries ~1,000 moved patrols); and the real simulator (`feeds.simulator`) at 60× speed: new cases
arrive at 2,000 a day × 60 and run the simulated lifecycle (file, dispatch, handle, close, visit-back). The
2,000 seeded cases stay open as a standing backlog (the simulator does not adopt them).

Measured in headless Chromium at 1920×1080 (no GPU):
- first paint: from navigation start until the map is complete (8,000 grids drawn, snapshot applied, patrols
  painted); also first contentful paint and "every panel filled" (charts drawn);
- frame cost: Chrome trace of the page over 30 s, main thread (CrRendererMain) per one-second window: scripting
  (union of FunctionCall/EvaluateScript/TimerFire/FireAnimationFrame/EventDispatch/RunMicrotasks) and total
  busy time (RunTask); plus the page's own timings of each patrol-frame and delta handler;
- heap: JS heap after a forced GC (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage) every 30 s over the
  soak, growth from the sample after warm-up to the end and the least-squares trend (MB/h); DOM nodes and
  listeners alongside;
- agreement: at the end of the soak the simulator stops, the outbox drains, and the page's open cases must be
  exactly the server's (nothing missing, nothing doubled, nothing stale after an hour of deltas).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `tests.e2e.*` and `bench.*` importable

from dashboard.live.keys import Keys  # noqa: E402
from dashboard.live.patrols import Fix, PatrolStore  # noqa: E402
from dashboard.live.redis_conn import connect  # noqa: E402
from dashboard.services.clock import utcnow  # noqa: E402
from dashboard.services.commands import Ctx, dispatch_case, file_case  # noqa: E402
from dashboard.services.intake import ReportCase, report_case  # noqa: E402
from dashboard.store.db import transaction  # noqa: E402
from dashboard.store.models import Case, Outbox  # noqa: E402
from tests.e2e.screen_cases import CaseWriter  # noqa: E402
from tests.e2e.server import Jurisdiction, LiveApp, free_port, launch_chromium, running_app  # noqa: E402

SCRIPTING = {"FunctionCall", "EvaluateScript", "TimerFire", "FireAnimationFrame", "EventDispatch", "RunMicrotasks"}
TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "toplevel",
    "v8.execute",
    "blink.user_timing",
]
WALL_COMPLETE = """(n) => {
  const g = window.gridcmdLive;
  if (!g || g.state !== 'live' || g.gridCount() < n.grids || g.openCount() < n.cases) return false;
  const layer = g.patrolLayer();
  return !!(layer && layer.draws > 0 && layer.shown > 0 && g.marks().gridsDone);
}"""
CHARTS_DRAWN = """() => ['major', 'source', 'trend', 'ranking'].every((n) => {
  const box = document.getElementById('screen-chart-' + n);
  const gd = box && (box.classList.contains('js-plotly-plot') ? box : box.querySelector('.js-plotly-plot'));
  return gd && gd.data && gd.data.length > 0;
})"""
NAIVE_COMPLETE = """(n) => document.querySelectorAll('.leaflet-overlay-pane path').length >= n.grids
  && document.querySelectorAll('.marker-cluster').length > 0
  && document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length > 0"""
AFTER_PAINT = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now()))))"
)
FCP = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def stats(values: list[float]) -> dict[str, Any]:
    """n, p50, p95, max (ms, one decimal)."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(pct(values, 50) or 0, 1),
        "p95": round(pct(values, 95) or 0, 1),
        "max": round(max(values), 1),
        "mean": round(sum(values) / len(values), 1),
    }


# ---------------------------------------------------------------- load


def seed_open_cases(writer: CaseWriter, count: int, rng: random.Random) -> None:
    """`count` open cases through the services: 40 % reported, 30 % filed, 30 % dispatched, clocks in the past."""
    settings = writer.settings
    conditions = [c for c in writer.catalog if c.department_code]
    made = 0
    while made < count:
        with transaction(writer.sessions) as session:
            for _ in range(min(100, count - made)):
                lon, lat = writer.random_point(rng)
                cmd = ReportCase(description="压测案件", lat=lat, lon=lon, source=rng.choice(SOURCES), actor="bench")
                case = report_case(
                    cmd, session=session, grids=writer.index, county_code=settings.county_code, tz=settings.timezone
                ).case
                made += 1
                roll = rng.random()
                if roll < 0.4:
                    continue
                item = rng.choice(conditions)
                if roll < 0.7:  # filed: dispatch clock (10 or 30 min) started 0..40 min ago: every colour occurs
                    at = utcnow() - timedelta(minutes=rng.uniform(0, 40))
                    ctx = Ctx(session=session, actor=writer.actor, cal=writer.calendar, tz=settings.timezone, now=at)
                    file_case(ctx, case.id, expected_version=case.version, condition=item.code)
                    continue
                at = utcnow() - timedelta(hours=rng.uniform(0.2, 30))
                ctx = Ctx(session=session, actor=writer.actor, cal=writer.calendar, tz=settings.timezone, now=at)
                case = file_case(ctx, case.id, expected_version=case.version, condition=item.code)
                dispatch_case(ctx, case.id, expected_version=case.version, department=item.department_code)


SOURCES = ("grid_worker", "grid_worker", "grid_worker", "hotline_12345", "wechat", "video", "open311")


def wait_relayed(writer: CaseWriter, timeout_s: float = 300) -> None:
    """Until the app's outbox relay has published every queued row."""
    from sqlalchemy import func, select

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with transaction(writer.sessions) as session:
            if not session.scalar(select(func.count(Outbox.id)).where(Outbox.sent_at.is_(None))):
                return
        time.sleep(0.5)
    raise RuntimeError("the outbox relay did not drain")


def patrol_feed(writer: CaseWriter, count: int, stop: threading.Event) -> None:
    """`count` patrols walking; each sends a fix every 10 s, i.e. count/10 fixes a second (1 Hz frames)."""
    rng = random.Random(7)
    store = PatrolStore(connect(writer.settings), Keys(writer.settings.redis_prefix))
    fleet = [[f"b{i:05d}", *writer.random_point(rng), "busy" if i % 7 == 0 else "available"] for i in range(count)]
    store.ingest([Fix(p[0], p[1], p[2], p[3], int(time.time() * 1000)) for p in fleet])
    tick = 0
    while not stop.is_set():
        started = time.monotonic()
        now_ms = int(time.time() * 1000)
        batch = []
        for p in fleet[tick % 10 :: 10]:
            p[1] += rng.uniform(-0.0006, 0.0006)  # ~50 m in 10 s
            p[2] += rng.uniform(-0.0005, 0.0005)
            batch.append(Fix(p[0], p[1], p[2], p[3], now_ms))
        store.ingest(batch)
        tick += 1
        stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))


def hold_backlog(writer: CaseWriter, seeded: list[int], stop: threading.Event) -> dict[str, int]:
    """Keep the number of open cases where it was: for every case the simulator leaves open, close a seeded one.

    At 60× the simulated lifecycle (deadlines of hours to days) does not reach a steady state within an hour,
    so the open set grows by half and the wall's heap with it. A command center's week has a roughly steady
    open set; with this on, heap growth over the soak measures leaks, not more data. Closing goes through the
    real commands (self-handled, or round the loop), so the wall sees ordinary deltas.
    """
    from sqlalchemy import func, select

    from dashboard.domain.cases import TERMINAL
    from dashboard.services.errors import Conflict

    open_now = Case.state.not_in([s.value for s in TERMINAL])
    with transaction(writer.sessions) as session:
        target = session.scalar(select(func.count(Case.id)).where(open_now)) or 0
    stats = {"target": target, "closed": 0}
    queue = list(seeded)

    def run() -> None:
        while not stop.wait(2.0) and queue:
            with transaction(writer.sessions) as session:
                excess = (session.scalar(select(func.count(Case.id)).where(open_now)) or 0) - target
            for _ in range(min(max(excess, 0), 50)):
                if not queue:
                    break
                with transaction(writer.sessions) as session:
                    case = session.get(Case, queue.pop(0))
                if case is None or case.state in {s.value for s in TERMINAL}:
                    continue
                try:
                    writer.close_out(case)
                    stats["closed"] += 1
                except Conflict:
                    continue  # the overdue rule touched it meanwhile: take the next one

    threading.Thread(target=run, name="hold-backlog", daemon=True).start()
    return stats


def start_simulator(writer: CaseWriter, speed: float) -> Any:
    """The real simulator (cases at 2,000/day × speed, simulated lifecycle), not adopting the seeded backlog."""
    from dashboard.runtime import Runtime
    from feeds.simulator import Simulator, SimulatorConfig

    sim = Simulator(Runtime.build(writer.settings), SimulatorConfig(per_day=2000, speed=speed, patrols=0))
    sim.lifecycle.adopt_open_cases = lambda *a, **k: None  # type: ignore[method-assign]
    for target in (sim.run_cases, sim.run_lifecycle):
        threading.Thread(target=target, daemon=True).start()
    return sim


# ---------------------------------------------------------------- browser measurements


def trace_costs(raw: bytes) -> dict[str, Any]:
    """Per one-second window: main-thread scripting and busy time, and the painter worker's busy time (ms)."""
    data = json.loads(raw)
    events = data["traceEvents"] if isinstance(data, dict) else data
    names: dict[tuple[int, int], str] = {}
    for e in events:
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
    spans: dict[tuple[int, int], dict[str, list[tuple[float, float]]]] = {}
    for e in events:
        if e.get("ph") != "X" or "dur" not in e:
            continue
        key = (e["pid"], e["tid"])
        kind = (
            "busy"
            if e["name"] in ("RunTask", "ThreadControllerImpl::RunTask")
            else ("script" if e["name"] in SCRIPTING else None)
        )
        if kind:
            spans.setdefault(key, {"busy": [], "script": []})[kind].append(
                (e["ts"] / 1000, (e["ts"] + e["dur"]) / 1000)
            )
    mains = [k for k in spans if names.get(k) == "CrRendererMain"]
    workers = [k for k in spans if (names.get(k) or "").startswith("DedicatedWorker")]
    if not mains:
        return {}
    main = max(mains, key=lambda k: sum(b - a for a, b in spans[k]["busy"]))
    start = min(a for a, _ in spans[main]["busy"])
    end = max(b for _, b in spans[main]["busy"])
    windows = max(1, int((end - start) // 1000))

    def per_window(intervals: list[tuple[float, float]]) -> list[float]:
        merged: list[list[float]] = []
        for a, b in sorted(intervals):  # union: nested events count once
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out = [0.0] * windows
        for a, b in merged:
            for w in range(int((a - start) // 1000), int((b - start) // 1000) + 1):
                if 0 <= w < windows:
                    lo, hi = start + w * 1000, start + (w + 1) * 1000
                    out[w] += max(0.0, min(b, hi) - max(a, lo))
        return out

    result = {
        "windows": windows,
        "main_scripting_ms_per_s": stats(per_window(spans[main]["script"])),
        "main_busy_ms_per_s": stats(per_window(spans[main]["busy"])),
    }
    if workers:
        worker = max(workers, key=lambda k: sum(b - a for a, b in spans[k]["busy"]))
        result["worker_busy_ms_per_s"] = stats(per_window(spans[worker]["busy"]))
    return result


# In-page stamp for the baseline: checked every 50 ms, stamped at the second animation frame after it holds.
STAMP_WHEN = """
(() => {
  const n = %s;
  const check = %s;
  const timer = setInterval(() => {
    let ok = false;
    try { ok = check(n); } catch (e) { ok = false; }
    if (!ok) return;
    clearInterval(timer);
    requestAnimationFrame(() => requestAnimationFrame(() => { window.__complete = performance.now(); }));
  }, 50);
})();
"""


def wall_context(browser: Any) -> Any:
    """A fresh browser context the size and locale of the command hall's wall (1920×1080, zh-CN, Beijing time)."""
    return browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")


def first_paint(browser: Any, url: str, ready_js: str, arg: dict[str, int], charts: bool) -> dict[str, Any]:
    """One cold load in a fresh context: ms from navigation start to FCP, a complete map, and filled panels."""
    context = wall_context(browser)
    if not charts:
        context.add_init_script(STAMP_WHEN % (json.dumps(arg), ready_js))
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_function(ready_js, arg=arg, timeout=120_000, polling="raf")
        complete = page.evaluate(AFTER_PAINT)
        # Both pages stamp the frame in the page (the evaluate round trip above can lag behind under load).
        if charts:
            page.wait_for_function("() => 'mapPainted' in window.gridcmdLive.marks()", timeout=60_000)
            complete = page.evaluate("window.gridcmdLive.marks().mapPainted")
        else:
            page.wait_for_function("() => window.__complete !== undefined", timeout=60_000)
            complete = page.evaluate("window.__complete")
        out = {"map_complete_ms": round(complete), "fcp_ms": page.evaluate(FCP)}
        if charts:
            page.wait_for_function(CHARTS_DRAWN, timeout=120_000, polling="raf")
            out["panels_complete_ms"] = round(page.evaluate(AFTER_PAINT))
            out["marks"] = {k: round(v) for k, v in page.evaluate("window.gridcmdLive.marks()").items()}
        return out
    finally:
        context.close()


def heap(cdp: Any) -> dict[str, float]:
    """JS heap after a forced GC, DOM nodes and listeners."""
    cdp.send("HeapProfiler.collectGarbage")
    used = cdp.send("Runtime.getHeapUsage")["usedSize"]
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "heap_mb": round(used / 2**20, 2),
        "nodes": metrics.get("Nodes", 0),
        "listeners": metrics.get("JSEventListeners", 0),
        "script_s": metrics.get("ScriptDuration", 0.0),
        "task_s": metrics.get("TaskDuration", 0.0),
    }


def slope_mb_per_h(samples: list[dict[str, Any]]) -> float | None:
    """Least-squares trend of the heap in MB per hour: a leak shows as a steady positive slope, GC noise does not."""
    if len(samples) < 3:
        return None
    xs = [s["t_s"] / 3600 for s in samples]
    ys = [s["heap_mb"] for s in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var, 2) if var else None


def agreement(page: Any, writer: CaseWriter, settle: Callable[[], None]) -> dict[str, Any]:
    """After `settle` (simulator stopped, outbox drained): the page's open cases against the server's, exactly."""
    from sqlalchemy import select

    from dashboard.domain.cases import TERMINAL

    settle()
    page.wait_for_timeout(3000)  # the last deltas reach the page
    with transaction(writer.sessions) as session:
        server = set(session.scalars(select(Case.id).where(Case.state.not_in([s.value for s in TERMINAL]))))
    shown = set(page.evaluate("window.gridcmdLive.caseIds()"))
    return {
        "server_open": len(server),
        "page_open": len(shown),
        "missing_on_page": sorted(server - shown)[:20],
        "extra_on_page": sorted(shown - server)[:20],
        "exact": server == shown,
        "state": page.evaluate("window.gridcmdLive.state"),
    }


def trace_steady_state(browser: Any, page: Any, ours: bool, result: dict[str, Any]) -> None:
    """Trace 30 s of the warmed-up page into `result`; for our wall also its own handler timings and contents."""
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    page.wait_for_timeout(30_000)
    trace = trace_costs(browser.stop_tracing())
    # The 2-core box is shared: record how busy it was, to read the figures against.
    result.update({"trace": trace, "load_avg_1m": round(os.getloadavg()[0], 2)})
    if ours:
        raw = page.evaluate("window.gridcmdLive.perf(true)")
        result["handlers"] = {k: stats(v) for k, v in raw.items()}
        result["patrol_layer"] = page.evaluate("window.gridcmdLive.patrolLayer()")
        result["open_cases"] = page.evaluate("window.gridcmdLive.openCount()")
        result["patrols"] = page.evaluate("window.gridcmdLive.patrolCount()")


def soak_samples(
    page: Any, cdp: Any, soak_min: float, ours: bool, samples: list[dict[str, Any]], save: Callable[[], None]
) -> None:
    """Heap samples every 30 s for `soak_min` minutes, appended to `samples` and saved as each one comes."""
    began = time.monotonic()
    while True:
        sample = heap(cdp)
        sample["t_s"] = round(time.monotonic() - began)
        if ours:  # what the page holds, to read heap changes against
            sample["open_cases"] = page.evaluate("window.gridcmdLive.openCount()")
        samples.append(sample)
        save()
        print(f"  soak t={sample['t_s']:>4} s heap {sample['heap_mb']:.2f} MB nodes {sample['nodes']:.0f}", flush=True)
        if time.monotonic() - began >= soak_min * 60:
            break
        page.wait_for_timeout(30_000)


def soak_summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The soak from its first sample to its last: heap growth and trend, DOM size, CPU per second."""
    first, last = samples[0], samples[-1]
    elapsed = max(1.0, last["t_s"] - first["t_s"])
    return {
        "minutes": round(elapsed / 60, 1),
        "load_avg_1m_end": round(os.getloadavg()[0], 2),
        "heap_start_mb": first["heap_mb"],
        "heap_end_mb": last["heap_mb"],
        "heap_max_mb": max(s["heap_mb"] for s in samples),
        "heap_growth_pct": round(100 * (last["heap_mb"] - first["heap_mb"]) / first["heap_mb"], 1),
        "heap_slope_mb_per_h": slope_mb_per_h(samples),
        "heap_slope_mb_per_h_second_half": slope_mb_per_h(samples[len(samples) // 2 :]),
        "nodes_start": first["nodes"],
        "nodes_end": last["nodes"],
        "open_cases_start": first.get("open_cases"),
        "open_cases_end": last.get("open_cases"),
        "script_ms_per_s": round(1000 * (last["script_s"] - first["script_s"]) / elapsed, 1),
        "task_ms_per_s": round(1000 * (last["task_s"] - first["task_s"]) / elapsed, 1),
    }


def steady(
    browser: Any,
    url: str,
    ready_js: str,
    arg: dict[str, int],
    args: argparse.Namespace,
    soak_min: float,
    ours: bool,
    result: dict[str, Any],
    save: Callable[[], None],
    check: Callable[[Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Open the page, trace 30 s of steady state, then soak with heap samples every 30 s (saved as they come).

    `result` is filled in place and `save()` called after each step, so a run cut short keeps what it measured.
    `check(page)`, when given, runs at the end of the soak (the page's picture against the server's).
    """
    context = wall_context(browser)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(ready_js, arg=arg, timeout=120_000)
        page.wait_for_timeout(args.warmup_s * 1000)
        trace_steady_state(browser, page, ours, result)
        save()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        # The samples sit in `result` while the soak runs, so a partial save has them; then they move under "soak".
        samples: list[dict[str, Any]] = []
        result["soak_samples"] = samples
        soak_samples(page, cdp, soak_min, ours, samples, save)
        result["soak"] = soak_summary(samples)
        result["soak"]["samples"] = result.pop("soak_samples")
        if ours:
            result["open_cases_end"] = page.evaluate("window.gridcmdLive.openCount()")
            result["state_end"] = page.evaluate("window.gridcmdLive.state")
        if check is not None:
            result["agreement"] = check(page)
            print("  agreement at the end of the soak:", result["agreement"], flush=True)
        save()
        return result
    finally:
        context.close()


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grids", type=int, default=8000)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--patrols", type=int, default=10_000)
    parser.add_argument("--speed", type=float, default=60)
    parser.add_argument("--soak-min", type=float, default=10)
    parser.add_argument("--naive-soak-min", type=float, default=5)
    parser.add_argument("--loads", type=int, default=3, help="cold loads for first paint")
    parser.add_argument("--warmup-s", type=float, default=20)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument(
        "--steady-backlog",
        action="store_true",
        help="close a seeded case for each new open one, so the open set (and the wall's data) stays the same size",
    )
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--workdir", type=Path)
    return parser.parse_args()


def saver(report: dict[str, Any], json_out: Path | None) -> Callable[[], None]:
    """A `save()` writing the report so far to `json_out` (if given), atomically: a run cut short keeps it whole."""

    def save() -> None:
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            tmp = json_out.with_suffix(".partial")
            tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
            tmp.replace(json_out)

    return save


def start_load(writer: CaseWriter, args: argparse.Namespace, stop: threading.Event, report: dict[str, Any]) -> Any:
    """Seed the open backlog, then start the patrol feed and the simulator (and the backlog holder); returns the
    simulator."""
    t0 = time.monotonic()
    seed_open_cases(writer, args.cases, random.Random(1))
    wait_relayed(writer)
    print(f"seeded {args.cases} open cases in {time.monotonic() - t0:.0f} s", flush=True)
    threading.Thread(target=patrol_feed, args=(writer, args.patrols, stop), daemon=True).start()
    sim = start_simulator(writer, args.speed)
    if args.steady_backlog:
        from sqlalchemy import select

        with transaction(writer.sessions) as session:
            seeded = list(session.scalars(select(Case.id).order_by(Case.id)))
        report["load"]["steady_backlog"] = hold_backlog(writer, seeded, stop)
    return sim


def measure_ours(
    browser: Any,
    live: LiveApp,
    writer: CaseWriter,
    sim: Any,
    arg: dict[str, int],
    args: argparse.Namespace,
    report: dict[str, Any],
    save: Callable[[], None],
) -> None:
    """/screen: cold loads, then the steady state and soak, ending with the page's cases against the server's."""
    url = f"{live.base_url}/screen?token={live.tokens['screen']}"
    loads = [first_paint(browser, url, WALL_COMPLETE, arg, charts=True) for _ in range(args.loads)]
    print("first paint (ours):", loads, flush=True)
    report["ours"] = {"first_paint": loads}
    save()

    def settle() -> None:
        sim.stop.set()  # no new changes: the page must then hold exactly the server's open cases
        time.sleep(2)
        wait_relayed(writer)

    def check(page: Any) -> dict[str, Any]:
        return agreement(page, writer, settle)

    steady(
        browser, url, WALL_COMPLETE, arg, args, args.soak_min, ours=True, result=report["ours"], save=save, check=check
    )


def measure_naive(
    browser: Any,
    writer: CaseWriter,
    arg: dict[str, int],
    args: argparse.Namespace,
    report: dict[str, Any],
    save: Callable[[], None],
) -> None:
    """The naive baseline app, served for the run's duration: cold loads, then the steady state and soak."""
    from bench.screen_naive_app import serve_in_thread

    port = free_port()
    httpd = serve_in_thread(writer.settings, port)
    try:
        url = f"http://127.0.0.1:{port}/"
        loads = [first_paint(browser, url, NAIVE_COMPLETE, arg, charts=False) for _ in range(args.loads)]
        print("first paint (naive):", loads, flush=True)
        report["naive"] = {"first_paint": loads}
        save()
        soak_min = args.naive_soak_min
        steady(browser, url, NAIVE_COMPLETE, arg, args, soak_min, ours=False, result=report["naive"], save=save)
    finally:
        httpd.shutdown()


def summary_of(report: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of each side that ran, side by side."""
    return {
        side: {
            "map_complete_ms_p50": pct([x["map_complete_ms"] for x in report[side]["first_paint"]], 50),
            "fcp_ms_p50": pct([x["fcp_ms"] or 0 for x in report[side]["first_paint"]], 50),
            "main_scripting_ms_per_s": report[side]["trace"].get("main_scripting_ms_per_s"),
            "main_busy_ms_per_s": report[side]["trace"].get("main_busy_ms_per_s"),
            "heap_growth_pct": report[side]["soak"]["heap_growth_pct"],
            "heap_slope_mb_per_h": report[side]["soak"]["heap_slope_mb_per_h"],
            "agreement_exact": report[side].get("agreement", {}).get("exact"),
            "heap_mb": [report[side]["soak"]["heap_start_mb"], report[side]["soak"]["heap_end_mb"]],
        }
        for side in ("ours", "naive")
        if side in report
    }


def main() -> None:
    args = parse_args()

    from playwright.sync_api import sync_playwright

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gc-screen-bench-"))
    sizes = Jurisdiction(grids=args.grids, streets=25, communities=max(24, args.grids // 14), seed=5)
    report: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load": {"grids": args.grids, "open_cases": args.cases, "patrols": args.patrols, "speed": args.speed},
    }
    stop = threading.Event()
    save = saver(report, args.json_out)

    with running_app(workdir, sizes) as live:
        live: LiveApp
        writer = CaseWriter(live.env)
        sim = start_load(writer, args, stop, report)
        time.sleep(5)
        arg = {"grids": args.grids, "cases": args.cases}
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            measure_ours(browser, live, writer, sim, arg, args, report, save)
            created_before = sim.created
            sim = start_simulator(writer, args.speed)  # the baseline gets the same live load
            print(json.dumps({k: v for k, v in report["ours"].items() if k != "soak"}, ensure_ascii=False), flush=True)
            if not args.skip_naive:
                measure_naive(browser, writer, arg, args, report, save)
            browser.close()
        stop.set()
        sim.stop.set()
        with transaction(writer.sessions) as session:
            from sqlalchemy import func, select

            report["load"]["cases_created_by_simulator"] = created_before + sim.created
            report["load"]["cases_total"] = session.scalar(select(func.count(Case.id)))
    report["summary"] = summary = summary_of(report)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    save()


if __name__ == "__main__":
    main()
