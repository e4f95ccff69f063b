"""GET /api/v1/stats: cache, query latency, events, memory and uptime."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from aiohttp import web

from engine.api.http import json_response
from engine.api.routing import ApiRoute
from engine.api.wire import CacheCounters, QueryLatency, Stats, json_schema
from engine.keys import CACHE, EVENTS, QUERY_LATENCY, STARTED_AT

_PAGE_SIZE = resource.getpagesize()


def memory_rss_mb() -> float:
    """Return the resident set size now (Linux), else the peak the kernel reports."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return resident_pages * _PAGE_SIZE / (1024 * 1024)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


async def stats(request: web.Request) -> web.Response:
    """Return the engine's counters."""
    app = request.app
    cache = app[CACHE].stats()
    latency = app[QUERY_LATENCY]
    answer = Stats(
        cache=CacheCounters(
            hits=cache.hits,
            misses=cache.misses,
            hit_rate=round(cache.hit_rate, 4),
            entries=cache.entries,
        ),
        queries=QueryLatency(
            count=latency.count,
            p50_ms=_rounded(latency.percentile(50)),
            p95_ms=_rounded(latency.percentile(95)),
        ),
        events_total=app[EVENTS].total,
        memory_rss_mb=round(memory_rss_mb(), 1),
        uptime_s=round(time.monotonic() - app[STARTED_AT], 1),
    )
    return json_response(answer)


ROUTES = [
    ApiRoute(
        "GET",
        "/api/v1/stats",
        stats,
        "Engine statistics: correlation cache, query latency, events, memory, uptime",
        "stats",
        response=json_schema(Stats),
    ),
]
