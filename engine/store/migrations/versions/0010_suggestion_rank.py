"""Suggestions ranked from indexes: all, or of one status, by (score DESC, id).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Their leading columns serve what the indexes of the score and the status alone did.
    op.drop_index("ix_suggestions_score", table_name="suggestions")
    op.drop_index("ix_suggestions_status", table_name="suggestions")
    op.create_index(
        "ix_suggestions_rank",
        "suggestions",
        [sa.text("score DESC"), "id", "status", "updated_at"],
    )
    op.create_index(
        "ix_suggestions_status_rank",
        "suggestions",
        ["status", sa.text("score DESC"), "id", "updated_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_suggestions_status_rank", table_name="suggestions")
    op.drop_index("ix_suggestions_rank", table_name="suggestions")
    op.create_index("ix_suggestions_status", "suggestions", ["status"])
    op.create_index("ix_suggestions_score", "suggestions", ["score"])
