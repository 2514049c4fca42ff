"""`gridcmd serve --simulate` (what `make run` starts): the demo feed ends with the server, however it ends.

A killed server used to leave its simulator child running, writing cases into the database for ever (found on
this machine: two orphaned feeds at 60× were still loading both cores after their servers were gone).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.server import ROOT, Jurisdiction, app_env, build_jurisdiction, free_port


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its exit status is left


def _wait(predicate, timeout_s: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.fixture(scope="module")
def served_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("serve")
    env = app_env(workdir)
    build_jurisdiction(env, Jurisdiction(grids=40, streets=3, communities=6, seed=3))
    return env


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from Linux /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_simulator_stops_with_the_server(served_env: dict[str, str], how: signal.Signals) -> None:
    port = free_port()
    cmd = [sys.executable, "-m", "dashboard", "serve", "--simulate", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(cmd, cwd=ROOT, env=served_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    feed = 0
    try:

        def ready() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        assert _wait(ready, 90), "the server did not come up"
        assert _wait(lambda: bool(_children(server.pid)), 30), "no simulator child"
        (feed,) = _children(server.pid)
        assert _alive(feed)
        os.kill(server.pid, how)
        server.wait(timeout=30)
        assert _wait(lambda: not _alive(feed), 15), f"the simulator outlived the server ({how.name})"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if feed and _alive(feed):
            os.kill(feed, signal.SIGKILL)  # do not leave an orphan feed behind a failed test
