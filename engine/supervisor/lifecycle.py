"""Announcing the engine to the Supervisor once it has started, on every start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web

from engine.ha.mirror import reconnect_delay
from engine.keys import INSTANCE_ID, SETTINGS
from engine.supervisor.discovery import (
    DiscoveryConfig,
    SupervisorError,
    advertised_host,
    announce,
)

_LOGGER = logging.getLogger(__name__)

# The Supervisor may still be busy with the app's start: retry, doubling up to a minute.
MIN_RETRY_S = 1.0
MAX_RETRY_S = 60.0

SupervisorContext = Callable[[web.Application], AsyncIterator[None]]


def supervisor_context(api_token: str) -> SupervisorContext:
    """Return the cleanup context that announces the engine with `api_token`."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        supervisor_url, token = settings.supervisor_url, settings.supervisor_token
        if supervisor_url is None or token is None:
            yield
            return
        config = DiscoveryConfig(
            host=advertised_host(settings.host),
            port=settings.port,
            api_token=api_token,
            instance_id=app[INSTANCE_ID],
        )
        session = aiohttp.ClientSession()
        # In the background: a slow Supervisor never holds up the API.
        task = asyncio.create_task(
            _announce_until_done(session, supervisor_url, token, config),
            name="homeiq-supervisor-discovery",
        )
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await session.close()

    return context


async def _announce_until_done(
    session: aiohttp.ClientSession, supervisor_url: str, token: str, config: DiscoveryConfig
) -> None:
    """Post the discovery message, retrying with backoff until the Supervisor takes it."""
    attempt = 0
    while True:
        try:
            uuid = await announce(session, supervisor_url, token, config)
        except SupervisorError as err:
            delay = reconnect_delay(
                attempt, minimum_s=MIN_RETRY_S, maximum_s=MAX_RETRY_S, jitter=random.random
            )
            _LOGGER.warning(
                "Announcing HomeIQ to Home Assistant failed (retry in %.0f s): %s", delay, err
            )
            attempt += 1
            await asyncio.sleep(delay)
            continue
        # Host and port only: the message also carries the API token.
        _LOGGER.info(
            "Announced to Home Assistant through the Supervisor (discovery %s, %s:%d)",
            uuid,
            config.host,
            config.port,
        )
        return
