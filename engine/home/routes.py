"""Event routes: import history and page through it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from engine.api.http import decode_cursor, encode_cursor, json_response, page_limit, read_json
from engine.api.routing import ApiRoute, QueryParam
from engine.errors import BadRequestError
from engine.home.event_input import from_epoch_us, parse_events, parse_time, to_epoch_us
from engine.keys import DATABASE, EVENTS
from engine.store.events import page_events

_TIME = {"type": "string", "format": "date-time"}


def _time_param(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    moment = parse_time(raw)
    if moment is None:
        raise BadRequestError(f"{name} must be ISO 8601 with a UTC offset", {"field": name})
    return to_epoch_us(moment)


async def import_events(request: web.Request) -> web.Response:
    """Store a batch of history; the same (entity_id, time, state) twice is one event."""
    new_events = parse_events(await read_json(request))
    result = await request.app[EVENTS].write(new_events)
    return json_response({"imported": result.imported, "duplicates": result.duplicates})


async def list_events(request: web.Request) -> web.Response:
    """Page through stored events in time order."""
    limit = page_limit(request)
    position = decode_cursor(request)
    after: tuple[int, int] | None = None
    if position is not None:
        if len(position) != 2 or not all(isinstance(part, int) for part in position):
            raise BadRequestError("cursor is not valid; use next_cursor", {"field": "cursor"})
        after = (position[0], position[1])
    rows = await page_events(
        request.app[DATABASE],
        entity_id=request.query.get("entity_id") or None,
        start_us=_time_param(request, "start"),
        end_us=_time_param(request, "end"),
        after=after,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return json_response(
        {
            "events": [
                {
                    "entity_id": row.entity_id,
                    "state": row.state,
                    "time": from_epoch_us(row.time_us).isoformat(),
                    "origin": row.origin.label,
                }
                for row in rows
            ],
            "next_cursor": encode_cursor([rows[-1].time_us, rows[-1].id]) if more else None,
        }
    )


_EVENT: dict[str, Any] = {
    "type": "object",
    "required": ["entity_id", "state", "time"],
    "properties": {
        "entity_id": {"type": "string", "examples": ["light.kitchen"]},
        "state": {"type": "string", "maxLength": 255},
        "time": _TIME,
        "origin": {"type": "string", "enum": ["manual", "automation", "system", "unknown"]},
    },
}

ROUTES = [
    ApiRoute(
        "POST",
        "/api/v1/events/import",
        import_events,
        "Import state history (at most 100,000 events; a bad item is named by its index, "
        "and then nothing of the request is stored)",
        "events",
        body={
            "type": "object",
            "required": ["events"],
            "properties": {
                "events": {
                    "type": "array",
                    "maxItems": 100_000,
                    "items": {
                        **_EVENT,
                        "properties": {**_EVENT["properties"], "attributes": {"type": "object"}},
                        "additionalProperties": False,
                    },
                }
            },
        },
        response={
            "type": "object",
            "properties": {"imported": {"type": "integer"}, "duplicates": {"type": "integer"}},
        },
    ),
    ApiRoute(
        "GET",
        "/api/v1/events",
        list_events,
        "Stored events in time order, paged",
        "events",
        query=(
            QueryParam("entity_id", "Only this entity"),
            QueryParam("start", "From this time (inclusive)", _TIME),
            QueryParam("end", "Before this time", _TIME),
            QueryParam("limit", "Page size, 1 to 500", {"type": "integer", "default": 50}),
            QueryParam("cursor", "next_cursor of the previous page"),
        ),
        response={
            "type": "object",
            "properties": {
                "events": {"type": "array", "items": _EVENT},
                "next_cursor": {"type": ["string", "null"]},
            },
        },
    ),
]
