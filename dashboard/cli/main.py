"""The `gridcmd` parser and entry point: every command group adds its subcommands, `main` turns errors into one line.

Each group (build, imports, work_calendar, serve, admin) keeps its arguments next to its code, so reading one
command means opening one module; only the order in --help and the error reporting are decided here.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from dashboard.cli.admin import add_account_commands, add_media_command
from dashboard.cli.build import add_init_commands
from dashboard.cli.common import CliError, one_line
from dashboard.cli.imports import add_import_commands
from dashboard.cli.serve import add_run_commands
from dashboard.cli.work_calendar import add_deadline_command, add_holidays_command

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


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits 2 (the usage stays behind --help)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="gridcmd", description="GridCommand 网格联动指挥")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected failure")
    sub = parser.add_subparsers(dest="command", required=True)
    # In this order in --help.
    add_init_commands(sub)
    add_import_commands(sub)
    add_holidays_command(sub)
    add_run_commands(sub)
    add_account_commands(sub)
    add_deadline_command(sub)
    add_media_command(sub)
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
        print(f"gridcmd {command}: error: {exc.argument}: {one_line(exc.message)}", file=sys.stderr)
        return 2
    except FieldError as exc:
        argument = _ARGUMENTS.get(exc.field, exc.field)
        print(f"gridcmd {command}: error: {argument}: {one_line(exc.message)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            raise
        message = one_line(str(exc))[:400] or "no message"
        print(
            f"gridcmd {command}: failed: {type(exc).__name__}: {message} (gridcmd --debug shows where)", file=sys.stderr
        )
        return 1
