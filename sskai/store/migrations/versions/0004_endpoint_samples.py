"""Endpoint samples (issue 21): an endpoint's counters over time, for the dashboard's charts.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "endpoint_samples",
        sa.Column("endpoint_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("busy_seconds", sa.Float(), nullable=False),
        sa.Column("latency_ms_p50", sa.Float(), nullable=True),
        sa.Column("latency_ms_p95", sa.Float(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["endpoint_id"], ["endpoints.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_endpoint_samples_endpoint_id"), "endpoint_samples", ["endpoint_id"], unique=False)
    op.create_index(op.f("ix_endpoint_samples_owner"), "endpoint_samples", ["owner"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_endpoint_samples_owner"), table_name="endpoint_samples")
    op.drop_index(op.f("ix_endpoint_samples_endpoint_id"), table_name="endpoint_samples")
    op.drop_table("endpoint_samples")
