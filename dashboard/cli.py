"""`gridcmd`: build the jurisdiction, serve the app, run the simulator (DESIGN.md section 10)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from dashboard.config import PROJECT_ROOT, Settings, get_settings

DEMO_BOUNDARY = PROJECT_ROOT / "data" / "boundaries" / "110112.geojson"


class CliError(Exception):
    """Bad input: printed as one line naming the argument and what would be valid, exit status 2."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.message = message


# A service's FieldError names its field; the user typed a flag or a positional argument.
_ARGUMENTS = {
    "boundary": "--boundary",
    "grids": "--grids",
    "streets": "--streets",
    "communities": "--communities",
    "county": "--county",
    "crs": "--crs",
    "scope": "--scope",
    "role": "--role",
    "password": "--password",
    "department": "--department",
    "department_code": "--department",
    "display_name": "--display-name",
    "name": "NAME",
    "file": "FILE",
}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _county_code(settings: Settings) -> str:
    """The database's district once a jurisdiction is built or imported, else the COUNTY_CODE setting."""
    from dashboard.services.jurisdiction import district_code
    from dashboard.store.db import session_scope

    with session_scope(settings.database_url) as session:
        return district_code(session=session) or settings.county_code


def _cmd_init(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from dashboard.services.jurisdiction import build_jurisdiction, plan_jurisdiction, read_geojson_file
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    # Everything is checked before the database is touched, so bad input leaves nothing behind.
    boundary = read_geojson_file(args.boundary, field="boundary")
    plan = plan_jurisdiction(
        boundary,
        grids=args.grids,
        county_code=args.county,
        streets=args.streets,
        communities=args.communities,
        crs=args.crs,
    )
    settings = get_settings()
    migrate(settings.database_url)
    started = time.monotonic()
    bar = tqdm(total=plan.levels.grids, unit="网格", desc="构建网格 building grids", file=sys.stderr)
    with bar, session_scope(settings.database_url) as session:
        summary = build_jurisdiction(
            session=session,
            boundary=boundary,
            county_code=args.county,
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
    county = _county_code(settings)
    with session_scope(settings.database_url) as session:
        for role in DEMO_ROLES:
            password = secrets.token_urlsafe(9)
            user = create_user(session=session, name=role, role=role, scope=county, password=password)
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
        + _calendar_warning(get_settings()),
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


def _cmd_create_user(args: argparse.Namespace) -> int:
    from dashboard.services.accounts import create_user
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    settings = get_settings()
    migrate(settings.database_url)
    scope = args.scope or _county_code(settings)
    # A FieldError (bad name, scope, department …) is reported by main() as one line naming the flag.
    with session_scope(settings.database_url) as session:
        user = create_user(
            session=session,
            name=args.name,
            role=args.role,
            scope=scope,
            password=args.password,
            department_code=args.department,
            display_name=args.display_name,
        )
        print(f"created user {user.name} ({user.role}, scope {user.scope})")
    return 0


def _cmd_create_token(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from dashboard.services.accounts import issue_token
    from dashboard.store.db import session_scope
    from dashboard.store.models import User
    from dashboard.store.schema import migrate

    settings = get_settings()
    migrate(settings.database_url)
    with session_scope(settings.database_url) as session:
        user = session.scalar(select(User).where(User.name == args.name))
        if user is None:
            raise CliError("NAME", f"no user {args.name!r}; create one first with gridcmd create-user NAME --role ROLE")
        print(issue_token(session=session, user=user, label=args.label))
    return 0


def _cmd_deadline(args: argparse.Namespace) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dashboard.domain.sla import deadline
    from dashboard.domain.time_limits import TimeLimitError, parse_time_limit

    settings = get_settings()
    try:
        limit = parse_time_limit(args.limit)
    except TimeLimitError as exc:
        raise CliError("LIMIT", str(exc)) from None
    try:
        start = datetime.fromisoformat(args.start)
    except ValueError:
        raise CliError("START", f"expected an ISO time such as 2026-12-02T09:30, got {args.start!r}") from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(settings.timezone))
    cal = _calendar(settings)
    due = deadline(start, limit, cal)
    print(due.isoformat())
    unofficial = cal.missing_years({start.year, due.year})
    if unofficial:
        print(f"warning: no official holiday schedule for {unofficial}; used Monday–Friday", file=sys.stderr)
    return 0


def _calendar(settings: Settings) -> Any:
    """The configured work calendar with the holiday schedules entered in the database."""
    from dashboard.services.holidays import entered_schedule, with_schedule
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    migrate(settings.database_url)
    with session_scope(settings.database_url) as session:
        return with_schedule(settings.work_calendar(), entered_schedule(session=session))


def _calendar_warning(settings: Settings) -> str:
    """The start-up line saying which near years lack an official holiday schedule ("" when none do)."""
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard.services.clock import utcnow
    from dashboard.services.holidays import missing_years

    try:
        missing = missing_years(_calendar(settings), utcnow())
    except SQLAlchemyError:
        return ""  # the app reports the database itself when it starts
    if not missing:
        return ""
    years = "、".join(map(str, missing))
    return (
        f"  注意 warning: {years} 年无官方节假日安排，工作日按周一至周五计算；请录入国务院通知 "
        f"(no official holiday schedule for {years}: gridcmd holidays import NOTICE.txt)\n"
    )


def _cmd_import_catalog(args: argparse.Namespace) -> int:
    import getpass

    from dashboard.services.catalog_import import CatalogReadError, import_catalog
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    settings = get_settings()
    migrate(settings.database_url)
    try:
        with session_scope(settings.database_url) as session:
            report = import_catalog(
                session=session,
                path=Path(args.file),
                replace=args.replace,
                sheet=args.sheet,
                dry_run=args.dry_run,
                by=f"cli:{getpass.getuser()}",
            )
    except CatalogReadError as exc:
        print(f"导入失败 import failed: {exc}", file=sys.stderr)
        return 2
    print("\n".join(catalog_report_lines(report, args.file, replace=args.replace, dry_run=args.dry_run)))
    if not report.landed:
        print("没有导入任何条目 nothing imported: every row was bad" if report.bad else "没有数据行 no data rows")
        return 1
    return 0


_HOW = {
    "code": "按代码 by code",
    "exact": "名称一致 exact name",
    "street": "属地街道 the case's own street",
    "normalised": "规范化名称 normalised name",
    "new": "新建部门 new department",
    "kept": "仅保留文字 kept as text",
    "ambiguous": "不明确 ambiguous",
    "unknown": "未知代码 unknown code",
}
_ROLE = {"handler": "处置 handles", "co_handler": "协办 co-handles", "supervisor": "监管 supervises"}


def catalog_report_lines(report: Any, file: str, *, replace: bool, dry_run: bool) -> list[str]:
    """The import report as printed: sheets, counts, new departments, how each body matched, bad rows."""
    new_codes = {name: code for code, name in report.new_departments}
    lines = [f"目录导入 catalog import: {file}" + ("  （试运行，未写入 dry run, nothing written）" if dry_run else "")]
    for sheet in report.sheets:
        if not sheet.name:
            continue
        kind = f"（{sheet.kind}）" if sheet.kind else ""
        if sheet.skipped:
            lines.append(f"  工作表 sheet {sheet.name}{kind}: 跳过 skipped, no catalog header row")
        else:
            lines.append(f"  工作表 sheet {sheet.name}{kind}: {sheet.good} 行可导入 good, {sheet.bad} 行错误 bad")
    lines += [
        f"  新增 imported: {len(report.inserted)}",
        f"  更新 updated: {len(report.updated)}",
        f"  未变 unchanged: {len(report.unchanged)}",
    ]
    if replace:
        lines.append(f"  删除 removed: {len(report.removed)}")
        if report.kept:
            # Cases point at these conditions, so deleting them would orphan live cases.
            lines.append(f"  保留（有案件引用）kept, referenced by cases: {', '.join(report.kept)}")
    if report.new_departments:
        lines.append(f"  新建部门 new departments: {len(report.new_departments)}")
        lines += [f"    {code} {name}" for code, name in report.new_departments]
    if report.bodies:
        lines.append("  单位匹配 bodies matched:")
        for body in report.bodies:
            target = f"{body.code} {body.name}" if body.code else new_codes.get(body.text, "—")
            lines.append(f"    {body.text} → {target}  [{_HOW.get(body.how, body.how)}; {_ROLE.get(body.role, '')}]")
    lines.append(f"  错误行 bad rows: {len(report.bad)}")
    lines += [f"    {bad.where}: {bad.reason}" for bad in report.bad]
    return lines


def _read_notice_file(path: str) -> str:
    data = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("neither UTF-8 nor GB18030/GBK text")


_WEEKDAY = "一二三四五六日"


def _day(d: Any) -> str:
    return f"{d.isoformat()}（周{_WEEKDAY[d.weekday()]}）"


def holiday_lines(rows: Any) -> list[str]:
    """A year's days as printed: each holiday range, then each make-up workday."""
    from dashboard.services.holidays import spans

    lines = []
    for span in spans(rows):
        if span.kind == "holiday":
            end = f" 至 to {_day(span.end)}" if span.end != span.start else ""
            lines.append(f"  放假 holiday   {span.name:<6} {_day(span.start)}{end}，共 {span.days} 天 days")
        else:
            lines.append(f"  上班 workday   {span.name:<6} {_day(span.start)}")
    return lines


def _cmd_holidays_import(args: argparse.Namespace) -> int:
    import getpass

    from dashboard.services.errors import FieldError
    from dashboard.services.holidays import enter_notice, notice_rows, package_differences, read_notice, year_schedule
    from dashboard.store.db import get_sessionmaker, session_scope
    from dashboard.store.schema import migrate

    try:
        text = _read_notice_file(args.file)
        notice = read_notice(text)
    except (OSError, ValueError) as exc:
        cause = exc.message if isinstance(exc, FieldError) else getattr(exc, "strerror", None) or exc
        print(f"error: holidays import {args.file}: {cause}", file=sys.stderr)
        return 2
    settings = get_settings()
    migrate(settings.database_url)
    rows = notice_rows(notice)
    print(f"{notice.year}年节假日安排 {notice.year} holiday schedule read from {args.file}:")
    print("\n".join(holiday_lines(rows)))
    print(f"  共 {len(notice.holidays)} 天放假 holidays, {len(notice.workdays)} 天调休上班 make-up workdays")
    differ = package_differences(notice)
    if differ is not None:
        same = "与 chinese-calendar 一致 same as chinese-calendar"
        print(f"  {same}" if not differ else f"  与 chinese-calendar 不同 differs on: {', '.join(map(str, differ))}")
    with session_scope(settings.database_url) as session:
        before = year_schedule(session=session, year=notice.year, tz=settings.timezone)
    if before.source == "entered":
        print(f"  将替换 replaces the schedule entered {before.entered_at} by {before.entered_by}")
    if args.dry_run:
        print("试运行 dry run: nothing saved 未保存")
        return 0
    if not args.yes:
        try:
            answer = input("保存？Save? [y/N] ").strip().lower()
        except EOFError:
            answer = ""
        if answer not in ("y", "yes", "是"):
            print("未保存 not saved")
            return 1
    entered = enter_notice(
        sessions=get_sessionmaker(settings.database_url),
        base=settings.work_calendar(),
        tz=settings.timezone,
        county_code=_county_code(settings),
        notice=notice,
        text=text,
        by=f"cli:{getpass.getuser()}",
    )
    print(f"已保存 saved: {notice.year} ({entered.saved.holidays} holidays, {entered.saved.workdays} workdays)")
    print(f"  重算时限 deadlines recomputed: {len(entered.moved)} open cases")
    for moved in entered.moved:
        print(f"    {moved.code}: {moved.old} → {moved.new}")
    if entered.not_moved:
        print(f"  未能重算 not recomputed (kept changing): {', '.join(map(str, entered.not_moved))}")
    return 0


def _cmd_holidays_show(args: argparse.Namespace) -> int:
    from dashboard.services.holidays import year_schedule
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    if not 1900 <= args.year <= 2999:
        print(f"error: holidays show: YEAR {args.year} must be a year such as 2027", file=sys.stderr)
        return 2
    settings = get_settings()
    migrate(settings.database_url)
    with session_scope(settings.database_url) as session:
        schedule = year_schedule(session=session, year=args.year, tz=settings.timezone)
    source = {
        "entered": f"管理员录入 entered by {schedule.entered_by} at {schedule.entered_at}",
        "package": "chinese-calendar 软件包 package data",
        "none": "无官方安排 none: working days are Monday–Friday plus center overrides",
    }[schedule.source]
    print(f"{args.year}年节假日安排 {args.year} holiday schedule — {source}")
    print("\n".join(holiday_lines(schedule.days)))
    return 0


def _cmd_import_grids(args: argparse.Namespace) -> int:
    from dashboard.services.grid_import import import_grids
    from dashboard.services.jurisdiction import read_geojson_file
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    collection = read_geojson_file(args.file, field="file")
    settings = get_settings()
    migrate(settings.database_url)
    started = time.monotonic()
    with session_scope(settings.database_url) as session:
        report = import_grids(
            session=session,
            collection=collection,
            crs=args.crs,
            dry_run=args.dry_run,
            allow_gaps=args.allow_gaps,
            district_name=args.name,
            source=Path(args.file).name,
            by=f"cli:{_user()}",
        )
    print("\n".join(grid_report_lines(report, args.file, dry_run=args.dry_run)))
    print(f"  用时 took {time.monotonic() - started:.1f} s")
    if report.errors:
        rows = sorted({r for p in report.errors for r in p.rows})
        shown = f" (features {', '.join(map(str, rows[:12]))}{' …' if len(rows) > 12 else ''})" if rows else ""
        raise CliError("FILE", f"{len(report.errors)} problems{shown}, listed above; nothing written")
    if report.written:
        # Other processes compare the grids' version stamp and reload their grid index within GRIDS_REFRESH_S.
        print(
            f"  运行中的服务将在 {settings.grids_refresh_s:.0f} 秒内载入新网格；大屏轮廓需重启 "
            f"(running apps reload the grid index within {settings.grids_refresh_s:.0f} s; "
            "restart gridcmd serve to redraw outlines on open screens)"
        )
    return 0


_GRID_WARNINGS_SHOWN = 50


def grid_report_lines(report: Any, file: str, *, dry_run: bool) -> list[str]:
    """The grid import report as printed: counts per level, generated staff, errors, warnings (capped per kind)."""
    head = f"网格导入 grid import: {file}"
    if dry_run:
        head += "  （试运行，未写入 dry run, nothing written）"
    lines = [
        head,
        f"  区县 county: {report.county_code or '—'} {report.district_name}, 要素 features: {report.features}",
        f"  网格 grids: 新增 new {len(report.inserted)}, 更新 updated {len(report.updated)}, "
        f"未变 unchanged {len(report.unchanged)}, 删除 removed {len(report.removed)}",
    ]
    for label, level in (("街道 streets", report.streets), ("社区 communities", report.communities)):
        lines.append(
            f"  {label}: 新增 new {len(level['new'])}, 更新 updated {len(level['updated'])}, "
            f"删除 removed {len(level['removed'])}"
        )
    if report.removed:
        lines.append(f"    删除的网格 grids removed (no case points at them): {', '.join(report.removed[:20])}")
    if report.written and report.staff_added:
        lines.append(
            f"  生成人员 staff generated: {report.staff_added} (synthetic 3+X teams of new grids and inspectors of "
            "new streets; replace them with the real roster)"
        )
    if report.written and report.departments_added:
        lines.append(f"  新建部门 departments added: {report.departments_added}")
    if report.written and report.catalog_added:
        lines.append(f"  默认目录 default catalog: {report.catalog_added} conditions")
    lines.append(f"  错误 errors: {len(report.errors)}")
    lines += [f"    {p.message}" for p in report.errors]
    lines.append(f"  警告 warnings: {len(report.warnings)}")
    shown: dict[str, int] = {}
    for p in report.warnings:
        shown[p.kind] = shown.get(p.kind, 0) + 1
        if shown[p.kind] <= _GRID_WARNINGS_SHOWN:
            lines.append(f"    {p.message}")
    for kind, count in shown.items():
        if count > _GRID_WARNINGS_SHOWN:
            lines.append(f"    … {kind}: {count - _GRID_WARNINGS_SHOWN} more")
    if report.written:
        lines.append("  已写入 written")
    elif not dry_run:
        lines.append("  未写入 nothing written")
    return lines


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number within low..high, the range said in the error."""
    span = f"{low}..{high}" if high is not None else f"{low} or more"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number {span}, got {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {span}, got {value}")
        return value

    return parse


def _number(low: float, high: float | None = None, *, above: bool = False) -> Callable[[str], float]:
    """An argparse type: a number ≥ low (> low when `above`) and ≤ high, the range said in the error."""
    span = (f"more than {low:g}" if above else f"{low:g} or more") if high is None else f"{low:g}..{high:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number {span}, got {text!r}") from None
        if not (value > low if above else value >= low) or (high is not None and value > high) or value != value:
            raise argparse.ArgumentTypeError(f"must be {span}, got {text}")
        return value

    return parse


def _county_arg(text: str) -> str:
    from dashboard.domain.codes import is_county_code

    if not is_county_code(text):
        raise argparse.ArgumentTypeError(f"expected a 6-digit GB/T 2260 county code such as 110112, got {text!r}")
    return text


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits 2 (the usage stays behind --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def _add_init_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`init` and `init-if-empty`: build the jurisdiction from a boundary."""
    for name, func in (("init", _cmd_init), ("init-if-empty", _cmd_init_if_empty)):
        p = sub.add_parser(name, help="build the jurisdiction (streets, communities, grids, staff, catalog)")
        p.add_argument("--boundary", default=str(DEMO_BOUNDARY), help="GeoJSON boundary file (any county)")
        p.add_argument("--grids", type=_whole(1), default=1809, help="number of unit grids")
        p.add_argument(
            "--streets", type=_whole(1, 999), default=None, help="streets/towns (default: about 39 communities each)"
        )
        p.add_argument(
            "--communities", type=_whole(1), default=None, help="communities/villages (default: 3–4 grids each)"
        )
        p.add_argument("--seed", type=_whole(0), default=1, help="tessellation seed (same seed, same grids)")
        p.add_argument("--crs", choices=("gcj02", "wgs84"), default="gcj02", help="datum of the boundary file")
        p.add_argument(
            "--county", type=_county_arg, default=None, help="6-digit county code (default: the file's adcode/code)"
        )
        if name == "init-if-empty":
            p.add_argument("--demo-users", action="store_true", help="also create demo accounts (make run)")
        p.set_defaults(func=func)


def _add_import_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`import-catalog` and `import-grids`: load a catalog table or an official subdivision."""
    p = sub.add_parser("import-catalog", help="import a catalog table (立案、处置和结案标准) from CSV or XLSX")
    p.add_argument("file", help="CSV (UTF-8 or GBK) or XLSX file")
    p.add_argument("--replace", action="store_true", help="also remove conditions not in the file (unless in use)")
    p.add_argument("--sheet", default=None, help="XLSX sheet name (default: every sheet laid out as a catalog)")
    p.add_argument("--dry-run", action="store_true", help="print the report without writing anything")
    p.set_defaults(func=_cmd_import_catalog)

    p = sub.add_parser("import-grids", help="import an official grid subdivision (GeoJSON polygons with codes)")
    p.add_argument("file", help="GeoJSON FeatureCollection, one feature per grid with its 15-digit code")
    p.add_argument(
        "--crs", choices=("wgs84", "cgcs2000", "gcj02"), default="wgs84", help="datum of the file (gcj02 is converted)"
    )
    p.add_argument("--dry-run", action="store_true", help="print the report without writing anything")
    p.add_argument("--allow-gaps", action="store_true", help="import despite gaps (enclaves of another county)")
    p.add_argument("--name", default=None, help="district name for a new database (default: kept, or the code)")
    p.set_defaults(func=_cmd_import_grids)


def _add_holidays_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`holidays import` and `holidays show`."""
    p = sub.add_parser("holidays", help="official holidays: import the State Council's notice, show a year")
    holidays = p.add_subparsers(dest="holidays_command", required=True)
    p = holidays.add_parser("import", help="read the annual notice as published, show it, save it")
    p.add_argument("file", help="the notice as text (国务院办公厅关于YYYY年部分节假日安排的通知)")
    p.add_argument("--yes", action="store_true", help="save without asking")
    p.add_argument("--dry-run", action="store_true", help="show what was read and save nothing")
    p.set_defaults(func=_cmd_holidays_import)
    p = holidays.add_parser("show", help="list a year's holidays and make-up workdays")
    p.add_argument("year", type=int)
    p.set_defaults(func=_cmd_holidays_show)


def _add_run_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`serve` and `simulate`: run the app and its live demo feed."""
    p = sub.add_parser("serve", help="run the app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_whole(1, 65535), default=8050)
    p.add_argument("--simulate", action="store_true", help="also run `gridcmd simulate` with its defaults")
    p.add_argument("--sim-no-desk", action="store_true", help="with --simulate: leave every new report to people")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("serve-prod", help="production: nginx in front of N gunicorn processes (dashboard/prod.py)")
    p.add_argument("--host", default="127.0.0.1", help="nginx's address (0.0.0.0: the LAN)")
    p.add_argument("--port", type=_whole(1, 65000), default=8080, help="nginx's port; the apps take PORT+1 … PORT+N")
    p.add_argument("--processes", type=_whole(1, 64), default=os.cpu_count() or 1, help="app processes")
    p.add_argument("--worker", choices=("gthread", "gevent"), default="gthread", help="gunicorn worker class")
    p.add_argument("--init-if-empty", action="store_true", help="build the demo district into an empty database")
    p.set_defaults(func=_cmd_serve_prod)

    p = sub.add_parser("simulate", help="live demo feed: cases and patrols")
    p.add_argument("--per-day", type=_number(0, above=True), default=2000, help="cases per simulated day")
    p.add_argument(
        "--speed", type=_number(0, above=True), default=60, help="simulated seconds per real second (case arrivals)"
    )
    p.add_argument("--patrols", type=_whole(0), default=None, help="patrols (default: one full-time worker per grid)")
    p.add_argument("--self-handled", type=_number(0, 1), default=0.5, help="share of cases fixed on the spot")
    p.add_argument("--seed", type=_whole(0), default=7)
    p.add_argument("--duration", type=_number(0), default=0, help="stop after this many real seconds (0 = never)")
    p.add_argument("--no-desk", action="store_true", help="simulated dispatchers file and dispatch nothing")
    p.set_defaults(func=_cmd_simulate)


def _add_account_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`create-user` and `create-token`."""
    from dashboard.services.accounts import USER_ROLES  # the role list lives with the accounts

    p = sub.add_parser("create-user", help=f"add a user ({', '.join(USER_ROLES)})")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=USER_ROLES)
    p.add_argument("--scope", default="", help="county code (district-wide, default) or a 9-digit street code")
    p.add_argument("--password", default=None)
    p.add_argument("--department", default=None, help="department code (handlers)")
    p.add_argument("--display-name", default="")
    p.set_defaults(func=_cmd_create_user)

    p = sub.add_parser("create-token", help="print a new bearer token for a user")
    p.add_argument("name")
    p.add_argument("--label", default="")
    p.set_defaults(func=_cmd_create_token)


def _cmd_media_sweep(args: argparse.Namespace) -> int:
    from dashboard.services.media_store import MediaStore, sweep_orphans
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    if args.older_than_hours < 1:
        raise CliError("--older-than-hours", "must be at least 1 (younger files may belong to an upload in flight)")
    settings = get_settings()
    migrate(settings.database_url)
    store = MediaStore(settings.media_root())
    with session_scope(settings.database_url) as session:
        done = sweep_orphans(store, session=session, older_than_s=args.older_than_hours * 3600, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for path in done.removed:
        print(f"{verb} {path}")
    print(f"{verb} {len(done.removed)} orphaned photo files, kept {done.kept} in {store.root}")
    return 0


def _add_media_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`media-sweep`: delete photo files no case names (a failed commit, an upload never attached)."""
    p = sub.add_parser("media-sweep", help="delete photo files under MEDIA_DIR that no case names")
    p.add_argument("--older-than-hours", type=float, default=24.0, help="spare files younger than this (default 24)")
    p.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    p.set_defaults(func=_cmd_media_sweep)


def _add_deadline_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`deadline`: when a catalog time limit runs out."""
    p = sub.add_parser("deadline", help="deadline of a catalog time limit (4工作时, 3个工作日 …) from START")
    p.add_argument("limit")
    p.add_argument("start", help="ISO time; without an offset it is the center's local time")
    p.set_defaults(func=_cmd_deadline)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="gridcmd", description="GridCommand 网格联动指挥")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected failure")
    sub = parser.add_subparsers(dest="command", required=True)
    # In this order in --help.
    _add_init_commands(sub)
    _add_import_commands(sub)
    _add_holidays_command(sub)
    _add_run_commands(sub)
    _add_account_commands(sub)
    _add_deadline_command(sub)
    _add_media_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `gridcmd` console script: bad input is one line on stderr and exit status 2."""
    from dashboard.services.errors import FieldError

    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0), or a bad argument already reported in one line (2)
        return exc.code if isinstance(exc.code, int) else 2
    command = " ".join(filter(None, (args.command, getattr(args, "holidays_command", None))))
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"gridcmd {command}: error: {exc.argument}: {_one_line(exc.message)}", file=sys.stderr)
        return 2
    except FieldError as exc:
        argument = _ARGUMENTS.get(exc.field, exc.field)
        print(f"gridcmd {command}: error: {argument}: {_one_line(exc.message)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            raise
        message = _one_line(str(exc))[:400] or "no message"
        print(
            f"gridcmd {command}: failed: {type(exc).__name__}: {message} (gridcmd --debug shows where)", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
