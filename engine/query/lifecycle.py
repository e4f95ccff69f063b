"""Starting and stopping the query module."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from engine.automation.keys import SUGGESTIONS
from engine.ha.client import HomeAssistantClient
from engine.ha.keys import MIRROR
from engine.home.keys import HOME
from engine.keys import CACHE, DATABASE, QUERY_LATENCY, READINESS, SCHEDULER, SETTINGS
from engine.llm.switch import LLMSwitch
from engine.preferences.keys import PREFERENCES
from engine.preferences.model import Preferences
from engine.query.keys import QUERIES
from engine.query.retention import DAY_S, purge_queries
from engine.query.service import QueryService
from engine.query.workers import shared_pool

_LOGGER = logging.getLogger(__name__)


async def query_context(app: web.Application) -> AsyncIterator[None]:
    """Open the query service (after home and automation); warm its parsers in the background."""
    home = app[HOME]
    mirror = app.get(MIRROR)

    def ha_client() -> HomeAssistantClient | None:
        return mirror.client if mirror is not None else None

    preferences = app[PREFERENCES]
    llm = LLMSwitch(app[SETTINGS], ha_client)
    chosen = preferences.current.llm
    await llm.choose(chosen.backend, chosen.model, chosen.ai_task_entity)

    async def choose_llm(before: Preferences, after: Preferences) -> None:
        if before.llm != after.llm:
            await llm.choose(after.llm.backend, after.llm.model, after.llm.ai_task_entity)

    preferences.on_change(choose_llm)
    app[READINESS]["llm"] = llm.status
    service = QueryService(
        app[DATABASE],
        lambda: home.catalog,
        app[CACHE],
        app[QUERY_LATENCY],
        llm=lambda: llm.current,
        asked=app[SUGGESTIONS].asked,
        state_of=home.state_of,
        pool=shared_pool(app[SETTINGS].query_workers),
    )
    app[QUERIES] = service
    home.on_catalog(service.catalog_changed)
    # Stored requests follow the events' retention, on the same daily schedule.
    database, retention_days = app[DATABASE], app[SETTINGS].retention_days
    app[SCHEDULER].every("query-retention", DAY_S, lambda: purge_queries(database, retention_days))
    # Cached answers past their time to live leave the table on the same schedule.
    app[SCHEDULER].every("cache-expiry", DAY_S, app[CACHE].purge_expired)
    # Home Assistant's grammar takes a while to load: in the background, so start-up does
    # not wait; a request that comes first waits for it on a parsing worker.
    warming = asyncio.create_task(service.warm(), name="homeiq-query-warm")
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await warming
        await service.stop()
        await llm.close()
