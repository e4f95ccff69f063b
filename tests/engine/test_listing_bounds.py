"""Listing parameters are bounded as the document states: page size, entity ids."""

from __future__ import annotations

from typing import Any

from .conftest import AUTH, Client
from .hostile import error_of


def _parameters(document: dict[str, Any], path: str) -> dict[str, Any]:
    operation = document["paths"][path]["get"]
    return {param["name"]: param["schema"] for param in operation["parameters"]}


async def test_an_events_filter_longer_than_any_entity_id_is_refused(client: Client) -> None:
    params = {"entity_id": "light." + "a" * 250}
    error = await error_of(await client.get("/api/v1/events", params=params, headers=AUTH))
    assert error["details"] == {"field": "entity_id", "max_length": 255}
    response = await client.get("/api/v1/events", params={"entity_id": "a" * 255}, headers=AUTH)
    assert response.status == 200
    assert (await response.json())["events"] == []


async def test_the_document_states_the_listing_bounds(client: Client) -> None:
    response = await client.get("/api/v1/openapi.json", headers=AUTH)
    document = await response.json()
    events = _parameters(document, "/api/v1/events")
    assert events["entity_id"]["maxLength"] == 255
    for path in ("/api/v1/events", "/api/v1/patterns", "/api/v1/suggestions"):
        limit = _parameters(document, path)["limit"]
        assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 500, 50)
    for limit in ("0", "501"):
        refused = await client.get("/api/v1/events", params={"limit": limit}, headers=AUTH)
        assert (await error_of(refused))["details"] == {"field": "limit"}
