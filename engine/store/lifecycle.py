"""Opening and closing the store for one app (an aiohttp cleanup context)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.keys import CACHE, DATABASE, EVENTS, INSTANCE_ID, SETTINGS
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


async def store_context(app: web.Application) -> AsyncIterator[None]:
    """Create the engine, migrate, open the stores; dispose of the engine at the end."""
    settings = app[SETTINGS]
    engine = create_database_engine(settings.resolved_database_url)
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
