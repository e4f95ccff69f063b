"""Starting and stopping the query module."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from engine.keys import CACHE, DATABASE, HOME, QUERIES, QUERY_LATENCY
from engine.query.service import QueryService

_LOGGER = logging.getLogger(__name__)


async def query_context(app: web.Application) -> AsyncIterator[None]:
    """Open the query service (after the home module); warm its parsers in the background."""
    home = app[HOME]
    service = QueryService(app[DATABASE], lambda: home.catalog, app[CACHE], app[QUERY_LATENCY])
    app[QUERIES] = service
    # Home Assistant's grammar takes a while to load: in the background, so start-up does
    # not wait; a request that comes first waits for it in the parsing thread.
    warming = asyncio.create_task(service.warm(), name="homeiq-query-warm")
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await warming
        await asyncio.to_thread(service.close)
