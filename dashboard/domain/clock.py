"""Time helpers: store UTC, show the center's local time; SQLite hands back naive datetimes (pure).

In the domain so that every layer may use them: the store's KPI queries and the live layer need them as much
as the services do, and neither may import services.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo


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
