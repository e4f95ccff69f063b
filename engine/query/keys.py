"""The query module's application keys."""

from __future__ import annotations

from aiohttp import web

from engine.query.service import QueryService

QUERIES = web.AppKey("queries", QueryService)
