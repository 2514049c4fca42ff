"""Open311's table: what a citizen app sent beside the case itself (migration 0011).

The case row holds what every channel has (description, position, reporter, phone, photo); this row keeps the
rest of an Open311 POST traceable to its source: which channel account and key posted it, the service and
attributes it chose, the address it gave, and the requester's contact ids (e-mail, device, account). None of it is
ever served back on the public read side.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.store.models import Base, BigId


class Open311Request(Base):
    """One service request posted to /open311/v2/requests, beside the case it became (one row per case)."""

    __tablename__ = "open311_requests"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(String(64))  # the channel account that posted it (the report's actor)
    token_id: Mapped[int | None] = mapped_column(BigId, nullable=True)  # its api_key (ApiToken.id)
    service_code: Mapped[str] = mapped_column(String(16), index=True)  # as requested (the case may be reclassified)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # attribute[code] as sent
    address_string: Mapped[str | None] = mapped_column(String(256), nullable=True)
    address_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    media_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    account_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # SHA-256 of (key, device, service, description, place): a repeat without Idempotency-Key within the window
    # answers the first request (services/open311_intake.py).
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_open311_requests_fingerprint", "fingerprint", "created_at"),)
