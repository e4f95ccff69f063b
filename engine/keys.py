"""Typed application keys: how handlers reach the services of one app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.api.routing import ApiRoute
from engine.automation.deployment.service import DeploymentService
from engine.automation.suggestions.service import SuggestionService
from engine.ha.mirror import HomeAssistantMirror
from engine.home.service import HomeService
from engine.influxdb.ingest import InfluxIngest
from engine.metrics import LatencyRecorder
from engine.patterns.runs import AnalysisRunner
from engine.patterns.service import PatternService
from engine.preferences.service import PreferenceService
from engine.query.service import QueryService
from engine.scheduler import Scheduler
from engine.settings import Settings
from engine.store.cache import CorrelationCache
from engine.store.event_writer import BufferedEventWriter
from engine.store.events import EventStore
from engine.stream import StreamHub
from engine.training.runs import TrainingRunner

ReadinessCheck = Callable[[], Awaitable[str]]

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", AsyncEngine)
EVENTS = web.AppKey("events", EventStore)
CACHE = web.AppKey("cache", CorrelationCache)
HOME = web.AppKey("home", HomeService)
EVENT_WRITER = web.AppKey("event_writer", BufferedEventWriter)
SCHEDULER = web.AppKey("scheduler", Scheduler)
# The household's settings changed through the API (the environment gives their defaults).
PREFERENCES = web.AppKey("preferences", PreferenceService)
# Set only when HA_URL is configured.
MIRROR = web.AppKey("mirror", HomeAssistantMirror)
TRAINING = web.AppKey("training", TrainingRunner)
PATTERNS = web.AppKey("patterns", PatternService)
ANALYSIS = web.AppKey("analysis", AnalysisRunner)
# The patterns module's own scheduler: the daily analysis, stopped after the run in progress.
ANALYSIS_SCHEDULER = web.AppKey("analysis_scheduler", Scheduler)
QUERIES = web.AppKey("queries", QueryService)
DEPLOYMENTS = web.AppKey("deployments", DeploymentService)
SUGGESTIONS = web.AppKey("suggestions", SuggestionService)
# Set only when INFLUXDB_URL is configured.
INFLUX_INGEST = web.AppKey("influx_ingest", InfluxIngest)
STREAM = web.AppKey("stream", StreamHub)
QUERY_LATENCY = web.AppKey("query_latency", LatencyRecorder)
STARTED_AT = web.AppKey("started_at", float)
INSTANCE_ID = web.AppKey("instance_id", str)
ROUTES = web.AppKey("routes", list[ApiRoute])
# Named readiness checks; the Home Assistant and LLM modules add theirs when they start.
READINESS = web.AppKey("readiness", dict[str, ReadinessCheck])
