"""Open311 GeoReport v2: what a citizen app sent beside its case (channel, key, service, attributes, address,
contact ids, the repeat fingerprint)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "open311_requests",
        sa.Column("case_id", BigId, autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("token_id", BigId, nullable=True),
        sa.Column("service_code", sa.String(length=16), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("address_string", sa.String(length=256), nullable=True),
        sa.Column("address_id", sa.String(length=64), nullable=True),
        sa.Column("media_url", sa.String(length=2048), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("device_id", sa.String(length=128), nullable=True),
        sa.Column("account_id", sa.String(length=128), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("open311_requests", schema=None) as batch_op:
        batch_op.create_index("ix_open311_requests_service_code", ["service_code"], unique=False)
        batch_op.create_index("ix_open311_requests_fingerprint", ["fingerprint", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("open311_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_open311_requests_fingerprint")
        batch_op.drop_index("ix_open311_requests_service_code")
    op.drop_table("open311_requests")
