"""The Home Assistant module's application keys."""

from __future__ import annotations

from aiohttp import web

from engine.ha.mirror import HomeAssistantMirror

# Set only when HA_URL is configured.
MIRROR = web.AppKey("mirror", HomeAssistantMirror)
