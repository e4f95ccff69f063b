"""Health routes (open, no token): liveness, version, readiness with checks."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy import text

from engine import __version__
from engine.api.http import json_response
from engine.api.routing import ApiRoute
from engine.keys import DATABASE, INSTANCE_ID, READINESS, SETTINGS

_LOGGER = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 2.0


async def health(request: web.Request) -> web.Response:
    """Answer from memory only: this is what load balancers poll."""
    return json_response(
        {"status": "ok", "version": __version__, "instance_id": request.app[INSTANCE_ID]}
    )


async def live(_request: web.Request) -> web.Response:
    """Answer while the event loop runs."""
    return json_response({"status": "ok"})


async def _database_status(app: web.Application) -> str:
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
    checks = {"database": await _database_status(app), **_default_checks(app)}
    for name, check in app[READINESS].items():
        checks[name] = await check()
    is_ready = checks["database"] == "ok"
    return json_response(
        {"status": "ready" if is_ready else "not_ready", "checks": checks},
        200 if is_ready else 503,
    )


_STATUS_OK = {"type": "object", "properties": {"status": {"type": "string", "enum": ["ok"]}}}

ROUTES = [
    ApiRoute(
        "GET",
        "/health",
        health,
        "Liveness with version and instance id; touches no database",
        "health",
        response={
            "type": "object",
            "required": ["status", "version", "instance_id"],
            "properties": {
                "status": {"type": "string", "enum": ["ok"]},
                "version": {"type": "string"},
                "instance_id": {"type": "string"},
            },
        },
        public=True,
    ),
    ApiRoute("GET", "/health/live", live, "Liveness", "health", response=_STATUS_OK, public=True),
    ApiRoute(
        "GET",
        "/health/ready",
        ready,
        "Readiness: 200 when the database answers, else 503; each dependency's check",
        "health",
        response={
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["ready", "not_ready"]},
                "checks": {
                    "type": "object",
                    "properties": {
                        "database": {"type": "string", "enum": ["ok", "error"]},
                        "home_assistant": {
                            "type": "string",
                            "enum": ["connected", "disconnected", "not_configured"],
                        },
                        "llm": {"type": "string", "enum": ["disabled", "ok", "error"]},
                    },
                },
            },
        },
        errors=(503,),
        public=True,
    ),
]
