"""Queue a live message in the same transaction as the change it announces."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dashboard.domain.clock import utcnow
from dashboard.store.models import Outbox


def enqueue(*, session: Session, topic: str, payload: dict[str, Any]) -> None:
    """Add an outbox row; the relay publishes it only after commit, so nothing uncommitted goes live."""
    session.add(Outbox(created_at=utcnow(), topic=topic, payload=payload))
