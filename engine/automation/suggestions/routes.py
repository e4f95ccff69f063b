"""Suggestions: generate, list, read, approve (and deploy), reject."""

from __future__ import annotations

from typing import Any, Final, cast, get_args

import voluptuous as vol
from aiohttp import web

from engine.api.http import (
    best_first_page,
    choice_param,
    json_response,
    number_param,
    page_limit,
    read_body,
    score_cursor,
)
from engine.api.routing import PAGING, ApiRoute, QueryParam, paged
from engine.api.wire import json_schema
from engine.automation.keys import SUGGESTIONS
from engine.automation.suggestions.wire import (
    Approved,
    Generated,
    Rejected,
    Suggestion,
    SuggestionSource,
    SuggestionStatus,
    Validation,
)
from engine.preferences.keys import PREFERENCES

STATUSES: Final[tuple[str, ...]] = get_args(SuggestionStatus)
SOURCES: Final[tuple[str, ...]] = get_args(SuggestionSource)
MAX_GENERATE: Final = 500

GENERATE_SCHEMA = vol.Schema(
    {
        vol.Optional("limit", default=20): vol.All(int, vol.Range(min=1, max=MAX_GENERATE)),
        vol.Optional("min_score"): vol.All(
            vol.Any(int, float, msg="expected a number from 0 to 1"), vol.Range(min=0, max=1)
        ),
    }
)
APPROVE_SCHEMA = vol.Schema(
    {
        vol.Optional("deploy", default=True): bool,
        vol.Optional("confirm", default=False): bool,
        # Checked in full by the automation validation, which names every problem.
        vol.Optional("automation"): dict,
    }
)
REJECT_SCHEMA = vol.Schema(
    {vol.Optional("reason"): vol.Any(None, vol.All(str, vol.Length(max=1000)))}
)


async def generate(request: web.Request) -> web.Response:
    """Make new suggestions from the newest findings."""
    body = await read_body(request, GENERATE_SCHEMA, empty={})
    min_score = body.get("min_score", request.app[PREFERENCES].current.min_score)
    return json_response(await request.app[SUGGESTIONS].generate(body["limit"], min_score))


async def list_suggestions(request: web.Request) -> web.Response:
    """Page through suggestions, best first."""
    limit = page_limit(request)
    min_score = number_param(request, "min_score", 0.0, 1.0)
    items, total = await request.app[SUGGESTIONS].listing(
        status=choice_param(request, "status", STATUSES),
        min_score=request.app[PREFERENCES].current.min_score if min_score is None else min_score,
        limit=limit + 1,
        after=score_cursor(request),
    )
    # The page helper is shared by every best-first listing, so it takes plain dicts.
    page = best_first_page("suggestions", cast(list[dict[str, Any]], items), limit, total)
    return json_response(page)


async def get_suggestion(request: web.Request) -> web.Response:
    """Return one suggestion."""
    return json_response(await request.app[SUGGESTIONS].store.get(request.match_info["id"]))


async def approve(request: web.Request) -> web.Response:
    """Approve a suggestion, optionally edited, and deploy it unless `deploy` is false."""
    body = await read_body(request, APPROVE_SCHEMA, empty={})
    answer = await request.app[SUGGESTIONS].approve(
        request.match_info["id"],
        deploy=body["deploy"],
        confirm=body["confirm"],
        automation=body.get("automation"),
    )
    return json_response(answer)


async def reject(request: web.Request) -> web.Response:
    """Reject a suggestion; it is not suggested again."""
    body = await read_body(request, REJECT_SCHEMA, empty={})
    return json_response(
        await request.app[SUGGESTIONS].reject(request.match_info["id"], body.get("reason"))
    )


# Derived from the typed answers the store and service build (suggestions/wire.py).
SUGGESTION_SCHEMA: Final[dict[str, Any]] = json_schema(Suggestion)
VALIDATION_SCHEMA: Final[dict[str, Any]] = json_schema(Validation)

ROUTES = [
    ApiRoute(
        "POST",
        "/api/v1/suggestions/generate",
        generate,
        "Make new suggestions from the newest patterns, synergies and anomalies, best first; "
        "never one already made (whatever its status) or one Home Assistant already has, "
        "none scoring under min_score (default: the min_score setting) and none that uses "
        "an entity or area the exclude setting leaves out",
        "suggestions",
        body=GENERATE_SCHEMA,
        body_optional=True,
        response=json_schema(Generated),
    ),
    ApiRoute(
        "GET",
        "/api/v1/suggestions",
        list_suggestions,
        "Suggestions, best first; pending ones that use an entity or area the exclude "
        "setting leaves out are hidden",
        "suggestions",
        query=(
            QueryParam("status", "Only this status", {"type": "string", "enum": list(STATUSES)}),
            QueryParam(
                "min_score",
                "Only at least this score (default: the min_score setting)",
                {"type": "number", "minimum": 0, "maximum": 1},
            ),
            *PAGING,
        ),
        response=paged("suggestions", SUGGESTION_SCHEMA),
    ),
    ApiRoute(
        "GET",
        "/api/v1/suggestions/{id}",
        get_suggestion,
        "One suggestion",
        "suggestions",
        response=SUGGESTION_SCHEMA,
        errors=(404,),
    ),
    ApiRoute(
        "POST",
        "/api/v1/suggestions/{id}/approve",
        approve,
        "Approve a suggestion (optionally with an edited automation) and deploy it; 422 when "
        "it fails validation or needs confirm: true; 503 ha_unavailable leaves it approved, "
        "and approving again deploys it",
        "suggestions",
        body=APPROVE_SCHEMA,
        body_optional=True,
        response=json_schema(Approved),
        errors=(404, 409, 422, 503),
    ),
    ApiRoute(
        "POST",
        "/api/v1/suggestions/{id}/reject",
        reject,
        "Reject a suggestion: it is not made again and its kind ranks lower",
        "suggestions",
        body=REJECT_SCHEMA,
        body_optional=True,
        response=json_schema(Rejected),
        errors=(404, 409),
    ),
]
