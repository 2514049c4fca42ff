"""Queue a live message in the same transaction as the change it announces."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from dashboard.domain.clock import utcnow
from dashboard.store.models import Outbox


def enqueue(*, session: Session, topic: str, payload: dict[str, Any]) -> None:
    """Add an outbox row; the relay publishes it only after commit, so nothing uncommitted goes live."""
    session.add(Outbox(created_at=utcnow(), topic=topic, payload=payload))


def enqueue_many(*, session: Session, topic: str, payloads: list[dict[str, Any]]) -> None:
    """`enqueue` for many messages, one multi-row statement (a batch intake announces hundreds of cases)."""
    if payloads:
        now = utcnow()
        session.execute(insert(Outbox.__table__), [{"created_at": now, "topic": topic, "payload": p} for p in payloads])
