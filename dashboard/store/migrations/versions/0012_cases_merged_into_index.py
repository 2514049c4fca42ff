"""cases merged into a case: an index on cases.merged_into

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00

When a case is closed or rejected, the 12345 orders merged into it (directly or through a chain) are owed the
same outcome (services/hotline_callbacks.py): that lookup runs in every closing command's transaction and, without
an index, scanned every case.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_merged_into", "cases", ["merged_into"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_merged_into", table_name="cases")
