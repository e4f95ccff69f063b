"""Natural-language requests: ask, refine, read back."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from engine.api.http import json_response, read_body
from engine.api.routing import ApiRoute
from engine.api.wire import json_schema
from engine.automation.keys import SUGGESTIONS
from engine.preferences.keys import PREFERENCES
from engine.query.intents import supported_languages
from engine.query.keys import QUERIES
from engine.query.wire import Query, QuerySuggestions, TimedQuery
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


async def _answer_now(request: web.Request) -> Query:
    """Return a stored answer with its suggestions as they are now (approved, deployed...)."""
    answer = await request.app[QUERIES].get(request.match_info["query_id"])
    store = request.app[SUGGESTIONS].store
    return {**answer, "suggestions": [await store.get(s["id"]) for s in answer["suggestions"]]}


async def get_query(request: web.Request) -> web.Response:
    """Return a stored request and its answer."""
    return json_response(await _answer_now(request))


async def query_suggestions(request: web.Request) -> web.Response:
    """Return the suggestions made for a request."""
    answer = QuerySuggestions(suggestions=(await _answer_now(request))["suggestions"])
    return json_response(answer)


# Derived from the typed answers the parsers and the service build (engine/query/wire.py).
_TIMED_QUERY: dict[str, Any] = json_schema(TimedQuery)

ROUTES = [
    ApiRoute(
        "POST",
        "/api/v1/query",
        ask,
        "Understand a request: service calls for a command, a config for an automation, "
        "or a question when it is ambiguous",
        "query",
        body=QUERY_SCHEMA,
        response=_TIMED_QUERY,
    ),
    ApiRoute(
        "POST",
        "/api/v1/query/{query_id}/refine",
        refine,
        "Answer a request's questions (option values) and get the answer again",
        "query",
        body=REFINE_SCHEMA,
        response=_TIMED_QUERY,
        errors=(404, 409),
    ),
    ApiRoute(
        "GET",
        "/api/v1/query/{query_id}",
        get_query,
        "A request and its answer",
        "query",
        response=json_schema(Query),
        errors=(404,),
    ),
    ApiRoute(
        "GET",
        "/api/v1/query/{query_id}/suggestions",
        query_suggestions,
        "The suggestions made for a request",
        "query",
        response=json_schema(QuerySuggestions),
        errors=(404,),
    ),
]
