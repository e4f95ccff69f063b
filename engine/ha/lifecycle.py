"""Starting and stopping the Home Assistant mirror (when HA_URL is set)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from engine.ha.keys import MIRROR
from engine.ha.mirror import CHECKPOINT_INTERVAL_S, HomeAssistantMirror
from engine.home.keys import EVENT_WRITER, HOME
from engine.keys import EVENTS, READINESS, SETTINGS, STREAM
from engine.scheduler import Scheduler


async def ha_context(app: web.Application) -> AsyncIterator[None]:
    """Connect to Home Assistant after the home module; disconnect before it closes."""
    settings = app[SETTINGS]
    if not settings.ha_url:
        yield
        return
    home, hub = app[HOME], app[STREAM]
    async with aiohttp.ClientSession() as session:
        mirror = HomeAssistantMirror(
            settings,
            session,
            home,
            app[EVENTS],
            app[EVENT_WRITER],
            on_connection=lambda up: hub.publish("ha_connection", {"connected": up}),
        )
        app[MIRROR] = mirror
        # Questions about the home are answered from these live states.
        mirror.on_state_changed(home.state_changed)

        async def home_assistant_status() -> str:
            return "connected" if home.mirror_connected else "disconnected"

        app[READINESS]["home_assistant"] = home_assistant_status
        mirror.start()
        # Its own scheduler: it stops before the mirror closes.
        scheduler = Scheduler()
        scheduler.every(
            "ha-checkpoint",
            CHECKPOINT_INTERVAL_S,
            mirror.checkpoint_if_complete,
            delay_s=CHECKPOINT_INTERVAL_S,
        )
        try:
            yield
        finally:
            await scheduler.close()
            await mirror.close()
