"""Storage behaves the same on SQLite and PostgreSQL where it matters: instants keep their meaning."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dashboard.store.db import get_sessionmaker, transaction
from dashboard.store.models import Outbox


def test_aware_times_round_trip_as_the_same_instant(db_url: str) -> None:
    beijing = datetime(2026, 10, 8, 11, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with transaction(get_sessionmaker(db_url)) as session:
        row = Outbox(created_at=beijing, topic="test", payload={}, sent_at=beijing)
        session.add(row)
        session.flush()
        row_id = row.id
    with transaction(get_sessionmaker(db_url)) as session:
        back = session.get(Outbox, row_id)
        assert back.created_at == beijing  # same instant (03:00 UTC), not 11:00 UTC
        assert back.created_at.tzinfo is not None and back.created_at.utcoffset() == UTC.utcoffset(None)
        session.delete(back)
