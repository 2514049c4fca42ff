"""12345 hotline: work orders (one case per order_id) and the callbacks owed to the hotline; a case may wait
unlocated (lat, lon, grid, community and street NULL) until the dispatcher locates it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
LOCATION = (
    ("lat", sa.Float()),
    ("lon", sa.Float()),
    ("grid_code", sa.String(length=15)),
    ("community_code", sa.String(length=12)),
    ("street_code", sa.String(length=9)),
)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, kind in LOCATION:
            batch_op.alter_column(name, existing_type=kind, nullable=True)
    op.create_table(
        "hotline_orders",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", BigId, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("caller", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("category_text", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("urgency_text", sa.String(length=16), nullable=False),
        sa.Column("matched_code", sa.String(length=16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("placement", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_table(
        "hotline_callbacks",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("verb", sa.String(length=24), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hotline_callbacks", schema=None) as batch_op:
        batch_op.create_index("ix_hotline_callbacks_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_hotline_callbacks_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_hotline_callbacks_order", ["order_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("hotline_callbacks")
    op.drop_table("hotline_orders")
    # A schema before 0010 cannot hold a case without a location (an unlocated report, or one rejected unlocated).
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM cases WHERE grid_code IS NULL")).scalar()
    if waiting:
        raise RuntimeError(f"{waiting} case(s) have no location; a schema before 0010 cannot hold them")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, kind in LOCATION:
            batch_op.alter_column(name, existing_type=kind, nullable=False)
