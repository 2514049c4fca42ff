"""`gridcmd init` and `init-if-empty`: build the jurisdiction from a boundary, and the demo accounts of `make run`."""

from __future__ import annotations

import argparse
import json
import sys
import time

from dashboard.cli.common import DEMO_BOUNDARY, county_arg, current_county, whole
from dashboard.config import Settings, get_settings


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
    county = current_county(settings)
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


def add_init_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`init` and `init-if-empty`: build the jurisdiction from a boundary."""
    for name, func in (("init", _cmd_init), ("init-if-empty", _cmd_init_if_empty)):
        p = sub.add_parser(name, help="build the jurisdiction (streets, communities, grids, staff, catalog)")
        p.add_argument("--boundary", default=str(DEMO_BOUNDARY), help="GeoJSON boundary file (any county)")
        p.add_argument("--grids", type=whole(1), default=1809, help="number of unit grids")
        p.add_argument(
            "--streets", type=whole(1, 999), default=None, help="streets/towns (default: about 39 communities each)"
        )
        p.add_argument(
            "--communities", type=whole(1), default=None, help="communities/villages (default: 3–4 grids each)"
        )
        p.add_argument("--seed", type=whole(0), default=1, help="tessellation seed (same seed, same grids)")
        p.add_argument("--crs", choices=("gcj02", "wgs84"), default="gcj02", help="datum of the boundary file")
        p.add_argument(
            "--county", type=county_arg, default=None, help="6-digit county code (default: the file's adcode/code)"
        )
        if name == "init-if-empty":
            p.add_argument("--demo-users", action="store_true", help="also create demo accounts (make run)")
        p.set_defaults(func=func)
