"""Endpoint samples keep a replicated endpoint's retries and client-visible failures (issue 19), for its charts.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("endpoint_samples") as table:
        table.add_column(sa.Column("retries", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("failed", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("endpoint_samples") as table:
        table.drop_column("failed")
        table.drop_column("retries")
