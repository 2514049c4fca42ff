"""`gridcmd create-user`, `create-token` and `media-sweep`: an admin's accounts and housekeeping."""

from __future__ import annotations

import argparse

from dashboard.cli.common import CliError, current_county
from dashboard.config import get_settings


def _cmd_create_user(args: argparse.Namespace) -> int:
    from dashboard.services.accounts import create_user
    from dashboard.store.db import session_scope
    from dashboard.store.schema import migrate

    settings = get_settings()
    migrate(settings.database_url)
    scope = args.scope or current_county(settings)
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


def add_account_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def add_media_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`media-sweep`: delete photo files no case names (a failed commit, an upload never attached)."""
    p = sub.add_parser("media-sweep", help="delete photo files under MEDIA_DIR that no case names")
    p.add_argument("--older-than-hours", type=float, default=24.0, help="spare files younger than this (default 24)")
    p.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    p.set_defaults(func=_cmd_media_sweep)
