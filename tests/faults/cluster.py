"""`gridcmd serve-prod` for real on loopback, with a PostgreSQL and a Redis of the test's own (which the fault tests
stop, start and kill): nginx on a free port in front of N gunicorn processes, a small jurisdiction, one user and
token per role. Shared by tests/faults/test_prod_*.py and bench/prod_cluster.py, so both measure the same thing.

The clients that watch and load it are in tests/faults/live_clients.py.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests

from dashboard.domain.cases import TERMINAL
from dashboard.live.leader import holder_pid
from tests.e2e.server import ROOT, Jurisdiction, build_jurisdiction, create_users, free_port
from tests.pg_server import OwnPostgres
from tests.redis_server import OwnRedis

TERMINAL_STATES = frozenset(s.value for s in TERMINAL)
PREFIX = "gc-prod:"


def id_tuple(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass
class Cluster:
    """A running serve-prod and what a test needs to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    processes: int
    env: dict[str, str]
    log_path: Path
    pg: OwnPostgres
    redis: OwnRedis
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """nginx."""
        return f"http://127.0.0.1:{self.port}"

    def app_url(self, i: int) -> str:
        """The i-th app process directly (0-based), bypassing nginx."""
        return f"http://127.0.0.1:{self.port + 1 + i}"

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def worker_pids(self) -> list[int]:
        """The gunicorn worker (the app itself) of each process, in port order."""
        pids = []
        for master in _children(self.process.pid):
            if b"gunicorn" in Path(f"/proc/{master}/cmdline").read_bytes():
                pids.extend(_children(master))
        return sorted(pids, key=self._port_of)

    def _port_of(self, pid: int) -> int:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        cmd = Path(f"/proc/{parent}/cmdline").read_bytes().decode(errors="replace")
        return int(cmd.split("--bind=127.0.0.1:", 1)[1].split("\0", 1)[0])

    def lease_holder(self, name: str) -> int | None:
        """The pid holding the lease `name` (relay, frames, rules)."""
        client = redis.Redis.from_url(self.redis.url, socket_timeout=2)
        return holder_pid(client, f"{PREFIX}lock:{name}")

    def wait_ready(self, timeout_s: float = 90) -> None:
        urls = [f"{self.app_url(i)}/readyz" for i in range(self.processes)] + [f"{self.base_url}/readyz"]
        deadline = time.monotonic() + timeout_s
        while urls and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve-prod exited with {self.process.returncode}:\n{self.log_tail()}")
            for url in list(urls):
                with contextlib.suppress(requests.RequestException):
                    if requests.get(url, timeout=2).status_code == 200:
                        urls.remove(url)
            time.sleep(0.2)
        if urls:
            raise RuntimeError(f"not ready within {timeout_s} s: {urls}\n{self.log_tail()}")

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def cluster_env(workdir: Path, pg: OwnPostgres, own_redis: OwnRedis) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=pg.url,
        REDIS_URL=own_redis.url,
        REDIS_PREFIX=PREFIX,
        VAR_DIR=str(workdir / "var"),
        PYTHONUNBUFFERED="1",
        RATE_LIMITS="intake=0,open311=0,hotline=0,patrols=0,media=0",  # the load is ours: no per-token budget
    )
    return env


@contextlib.contextmanager
def running_cluster(
    workdir: Path,
    *,
    processes: int = 2,
    worker: str = "gthread",
    sizes: Jurisdiction | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """Own PostgreSQL and Redis, a jurisdiction, users, then serve-prod; everything stopped afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    pg = OwnPostgres()
    own_redis = OwnRedis(workdir)
    process = None
    try:
        pg.init()
        pg.start()
        own_redis.start()
        env = {**cluster_env(workdir, pg, own_redis), **(extra_env or {})}
        build_jurisdiction(env, sizes or Jurisdiction(grids=60, streets=3, communities=12, seed=3))
        tokens = create_users(env)
        port = _free_run(processes + 1)
        log_path = workdir / "serve-prod.log"
        with log_path.open("wb") as log:
            cmd = [sys.executable, "-m", "dashboard", "serve-prod", "--port", str(port)]
            cmd += ["--processes", str(processes), "--worker", worker]
            process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        cluster = Cluster(process, port, processes, env, log_path, pg, own_redis, tokens)
        cluster.wait_ready()
        yield cluster
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        own_redis.stop()
        pg.destroy()


def _free_run(count: int) -> int:
    """A port P such that P … P+count-1 are all free now."""
    for _ in range(50):
        base = free_port()
        if base + count >= 65000:
            continue
        ok = True
        for p in range(base + 1, base + count):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no run of free ports")
