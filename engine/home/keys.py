"""The home module's application keys."""

from __future__ import annotations

from aiohttp import web

from engine.home.service import HomeService
from engine.store.event_writer import BufferedEventWriter

HOME = web.AppKey("home", HomeService)
# The home module's buffered writer of live events (flushed and closed when it stops).
EVENT_WRITER = web.AppKey("event_writer", BufferedEventWriter)
