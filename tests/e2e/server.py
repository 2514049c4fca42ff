"""The real app as a subprocess on a free port, over a freshly built small jurisdiction.

Shared by the e2e tests (tests/e2e/conftest.py) and the latency bench (bench/e2e_latency.py), so both measure
the same thing: `gridcmd init` into a temporary SQLite file, then `app.serve()` in its own process with its own
Redis key prefix (the local Redis when it answers, else the embedded one under the temporary directory).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
CHROMIUM = "/usr/bin/chromium"
# No GPU, no background traffic: headless Chromium on a 2-core box, never a downloaded browser.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@dataclass(frozen=True)
class Jurisdiction:
    """Sizes handed to `gridcmd init`."""

    grids: int = 120
    streets: int = 4
    communities: int = 24
    seed: int = 5


@dataclass
class LiveApp:
    """A running app subprocess and what a test needs to talk to it."""

    base_url: str
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    workdir: Path
    log_path: Path
    redis_url: str
    redis_prefix: str
    tokens: dict[str, str] = field(default_factory=dict)  # role → bearer token of that role's test user
    _grids: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def grids(self) -> list[dict[str, Any]]:
        """The grid features served by GET /api/v1/grids (fetched once)."""
        if not self._grids:
            resp = requests.get(f"{self.base_url}/api/v1/grids", headers=self.headers(), timeout=30)
            resp.raise_for_status()
            self._grids = resp.json()["features"]
        return self._grids

    def inside_points(self, count: int) -> list[tuple[float, float]]:
        """(lon, lat) points strictly inside `count` different grids (shapely's representative point)."""
        from shapely.geometry import shape

        features = self.grids()
        step = max(1, len(features) // max(1, count))
        points = []
        for feature in features[::step][:count]:
            p = shape(feature["geometry"]).representative_point()
            points.append((round(p.x, 6), round(p.y, 6)))
        return points

    def post_case(self, lon: float, lat: float, description: str, source: str = "grid_worker") -> dict[str, Any]:
        """Report a case through the intake API; returns the 201 body."""
        resp = requests.post(
            f"{self.base_url}/api/v1/cases",
            json={"description": description, "lat": lat, "lon": lon, "source": source},
            headers=self.headers(),
            timeout=10,
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    def headers(self, role: str = "admin") -> dict[str, str]:
        """Authorization header of the test user with `role`."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def login(self, page: Any, role: str = "admin") -> None:
        """Sign `page` in through the login form as the test user with `role`."""
        page.goto(f"{self.base_url}/login")
        page.fill("#login-name", f"e2e-{role}")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_load_state()

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server log, for failure messages."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _local_redis_ok() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(LOCAL_REDIS, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def app_env(workdir: Path) -> dict[str, str]:
    """Environment of the app and CLI subprocesses: a temp SQLite DB and an isolated Redis prefix."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'grid.db'}",
        REDIS_URL=LOCAL_REDIS if _local_redis_ok() else "",  # empty: the app starts an embedded Redis
        REDIS_PREFIX=f"gc-e2e-{uuid.uuid4().hex[:10]}:",
        VAR_DIR=str(workdir / "var"),
        PYTHONUNBUFFERED="1",
    )
    return env


def build_jurisdiction(env: dict[str, str], sizes: Jurisdiction) -> dict[str, Any]:
    """Run `gridcmd init` (as `python -m dashboard`) into env's DATABASE_URL; returns its JSON summary."""
    cmd = [
        sys.executable,
        "-m",
        "dashboard",
        "init",
        "--grids",
        str(sizes.grids),
        "--streets",
        str(sizes.streets),
        "--communities",
        str(sizes.communities),
        "--seed",
        str(sizes.seed),
    ]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"gridcmd init failed ({done.returncode}):\n{done.stderr[-3000:]}")
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    return json.loads(last)


PASSWORD = "e2e-secret-pass"
ROLES = ("admin", "dispatcher", "leader", "screen")


def create_users(env: dict[str, str], roles: tuple[str, ...] = ROLES) -> dict[str, str]:
    """One user per role (`e2e-<role>`, district-wide) with a bearer token each; returns role → token."""
    tokens = {}
    for role in roles:
        base = [sys.executable, "-m", "dashboard"]
        subprocess.run(
            [*base, "create-user", f"e2e-{role}", "--role", role, "--password", PASSWORD],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        done = subprocess.run(
            [*base, "create-token", f"e2e-{role}"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        tokens[role] = done.stdout.strip().splitlines()[-1]
    return tokens


def start_app(workdir: Path, env: dict[str, str], *, ready_timeout: float = 90) -> LiveApp:
    """Start `app.serve()` on a free port and wait until /readyz says the database and Redis answer."""
    port = free_port()
    log_path = workdir / "server.log"
    log = log_path.open("wb")
    code = f"import app; app.serve(host='127.0.0.1', port={port})"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()  # the child holds its own descriptor
    live = LiveApp(
        base_url=f"http://127.0.0.1:{port}",
        process=process,
        env=env,
        workdir=workdir,
        log_path=log_path,
        redis_url=env["REDIS_URL"],
        redis_prefix=env["REDIS_PREFIX"],
    )
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited with {process.returncode}:\n{live.log_tail()}")
        try:
            if requests.get(f"{live.base_url}/readyz", timeout=2).status_code == 200:
                return live
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop_app(live)
    raise RuntimeError(f"app not ready within {ready_timeout} s:\n{live.log_tail()}")


def stop_app(live: LiveApp) -> None:
    """Stop the app process we started, the embedded Redis it may have started, and drop our Redis keys."""
    if live.process.poll() is None:
        live.process.send_signal(signal.SIGTERM)
        try:
            live.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            live.process.kill()
            live.process.wait(timeout=10)
    if live.redis_url:
        import redis

        client = redis.Redis.from_url(live.redis_url)
        keys = list(client.scan_iter(match=f"{live.redis_prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        # The embedded Redis daemonises and writes its pid under VAR_DIR: end exactly that process.
        pidfile = Path(live.env["VAR_DIR"]) / "redis.pid"
        if pidfile.exists():
            with suppress(ValueError, ProcessLookupError):
                pid = int(pidfile.read_text().strip())
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:  # it saves its RDB on the way out
                    os.kill(pid, 0)  # raises ProcessLookupError once it is gone
                    time.sleep(0.1)


def kill_app(live: LiveApp) -> None:
    """kill -9 the app process (its database, Redis and outbox stay as the crash left them)."""
    live.process.send_signal(signal.SIGKILL)
    live.process.wait(timeout=10)


def start_again(live: LiveApp, *, ready_timeout: float = 60) -> None:
    """Start a killed app again on the same port with the same environment, and wait for /readyz."""
    port = live.base_url.rsplit(":", 1)[1]
    with live.log_path.open("ab") as log:
        live.process = subprocess.Popen(
            [sys.executable, "-c", f"import app; app.serve(host='127.0.0.1', port={port})"],
            cwd=ROOT,
            env=live.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{live.base_url}/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"app did not come back:\n{live.log_tail()}")


@contextmanager
def running_app(
    workdir: Path, sizes: Jurisdiction | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[LiveApp]:
    """Build a jurisdiction in `workdir`, serve it (with `extra_env` settings), and stop everything afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**app_env(workdir), **(extra_env or {})}
    build_jurisdiction(env, sizes or Jurisdiction())
    tokens = create_users(env)
    live = start_app(workdir, env)
    live.tokens = tokens
    try:
        yield live
    finally:
        stop_app(live)


def launch_chromium(playwright: Any, *, headless: bool = True) -> Any:
    """Debian's Chromium through Playwright (a `Browser`)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=headless, args=CHROMIUM_ARGS)
