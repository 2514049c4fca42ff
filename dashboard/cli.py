"""`gridcmd`: build the jurisdiction, serve the app, run the simulator (DESIGN.md section 10)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from dashboard.config import PROJECT_ROOT, Settings, get_settings

DEMO_BOUNDARY = PROJECT_ROOT / "data" / "boundaries" / "110112.geojson"


def _cmd_init(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from dashboard.services.jurisdiction import build_jurisdiction
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    settings = get_settings()
    migrate(settings.database_url)
    boundary = json.loads(Path(args.boundary).read_text(encoding="utf-8"))
    started = time.monotonic()
    bar = tqdm(total=args.grids, unit="网格", desc="构建网格 building grids", file=sys.stderr)
    with bar, session_scope(settings.database_url) as session:
        summary = build_jurisdiction(
            session=session,
            boundary=boundary,
            county_code=args.county or settings.county_code,
            grids=args.grids,
            streets=args.streets,
            communities=args.communities,
            seed=args.seed,
            crs=args.crs,
            progress=bar.update,
        )
    print(json.dumps({**summary, "seconds": round(time.monotonic() - started, 1)}, ensure_ascii=False))
    return 0


def _cmd_init_if_empty(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from dashboard.store.db import session_scope
    from dashboard.store.models import Grid, User
    from dashboard.store.schema import migrate

    settings = get_settings()
    migrate(settings.database_url)
    with session_scope(settings.database_url) as session:
        count = session.scalar(select(func.count()).select_from(Grid)) or 0
    status = 0
    if count:
        print(f"jurisdiction present: {count} grids (delete var/ to rebuild)", file=sys.stderr)
    else:
        status = _cmd_init(args)
    if status == 0 and args.demo_users:
        with session_scope(settings.database_url) as session:
            has_users = session.scalar(select(func.count()).select_from(User)) or 0
        if not has_users:
            _create_demo_users(settings)
    return status


DEMO_ROLES = ("admin", "dispatcher", "leader", "screen")


def _create_demo_users(settings: Settings) -> None:
    """District-wide demo accounts with random passwords, written to var/demo-credentials.txt (mode 600)."""
    import secrets

    from dashboard.services.accounts import create_user, issue_token
    from dashboard.store.db import session_scope

    lines = ["# GridCommand demo accounts (delete var/ to regenerate)"]
    with session_scope(settings.database_url) as session:
        for role in DEMO_ROLES:
            password = secrets.token_urlsafe(9)
            user = create_user(session=session, name=role, role=role, scope=settings.county_code, password=password)
            lines.append(f"{role:<11} password: {password}")
            if role == "screen":
                token = issue_token(session=session, user=user, label="demo wall")
                lines.append(f"big-screen kiosk URL: /screen?token={token}")
    path = settings.var_dir / "demo-credentials.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines), file=sys.stderr)


def _cmd_serve(args: argparse.Namespace) -> int:
    import atexit
    import signal
    import subprocess

    import app
    from dashboard.config import SecretKeyError, secret_key
    from dashboard.live.redis_conn import redis_url

    try:
        secret_key(get_settings())  # refuse a forgeable session key before anything starts
    except SecretKeyError as exc:
        print(f"gridcmd serve: {exc}", file=sys.stderr)
        return 2
    redis_url(get_settings())  # start the embedded Redis (if configured) before the simulator needs it
    if args.simulate:
        # The simulator stops with the server however the server ends: on SIGTERM (atexit does not run for a
        # default SIGTERM, so turn it into a normal exit) and on SIGKILL (the child watches its parent's pid).
        env = {**os.environ, "GRIDCMD_STOP_WITH_PID": str(os.getpid())}
        sim = subprocess.Popen([sys.executable, "-m", "dashboard", "simulate"], env=env)
        atexit.register(sim.terminate)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(
        f"\nGridCommand 网格联动指挥\n  首页 home:      http://{shown}:{args.port}/\n"
        f"  大屏 screen:    http://{shown}:{args.port}/screen\n"
        f"  网格 grids API: http://{shown}:{args.port}/api/v1/grids\n"
        f"  账号 accounts:   {get_settings().var_dir / 'demo-credentials.txt'} (make run)\n",
        file=sys.stderr,
    )
    app.serve(host=args.host, port=args.port)
    return 0


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
        ),
        stop_with_pid=int(parent) if parent.isdigit() else None,
    )


def _cmd_create_user(args: argparse.Namespace) -> int:
    from dashboard.services.accounts import create_user
    from dashboard.services.errors import FieldError
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    settings = get_settings()
    migrate(settings.database_url)
    try:
        with session_scope(settings.database_url) as session:
            user = create_user(
                session=session,
                name=args.name,
                role=args.role,
                scope=args.scope or settings.county_code,
                password=args.password,
                department_code=args.department,
                display_name=args.display_name,
            )
            print(f"created user {user.name} ({user.role}, scope {user.scope})")
    except FieldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_create_token(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from dashboard.services.accounts import issue_token
    from dashboard.store.db import session_scope
    from dashboard.store.models import User

    settings = get_settings()
    with session_scope(settings.database_url) as session:
        user = session.scalar(select(User).where(User.name == args.name))
        if user is None:
            print(f"error: no user {args.name!r} (gridcmd create-user first)", file=sys.stderr)
            return 2
        print(issue_token(session=session, user=user, label=args.label))
    return 0


def _cmd_deadline(args: argparse.Namespace) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dashboard.domain.sla import deadline, years_without_official_data
    from dashboard.domain.time_limits import TimeLimitError, parse_time_limit

    settings = get_settings()
    try:
        limit = parse_time_limit(args.limit)
        start = datetime.fromisoformat(args.start)
    except (TimeLimitError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(settings.timezone))
    due = deadline(start, limit, settings.work_calendar())
    print(due.isoformat())
    unofficial = years_without_official_data({start.year, due.year})
    if unofficial:
        print(f"warning: no official holiday schedule for {unofficial}; used Monday–Friday", file=sys.stderr)
    return 0


def _cmd_import_catalog(args: argparse.Namespace) -> int:
    from dashboard.services.catalog_import import CatalogReadError, import_catalog
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    settings = get_settings()
    migrate(settings.database_url)
    try:
        with session_scope(settings.database_url) as session:
            report = import_catalog(session=session, path=Path(args.file), replace=args.replace, sheet=args.sheet)
    except CatalogReadError as exc:
        print(f"导入失败 import failed: {exc}", file=sys.stderr)
        return 2
    print(f"目录导入 catalog import: {args.file}")
    print(f"  新增 imported: {len(report.inserted)}")
    print(f"  更新 updated: {len(report.updated)}")
    print(f"  未变 unchanged: {len(report.unchanged)}")
    if args.replace:
        print(f"  删除 removed: {len(report.removed)}")
        if report.kept:
            # Cases point at these conditions, so deleting them would orphan live cases.
            print(f"  保留（有案件引用）kept, referenced by cases: {', '.join(report.kept)}")
    print(f"  错误行 bad rows: {len(report.bad)}")
    for bad in report.bad:
        print(f"    第 {bad.row_number} 行 row {bad.row_number}: {bad.reason}")
    if not report.landed:
        print("没有导入任何条目 nothing imported: every row was bad" if report.bad else "没有数据行 no data rows")
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="gridcmd", description="GridCommand 网格联动指挥")
    sub = parser.add_subparsers(dest="command", required=True)

    for name, func in (("init", _cmd_init), ("init-if-empty", _cmd_init_if_empty)):
        p = sub.add_parser(name, help="build the jurisdiction (streets, communities, grids, staff, catalog)")
        p.add_argument("--boundary", default=str(DEMO_BOUNDARY), help="GeoJSON boundary file")
        p.add_argument("--grids", type=int, default=1809, help="number of unit grids")
        p.add_argument("--streets", type=int, default=15, help="number of streets/towns")
        p.add_argument("--communities", type=int, default=589, help="number of communities/villages")
        p.add_argument("--seed", type=int, default=1, help="tessellation seed (same seed, same grids)")
        p.add_argument("--crs", choices=("gcj02", "wgs84"), default="gcj02", help="datum of the boundary file")
        p.add_argument("--county", default="", help="6-digit county code (default: COUNTY_CODE setting)")
        if name == "init-if-empty":
            p.add_argument("--demo-users", action="store_true", help="also create demo accounts (make run)")
        p.set_defaults(func=func)

    p = sub.add_parser("import-catalog", help="import a catalog table (立案、处置和结案标准) from CSV or XLSX")
    p.add_argument("file", help="CSV (UTF-8 or GBK) or XLSX file")
    p.add_argument("--replace", action="store_true", help="also remove conditions not in the file (unless in use)")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: the first sheet)")
    p.set_defaults(func=_cmd_import_catalog)

    p = sub.add_parser("serve", help="run the app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8050)
    p.add_argument("--simulate", action="store_true", help="also run `gridcmd simulate` with its defaults")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("simulate", help="live demo feed: cases and patrols")
    p.add_argument("--per-day", type=float, default=2000, help="cases per simulated day")
    p.add_argument("--speed", type=float, default=60, help="simulated seconds per real second (case arrivals)")
    p.add_argument("--patrols", type=int, default=None, help="patrols (default: one full-time worker per grid)")
    p.add_argument("--self-handled", type=float, default=0.5, help="share of cases fixed on the spot")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--duration", type=float, default=0, help="stop after this many real seconds (0 = never)")
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("create-user", help="add a user (screen, dispatcher, handler, leader, admin)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=("screen", "dispatcher", "handler", "leader", "admin"))
    p.add_argument("--scope", default="", help="county code (district-wide, default) or a 9-digit street code")
    p.add_argument("--password", default=None)
    p.add_argument("--department", default=None, help="department code (handlers)")
    p.add_argument("--display-name", default="")
    p.set_defaults(func=_cmd_create_user)

    p = sub.add_parser("create-token", help="print a new bearer token for a user")
    p.add_argument("name")
    p.add_argument("--label", default="")
    p.set_defaults(func=_cmd_create_token)

    p = sub.add_parser("deadline", help="deadline of a catalog time limit (4工作时, 3个工作日 …) from START")
    p.add_argument("limit")
    p.add_argument("start", help="ISO time; without an offset it is the center's local time")
    p.set_defaults(func=_cmd_deadline)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `gridcmd` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
