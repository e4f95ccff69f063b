"""Starting the settings module: load what was changed before the modules that apply it."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from engine.keys import DATABASE, SETTINGS
from engine.preferences.keys import PREFERENCES
from engine.preferences.service import PreferenceService
from engine.preferences.store import PreferenceStore


async def preferences_context(app: web.Application) -> AsyncIterator[None]:
    """Open the settings module after the store."""
    service = PreferenceService(PreferenceStore(app[DATABASE]), app[SETTINGS])
    await service.setup()
    app[PREFERENCES] = service
    yield
