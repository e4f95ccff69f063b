"""Suggestions, deployments and deployment versions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("automation", sa.JSON(), nullable=False),
        sa.Column("validation", sa.JSON(), nullable=False),
        sa.Column("requires_confirmation", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_suggestions"),
    )
    for column in ("source_id", "fingerprint", "score", "status"):
        op.create_index(f"ix_suggestions_{column}", "suggestions", [column])
    op.create_table(
        "deployments",
        sa.Column("automation_id", sa.String(255), nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("suggestion_id", sa.String(32), nullable=True),
        sa.Column("deployed_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("automation_id", name="pk_deployments"),
    )
    op.create_index("ix_deployments_suggestion_id", "deployments", ["suggestion_id"])
    op.create_table(
        "deployment_versions",
        sa.Column("automation_id", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("automation", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("automation_id", "version", name="pk_deployment_versions"),
    )


def downgrade() -> None:
    op.drop_table("deployment_versions")
    op.drop_index("ix_deployments_suggestion_id", table_name="deployments")
    op.drop_table("deployments")
    for column in ("source_id", "fingerprint", "score", "status"):
        op.drop_index(f"ix_suggestions_{column}", table_name="suggestions")
    op.drop_table("suggestions")
