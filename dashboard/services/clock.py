"""Time helpers: store UTC, show the center's local time; SQLite hands back naive datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from dashboard.services.validate import instant


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime; naive values (SQLite) are taken as UTC, which is how we store them."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local_iso(value: datetime | None, tz: str) -> str | None:
    """ISO 8601 in the center's time zone, with its offset, for people and browsers."""
    return None if value is None else as_utc(value).astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def local_day_start(now: datetime, tz: str) -> datetime:
    """UTC instant of the last local midnight: 'today' as the command center means it."""
    local = as_utc(now).astimezone(ZoneInfo(tz))
    midnight = datetime.combine(local.date(), time(0), tzinfo=ZoneInfo(tz))
    return midnight.astimezone(UTC)


def local_date_code(now: datetime, tz: str) -> str:
    """Local date as YYYYMMDD."""
    return as_utc(now).astimezone(ZoneInfo(tz)).strftime("%Y%m%d")


def parse_instant(
    raw: str | None, tz: str, *, end_of_day: bool, name: str, require_offset: bool = False
) -> datetime | None:
    """A local date (its start; with `end_of_day` the next day's start) or an ISO date-time, as aware UTC.

    A date-time without offset is the center's local time, as a person would type it, unless `require_offset`
    (machine clients must say which instant they mean). None when `raw` is empty. The checks (ASCII ISO text,
    1970–9000 so no calendar arithmetic overflows) are the validation layer's.
    """
    return instant(raw, name, tz=tz, end_of_day=end_of_day, offset_required=require_offset)
