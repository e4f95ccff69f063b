"""The application factory: settings in, a wired aiohttp application out."""

from __future__ import annotations

import time

from aiohttp import web

from engine.api import health, openapi, stats, stream
from engine.api.middleware import error_middleware, guard_middleware
from engine.api.routing import ApiRoute, add_routes
from engine.api.token import load_or_create_token
from engine.automation import validate_routes
from engine.automation.deployment import routes as deployment_routes
from engine.automation.lifecycle import automation_context
from engine.automation.suggestions import routes as suggestion_routes
from engine.ha.lifecycle import ha_context
from engine.home import routes as home_routes
from engine.home.lifecycle import home_context
from engine.influxdb.lifecycle import influx_context
from engine.keys import QUERY_LATENCY, READINESS, ROUTES, SETTINGS, STARTED_AT, STREAM
from engine.metrics import LatencyRecorder
from engine.patterns import routes as pattern_routes
from engine.patterns.lifecycle import patterns_context
from engine.preferences import routes as preference_routes
from engine.preferences.lifecycle import preferences_context
from engine.query import routes as query_routes
from engine.query.lifecycle import query_context
from engine.settings import Settings
from engine.store.lifecycle import store_context
from engine.stream import StreamHub
from engine.supervisor.lifecycle import supervisor_context
from engine.training import routes as training_routes
from engine.training.lifecycle import training_context


def all_routes() -> list[ApiRoute]:
    """Return every route of every module, in registration order."""
    return [
        *health.ROUTES,
        *stats.ROUTES,
        *openapi.ROUTES,
        *home_routes.ROUTES,
        *training_routes.ROUTES,
        *pattern_routes.ROUTES,
        *query_routes.ROUTES,
        *suggestion_routes.ROUTES,
        *deployment_routes.ROUTES,
        *validate_routes.ROUTES,
        *preference_routes.ROUTES,
        *stream.ROUTES,
    ]


def create_app(settings: Settings, *, announce_token: bool = True) -> web.Application:
    """Build the engine's application; the store opens when the app starts."""
    token = load_or_create_token(settings.api_token, settings.data_dir)
    if token.created and announce_token and settings.supervisor_url is None:
        # Printed once, straight to the terminal: a secret never goes through the log. An
        # app's terminal is its log, and the Supervisor's discovery hands the token over.
        print(  # noqa: T201
            f"HomeIQ generated an API token (stored in {token.source}, mode 0600):\n"
            f"  {token.value}",
            flush=True,
        )
    app = web.Application(
        middlewares=[error_middleware, guard_middleware(token.value, settings.max_body_bytes)],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[STARTED_AT] = time.monotonic()
    app[QUERY_LATENCY] = LatencyRecorder()
    app[READINESS] = {}
    hub = app[STREAM] = StreamHub()

    async def close_stream(_app: web.Application) -> None:
        # On shutdown, before aiohttp waits for open requests: a stream never ends by itself.
        hub.close()

    # aiohttp 3.11 annotates its signals for the older aiosignal; the call is what it documents.
    app.on_shutdown.append(close_stream)  # type: ignore[arg-type]
    routes = all_routes()
    app[ROUTES] = routes
    add_routes(app, routes)
    app.cleanup_ctx.append(store_context)
    app.cleanup_ctx.append(preferences_context)
    app.cleanup_ctx.append(home_context)
    app.cleanup_ctx.append(ha_context)
    app.cleanup_ctx.append(influx_context)
    app.cleanup_ctx.append(training_context)
    app.cleanup_ctx.append(patterns_context)
    app.cleanup_ctx.append(automation_context)
    app.cleanup_ctx.append(query_context)
    if settings.supervisor_url is not None:
        # Last: the engine announces itself once everything it serves has started.
        app.cleanup_ctx.append(supervisor_context(token.value))
    return app
