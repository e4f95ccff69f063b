"""Alembic environment: runs on the connection the engine hands over."""

from __future__ import annotations

from alembic import context

from engine.settings import Settings
from engine.store.database import create_sync_engine
from engine.store.schema import metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    # Run from the alembic command line: use the same URL as the engine, synchronously.
    # (postgresql+asyncpg becomes psycopg2: replacing "+aiosqlite" alone left asyncpg, which
    # a synchronous engine cannot drive.)
    with create_sync_engine(Settings.from_env().resolved_database_url).begin() as sync_connection:
        _run(sync_connection)
