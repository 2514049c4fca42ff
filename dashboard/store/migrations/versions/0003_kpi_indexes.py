"""kpi indexes

Revision ID: 0003
Revises: 0003b
Create Date: 2026-11-22 11:20:00

KPI queries (dashboard.store.kpi_queries) select cases by scope and reporting window. Street, community and
grid scopes already have indexes; a department had none, so a department's KPIs scanned every case.
Also widens cases.satisfaction: 'basically_satisfied' (19 characters) did not fit VARCHAR(16) on PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
# After 0003b (users and tokens), which also branched from 0002, so the history keeps a single head.
down_revision: str | None = "0003b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column(
            "satisfaction", existing_type=sa.String(length=16), type_=sa.String(length=24), existing_nullable=True
        )
    op.create_index("ix_cases_department_reported", "cases", ["department_code", "reported_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_department_reported", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column(
            "satisfaction", existing_type=sa.String(length=24), type_=sa.String(length=16), existing_nullable=True
        )
