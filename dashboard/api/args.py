"""Query-string arguments of the REST handlers, read through the one validation layer (services/validate.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import request

from dashboard.services import validate
from dashboard.services.clock import parse_instant
from dashboard.services.errors import FieldError


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer argument in [low, high], `default` when absent."""
    value = validate.int_arg(request.args.get(name), name, default=default, low=low, high=high)
    assert value is not None  # a default was given
    return value


def float_arg(name: str, low: float, high: float) -> float:
    """A required number argument in [low, high]."""
    return validate.number_arg(request.args.get(name), name, low=low, high=high)


def aware_time_arg(name: str, tz: str) -> datetime:
    """A required time argument, in the center's zone."""
    # A time without an offset is the center's local time, as a dispatcher would type it.
    value = validate.instant(request.args.get(name), name, tz=tz)
    if value is None:
        raise FieldError(name, "is required: an ISO 8601 time, e.g. 2026-09-30T17:00")
    return value.astimezone(ZoneInfo(tz))


def instant_arg(name: str, tz: str, *, end_of_day: bool) -> datetime | None:
    """A query argument as an aware UTC instant (a local date, or a date-time with offset); None when absent."""
    return parse_instant(request.args.get(name), tz, end_of_day=end_of_day, name=name, require_offset=True)
