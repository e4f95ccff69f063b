"""Entity labels: Home Assistant's label ids of each entity, for settings that leave them out.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: rows stored before this revision have none, and read back as [].
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("labels", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("labels")
