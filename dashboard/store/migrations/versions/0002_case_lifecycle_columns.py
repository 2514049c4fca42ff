"""case lifecycle columns

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:57:16.056361
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatch_deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("handling_deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("verify_deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("clock", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("suspended_from", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("overdue_stage", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("visited_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("merged_into", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.add_column(sa.Column("handling_work_hours", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("return_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_cases_closed_at", ["closed_at"], unique=False)
        batch_op.create_index("ix_cases_filed_at", ["filed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_handling_deadline"), ["handling_deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_overdue_stage"), ["overdue_stage"], unique=False)
        batch_op.create_foreign_key("fk_cases_merged_into", "cases", ["merged_into"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("fk_cases_merged_into", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cases_overdue_stage"))
        batch_op.drop_index(batch_op.f("ix_cases_handling_deadline"))
        batch_op.drop_index("ix_cases_filed_at")
        batch_op.drop_index("ix_cases_closed_at")
        batch_op.drop_column("return_count")
        batch_op.drop_column("handling_work_hours")
        batch_op.drop_column("merged_into")
        batch_op.drop_column("visited_at")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("overdue_stage")
        batch_op.drop_column("suspended_from")
        batch_op.drop_column("clock")
        batch_op.drop_column("verify_deadline")
        batch_op.drop_column("handling_deadline")
        batch_op.drop_column("dispatch_deadline")
