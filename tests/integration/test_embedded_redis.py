"""The embedded Redis of the zero-setup default: `gridcmd serve` stops the server when it ends (Ctrl-C or SIGTERM),
and a start after a crash reuses a live server or replaces a stale one, never signalling a stranger's pid.

Before: stopping `make run` left the daemonised redis-server running, orphaned, and the next start reused it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests

from dashboard.live.redis_conn import _embedded_pid, ensure_embedded_redis, stop_embedded_redis
from tests.e2e.server import ROOT, app_env, free_port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return Path(f"/proc/{pid}/cmdline").exists() and b"zombie" not in Path(f"/proc/{pid}/status").read_bytes()


def test_a_live_embedded_server_is_reused_and_stopped_with_its_data_saved(tmp_path: Path) -> None:
    url = ensure_embedded_redis(tmp_path)
    pid = _embedded_pid(tmp_path / "redis.pid")
    assert pid is not None
    redis.Redis.from_url(url).set("kept", "1")
    assert ensure_embedded_redis(tmp_path) == url  # a second start (after a crash of its user) reuses it
    assert _embedded_pid(tmp_path / "redis.pid") == pid
    assert stop_embedded_redis(tmp_path)
    assert not _alive(pid)
    assert (tmp_path / "redis.rdb").exists()  # saved on the way out
    url = ensure_embedded_redis(tmp_path)
    try:
        assert redis.Redis.from_url(url).get("kept") == b"1"
    finally:
        stop_embedded_redis(tmp_path)


def test_a_server_whose_socket_was_deleted_is_replaced(tmp_path: Path) -> None:
    ensure_embedded_redis(tmp_path)
    old = _embedded_pid(tmp_path / "redis.pid")
    (tmp_path / "redis.sock").unlink()  # e.g. a tmp cleaner: the server runs on, unreachable
    try:
        ensure_embedded_redis(tmp_path)
        new = _embedded_pid(tmp_path / "redis.pid")
        assert old is not None and new is not None and new != old
        assert not _alive(old)
    finally:
        stop_embedded_redis(tmp_path)


def test_a_stale_pidfile_naming_another_process_is_never_signalled(tmp_path: Path) -> None:
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "redis.pid").write_text(f"{stranger.pid}\n")  # the crashed server's pid, since reused
        assert _embedded_pid(tmp_path / "redis.pid") is None
        assert stop_embedded_redis(tmp_path)
        ensure_embedded_redis(tmp_path)
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stop_embedded_redis(tmp_path)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_stopping_serve_stops_the_embedded_redis_it_used(tmp_path: Path, stop: signal.Signals) -> None:
    env = {**app_env(tmp_path), "REDIS_URL": ""}
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail((tmp_path / "serve.log").read_text())
        pid = _embedded_pid(Path(env["VAR_DIR"]) / "redis.pid")
        assert pid is not None and _alive(pid)
        serve.send_signal(stop)
        assert serve.wait(timeout=30) in (0, 1, -stop, 130)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), "the embedded Redis outlived the server that used it"
    finally:
        if serve.poll() is None:
            serve.kill()
        stop_embedded_redis(Path(env["VAR_DIR"]))
        log.close()
