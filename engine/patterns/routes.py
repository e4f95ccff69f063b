"""Analysis runs, patterns and synergies."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from engine.api.http import (
    best_first_page,
    choice_param,
    json_response,
    number_param,
    page_limit,
    read_body,
    runs_page,
    score_cursor,
    text_param,
)
from engine.api.routing import PAGING, ApiRoute, QueryParam, paged
from engine.api.wire import json_schema
from engine.patterns.keys import ANALYSIS, PATTERNS
from engine.patterns.schemas import DEPTHS, PATTERN_SCHEMA, PATTERN_TYPES, SYNERGY_SCHEMA
from engine.patterns.wire import AnalysisRun, AnalysisStarted, SynergyStats
from engine.preferences.keys import PREFERENCES
from engine.store.events import MAX_ENTITY_ID_LENGTH

RUN_SCHEMA = vol.Schema({vol.Optional("days"): vol.All(int, vol.Range(min=1, max=365))})


async def start_analysis(request: web.Request) -> web.Response:
    """Start an analysis (202); 409 while one is in progress."""
    body = await read_body(request, RUN_SCHEMA, empty={})
    days = body.get("days", request.app[PREFERENCES].current.analysis_days)
    run = request.app[ANALYSIS].submit(days, "api")
    answer: AnalysisStarted = {"run_id": run.run_id, "status": run.as_dict()["status"]}
    return json_response(answer, 202)


async def list_analysis_runs(request: web.Request) -> web.Response:
    """Page through analysis runs, newest first."""
    return await runs_page(request, request.app[ANALYSIS].list_runs)


async def get_analysis_run(request: web.Request) -> web.Response:
    """Return one analysis run with its progress and stats."""
    run = await request.app[ANALYSIS].get(request.match_info["run_id"])
    return json_response(run.as_dict())


async def list_patterns(request: web.Request) -> web.Response:
    """Page through the newest analysis's patterns, best first."""
    limit = page_limit(request)
    items, total = await request.app[PATTERNS].store.list_patterns(
        type_=choice_param(request, "type", PATTERN_TYPES),
        entity_id=text_param(request, "entity_id", MAX_ENTITY_ID_LENGTH),
        min_confidence=number_param(request, "min_confidence", 0.0, 1.0),
        limit=limit + 1,
        after=score_cursor(request),
    )
    return json_response(best_first_page("patterns", items, limit, total))


async def get_pattern(request: web.Request) -> web.Response:
    """Return one pattern."""
    return json_response(await request.app[PATTERNS].store.get_pattern(request.match_info["id"]))


async def list_synergies(request: web.Request) -> web.Response:
    """Page through the newest analysis's synergies, best first."""
    limit = page_limit(request)
    items, total = await request.app[PATTERNS].store.list_synergies(
        depth=choice_param(request, "depth", DEPTHS), limit=limit + 1, after=score_cursor(request)
    )
    return json_response(best_first_page("synergies", items, limit, total))


async def synergy_stats(request: web.Request) -> web.Response:
    """Return how many synergies there are, by depth, and their mean score."""
    return json_response(await request.app[PATTERNS].store.synergy_stats())


async def get_synergy(request: web.Request) -> web.Response:
    """Return one synergy."""
    return json_response(await request.app[PATTERNS].store.get_synergy(request.match_info["id"]))


# Derived from the typed answers the runs and the store build (engine/patterns/wire.py).
_RUN: dict[str, Any] = json_schema(AnalysisRun)

# /synergies/stats is registered before /synergies/{id}: aiohttp matches in order, and the
# id pattern would otherwise take "stats" (a test checks the order).
ROUTES = [
    ApiRoute(
        "POST",
        "/api/v1/analysis/run",
        start_analysis,
        "Start a pattern analysis of the last `days` (default: the analysis_days setting) "
        "before the newest event, without the entities the exclude setting leaves out",
        "patterns",
        body=RUN_SCHEMA,
        body_optional=True,
        response=json_schema(AnalysisStarted),
        status=202,
        errors=(409,),
    ),
    ApiRoute(
        "GET",
        "/api/v1/analysis/runs",
        list_analysis_runs,
        "Analysis runs, newest first",
        "patterns",
        query=PAGING,
        response=paged("runs", _RUN),
    ),
    ApiRoute(
        "GET",
        "/api/v1/analysis/runs/{run_id}",
        get_analysis_run,
        "One analysis run",
        "patterns",
        response=_RUN,
        errors=(404,),
    ),
    ApiRoute(
        "GET",
        "/api/v1/patterns",
        list_patterns,
        "Patterns of the newest analysis, best first",
        "patterns",
        query=(
            QueryParam("type", "Only this type", {"type": "string", "enum": list(PATTERN_TYPES)}),
            QueryParam(
                "entity_id",
                "Only patterns involving this entity",
                {"type": "string", "maxLength": MAX_ENTITY_ID_LENGTH},
            ),
            QueryParam(
                "min_confidence",
                "Only patterns at least this confident",
                {"type": "number", "minimum": 0, "maximum": 1},
            ),
            *PAGING,
        ),
        response=paged("patterns", PATTERN_SCHEMA),
    ),
    ApiRoute(
        "GET",
        "/api/v1/patterns/{id}",
        get_pattern,
        "One pattern",
        "patterns",
        response=PATTERN_SCHEMA,
        errors=(404,),
    ),
    ApiRoute(
        "GET",
        "/api/v1/synergies",
        list_synergies,
        "Device chains of the newest analysis, best first",
        "patterns",
        query=(
            QueryParam(
                "depth",
                "Only chains of this many devices",
                {"type": "integer", "enum": list(DEPTHS)},
            ),
            *PAGING,
        ),
        response=paged("synergies", SYNERGY_SCHEMA),
    ),
    ApiRoute(
        "GET",
        "/api/v1/synergies/stats",
        synergy_stats,
        "How many synergies there are, by depth, and their mean score",
        "patterns",
        response=json_schema(SynergyStats),
    ),
    ApiRoute(
        "GET",
        "/api/v1/synergies/{id}",
        get_synergy,
        "One synergy",
        "patterns",
        response=SYNERGY_SCHEMA,
        errors=(404,),
    ),
]
