"""Outbox relay: publish committed outbox rows to the Redis stream, in order, then mark them sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from dashboard.domain.clock import utcnow
from dashboard.live.keys import Keys
from dashboard.store.models import Outbox

Emit = Callable[[str, dict[str, Any]], None]  # (stream id, delta payload) → push to clients
# Rows per stream entry: a full batch intake (POST /cases/batch, up to 500 reports) goes out as one delta.
BATCH = 500


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

    def run_once(self, *, batch: int = BATCH) -> int:
        """Publish up to `batch` unsent rows as one stream entry; returns how many rows were published."""
        session = self._sessions()
        try:
            rows = session.scalars(
                select(Outbox).where(Outbox.sent_at.is_(None)).order_by(Outbox.id).limit(batch)
            ).all()
            if not rows:
                return 0
            recovered = self._published_before({row.id for row in rows})
            if recovered is not None:
                stream_id, outbox_ids, cases = recovered
                self._mark(session, outbox_ids, stream_id)
                session.commit()
                marked = len(outbox_ids)
            else:
                cases = [row.payload for row in rows if row.topic == "case"]
                # One entry per batch: a delta carries many rows, so a burst costs one message per client. The
                # outbox ids go with it, so a relay that dies before its commit below is not published twice.
                stream_id = self._r.xadd(
                    self._keys.case_stream,
                    {
                        "cases": json.dumps(cases, ensure_ascii=False, separators=(",", ":")),
                        "outbox": encode_ids([row.id for row in rows]),
                    },
                    maxlen=self._maxlen,
                    approximate=True,
                )
                self._mark(session, [row.id for row in rows], stream_id)
                session.commit()
                marked = len(rows)
        finally:
            session.close()
        if self._emit is not None:
            self._emit(stream_id, {"id": stream_id, "cases": cases})
        return marked

    def _published_before(self, unsent: set[int]) -> tuple[str, list[int], list[dict[str, Any]]] | None:
        """(stream id, outbox ids, cases) of the stream's last entry if it already carries some `unsent` rows.

        That happens when a relay died between its XADD and the commit marking the rows sent. Every relay looks
        here before it publishes, so such an entry is always the last one. The recovered entry is handed to
        clients again: the relay that wrote it may have died before it did; clients drop a stream id they hold.
        """
        last = self._r.xrevrange(self._keys.case_stream, count=1)
        if not last:
            return None
        stream_id, fields = last[0]
        overlap = sorted(unsent.intersection(decode_ids(fields.get("outbox", ""))))
        if not overlap:
            return None
        return stream_id, overlap, json.loads(fields["cases"])

    @staticmethod
    def _mark(session: Session, outbox_ids: list[int], stream_id: str) -> None:
        # By id ranges, not `IN (500 ids)`: a batch is mostly contiguous, and psycopg rewrites a statement of more
        # than 50 placeholders in Python on every call (~10 µs a placeholder on this box).
        spans = [or_(*(Outbox.id.between(low, high) for low, high in id_ranges(outbox_ids)))]
        session.execute(update(Outbox).where(*spans).values(sent_at=utcnow(), stream_id=stream_id))

    def drain(self) -> int:
        """Publish everything pending (tests and shutdown)."""
        total = 0
        while n := self.run_once():
            total += n
        return total


def id_ranges(ids: list[int]) -> list[tuple[int, int]]:
    """Ascending (low, high) runs of consecutive ids, each covering exactly ids of `ids`."""
    out: list[tuple[int, int]] = []
    for value in sorted(set(ids)):
        if out and value == out[-1][1] + 1:
            out[-1] = (out[-1][0], value)
        else:
            out.append((value, value))
    return out


def encode_ids(ids: list[int]) -> str:
    """Outbox ids as ascending ranges, `"3-7,9,12-15"`: compact for the contiguous batches a relay publishes."""
    return ",".join(str(low) if low == high else f"{low}-{high}" for low, high in id_ranges(ids))


def decode_ids(text: str) -> set[int]:
    """The ids of `encode_ids` output; empty for an entry written before ids were recorded."""
    ids: set[int] = set()
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        ids.update(range(int(low), int(high or low) + 1))
    return ids
