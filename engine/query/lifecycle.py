"""Starting and stopping the query module."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from engine.ha.client import HomeAssistantClient
from engine.keys import (
    CACHE,
    DATABASE,
    HOME,
    MIRROR,
    QUERIES,
    QUERY_LATENCY,
    READINESS,
    SCHEDULER,
    SETTINGS,
    SUGGESTIONS,
)
from engine.llm.factory import create_llm
from engine.query.retention import DAY_S, purge_queries
from engine.query.service import QueryService

_LOGGER = logging.getLogger(__name__)


async def query_context(app: web.Application) -> AsyncIterator[None]:
    """Open the query service (after home and automation); warm its parsers in the background."""
    home = app[HOME]
    mirror = app.get(MIRROR)

    def ha_client() -> HomeAssistantClient | None:
        return mirror.client if mirror is not None else None

    llm = create_llm(app[SETTINGS], ha_client)
    if llm is not None:
        app[READINESS]["llm"] = llm.status
    service = QueryService(
        app[DATABASE],
        lambda: home.catalog,
        app[CACHE],
        app[QUERY_LATENCY],
        llm=llm,
        suggest=app[SUGGESTIONS].from_query,
        state_of=home.state_of,
    )
    app[QUERIES] = service
    # Stored requests follow the events' retention, on the same daily schedule.
    database, retention_days = app[DATABASE], app[SETTINGS].retention_days
    app[SCHEDULER].every("query-retention", DAY_S, lambda: purge_queries(database, retention_days))
    # Cached answers past their time to live leave the table on the same schedule.
    app[SCHEDULER].every("cache-expiry", DAY_S, app[CACHE].purge_expired)
    # Home Assistant's grammar takes a while to load: in the background, so start-up does
    # not wait; a request that comes first waits for it in the parsing thread.
    warming = asyncio.create_task(service.warm(), name="homeiq-query-warm")
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await warming
        await asyncio.to_thread(service.close)
        if llm is not None:
            await llm.close()
