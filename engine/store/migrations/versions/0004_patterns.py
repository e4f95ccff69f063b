"""Analysis runs, patterns, synergies, feedback and Home Assistant's automations.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_runs",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_analysis_runs"),
    )
    op.create_index("ix_analysis_runs_created_at", "analysis_runs", ["created_at"])
    op.create_table(
        "patterns",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("support_days", sa.Integer(), nullable=False),
        sa.Column("observed_days", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("detector_score", sa.Float(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.Float(), nullable=False),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.Column("covered_by", sa.JSON(), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patterns"),
    )
    op.create_index("ix_patterns_score", "patterns", ["score"])
    op.create_table(
        "pattern_entities",
        sa.Column("pattern_id", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("pattern_id", "entity_id", name="pk_pattern_entities"),
    )
    op.create_index("ix_pattern_entities_entity_id", "pattern_entities", ["entity_id"])
    op.create_table(
        "synergies",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("support_days", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("detector_score", sa.Float(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_synergies"),
    )
    op.create_index("ix_synergies_depth", "synergies", ["depth"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pattern_id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("candidate", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
    )
    op.create_index("ix_feedback_pattern_id", "feedback", ["pattern_id"])
    op.create_table(
        "ha_automations",
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("automation_id", sa.String(255), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name="pk_ha_automations"),
    )


def downgrade() -> None:
    op.drop_table("ha_automations")
    op.drop_index("ix_feedback_pattern_id", table_name="feedback")
    op.drop_table("feedback")
    op.drop_index("ix_synergies_depth", table_name="synergies")
    op.drop_table("synergies")
    op.drop_index("ix_pattern_entities_entity_id", table_name="pattern_entities")
    op.drop_table("pattern_entities")
    op.drop_index("ix_patterns_score", table_name="patterns")
    op.drop_table("patterns")
    op.drop_index("ix_analysis_runs_created_at", table_name="analysis_runs")
    op.drop_table("analysis_runs")
