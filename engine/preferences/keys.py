"""The preferences module's application keys."""

from __future__ import annotations

from aiohttp import web

from engine.preferences.service import PreferenceService

# The household's settings changed through the API (the environment gives their defaults).
PREFERENCES = web.AppKey("preferences", PreferenceService)
