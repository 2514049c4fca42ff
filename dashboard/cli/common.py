"""What every `gridcmd` command shares: the one-line bad-input error, the demo boundary, the district, argument types.

The argument types live here rather than beside one command because several command groups use them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from dashboard.config import PROJECT_ROOT, Settings

DEMO_BOUNDARY = PROJECT_ROOT / "data" / "boundaries" / "110112.geojson"


class CliError(Exception):
    """Bad input: printed as one line naming the argument and what would be valid, exit status 2."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.message = message


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def current_county(settings: Settings) -> str:
    """The database's district once a jurisdiction is built or imported, else the COUNTY_CODE setting."""
    from dashboard.services.jurisdiction import district_code
    from dashboard.store.db import session_scope

    with session_scope(settings.database_url) as session:
        return district_code(session=session) or settings.county_code


def whole(low: int, high: int | None = None) -> Callable[[str], int]:
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


def number(low: float, high: float | None = None, *, above: bool = False) -> Callable[[str], float]:
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


def county_arg(text: str) -> str:
    from dashboard.domain.codes import is_county_code

    if not is_county_code(text):
        raise argparse.ArgumentTypeError(f"expected a 6-digit GB/T 2260 county code such as 110112, got {text!r}")
    return text
