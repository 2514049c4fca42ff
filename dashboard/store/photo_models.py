"""The case photos table (migration 0009): one row per photo on a case, its files named by the content hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.store.models import Base, BigId


class CasePhoto(Base):
    """A photo on a case: its SHA-256 names the files under MEDIA_DIR (dashboard/services/media_store.py).

    The case's `photos` JSON list keeps the served URL (/media/<sha>.<ext>) beside any plain links, so every
    reader of that list keeps working; this row adds who sent it, when in the case's life (kind) and its size,
    and it is what serving checks: a file is shown only to callers who may read a case that has a row for it.
    """

    __tablename__ = "case_photos"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))  # domain.photos.PhotoKind: report | before | after | handled
    width: Mapped[int] = mapped_column(Integer)  # of the served copy (orientation applied)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)  # of the served copy
    mime: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]

    # The same content once per case and kind: a retried upload or a photo sent twice in one form adds no row.
    __table_args__ = (UniqueConstraint("case_id", "sha256", "kind", name="uq_case_photos_case_sha_kind"),)
