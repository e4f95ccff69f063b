"""Entity attributes are bounded: refused at the edge, trimmed when Home Assistant sends them."""

from __future__ import annotations

import copy
import logging
from datetime import timedelta
from typing import Any

import pytest

from engine.app import create_app
from engine.home.catalog import Catalog, CatalogSource, Entity
from engine.home.catalog_store import save_catalog
from engine.home.event_input import utc_now
from engine.home.keys import HOME
from engine.keys import DATABASE
from engine.settings import Settings

from .conftest import AUTH, Client, ClientFactory
from .hostile import error_of, event, import_events

CATALOG: dict[str, Any] = {
    "time_zone": "Europe/Berlin",
    "floors": [{"floor_id": "ground", "name": "Ground floor", "level": 0}],
    "areas": [{"area_id": "kitchen", "name": "Kitchen", "floor_id": "ground"}],
    "entities": [{"entity_id": "light.kitchen", "name": "Kitchen light", "area_id": "kitchen"}],
}


def nested(depth: int) -> dict[str, Any]:
    """Return a dict `depth` levels deep."""
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"x": value}
    return value


def _catalog(**entity: Any) -> dict[str, Any]:
    body = copy.deepcopy(CATALOG)
    body["entities"][0].update(entity)
    return body


async def _import_home(client: Client, body: Any) -> Any:
    return await client.post("/api/v1/home/import", json=body, headers=AUTH)


async def _listed_attributes(client: Client) -> Any:
    listing = await client.get("/api/v1/entities", headers=AUTH)
    assert listing.status == 200, await listing.text()
    return (await listing.json())["entities"][0]["attributes"]


@pytest.mark.parametrize(
    "attributes",
    [
        nested(1000),
        nested(17),
        {"text": "x" * 70_000},
        {"list": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]},
    ],
    ids=["1000 levels", "17 levels", "70 KB", "17 levels of lists"],
)
async def test_import_refuses_deep_or_huge_attributes(
    client: Client, attributes: dict[str, Any]
) -> None:
    await _import_home(client, CATALOG)
    error = await error_of(await _import_home(client, _catalog(attributes=attributes)))
    assert error["details"]["field"] == "entities.0.attributes"
    assert await _listed_attributes(client) is None  # the old catalog stays


async def test_import_accepts_attributes_within_the_bounds(client: Client) -> None:
    attributes = {"deep": nested(15), "text": "x" * 1000}
    response = await _import_home(client, _catalog(attributes=attributes))
    assert response.status == 200
    assert await _listed_attributes(client) == attributes


async def test_event_attributes_are_bounded_too(client: Client) -> None:
    now = utc_now()
    items = [event(now), {**event(now - timedelta(days=1)), "attributes": nested(1000)}]
    error = await error_of(await import_events(client, items))
    assert error["details"]["index"] == 1
    assert error["details"]["field"] == "attributes"


def _mirrored(attributes: dict[str, Any]) -> Catalog:
    return Catalog(
        source=CatalogSource.HOME_ASSISTANT,
        time_zone="Europe/Berlin",
        entities=[Entity("light.kitchen", "Kitchen light", state="on", attributes=attributes)],
    )


async def test_mirrored_deep_attributes_are_trimmed_not_fatal(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    home = client.app[HOME]
    deep = {"friendly_name": "Kitchen light", "brightness": 200, "junk": nested(1000)}
    with caplog.at_level(logging.WARNING):
        await home.replace_catalog(_mirrored(deep))
    assert "light.kitchen" in caplog.text
    assert "junk" in caplog.text
    assert await _listed_attributes(client) == {"friendly_name": "Kitchen light", "brightness": 200}
    home.state_changed(
        {
            "data": {
                "entity_id": "light.kitchen",
                "new_state": {"state": "off", "attributes": {"junk": nested(1000), "x": 1}},
            }
        }
    )
    assert home.state_of("light.kitchen") == ("off", {"x": 1})
    for _ in range(2):  # the second answer comes from the cache
        answer = await client.post(
            "/api/v1/query", json={"text": "is the kitchen light on?"}, headers=AUTH
        )
        assert answer.status == 200, await answer.text()


async def test_a_stored_catalog_with_deep_attributes_loads_trimmed(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await aiohttp_client(create_app(settings))
    # As an engine before the bounds could have stored it.
    await save_catalog(client.app[DATABASE], _mirrored({"junk": nested(300), "x": 1}))
    await client.close()
    client = await aiohttp_client(create_app(settings))
    assert await _listed_attributes(client) == {"x": 1}
