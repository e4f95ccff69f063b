"""Typed application keys of the core; each module keeps its own in its `keys.py`.

The core keeps settings, database, events, stream, scheduler, readiness and routes, and
the few keys whose values are core objects that core routes read: the correlation cache
and query latency (`/stats`), the start time and the instance id (`/health`, `/stats`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.api.routing import ApiRoute
from engine.metrics import LatencyRecorder
from engine.scheduler import Scheduler
from engine.settings import Settings
from engine.store.cache import CorrelationCache
from engine.store.events import EventStore
from engine.stream import StreamHub

ReadinessCheck = Callable[[], Awaitable[str]]

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", AsyncEngine)
EVENTS = web.AppKey("events", EventStore)
CACHE = web.AppKey("cache", CorrelationCache)
SCHEDULER = web.AppKey("scheduler", Scheduler)
STREAM = web.AppKey("stream", StreamHub)
QUERY_LATENCY = web.AppKey("query_latency", LatencyRecorder)
STARTED_AT = web.AppKey("started_at", float)
INSTANCE_ID = web.AppKey("instance_id", str)
ROUTES = web.AppKey("routes", list[ApiRoute])
# Named readiness checks; the Home Assistant and LLM modules add theirs when they start.
READINESS = web.AppKey("readiness", dict[str, ReadinessCheck])
