"""Routes described once: registered on the router and listed in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import voluptuous as vol
from aiohttp import web

from engine.api.http import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
JsonSchema = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class QueryParam:
    """One query-string parameter of a route."""

    name: str
    description: str
    schema: JsonSchema = field(default_factory=lambda: {"type": "string"})
    required: bool = False


@dataclass(frozen=True, slots=True)
class ApiRoute:
    """A route with what the OpenAPI document says about it."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    # A voluptuous schema the handler validates with, or a JSON schema where it parses itself.
    body: vol.Schema | JsonSchema | None = None
    # The handler takes a missing body as `{}` (read_json's `empty`).
    body_optional: bool = False
    query: tuple[QueryParam, ...] = ()
    response: JsonSchema | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    public: bool = False


def add_routes(app: web.Application, routes: Iterable[ApiRoute]) -> None:
    """Register routes on the application's router."""
    app.router.add_routes([web.route(route.method, route.path, route.handler) for route in routes])


# Every paged listing takes these, as API.md's conventions say.
PAGING: tuple[QueryParam, ...] = (
    QueryParam(
        "limit",
        f"Page size, 1 to {MAX_PAGE_SIZE}",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    ),
    QueryParam("cursor", "next_cursor of the previous page"),
)


def paged(key: str, item: JsonSchema, *, with_total: bool = True) -> dict[str, Any]:
    """Return the response schema of a paged listing of `item` under `key`."""
    properties: dict[str, Any] = {
        key: {"type": "array", "items": item},
        "next_cursor": {"type": ["string", "null"]},
    }
    if with_total:
        properties["total"] = {"type": "integer"}
    return {"type": "object", "properties": properties}
