"""The household's settings: read them, change any of them."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from engine.api.http import json_response, read_json
from engine.api.routing import ApiRoute
from engine.preferences.keys import PREFERENCES
from engine.preferences.model import BACKENDS, MAX_DAYS, MAX_EXCLUDED, MIN_DAYS, PATCH_SCHEMA


async def get_settings(request: web.Request) -> web.Response:
    """Return the settings in effect."""
    return json_response(request.app[PREFERENCES].current.as_dict())


async def update_settings(request: web.Request) -> web.Response:
    """Change any subset of the settings and return them all."""
    # The service validates (a 400 naming the field), so any caller gets the same checks.
    updated = await request.app[PREFERENCES].update(await read_json(request))
    return json_response(updated.as_dict())


_NAMES: Final[dict[str, Any]] = {
    "type": "array",
    "items": {"type": "string"},
    "maxItems": MAX_EXCLUDED,
}
SETTINGS_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {
        "analysis_time": {
            "type": "string",
            "description": 'Local time of the daily analysis "HH:MM", or "off" (on demand only)',
        },
        "analysis_days": {
            "type": "integer",
            "minimum": MIN_DAYS,
            "maximum": MAX_DAYS,
            "description": "Days a scheduled analysis, or one started without days, looks back",
        },
        "min_score": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "Default min_score of the suggestion list and of generation",
        },
        "exclude": {
            "type": "object",
            "description": "Left out of the next analysis and of generation; pending "
            "suggestions that use them are hidden from the list. An area leaves out its "
            "entities (and its devices' entities), a label the entities that carry it",
            "properties": {"areas": _NAMES, "entities": _NAMES, "labels": _NAMES},
        },
        "language": {
            "type": "string",
            "description": "Language of a request that names none",
        },
        "llm": {
            "type": "object",
            "description": "The language model for requests the parser does not understand; "
            "its key stays in the engine's environment",
            "properties": {
                "backend": {"type": "string", "enum": list(BACKENDS)},
                "model": {"type": ["string", "null"]},
                "ai_task_entity": {"type": ["string", "null"]},
            },
        },
    },
}

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
