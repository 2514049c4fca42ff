"""`gridcmd serve`, `serve-prod` and `simulate`: run the app, the production supervisor and the live demo feed."""

from __future__ import annotations

import argparse
import os
import sys

from dashboard.cli.common import number, whole
from dashboard.cli.work_calendar import calendar_warning
from dashboard.config import get_settings


def _cmd_serve(args: argparse.Namespace) -> int:
    import atexit
    import signal
    import subprocess

    import app
    from dashboard.config import SecretKeyError, secret_key
    from dashboard.live.redis_conn import redis_url, stop_embedded_redis

    try:
        secret_key(get_settings())  # refuse a forgeable session key before anything starts
    except SecretKeyError as exc:
        print(f"gridcmd serve: {exc}", file=sys.stderr)
        return 2
    settings = get_settings()
    redis_url(settings)  # start the embedded Redis (if configured) before the simulator needs it
    # Whatever this serve started goes when it ends, on Ctrl-C and on SIGTERM alike (atexit does not run for a
    # default SIGTERM, so turn it into a normal exit). atexit runs last-registered first: simulator, then Redis.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if not settings.redis_url:
        atexit.register(stop_embedded_redis, settings.var_dir)
    if args.simulate:
        # The simulator also stops on SIGKILL of the server: the child watches its parent's pid.
        env = {**os.environ, "GRIDCMD_STOP_WITH_PID": str(os.getpid())}
        desk = ["--no-desk"] if args.sim_no_desk else []
        sim = subprocess.Popen([sys.executable, "-m", "dashboard", "simulate", *desk], env=env)
        atexit.register(sim.wait, 10)
        atexit.register(sim.terminate)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(
        f"\nGridCommand 网格联动指挥\n  首页 home:      http://{shown}:{args.port}/\n"
        f"  大屏 screen:    http://{shown}:{args.port}/screen\n"
        f"  网格 grids API: http://{shown}:{args.port}/api/v1/grids\n"
        f"  账号 accounts:   {get_settings().var_dir / 'demo-credentials.txt'} (make run)\n"
        + calendar_warning(get_settings()),
        file=sys.stderr,
    )
    app.serve(host=args.host, port=args.port)
    return 0


def _cmd_serve_prod(args: argparse.Namespace) -> int:
    from dashboard.prod import ProdPlan, serve_prod

    plan = ProdPlan(host=args.host, port=args.port, processes=args.processes, worker=args.worker)
    return serve_prod(plan, get_settings(), init_if_empty=args.init_if_empty)


def _cmd_simulate(args: argparse.Namespace) -> int:
    from feeds.simulator import SimulatorConfig, run_simulator

    parent = os.environ.get("GRIDCMD_STOP_WITH_PID", "")
    return run_simulator(
        SimulatorConfig(
            per_day=args.per_day,
            speed=args.speed,
            patrols=args.patrols,
            self_handled_share=args.self_handled,
            seed=args.seed,
            duration_s=args.duration,
            desk=not args.no_desk,
        ),
        stop_with_pid=int(parent) if parent.isdigit() else None,
    )


def add_run_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`serve` and `simulate`: run the app and its live demo feed."""
    p = sub.add_parser("serve", help="run the app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=whole(1, 65535), default=8050)
    p.add_argument("--simulate", action="store_true", help="also run `gridcmd simulate` with its defaults")
    p.add_argument("--sim-no-desk", action="store_true", help="with --simulate: leave every new report to people")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("serve-prod", help="production: nginx in front of N gunicorn processes (dashboard/prod.py)")
    p.add_argument("--host", default="127.0.0.1", help="nginx's address (0.0.0.0: the LAN)")
    p.add_argument("--port", type=whole(1, 65000), default=8080, help="nginx's port; the apps take PORT+1 … PORT+N")
    p.add_argument("--processes", type=whole(1, 64), default=os.cpu_count() or 1, help="app processes")
    p.add_argument("--worker", choices=("gthread", "gevent"), default="gthread", help="gunicorn worker class")
    p.add_argument("--init-if-empty", action="store_true", help="build the demo district into an empty database")
    p.set_defaults(func=_cmd_serve_prod)

    p = sub.add_parser("simulate", help="live demo feed: cases and patrols")
    p.add_argument("--per-day", type=number(0, above=True), default=2000, help="cases per simulated day")
    p.add_argument(
        "--speed", type=number(0, above=True), default=60, help="simulated seconds per real second (case arrivals)"
    )
    p.add_argument("--patrols", type=whole(0), default=None, help="patrols (default: one full-time worker per grid)")
    p.add_argument("--self-handled", type=number(0, 1), default=0.5, help="share of cases fixed on the spot")
    p.add_argument("--seed", type=whole(0), default=7)
    p.add_argument("--duration", type=number(0), default=0, help="stop after this many real seconds (0 = never)")
    p.add_argument("--no-desk", action="store_true", help="simulated dispatchers file and dispatch nothing")
    p.set_defaults(func=_cmd_simulate)
