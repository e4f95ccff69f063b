"""Initial schema: meta, correlation cache, interned entity keys, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )
    op.create_table(
        "cache_entries",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_cache_entries"),
    )
    op.create_index("ix_cache_entries_expires_at", "cache_entries", ["expires_at"])
    op.create_table(
        "entity_keys",
        sa.Column("key", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_entity_keys"),
        sa.UniqueConstraint("entity_id", name="uq_entity_keys_entity_id"),
    )
    op.create_table(
        "events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("entity_key", sa.Integer(), nullable=False),
        sa.Column("time_us", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(255), nullable=False),
        sa.Column("origin", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_key"], ["entity_keys.key"], name="fk_events_entity_key_entity_keys"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint(
            "entity_key", "time_us", "state", name="uq_events_entity_key_time_us_state"
        ),
    )
    op.create_index("ix_events_time_us", "events", ["time_us"])


def downgrade() -> None:
    op.drop_index("ix_events_time_us", table_name="events")
    op.drop_table("events")
    op.drop_table("entity_keys")
    op.drop_index("ix_cache_entries_expires_at", table_name="cache_entries")
    op.drop_table("cache_entries")
    op.drop_table("meta")
