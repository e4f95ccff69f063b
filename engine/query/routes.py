"""Natural-language requests: ask, refine, read back."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from engine.api.http import json_response, read_body
from engine.api.routing import ApiRoute
from engine.automation.keys import SUGGESTIONS
from engine.automation.suggestions.routes import SUGGESTION_SCHEMA
from engine.preferences.keys import PREFERENCES
from engine.query.intents import supported_languages
from engine.query.keys import QUERIES
from engine.validation import Described

# Long enough for any spoken or typed request; longer is no request but a paste.
MAX_TEXT = 1000


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise vol.Invalid("expected text")
    text = " ".join(value.split())
    if not text:
        raise vol.Invalid("must not be empty")
    if len(text) > MAX_TEXT:
        raise vol.Invalid(f"must be at most {MAX_TEXT} characters")
    return text


# The document states the bound the validator keeps (whitespace runs count as one space).
_TEXT = Described(
    _text,
    {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_TEXT,
        # Something besides spaces.
        "pattern": r"\S",
        "description": f"The request in words, at most {MAX_TEXT} characters once runs of "
        "spaces are one space",
    },
)

# The query service refuses a language without intents (400 listing them); the document
# lists their codes (it also takes "en-US" or "EN" for en).
_LANGUAGE = Described(
    vol.All(str, vol.Length(min=2, max=16)),
    {"type": "string", "enum": sorted(supported_languages())},
)

QUERY_SCHEMA = vol.Schema(
    {
        vol.Required("text"): _TEXT,
        # Absent: the language setting.
        vol.Optional("language"): _LANGUAGE,
        vol.Optional("context", default=dict): {vol.Optional("area_id"): vol.Any(None, str)},
    }
)
REFINE_SCHEMA = vol.Schema(
    {
        vol.Required("answers"): {str: vol.All(str, vol.Length(min=1, max=MAX_TEXT))},
        vol.Optional("text"): vol.Any(None, _TEXT),
    }
)


async def ask(request: web.Request) -> web.Response:
    """Answer a request: a command, an automation, or a question back."""
    body = await read_body(request, QUERY_SCHEMA)
    language = body.get("language") or request.app[PREFERENCES].current.language
    answer = await request.app[QUERIES].ask(body["text"], language, body["context"].get("area_id"))
    return json_response(answer)


async def refine(request: web.Request) -> web.Response:
    """Answer a request again with the answers to its questions."""
    body = await read_body(request, REFINE_SCHEMA)
    answer = await request.app[QUERIES].refine(
        request.match_info["query_id"], body["answers"], body.get("text")
    )
    return json_response(answer)


async def _answer_now(request: web.Request) -> dict[str, Any]:
    """Return a stored answer with its suggestions as they are now (approved, deployed...)."""
    answer: dict[str, Any] = await request.app[QUERIES].get(request.match_info["query_id"])
    store = request.app[SUGGESTIONS].store
    return {**answer, "suggestions": [await store.get(s["id"]) for s in answer["suggestions"]]}


async def get_query(request: web.Request) -> web.Response:
    """Return a stored request and its answer."""
    return json_response(await _answer_now(request))


async def query_suggestions(request: web.Request) -> web.Response:
    """Return the suggestions made for a request."""
    return json_response({"suggestions": (await _answer_now(request))["suggestions"]})


_CLARIFICATION = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "question": {"type": "string"},
        "options": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
            },
        },
    },
}
# Only on an answered question (kind "question", status "ready"): the message in fields.
_ANSWER: dict[str, Any] = {
    "type": "object",
    "description": "The answer to a question about the home, read from current states",
    "properties": {
        "intent": {
            "type": "string",
            "description": "Home Assistant's intent: HassGetState, "
            "HassClimateGetTemperature or HassGetWeather",
        },
        "entities": {
            "type": "array",
            "description": "The entities the question is about",
            "items": {
                "type": "object",
                "properties": {
                    "entity_id": {"type": "string"},
                    "name": {"type": "string"},
                    "state": {"type": ["string", "null"]},
                    "matched": {
                        "type": "boolean",
                        "description": "Whether it is in the state asked about (if one was)",
                    },
                },
                "required": ["entity_id", "name", "state"],
            },
        },
        "value": {
            "description": "The answer: yes or no (boolean), how many (integer), which "
            "(entity ids), a temperature (number), or the state asked for (string or null)",
        },
    },
    "required": ["intent", "entities", "value"],
}
_QUERY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "query_id": {"type": "string"},
        "text": {"type": "string"},
        "status": {"type": "string", "enum": ["ready", "needs_clarification", "unsupported"]},
        "kind": {"type": ["string", "null"], "enum": ["command", "automation", "question", None]},
        "actions": {"type": "array", "items": {"type": "object"}},
        "automation": {"type": ["object", "null"]},
        "clarifications": {"type": "array", "items": _CLARIFICATION},
        "suggestions": {"type": "array", "items": SUGGESTION_SCHEMA},
        "message": {"type": ["string", "null"]},
        "answer": _ANSWER,
        "latency_ms": {"type": "number"},
    },
}

ROUTES = [
    ApiRoute(
        "POST",
        "/api/v1/query",
        ask,
        "Understand a request: service calls for a command, a config for an automation, "
        "or a question when it is ambiguous",
        "query",
        body=QUERY_SCHEMA,
        response=_QUERY,
    ),
    ApiRoute(
        "POST",
        "/api/v1/query/{query_id}/refine",
        refine,
        "Answer a request's questions (option values) and get the answer again",
        "query",
        body=REFINE_SCHEMA,
        response=_QUERY,
        errors=(404, 409),
    ),
    ApiRoute(
        "GET",
        "/api/v1/query/{query_id}",
        get_query,
        "A request and its answer",
        "query",
        response=_QUERY,
        errors=(404,),
    ),
    ApiRoute(
        "GET",
        "/api/v1/query/{query_id}/suggestions",
        query_suggestions,
        "The suggestions made for a request",
        "query",
        response={
            "type": "object",
            "properties": {"suggestions": {"type": "array", "items": SUGGESTION_SCHEMA}},
        },
        errors=(404,),
    ),
]
