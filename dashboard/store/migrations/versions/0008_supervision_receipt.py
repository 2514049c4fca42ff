"""the open supervision's reply deadline and the handling department's acknowledgement (督办回复) on the case row

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supervision_reply_by", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("supervision_acked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("supervision_acked_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("supervision_acked_by")
        batch_op.drop_column("supervision_acked_at")
        batch_op.drop_column("supervision_reply_by")
