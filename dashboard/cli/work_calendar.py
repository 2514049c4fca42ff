"""`gridcmd holidays import|show` and `deadline`: the commands that read or change the work calendar.

They share the calendar as the database has it (the package's years plus the notices an admin entered); `serve`
prints `calendar_warning` at start-up.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dashboard.cli.common import CliError, current_county
from dashboard.config import Settings, get_settings


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
    cal = _work_calendar(settings)
    due = deadline(start, limit, cal)
    print(due.isoformat())
    unofficial = cal.missing_years({start.year, due.year})
    if unofficial:
        print(f"warning: no official holiday schedule for {unofficial}; used Monday–Friday", file=sys.stderr)
    return 0


def _work_calendar(settings: Settings) -> Any:
    """The configured work calendar with the holiday schedules entered in the database."""
    from dashboard.services.holidays import entered_schedule, with_schedule
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    migrate(settings.database_url)
    with session_scope(settings.database_url) as session:
        return with_schedule(settings.work_calendar(), entered_schedule(session=session))


def calendar_warning(settings: Settings) -> str:
    """The start-up line saying which near years lack an official holiday schedule ("" when none do)."""
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard.services.clock import utcnow
    from dashboard.services.holidays import missing_years

    try:
        missing = missing_years(_work_calendar(settings), utcnow())
    except SQLAlchemyError:
        return ""  # the app reports the database itself when it starts
    if not missing:
        return ""
    years = "、".join(map(str, missing))
    return (
        f"  注意 warning: {years} 年无官方节假日安排，工作日按周一至周五计算；请录入国务院通知 "
        f"(no official holiday schedule for {years}: gridcmd holidays import NOTICE.txt)\n"
    )


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
        county_code=current_county(settings),
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


def add_holidays_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def add_deadline_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`deadline`: when a catalog time limit runs out."""
    p = sub.add_parser("deadline", help="deadline of a catalog time limit (4工作时, 3个工作日 …) from START")
    p.add_argument("limit")
    p.add_argument("start", help="ISO time; without an offset it is the center's local time")
    p.set_defaults(func=_cmd_deadline)
