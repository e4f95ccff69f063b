"""Health routes (open, no token): liveness, version, readiness with checks."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from aiohttp import web
from sqlalchemy import text

from engine import __version__
from engine.api.http import json_response
from engine.api.routing import ApiRoute
from engine.api.wire import Health, Liveness, Readiness, ReadinessChecks, json_schema
from engine.keys import DATABASE, INSTANCE_ID, READINESS, SETTINGS

_LOGGER = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 2.0


async def health(request: web.Request) -> web.Response:
    """Answer from memory only: this is what load balancers poll."""
    answer = Health(status="ok", version=__version__, instance_id=request.app[INSTANCE_ID])
    return json_response(answer)


async def live(_request: web.Request) -> web.Response:
    """Answer while the event loop runs."""
    return json_response(Liveness(status="ok"))


async def _database_status(app: web.Application) -> Literal["ok", "error"]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S), app[DATABASE].connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the log says which
        _LOGGER.warning("Database readiness check failed", exc_info=True)
        return "error"
    return "ok"


def _default_checks(app: web.Application) -> dict[str, str]:
    """Return what is known without the optional modules' own checks."""
    settings = app[SETTINGS]
    return {
        "home_assistant": "disconnected" if settings.ha_url else "not_configured",
        "llm": "error" if settings.llm_enabled else "disabled",
    }


async def ready(request: web.Request) -> web.Response:
    """Report each dependency; ready means the database answers."""
    app = request.app
    database = await _database_status(app)
    found = _default_checks(app)
    for name, check in app[READINESS].items():
        found[name] = await check()
    # The contract's three checks: the optional modules register only these.
    checks = ReadinessChecks(
        database=database, home_assistant=found["home_assistant"], llm=found["llm"]
    )
    is_ready = database == "ok"
    answer = Readiness(status="ready" if is_ready else "not_ready", checks=checks)
    return json_response(answer, 200 if is_ready else 503)


ROUTES = [
    ApiRoute(
        "GET",
        "/health",
        health,
        "Liveness with version and instance id; touches no database",
        "health",
        response=json_schema(Health),
        public=True,
    ),
    ApiRoute(
        "GET",
        "/health/live",
        live,
        "Liveness",
        "health",
        response=json_schema(Liveness),
        public=True,
    ),
    ApiRoute(
        "GET",
        "/health/ready",
        ready,
        "Readiness: 200 when the database answers, else 503; each dependency's check",
        "health",
        response=json_schema(Readiness),
        errors=(503,),
        public=True,
    ),
]
