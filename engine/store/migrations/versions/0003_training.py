"""Training runs and model versions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_runs",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("training_type", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=True),
        sa.Column("model_version", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_training_runs"),
    )
    op.create_index("ix_training_runs_created_at", "training_runs", ["created_at"])
    op.create_table(
        "models",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.Float(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("name", "version", name="pk_models"),
    )


def downgrade() -> None:
    op.drop_table("models")
    op.drop_index("ix_training_runs_created_at", table_name="training_runs")
    op.drop_table("training_runs")
