"""`make screenshots`: a picture of every view on a busy demo day, for the README and DESIGN.md.

    .venv/bin/python bench/screenshots.py [--out docs/screenshots] [--cases 400] [--seed-seconds 60]

Builds a throw-away demo jurisdiction in a temporary directory exactly as `make run` does (`gridcmd
init-if-empty --demo-users`: Tongzhou's 1,809 grids, a SQLite file and the embedded Redis, random demo
passwords in var/demo-credentials.txt), serves it on a free port (`gridcmd serve`), runs the live simulator
(`gridcmd simulate`, sped up so a few hundred cases arrive and move round the loop within a minute), then signs
in as each role in Debian's headless Chromium (never a downloaded browser) and writes:

    screen.png         /screen    1920×1080  the command hall's wall
    dispatch.png       /dispatch  1920×1080  the dispatcher's desk: the whole queue, its top case opened
    admin.png          /admin     1440×900   system administration: users, one account opened
    leader-phone.png   /leader    390×844 @2x, a phone
    leader-tablet.png  /leader    1024×768 @2x, a tablet held landscape
    leader-street.png  /leader    390×844 @2x, a phone drilled into the worst street: its map, departments ranked

Each picture is taken once its view is really drawn (live connection up, map, markers, charts, queue rows or
summary present, no page errors). The server, the simulator and the embedded Redis are stopped and the
temporary directory removed on every exit, an error included.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `feeds` and `dashboard` importable

from dashboard.live.redis_conn import stop_embedded_redis  # noqa: E402
from feeds.simulator import arrival_rate_per_real_s  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SIM_SPEED = 60.0  # the simulator's default (`make run`): a real second is a simulated minute
FAST = 600.0  # while seeding: a case goes round the loop within a minute or two
LIVE_RATE = 3.0  # cases per real second while the pictures are taken (a busy hour's pace at the desk)
TZ = "Asia/Shanghai"

# What "drawn" means for each view, as the e2e tests read the pages (tests/e2e/test_screen*.py, test_dispatch.py,
# test_leader.py, test_roles.py).
SCREEN_READY = """() => {
  const g = window.gridcmdLive;
  if (!g || g.state !== 'live' || g.gridCount() === 0 || g.summaryFetches() === 0) return false;
  if (g.openCount() === 0 || g.patrolCount() === 0 || !('mapPainted' in g.marks())) return false;
  const tile = document.getElementById('screen-kpi-filed');
  if (!tile || ['—', ''].includes(tile.textContent.trim())) return false;
  if (document.querySelectorAll('#screen-board-list li').length === 0) return false;
  return ['major', 'source', 'trend', 'ranking'].every((n) => {
    const box = document.getElementById('screen-chart-' + n);
    const gd = box && (box.classList.contains('js-plotly-plot') ? box : box.querySelector('.js-plotly-plot'));
    return gd && gd.data && gd.data.length > 0;
  });
}"""
DISPATCH_READY = """() => {
  const d = window.gridcmdDispatch;
  return d && d.state === 'live' && d.gridReady && d.catalogReady
    && document.querySelectorAll('.ag-center-cols-container .ag-row').length >= 5
    && document.querySelector('path.dq-grid') !== null;
}"""
ADMIN_READY = "() => document.querySelectorAll('#admin-root .admin-row').length > 0"
LEADER_READY = """() => window.gridcmdLeaderView && window.gridcmdLeaderView.summary() !== null
  && document.querySelectorAll('#leader-cards > *').length > 0
  && document.querySelectorAll('#leader-rank > *').length > 0"""


@dataclass(frozen=True)
class Shot:
    """One picture: who signs in, where they land, the viewport and when the page counts as drawn."""

    file: str
    role: str
    path: str
    width: int
    height: int
    ready: str
    scale: float = 1
    mobile: bool = False
    settle_ms: int = 1500  # let transitions, arrival pulses and the first live deltas finish


SHOTS = (  # the desk last: by then the live feed has queued fresh reports at 待受理
    Shot("admin.png", "admin", "/admin/", 1440, 900, ADMIN_READY),
    Shot("screen.png", "screen", "/screen/", 1920, 1080, SCREEN_READY, settle_ms=4500),
    Shot("leader-phone.png", "leader", "/leader/", 390, 844, LEADER_READY, scale=2, mobile=True),
    Shot("leader-tablet.png", "leader", "/leader/", 1024, 768, LEADER_READY, scale=2),
    Shot("leader-street.png", "leader", "/leader/", 390, 844, LEADER_READY, scale=2, mobile=True),
    Shot("dispatch.png", "dispatcher", "/dispatch/", 1920, 1080, DISPATCH_READY),
)


@dataclass
class Demo:
    """The throw-away install: its directory, environment, accounts and the processes started for it."""

    workdir: Path
    env: dict[str, str]
    passwords: dict[str, str] = field(default_factory=dict)
    base_url: str = ""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def var_dir(self) -> Path:
        return Path(self.env["VAR_DIR"])

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def tail(self, name: str, chars: int = 3000) -> str:
        with suppress(OSError):
            return self.log(name).read_text(encoding="utf-8", errors="replace")[-chars:]
        return ""


STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"[screenshots {time.monotonic() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_env(workdir: Path) -> dict[str, str]:
    """`make run`'s defaults moved into `workdir`: SQLite, the embedded Redis, a random key, Chinese, offline map."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SECRET_KEY", "DATABASE_URL", "TILE_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'gridcmd.db'}",
        REDIS_URL="",  # empty: the embedded Redis on VAR_DIR/redis.sock
        VAR_DIR=str(workdir / "var"),
        LANG="zh",
        TIMEZONE=TZ,
        PYTHONUNBUFFERED="1",
    )
    return env


def gridcmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "dashboard", *args]


def build_jurisdiction(demo: Demo) -> None:
    """`gridcmd init-if-empty --demo-users`, then read the random passwords it wrote."""
    started = time.monotonic()
    with demo.log("init").open("wb") as log:
        done = subprocess.run(
            gridcmd("init-if-empty", "--demo-users"),
            cwd=ROOT,
            env=demo.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=300,
        )
    if done.returncode != 0:
        raise RuntimeError(f"gridcmd init-if-empty failed ({done.returncode}):\n{demo.tail('init')}")
    text = (demo.var_dir / "demo-credentials.txt").read_text(encoding="utf-8")
    demo.passwords = dict(re.findall(r"^(\w+)\s+password: (\S+)$", text, flags=re.MULTILINE))
    say(f"jurisdiction built in {time.monotonic() - started:.0f} s, accounts: {', '.join(demo.passwords)}")


# A center has more people than the four demo accounts: a few colleagues make the admin's user list look real.
COLLEAGUES = (
    ("zhangwei", "张伟", "dispatcher", "", ""),
    ("liuxm", "刘晓梅", "leader", "street", ""),
    ("wangjg", "王建国", "handler", "", "department"),
    ("hall-east", "东厅大屏", "screen", "", ""),
)


def add_colleagues(demo: Demo) -> None:
    """`gridcmd create-user` for COLLEAGUES (a street leader of the first street, a handler of a department)."""
    db = demo.workdir / "gridcmd.db"
    with sqlite3.connect(db) as conn:
        street = conn.execute("SELECT code FROM streets ORDER BY code LIMIT 1").fetchone()[0]
        department = conn.execute("SELECT code FROM departments ORDER BY code LIMIT 1").fetchone()[0]
    for name, display, role, scope, dept in COLLEAGUES:
        cmd = gridcmd("create-user", name, "--role", role, "--display-name", display, "--password", os.urandom(9).hex())
        cmd += ["--scope", street] if scope else []
        cmd += ["--department", department] if dept else []
        subprocess.run(cmd, cwd=ROOT, env=demo.env, check=True, capture_output=True, timeout=60)


def spawn(demo: Demo, name: str, cmd: list[str], extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a process logging to workdir/<name>.log, remembered so that `stop_all` ends it."""
    with demo.log(name).open("wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env={**demo.env, **(extra_env or {})}, stdout=log, stderr=subprocess.STDOUT
        )
    demo.processes.append(proc)
    return proc


def start_server(demo: Demo, timeout_s: float = 90) -> None:
    """`gridcmd serve` on a free port (it starts the embedded Redis); wait until /readyz answers 200."""
    port = free_port()
    proc = spawn(demo, "server", gridcmd("serve", "--host", "127.0.0.1", "--port", str(port)))
    demo.base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gridcmd serve exited with {proc.returncode}:\n{demo.tail('server')}")
        with suppress(requests.RequestException):
            if requests.get(f"{demo.base_url}/readyz", timeout=2).status_code == 200:
                say(f"serving {demo.base_url}")
                return
        time.sleep(0.3)
    raise RuntimeError(f"gridcmd serve not ready within {timeout_s:.0f} s:\n{demo.tail('server')}")


def per_day_for(cases: float, seconds: float, speed: float) -> float:
    """The simulator's --per-day that reports about `cases` in the next `seconds` at `speed`, whatever the hour.

    The simulator thins arrivals by the simulated hour of the day, and at a high speed-up that hour moves fast
    (ten hours a minute at ×600): sum its rate over the window rather than take the rate of this hour.
    """
    from zoneinfo import ZoneInfo

    from dashboard.domain.clock import utcnow

    now = utcnow().astimezone(ZoneInfo(TZ))
    per_unit = sum(
        arrival_rate_per_real_s(1.0, speed, (now + timedelta(seconds=s * speed)).hour) for s in range(int(seconds))
    )
    return round(cases / max(per_unit, 1e-9))


def start_simulator(demo: Demo, name: str, per_day: float, speed: float) -> subprocess.Popen[bytes]:
    """`gridcmd simulate` with every patrol; it also stops by itself if this script dies."""
    cmd = gridcmd("simulate", "--per-day", str(per_day), "--speed", f"{speed:g}")
    say(f"{name}: gridcmd simulate --per-day {per_day} --speed {speed:g}")
    return spawn(demo, name, cmd, {"GRIDCMD_STOP_WITH_PID": str(os.getpid())})


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def simulate_the_day(demo: Demo, args: argparse.Namespace) -> None:
    """A morning's worth of the loop at ×600 (cases reported, dispatched, handled, closed, a few late), then the
    live feed at `make run`'s ×60 so that new reports queue at the desk while the pictures are taken."""
    fast = start_simulator(demo, "sim-fast", per_day_for(args.cases * 1.5, args.seed_seconds, FAST), FAST)
    wait_for_cases(demo, fast, args.cases, args.seed_seconds)
    stop(fast)
    start_simulator(demo, "sim-live", per_day_for(LIVE_RATE * 120, 120, SIM_SPEED), SIM_SPEED)


def case_states(demo: Demo) -> dict[str, int]:
    db = demo.workdir / "gridcmd.db"
    with suppress(sqlite3.Error), sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return dict(conn.execute("SELECT state, count(*) FROM cases GROUP BY state").fetchall())
    return {}


def wait_for_cases(demo: Demo, sim: subprocess.Popen[bytes], target: int, timeout_s: float) -> None:
    """Let the simulated day run until `target` cases were reported (or the time is up)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if sim.poll() is not None:
            raise RuntimeError(f"the simulator exited with {sim.returncode}:\n{demo.tail('sim-fast')}")
        total = sum(case_states(demo).values())
        if total >= target:
            break
        time.sleep(2)
    counts = case_states(demo)
    total = sum(counts.values())
    states = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    say(f"{total} cases after {time.monotonic() - started:.0f} s ({states})")
    if total < target // 4:
        raise RuntimeError(f"only {total} cases were reported:\n{demo.tail('sim-fast')}")


def stop_all(demo: Demo) -> None:
    """End what this script started, newest first (simulator, server), then the embedded Redis."""
    for proc in reversed(demo.processes):
        stop(proc)
    # `gridcmd serve` stops its embedded Redis on SIGTERM; this is for a server that died before it could.
    with suppress(Exception):
        stop_embedded_redis(demo.var_dir)


@contextmanager
def running_demo(keep: bool) -> Iterator[Demo]:
    workdir = Path(tempfile.mkdtemp(prefix="gridcmd-shots-"))
    demo = Demo(workdir=workdir, env=demo_env(workdir))
    try:
        yield demo
    finally:
        stop_all(demo)
        if keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def sign_in(page: Any, demo: Demo, role: str, landing: str) -> None:
    """The login form, as a person uses it; lands on the role's view."""
    page.goto(f"{demo.base_url}/login")
    page.fill("#login-name", role)
    page.fill("#login-password", demo.passwords[role])
    page.click("#login-submit")
    page.wait_for_url(f"**{landing}*", timeout=20_000)


def open_busy_desk(page: Any) -> None:
    """The desk's 全部 tab with its top case opened (case panel, legal actions, suggestions, mini map)."""
    page.locator("#dispatch-tabs .desk-tab[data-tab=all]").click()
    rows = page.locator(".ag-center-cols-container .ag-row")
    page.wait_for_function("() => document.querySelectorAll('.ag-center-cols-container .ag-row').length >= 20")
    rows.first.click()
    page.wait_for_function("() => window.gridcmdDispatch.primary !== null", timeout=10_000)
    page.locator("#dispatch-panel .pn-facts").wait_for(timeout=10_000)
    page.mouse.move(4, 1076)  # no hover tooltip over the queue


def open_account(page: Any) -> None:
    """Open the wall account's card (its display token, reset and disable) from the user list."""
    page.locator("#admin-root .admin-row", has_text="东厅大屏").get_by_role("button").first.click()
    page.locator("#admin-user-card").wait_for(state="visible", timeout=10_000)
    page.mouse.move(4, 896)


def drill_worst_street(page: Any) -> None:
    """超期案件 → the worst street: its map of open cases drawn, then the page scrolled to the map."""
    page.locator('.leader-tab[data-by="overdue"]').tap()
    page.locator(".leader-rank-group").last.locator("button.leader-rank-row").first.tap()
    page.wait_for_function("() => window.gridcmdLeaderView.scope.length === 9", timeout=20_000)
    page.wait_for_function("() => window.gridcmdLeaderView.mapDraws() > 0", timeout=20_000)
    # The map just under the sticky header, with its legend and the rankings' head below it.
    page.evaluate("() => { document.querySelector('.leader-section--map').scrollIntoView(); window.scrollBy(0, -64); }")


AFTER_READY: dict[str, Callable[[Any], None]] = {
    "dispatch.png": open_busy_desk,
    "admin.png": open_account,
    "leader-street.png": drill_worst_street,
}


def take(browser: Any, demo: Demo, shot: Shot, out: Path) -> None:
    """Sign in as the shot's role at its viewport, wait until the view is drawn, write the PNG."""
    context = browser.new_context(
        viewport={"width": shot.width, "height": shot.height},
        device_scale_factor=shot.scale,
        is_mobile=shot.mobile,
        has_touch=shot.mobile,
        locale="zh-CN",
        timezone_id=TZ,
    )
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in(page, demo, shot.role, shot.path)
        page.wait_for_function(shot.ready, timeout=60_000, polling=250)
        if shot.file in AFTER_READY:
            AFTER_READY[shot.file](page)
        page.wait_for_timeout(shot.settle_ms)
        if errors:
            raise RuntimeError(f"{shot.file}: page errors {errors}")
        page.screenshot(path=str(out / shot.file))
    finally:
        context.close()
    say(f"wrote {out / shot.file}")


def take_all(demo: Demo, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is not installed (make browser)")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for shot in SHOTS:
                take(browser, demo, shot, out)
        finally:
            browser.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNGs")
    p.add_argument("--cases", type=int, default=400, help="cases the simulated day reports before the pictures")
    p.add_argument("--seed-seconds", type=float, default=40, help="longest wait for --cases")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, database)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    try:
        with running_demo(args.keep) as demo:
            build_jurisdiction(demo)
            add_colleagues(demo)
            start_server(demo)
            simulate_the_day(demo, args)
            take_all(demo, args.out.resolve())
    except Exception as exc:  # a Playwright timeout as well: report it, everything is stopped already
        say(f"failed after {time.monotonic() - started:.0f} s: {type(exc).__name__}: {exc}")
        return 1
    say(f"done in {time.monotonic() - started:.0f} s: {', '.join(s.file for s in SHOTS)} in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
