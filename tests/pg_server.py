"""A PostgreSQL server of a test's own (initdb + pg_ctl on a temporary data dir and a free port), which the test may
stop and start again. Never the machine's shared server at 127.0.0.1:5432.

PostgreSQL refuses to run as root: when the tests run as root (CI here), the server runs as the `postgres` system
user of Debian's package, in a data dir under /tmp that user owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.redis_server import _free_port

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _pg_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    return None


def available() -> str | None:
    """None when an own server can be made here, else why not (for a skip message)."""
    for name in ("initdb", "pg_ctl"):
        if _pg_binary(name) is None:
            return f"{name} is not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run PostgreSQL as"
    return None


class OwnPostgres:
    """`postgres` on 127.0.0.1:<free port>, trust auth, fsync off; `stop()` is an immediate shutdown (a crash).

    fsync off only risks data on a machine crash; synchronous_commit stays on: with it off, an immediate shutdown
    loses the last commits the app already answered 201 for (seen here: two acknowledged cases gone).
    """

    def __init__(self) -> None:
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="gc-pg-"))
        self.data = self.dir / "data"
        self._user: pwd.struct_passwd | None = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self._user is not None:
            os.chown(self.dir, self._user.pw_uid, self._user.pw_gid)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self._user is not None:
            kwargs.update(user=self._user.pw_uid, group=self._user.pw_gid, extra_groups=[])
        return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=120, **kwargs)  # type: ignore[call-overload]

    def init(self) -> None:
        """initdb the data dir (about a second)."""
        self._run(
            _pg_binary("initdb") or "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        opts = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
            f"-c unix_socket_directories={self.dir} -c max_connections=200"
        )
        self._run(
            _pg_binary("pg_ctl") or "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.dir / "pg.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.url, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL on port {self.port} did not accept connections")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: `immediate` is a crash (no checkpoint, clients cut off), `fast` a clean stop."""
        self._run(_pg_binary("pg_ctl") or "pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def destroy(self) -> None:
        """Stop and remove the data dir."""
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
