"""Outbox relay: publish committed outbox rows to the Redis stream, in order, then mark them sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from dashboard.live.keys import Keys
from dashboard.services.clock import utcnow
from dashboard.store.models import Outbox

Emit = Callable[[str, dict[str, Any]], None]  # (stream id, delta payload) → push to clients


class OutboxRelay:
    """Moves outbox rows to the case stream; a Redis outage leaves them unsent, to be retried."""

    def __init__(
        self, *, sessions: sessionmaker[Session], client: redis.Redis, keys: Keys, maxlen: int, emit: Emit | None
    ) -> None:
        self._sessions = sessions
        self._r = client
        self._keys = keys
        self._maxlen = maxlen
        self._emit = emit

    def run_once(self, *, batch: int = 200) -> int:
        """Publish up to `batch` unsent rows as one stream entry; returns how many rows were published."""
        session = self._sessions()
        try:
            rows = session.scalars(
                select(Outbox).where(Outbox.sent_at.is_(None)).order_by(Outbox.id).limit(batch)
            ).all()
            if not rows:
                return 0
            cases = [row.payload for row in rows if row.topic == "case"]
            # One entry per batch: a delta carries many rows, so a burst costs one message per client.
            stream_id = self._r.xadd(
                self._keys.case_stream,
                {"cases": json.dumps(cases, ensure_ascii=False, separators=(",", ":"))},
                maxlen=self._maxlen,
                approximate=True,
            )
            session.execute(
                update(Outbox)
                .where(Outbox.id.in_([row.id for row in rows]))
                .values(sent_at=utcnow(), stream_id=stream_id)
            )
            session.commit()
        finally:
            session.close()
        # If we die between XADD and the commit the batch is published twice; clients drop rows whose
        # version they already hold, so a duplicate is harmless while a loss would not be.
        if self._emit is not None:
            self._emit(stream_id, {"id": stream_id, "cases": cases})
        return len(rows)

    def drain(self) -> int:
        """Publish everything pending (tests and shutdown)."""
        total = 0
        while n := self.run_once():
            total += n
        return total
