"""`gridcmd serve-prod` (`make serve-prod`): nginx on PORT in front of N gunicorn processes on PORT+1 … PORT+N.

The same app as `make run` (app.wsgi → app.create_app); only settings change (DESIGN.md section 8):

- each process is gunicorn with ONE worker (Flask-SocketIO keeps a client's session in one process), of a class
  that serves websockets: `gthread` (the default, ASYNC_MODE=threading, one thread per open socket) or `gevent`
  (ASYNC_MODE=gevent; gevent-websocket's worker if that package is installed, since engineio then expects it).
  Measured on 2 cores, 2 processes: gthread 55–70 intake cases/s and push p99 160–220 ms against gevent's 27–31
  cases/s and 270–1,000 ms (docs/deploy.md);
- PostgreSQL and a Redis server shared by every process, from DATABASE_URL and REDIS_URL: SQLite or the embedded
  Redis (a unix socket under one var dir) are refused in one line;
- one outbox relay, one patrol framer and one scheduler, each elected through a Redis lease (dashboard/live/
  leader.py); every process reads the case stream itself and pushes it to its own clients (live/fanout.py);
- foreground: SIGTERM or Ctrl-C stops nginx and every gunicorn it started (short graceful timeout); a child that
  dies is started again.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dashboard.config import PROJECT_ROOT, SecretKeyError, Settings, secret_key
from dashboard.prod_nginx import NginxPlan
from dashboard.prod_nginx import write as write_nginx_conf

log = logging.getLogger(__name__)

WORKERS = ("gevent", "gthread")
GRACEFUL_S = 3  # gunicorn --graceful-timeout: open websockets otherwise linger ~20 s on TERM (DESIGN.md 11)
STOP_WAIT_S = 10.0  # after TERM, how long before a child is killed
RESTART_AFTER_S = 1.0  # a dead child is started again after this pause (and no more often)
READY_TIMEOUT_S = 120.0


class Refused(Exception):
    """A setting serve-prod cannot run on: one line for the operator."""


@dataclass(frozen=True)
class ProdPlan:
    """How many processes of which kind, where."""

    host: str = "127.0.0.1"
    port: int = 8080
    processes: int = 2
    worker: str = "gthread"  # measured: 2.3× the intake rate of gevent on this box (docs/deploy.md)
    threads: int = 400  # gthread only: the most sockets (websockets included) a process serves at once
    connections: int = 4000  # gevent only: the most concurrent connections a process serves

    @property
    def app_ports(self) -> tuple[int, ...]:
        """PORT+1 … PORT+N."""
        return tuple(self.port + i for i in range(1, self.processes + 1))


def check_settings(settings: Settings) -> None:
    """Refuse what several processes cannot share: SQLite, the embedded Redis, a forgeable key."""
    scheme = urlsplit(settings.database_url).scheme.split("+", 1)[0]
    if scheme != "postgresql":
        raise Refused(
            f"DATABASE_URL is {scheme or 'empty'}: several processes need a shared PostgreSQL server "
            "(DATABASE_URL=postgresql://user@host/db); `make run` serves SQLite in one process"
        )
    redis_scheme = urlsplit(settings.redis_url).scheme
    if not settings.redis_url or redis_scheme == "unix":
        raise Refused(
            "REDIS_URL is unset or the embedded Redis: several processes need a shared Redis server "
            "(REDIS_URL=redis://host:6379/0)"
        )
    try:
        secret_key(settings)  # made once here, before N processes race to make it
    except SecretKeyError as exc:
        raise Refused(str(exc)) from None


def worker_class(worker: str) -> str:
    """gunicorn's worker class for `worker`."""
    if worker == "gthread":
        return "gthread"
    # With gevent-websocket installed engineio hands websockets to it, which only its own worker provides.
    if importlib.util.find_spec("geventwebsocket") is not None:
        return "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
    return "gevent"


def gunicorn_command(plan: ProdPlan, port: int) -> list[str]:
    """The command line of the app process on `port`."""
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers=1",
        f"--worker-class={worker_class(plan.worker)}",
        f"--bind=127.0.0.1:{port}",
        f"--graceful-timeout={GRACEFUL_S}",
        "--timeout=60",
        "--keep-alive=75",  # above nginx's upstream keepalive idle (60 s): nginx closes first
        "--no-control-socket",  # one per process would collide at ~/.gunicorn/gunicorn.ctl
        f"--chdir={PROJECT_ROOT}",
        f"--name=gridcmd-{port}",
    ]
    if plan.worker == "gthread":
        cmd.append(f"--threads={plan.threads}")
    else:
        cmd.append(f"--worker-connections={plan.connections}")
    return [*cmd, "app:wsgi()"]


def child_env(plan: ProdPlan) -> dict[str, str]:
    """The environment of every app process: this one's, plus the mode settings."""
    return {
        **os.environ,
        "ASYNC_MODE": "gevent" if plan.worker == "gevent" else "threading",
        # nginx in front: believe its X-Forwarded-For (2 with a TLS proxy in front of it: docs/deploy.md).
        "PROXY_HOPS": os.environ.get("PROXY_HOPS") or "1",
        "PYTHONUNBUFFERED": "1",
    }


def nginx_binary() -> str:
    """The nginx executable (Debian's package: /usr/sbin is not on every PATH)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        raise Refused("nginx is not installed: `make serve-prod` installs it as root (apt-get install nginx)")
    return found


@dataclass
class Child:
    """One process serve-prod started and keeps running."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0

    def start(self) -> None:
        # Its own session (Ctrl-C reaches serve-prod, which stops the children in order), and told to end with
        # serve-prod even when serve-prod is killed outright.
        self.process = subprocess.Popen(
            self.cmd, env=self.env, cwd=PROJECT_ROOT, start_new_session=True, preexec_fn=_die_with_parent
        )
        self.started_at = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self, sig: int = signal.SIGTERM) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(sig)


class Supervisor:
    """Starts nginx and the app processes, restarts what dies, stops everything on SIGTERM or Ctrl-C."""

    def __init__(self, plan: ProdPlan, settings: Settings) -> None:
        self.plan = plan
        root = settings.var_dir / "nginx"
        conf = write_nginx_conf(NginxPlan(host=plan.host, port=plan.port, app_ports=plan.app_ports, root=root))
        env = child_env(plan)
        self.apps = [Child(f"app:{p}", gunicorn_command(plan, p), env) for p in plan.app_ports]
        # -e: nginx 1.22 would try its compiled-in /var/log/nginx/error.log before reading our error_log.
        nginx = [nginx_binary(), "-p", str(root), "-c", str(conf), "-e", str(root / "error.log")]
        self.nginx = Child("nginx", nginx, dict(os.environ))
        self.conf = conf
        self._stopping = False

    @property
    def children(self) -> list[Child]:
        return [*self.apps, self.nginx]

    def run(self) -> int:
        """Start everything and supervise until a stop signal; returns the exit status."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            check = subprocess.run([*self.nginx.cmd, "-t", "-q"], capture_output=True, text=True)
            if check.returncode != 0:
                raise Refused(f"nginx refused its configuration: {check.stderr.strip().splitlines()[-1:]}")
            for child in self.children:
                child.start()
            ready = self._wait_ready()
            if not self._stopping:  # stopped while starting: nothing to announce
                self._announce(ready)
            while not self._stopping:
                self._restart_dead()
                time.sleep(0.2)
            return 0
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self._stopping = True

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_S
        urls = [f"http://127.0.0.1:{p}/readyz" for p in self.plan.app_ports]
        urls.append(f"http://{_shown(self.plan.host)}:{self.plan.port}/healthz")
        waiting = list(urls)
        while waiting and not self._stopping and time.monotonic() < deadline:
            for url in list(waiting):
                if _answers(url):
                    waiting.remove(url)
            self._restart_dead()
            time.sleep(0.3)
        return not waiting

    def _announce(self, ready: bool) -> None:
        base = f"http://{_shown(self.plan.host)}:{self.plan.port}"
        state = "ready" if ready else f"NOT ready after {READY_TIMEOUT_S:.0f} s (see the logs above)"
        ports = ", ".join(str(p) for p in self.plan.app_ports)
        print(
            f"\nGridCommand 网格联动指挥 (production: nginx + {self.plan.processes} × gunicorn {self.plan.worker}, "
            f"app ports {ports}) {state}\n  首页 home:   {base}/\n  大屏 screen: {base}/screen\n"
            f"  nginx:       {self.conf}\n  Ctrl-C or SIGTERM stops everything.\n",
            file=sys.stderr,
            flush=True,
        )

    def _restart_dead(self) -> None:
        for child in self.children:
            if self._stopping or child.alive() or time.monotonic() - child.started_at < RESTART_AFTER_S:
                continue
            code = child.process.returncode if child.process is not None else None
            print(f"gridcmd serve-prod: {child.name} exited ({code}); starting it again", file=sys.stderr, flush=True)
            child.restarts += 1
            child.start()

    def stop(self) -> None:
        """TERM every child (nginx: QUIT, its graceful stop), then KILL what is left after STOP_WAIT_S."""
        self._stopping = True
        self.nginx.terminate(signal.SIGQUIT)
        for child in self.apps:
            child.terminate(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                # Its whole session: a gunicorn master whose worker ignores TERM leaves no orphan.
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait(timeout=5)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when serve-prod goes, however it goes (Linux prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError):  # not glibc Linux: SIGTERM and Ctrl-C still stop the children
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


PR_SET_PDEATHSIG = 1


def _answers(url: str) -> bool:
    """True when `url` answers 200 within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - our own loopback URLs
            return resp.status == 200
    except (OSError, ValueError):  # refused, timed out, 5xx (HTTPError is an OSError)
        return False


def _shown(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def serve_prod(plan: ProdPlan, settings: Settings, *, init_if_empty: bool = False) -> int:
    """Check the settings, migrate once (and build the demo district into an empty database if asked), then
    supervise; one line and status 2 when refused."""
    from dashboard.store.schema import migrate

    try:
        check_settings(settings)
        migrate(settings.database_url)  # once here: N processes migrating at the same moment would race
        if init_if_empty:  # what `make run` does first, in its own process like there
            subprocess.run([sys.executable, "-m", "dashboard", "init-if-empty", "--demo-users"], check=True)
        return Supervisor(plan, settings).run()
    except Refused as exc:
        print(f"gridcmd serve-prod: {exc}", file=sys.stderr)
        return 2
