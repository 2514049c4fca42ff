"""`gridcmd serve-prod` refuses what several processes cannot share, in one line, and writes an nginx.conf that
Debian's nginx accepts as an unprivileged user would run it (every path under the var dir)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.config import Settings
from dashboard.prod import ProdPlan, Refused, check_settings, gunicorn_command, worker_class
from dashboard.prod_nginx import NginxPlan, render, write
from tests.e2e.server import ROOT

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.mark.parametrize(
    ("database_url", "redis_url", "named"),
    [
        ("sqlite:///x.db", "redis://127.0.0.1:6379/0", "DATABASE_URL"),
        ("postgresql://u@h/db", "", "REDIS_URL"),
        ("postgresql://u@h/db", "unix:///tmp/var/redis.sock", "REDIS_URL"),
    ],
)
def test_shared_servers_are_required(tmp_path: Path, database_url: str, redis_url: str, named: str) -> None:
    settings = Settings(database_url=database_url, redis_url=redis_url, var_dir=tmp_path)
    with pytest.raises(Refused, match=named):
        check_settings(settings)


def test_the_command_refuses_sqlite_in_one_line_with_status_2(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}", "REDIS_URL": "", "VAR_DIR": str(tmp_path), "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "serve-prod", "--processes", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "PostgreSQL" in lines[0], done.stderr
    assert not (tmp_path / "nginx").exists()  # nothing was started or written


def test_one_worker_per_process_of_a_websocket_class() -> None:
    plan = ProdPlan(port=9000, processes=3, worker="gevent")
    assert plan.app_ports == (9001, 9002, 9003)
    cmd = gunicorn_command(plan, 9002)
    assert "--workers=1" in cmd and "--bind=127.0.0.1:9002" in cmd and cmd[-1] == "app:wsgi()"
    assert worker_class("gevent") in ("gevent", "geventwebsocket.gunicorn.workers.GeventWebSocketWorker")
    assert f"--worker-class={worker_class('gthread')}" in gunicorn_command(ProdPlan(worker="gthread"), 9001)


def test_the_nginx_conf_is_sticky_for_socketio_and_keeps_every_path_under_var(tmp_path: Path) -> None:
    plan = NginxPlan(host="127.0.0.1", port=18080, app_ports=(18081, 18082), root=tmp_path / "nginx")
    text = render(plan)
    live = text.split("upstream gridcmd_live", 1)[1].split("}", 1)[0]
    assert "ip_hash;" in live and "127.0.0.1:18081" in live and "127.0.0.1:18082" in live
    assert "least_conn;" in text.split("upstream gridcmd_app", 1)[1].split("}", 1)[0]
    socketio = text.split("location /socket.io/", 1)[1].split("}", 1)[0]
    assert "Upgrade $http_upgrade" in socketio and "Connection $connection_upgrade" in socketio
    assert "Host $http_host" in socketio  # a location's own headers replace the server's: Origin checks need Host
    assert "proxy_read_timeout 3600s" in socketio
    assert '"$request_method $uri"' in text  # no query strings in the log: kiosk URLs carry a token
    paths = [w.rstrip(";") for w in text.split() if w.startswith("/")]
    assert paths and all(p.startswith(str(tmp_path)) or p == "/" or p == "/socket.io/" for p in paths), paths


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make test installs it as root)")
def test_nginx_accepts_the_generated_conf(tmp_path: Path) -> None:
    conf = write(NginxPlan(host="127.0.0.1", port=18080, app_ports=(18081, 18082), root=tmp_path / "nginx"))
    root = tmp_path / "nginx"
    done = subprocess.run(
        [str(NGINX), "-t", "-p", str(root), "-c", str(conf), "-e", str(root / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
