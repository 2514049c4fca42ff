"""Time helpers for services and their callers: the pure ones live in dashboard/domain/clock.py (the store and
the live layer use them too); reading a user's date or time from input is validation, so it stays here.
"""

from __future__ import annotations

from datetime import datetime

# Re-exported: views and the API import their time helpers from here alongside parse_instant.
from dashboard.domain.clock import as_utc, local_date_code, local_day_start, local_iso, utcnow
from dashboard.services.validate import instant

__all__ = ["as_utc", "local_date_code", "local_day_start", "local_iso", "parse_instant", "utcnow"]


def parse_instant(
    raw: str | None, tz: str, *, end_of_day: bool, name: str, require_offset: bool = False
) -> datetime | None:
    """A local date (its start; with `end_of_day` the next day's start) or an ISO date-time, as aware UTC.

    A date-time without offset is the center's local time, as a person would type it, unless `require_offset`
    (machine clients must say which instant they mean). None when `raw` is empty. The checks (ASCII ISO text,
    1970–9000 so no calendar arithmetic overflows) are the validation layer's.
    """
    return instant(raw, name, tz=tz, end_of_day=end_of_day, offset_required=require_offset)
