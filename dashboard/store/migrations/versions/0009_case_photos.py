"""case photos: one row per photo on a case (content hash, who, kind, size); the files live under MEDIA_DIR

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_photos",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_photos_case"),
        sa.UniqueConstraint("case_id", "sha256", "kind", name="uq_case_photos_case_sha_kind"),
    )
    op.create_index("ix_case_photos_sha256", "case_photos", ["sha256"])
    op.create_index("ix_case_photos_case_id", "case_photos", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_photos_case_id", table_name="case_photos")
    op.drop_index("ix_case_photos_sha256", table_name="case_photos")
    op.drop_table("case_photos")
