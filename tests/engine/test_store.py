"""The store: pragmas on the app's connections, migrations that match the schema (both backends)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.pool import QueuePool

from engine.app import create_app
from engine.errors import SettingsError
from engine.keys import DATABASE
from engine.settings import Settings
from engine.store.database import SQLITE_PRAGMAS, create_database_engine
from engine.store.lifecycle import open_database
from engine.store.migrate import alembic_config
from engine.store.schema import metadata

from .conftest import TOKEN, Client, ClientFactory


@pytest.fixture
def backend_settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings whose store is an empty database on SQLite, then on PostgreSQL."""
    return Settings(data_dir=tmp_path, api_token=TOKEN, database_url=database_url)


async def test_pragmas_on_the_apps_connections(client: Client, settings: Settings) -> None:
    engine = client.app[DATABASE]
    expected = {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "cache_size": -2048,
        "busy_timeout": 5000,
        "foreign_keys": 1,
    }
    assert set(expected) == {name for name, _ in SQLITE_PRAGMAS}
    # Two connections at once: the pragmas hold for every connection, not just the first.
    async with engine.connect() as first, engine.connect() as second:
        for connection in (first, second):
            for name, value in expected.items():
                assert (await connection.scalar(text(f"PRAGMA {name}"))) == value, name
    assert (settings.data_dir / "homeiq.db").exists()


def _schema_differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def test_migrations_build_exactly_the_declared_schema(
    backend_settings: Settings, aiohttp_client: ClientFactory
) -> None:
    # From an empty database to head, as a first start does.
    client = await aiohttp_client(create_app(backend_settings))
    async with client.app[DATABASE].connect() as connection:
        assert await connection.run_sync(_schema_differences) == []
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert await connection.run_sync(_current_revision) == head


async def test_restart_keeps_data_and_schema(
    backend_settings: Settings, aiohttp_client: ClientFactory
) -> None:
    first = await aiohttp_client(create_app(backend_settings))
    async with first.app[DATABASE].begin() as connection:
        await connection.execute(text("INSERT INTO meta (key, value) VALUES ('probe', 'kept')"))
    await first.close()
    second = await aiohttp_client(create_app(backend_settings))
    async with second.app[DATABASE].connect() as connection:
        value = await connection.scalar(text("SELECT value FROM meta WHERE key = 'probe'"))
    assert value == "kept"


def test_database_url_setting_points_the_store_elsewhere(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'elsewhere.db'}"
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    assert settings.resolved_database_url == url


async def test_a_sqlite_file_that_cannot_be_made_is_a_settings_error(tmp_path: Path) -> None:
    # Its folder would have to be made inside a file.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{blocker / 'homeiq.db'}"
    )
    with pytest.raises(SettingsError, match=r"^DATABASE_URL cannot be opened \(sqlite"):
        await open_database(settings)


async def test_sqlite_holds_at_most_ten_connections(client: Client) -> None:
    # Each connection has its own page cache and aiosqlite thread: thirty readers at once
    # share ten, and five stay open after (the engine's memory stays flat under load).
    engine = client.app[DATABASE]
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    release, ten_held, more_held = asyncio.Event(), asyncio.Event(), asyncio.Event()
    held = 0

    async def read() -> None:
        nonlocal held
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
            held += 1
            if held == 10:
                ten_held.set()
            elif held > 10:
                more_held.set()
            await release.wait()

    readers = [asyncio.create_task(read()) for _ in range(30)]
    try:
        await asyncio.wait_for(ten_held.wait(), 10)
        # An eleventh connection would open within milliseconds (the default pool has 15).
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(more_held.wait(), 1)
        assert held == pool.checkedout() == 10
    finally:
        release.set()
        await asyncio.gather(*readers)
    assert held == 30
    # At most five are kept open (the app's own tasks may hold one at this moment).
    assert pool.checkedin() <= pool.size() == 5


@pytest.mark.parametrize("url", ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"])
async def test_an_in_memory_sqlite_database_opens(url: str) -> None:
    # One connection (SQLAlchemy's StaticPool): the file pool's sizes do not apply.
    engine = create_database_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()
