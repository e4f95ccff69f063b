"""Catalog: floors, areas, devices, entities.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "floors",
        sa.Column("floor_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("floor_id", name="pk_floors"),
    )
    op.create_table(
        "areas",
        sa.Column("area_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("floor_id", sa.String(255), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("area_id", name="pk_areas"),
    )
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("area_id", sa.String(255), nullable=True),
        sa.Column("manufacturer", sa.String(255), nullable=True),
        sa.Column("model", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("device_id", name="pk_devices"),
    )
    op.create_table(
        "entities",
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("area_id", sa.String(255), nullable=True),
        sa.Column("device_id", sa.String(255), nullable=True),
        sa.Column("device_class", sa.String(64), nullable=True),
        sa.Column("unit_of_measurement", sa.String(64), nullable=True),
        sa.Column("entity_category", sa.String(32), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(255), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("entity_id", name="pk_entities"),
    )


def downgrade() -> None:
    op.drop_table("entities")
    op.drop_table("devices")
    op.drop_table("areas")
    op.drop_table("floors")
