"""A Redis server of a test's own on a free port, which the test may stop and start again.

Never the machine's shared Redis at 127.0.0.1:6379: outage tests kill only what they started.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """`redis-server` on 127.0.0.1:<free port>, in-memory only; `stop()` kills it, `start()` brings it back."""

    def __init__(self, workdir: Path, *, replica_of: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.replica_of = replica_of  # the master's port: this server starts as its replica
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                # Each server its own replication files: a replica and its master may share the workdir.
                "--dbfilename",
                f"dump-{self.port}.rdb",
                *(["--replicaof", "127.0.0.1", str(self.replica_of)] if self.replica_of else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_ping(self.url, f"redis-server on port {self.port}")

    def replica_synced(self) -> bool:
        """True when this replica's link to its master is up (it has the master's data)."""
        info = redis.Redis.from_url(self.url, socket_timeout=1).info("replication")
        return info.get("role") == "slave" and info.get("master_link_status") == "up"

    def stop(self) -> None:
        """Kill the server at once (an outage, not a shutdown)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def _wait_ping(url: str, what: str, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if redis.Redis.from_url(url, socket_timeout=0.5).ping():
                return
        except redis.RedisError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


class OwnSentinel:
    """`redis-server --sentinel` on a free port watching `master_port` as service `service`, with short timers.

    Sentinel rewrites its configuration file as it learns the replicas and other sentinels, so each gets its own.
    """

    def __init__(
        self,
        workdir: Path,
        master_port: int,
        *,
        service: str = "gc",
        quorum: int = 1,
        down_after_ms: int = 1000,
        failover_timeout_ms: int = 5000,
    ) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        self.port = _free_port()
        self.service = service
        self.conf = workdir / f"sentinel-{self.port}.conf"
        self.conf.write_text(
            f"port {self.port}\n"
            "bind 127.0.0.1\n"
            f"dir {workdir}\n"
            f"sentinel monitor {service} 127.0.0.1 {master_port} {quorum}\n"
            f"sentinel down-after-milliseconds {service} {down_after_ms}\n"
            f"sentinel failover-timeout {service} {failover_timeout_ms}\n"
            f"sentinel parallel-syncs {service} 1\n",
            encoding="utf-8",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, str(self.conf), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_ping(f"redis://127.0.0.1:{self.port}/0", f"sentinel on port {self.port}")

    def master_port(self) -> int | None:
        """The port this sentinel currently names as the master (None: it does not answer)."""
        try:
            client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
            addr = client.execute_command("SENTINEL", "get-master-addr-by-name", self.service)
        except redis.RedisError:
            return None
        return int(addr[1]) if addr else None

    def knows(self, replicas: int, sentinels: int) -> bool:
        """True when this sentinel has found `replicas` replicas and `sentinels` other sentinels."""
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1, decode_responses=True)
        master = client.execute_command("SENTINEL", "master", self.service)
        info = dict(zip(master[::2], master[1::2], strict=False)) if isinstance(master, list) else master
        return int(info["num-slaves"]) >= replicas and int(info["num-other-sentinels"]) >= sentinels

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
