"""`gridcmd`: build the jurisdiction, serve the app, run the simulator (DESIGN.md section 10).

One module per command group (build, imports, work_calendar, serve, admin), the shared pieces in common.py, the
parser and entry point in main.py. `dashboard.cli:main` (the console script) and `python -m dashboard` start here.
"""

from __future__ import annotations

from dashboard.cli.common import DEMO_BOUNDARY, CliError
from dashboard.cli.main import build_parser, main

__all__ = ["DEMO_BOUNDARY", "CliError", "build_parser", "main"]
