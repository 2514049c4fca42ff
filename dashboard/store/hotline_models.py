"""The 12345 hotline's tables: one row per work order (its case, raw fields, category match) and the callbacks
queued back to the hotline (verbs with their retry state). Migration 0010.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.store.models import Base, BigId


class HotlineOrder(Base):
    """A 12345 work order as received: `order_id` is unique, so however often (or concurrently) an order is sent
    it makes one case; the raw fields are kept to tell a true repeat from a changed order."""

    __tablename__ = "hotline_orders"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True, nullable=True)
    received_at: Mapped[datetime]
    caller: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    address: Mapped[str] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    category_text: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16))  # normal | urgent | very_urgent (domain/hotline.py)
    urgency_text: Mapped[str] = mapped_column(String(16))  # as the hotline wrote it (一般, 紧急, 特急, urgent …)
    # The catalog condition the category text matched best and how sure (domain/category_match.py); the case
    # carries the code only when the confidence reached the threshold.
    matched_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    # coordinates | address:grid | address:community | address:street | unlocated
    placement: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class HotlineCallback(Base):
    """One verb owed to the hotline (签收, 退单, 延期申请, 办结, 回访), queued in the command's own transaction and
    sent in order per order: pending → sent, or dead after the last allowed failure (replayed by an admin)."""

    __tablename__ = "hotline_callbacks"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    verb: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(8))  # pending | sent | dead
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (
        Index("ix_hotline_callbacks_due", "state", "next_attempt_at"),
        Index("ix_hotline_callbacks_order", "order_id", "id"),
    )
