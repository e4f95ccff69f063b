"""The household's settings: read them, change any of them."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from engine.api.http import json_response, read_json
from engine.api.routing import ApiRoute
from engine.api.wire import json_schema
from engine.preferences.keys import PREFERENCES
from engine.preferences.model import PATCH_SCHEMA
from engine.preferences.wire import PreferencesDict


async def get_settings(request: web.Request) -> web.Response:
    """Return the settings in effect."""
    return json_response(request.app[PREFERENCES].current.as_dict())


async def update_settings(request: web.Request) -> web.Response:
    """Change any subset of the settings and return them all."""
    # The service validates (a 400 naming the field), so any caller gets the same checks.
    updated = await request.app[PREFERENCES].update(await read_json(request))
    return json_response(updated.as_dict())


# Derived from the typed answer the settings build (engine/preferences/wire.py).
SETTINGS_SCHEMA: Final[dict[str, Any]] = json_schema(PreferencesDict)

ROUTES = [
    ApiRoute(
        "GET",
        "/api/v1/settings",
        get_settings,
        "The household's settings: the environment's defaults with what was changed",
        "settings",
        response=SETTINGS_SCHEMA,
    ),
    ApiRoute(
        "PATCH",
        "/api/v1/settings",
        update_settings,
        "Change any subset of the settings (kept across restarts) and get them all back; "
        "unknown keys are refused; exclude and llm replace only the keys they name, and "
        "null for llm.model or llm.ai_task_entity returns it to the environment's default. "
        "analysis_time "
        "reschedules the daily analysis at once; llm.backend openai needs OPENAI_API_KEY or "
        "OPENAI_BASE_URL, ha_ai_task needs HA_URL (else 400 naming llm.backend)",
        "settings",
        body=PATCH_SCHEMA,
        response=SETTINGS_SCHEMA,
    ),
]
