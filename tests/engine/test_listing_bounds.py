"""Listing parameters are bounded as the document states: page size, entity ids, scores."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import AUTH, Client
from .hostile import error_of


def _parameters(document: dict[str, Any], path: str) -> dict[str, Any]:
    operation = document["paths"][path]["get"]
    return {param["name"]: param["schema"] for param in operation["parameters"]}


@pytest.mark.parametrize(
    ("path", "key"), [("/api/v1/events", "events"), ("/api/v1/patterns", "patterns")]
)
async def test_a_filter_longer_than_any_entity_id_is_refused(
    client: Client, path: str, key: str
) -> None:
    params = {"entity_id": "light." + "a" * 250}
    error = await error_of(await client.get(path, params=params, headers=AUTH))
    assert error["details"] == {"field": "entity_id", "max_length": 255}
    response = await client.get(path, params={"entity_id": "a" * 255}, headers=AUTH)
    assert response.status == 200
    assert (await response.json())[key] == []


async def test_the_document_states_the_listing_bounds(client: Client) -> None:
    response = await client.get("/api/v1/openapi.json", headers=AUTH)
    document = await response.json()
    for path in ("/api/v1/events", "/api/v1/patterns"):
        assert _parameters(document, path)["entity_id"]["maxLength"] == 255
    min_score = _parameters(document, "/api/v1/suggestions")["min_score"]
    assert (min_score["minimum"], min_score["maximum"]) == (0, 1)
    for path in ("/api/v1/events", "/api/v1/patterns", "/api/v1/suggestions"):
        limit = _parameters(document, path)["limit"]
        assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 500, 50)
    for limit in ("0", "501"):
        refused = await client.get("/api/v1/events", params={"limit": limit}, headers=AUTH)
        assert (await error_of(refused))["details"] == {"field": "limit"}
