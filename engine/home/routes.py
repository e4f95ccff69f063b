"""Catalog and event routes: the home, its entities, imports, history and ingest status."""

from __future__ import annotations

from typing import Any, cast

from aiohttp import web

from engine.api.http import (
    decode_cursor,
    encode_cursor,
    json_response,
    page_limit,
    read_body,
    read_json,
    text_param,
)
from engine.api.routing import PAGING, ApiRoute, QueryParam
from engine.api.wire import json_schema
from engine.errors import BadRequestError
from engine.home.catalog import ATTRIBUTES, IMPORT_SCHEMA, entity_to_dict, home_to_dict
from engine.home.event_input import (
    ENTITY_ID_JSON_SCHEMA,
    from_epoch_us,
    parse_events,
    parse_time,
    to_epoch_us,
)
from engine.home.keys import HOME
from engine.home.wire import (
    CatalogCounts,
    Entities,
    Event,
    EventOrigin,
    Events,
    EventsImported,
    Home,
    IngestStatus,
)
from engine.keys import DATABASE, EVENTS
from engine.store.events import MAX_ENTITY_ID_LENGTH, page_events

_TIME = {"type": "string", "format": "date-time"}


def _time_param(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    moment = parse_time(raw)
    if moment is None:
        raise BadRequestError(f"{name} must be ISO 8601 with a UTC offset", {"field": name})
    return to_epoch_us(moment)


async def get_home(request: web.Request) -> web.Response:
    """Return the home: source, time zone, floors, areas, devices, entity count."""
    return json_response(home_to_dict(request.app[HOME].catalog))


async def list_entities(request: web.Request) -> web.Response:
    """Page through entities, filtered by domain, area (with device fallback) and text."""
    home = request.app[HOME]
    limit = page_limit(request)
    position = decode_cursor(request, str)
    after: str | None = position[0] if position else None
    matches = home.find_entities(
        domain=request.query.get("domain") or None,
        area_id=request.query.get("area_id") or None,
        text=request.query.get("q") or None,
    )
    remaining = [entity for entity in matches if after is None or entity.entity_id > after]
    page = remaining[:limit]
    catalog = home.catalog
    answer: Entities = {
        "entities": [entity_to_dict(catalog, entity) for entity in page],
        "next_cursor": encode_cursor([page[-1].entity_id]) if len(remaining) > limit else None,
        "total": len(matches),
    }
    return json_response(answer)


async def import_home(request: web.Request) -> web.Response:
    """Replace the imported catalog (409 while Home Assistant is mirrored)."""
    body = await read_body(request, IMPORT_SCHEMA)
    return json_response(await request.app[HOME].import_catalog(body))


async def ingest_status(request: web.Request) -> web.Response:
    """Return the history source, its connection, stored events and backfill progress."""
    return json_response(await request.app[HOME].ingest_status())


async def import_events(request: web.Request) -> web.Response:
    """Store a batch of history; the same (entity_id, time, state) twice is one event."""
    new_events = parse_events(await read_json(request))
    result = await request.app[EVENTS].write(new_events)
    # Events newer than the states known are the home's states now.
    request.app[HOME].events_imported(new_events)
    answer: EventsImported = {"imported": result.imported, "duplicates": result.duplicates}
    return json_response(answer)


async def list_events(request: web.Request) -> web.Response:
    """Page through stored events in time order."""
    limit = page_limit(request)
    position = decode_cursor(request, int, int)
    after = (position[0], position[1]) if position else None
    rows = await page_events(
        request.app[DATABASE],
        entity_id=text_param(request, "entity_id", MAX_ENTITY_ID_LENGTH),
        start_us=_time_param(request, "start"),
        end_us=_time_param(request, "end"),
        after=after,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    answer: Events = {
        "events": [
            {
                "entity_id": row.entity_id,
                "state": row.state,
                "time": from_epoch_us(row.time_us).isoformat(),
                # An Origin's label is one of EventOrigin (a test holds them equal).
                "origin": cast(EventOrigin, row.origin.label),
            }
            for row in rows
        ],
        "next_cursor": encode_cursor([rows[-1].time_us, rows[-1].id]) if more else None,
    }
    return json_response(answer)


# Derived from the typed answers (engine/home/wire.py).
_EVENT: dict[str, Any] = json_schema(Event)

ROUTES = [
    ApiRoute(
        "GET",
        "/api/v1/home",
        get_home,
        "The home: source, time zone, location, floors, areas, devices, entity count",
        "home",
        response=json_schema(Home),
    ),
    ApiRoute(
        "GET",
        "/api/v1/entities",
        list_entities,
        "Entities, paged; an entity's area falls back to its device's area",
        "home",
        query=(
            QueryParam("domain", "Only this domain, e.g. light"),
            QueryParam("area_id", "Only entities in this area"),
            QueryParam("q", "Text in the entity id, name or aliases"),
            *PAGING,
        ),
        response=json_schema(Entities),
    ),
    ApiRoute(
        "POST",
        "/api/v1/home/import",
        import_home,
        "Replace the imported catalog; references must resolve",
        "home",
        body=IMPORT_SCHEMA,
        response=json_schema(CatalogCounts),
        errors=(409,),
    ),
    ApiRoute(
        "GET",
        "/api/v1/ingest/status",
        ingest_status,
        "History source, connection, stored events and backfill progress",
        "events",
        response=json_schema(IngestStatus),
    ),
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
                        # The origin may be left out of what is imported.
                        "required": ["entity_id", "state", "time"],
                        "properties": {
                            **_EVENT["properties"],
                            "entity_id": ENTITY_ID_JSON_SCHEMA,
                            # Absent, null or "" is unknown.
                            "origin": {
                                "type": ["string", "null"],
                                "enum": [*_EVENT["properties"]["origin"]["enum"], "", None],
                            },
                            "time": {
                                **_TIME,
                                "description": "From 1970-01-01T00:00:00Z to one day after now "
                                "(clocks differ a little; later is a wrong clock)",
                            },
                            "attributes": ATTRIBUTES.json_schema,
                        },
                        "additionalProperties": False,
                    },
                }
            },
        },
        response=json_schema(EventsImported),
    ),
    ApiRoute(
        "GET",
        "/api/v1/events",
        list_events,
        "Stored events in time order, paged",
        "events",
        query=(
            QueryParam(
                "entity_id",
                "Only this entity",
                {"type": "string", "maxLength": MAX_ENTITY_ID_LENGTH},
            ),
            QueryParam("start", "From this time (inclusive)", _TIME),
            QueryParam("end", "Before this time", _TIME),
            *PAGING,
        ),
        response=json_schema(Events),
    ),
]
