"""Opening and closing the store for one app (an aiohttp cleanup context)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import SettingsError
from engine.keys import CACHE, DATABASE, EVENTS, INSTANCE_ID, SETTINGS
from engine.logs import REDACTED
from engine.settings import Settings
from engine.store.cache import CorrelationCache
from engine.store.database import create_database_engine, release_idle_memory
from engine.store.dialect import insert_ignoring_conflicts
from engine.store.events import EventStore
from engine.store.migrate import migrate
from engine.store.schema import meta

_LOGGER = logging.getLogger(__name__)


async def load_instance_id(engine: AsyncEngine) -> str:
    """Return this store's id, created once, so restarts keep it."""
    async with engine.begin() as connection:
        await connection.execute(
            insert_ignoring_conflicts(connection.dialect.name, meta),
            {"key": "instance_id", "value": uuid.uuid4().hex},
        )
        value = await connection.scalar(select(meta.c.value).where(meta.c.key == "instance_id"))
    return str(value)


async def open_database(settings: Settings) -> AsyncEngine:
    """Create the engine and connect once: a database it cannot open is a SettingsError."""
    url = settings.resolved_database_url
    engine: AsyncEngine | None = None
    try:
        engine = create_database_engine(url)
        async with engine.connect():
            pass
    except Exception as error:  # noqa: BLE001 - the drivers raise their own types (asyncpg's)
        if engine is not None:
            await engine.dispose()
        reason = f"{type(error).__name__}: {error}"
        # No driver message seen so far quotes the password; a future one must not show it.
        if password := make_url(url).password:
            reason = reason.replace(str(password), REDACTED)
        raise SettingsError(
            f"DATABASE_URL cannot be opened ({settings.database_label}): {reason}"
        ) from None
    return engine


async def store_context(app: web.Application) -> AsyncIterator[None]:
    """Create the engine, migrate, open the stores; dispose of the engine at the end."""
    settings = app[SETTINGS]
    engine = await open_database(settings)
    try:
        await migrate(engine)
        app[DATABASE] = engine
        app[INSTANCE_ID] = await load_instance_id(engine)
        events = EventStore(engine)
        await events.setup()
        # Counting the events read the whole time index into a connection's page cache.
        await release_idle_memory(engine)
        app[EVENTS] = events
        app[CACHE] = CorrelationCache(
            engine, max_entries=settings.cache_size, ttl_s=settings.cache_ttl_s
        )
        _LOGGER.info("Store ready", extra={"dialect": engine.dialect.name, "events": events.total})
        yield
    finally:
        # Runs after aiohttp has let in-flight requests finish, so their writes are committed.
        await engine.dispose()
