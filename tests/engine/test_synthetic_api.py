"""POST /api/v1/synthetic/home and the demo home."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from engine.app import create_app
from engine.home.keys import HOME
from engine.home.service import LOAD_STATE_KEY
from engine.keys import DATABASE
from engine.settings import Settings
from engine.store.meta import write_meta

from .conftest import AUTH, Client, ClientFactory


async def _generate(client: Client, body: dict[str, Any]) -> Any:
    return await client.post("/api/v1/synthetic/home", json=body, headers=AUTH)


async def test_same_seed_same_home(client: Client) -> None:
    body = {"home_type": "studio_apartment", "days": 3, "seed": 7}
    first = await (await _generate(client, body)).read()
    second = await (await _generate(client, body)).read()
    assert first == second
    other = await (await _generate(client, {**body, "seed": 8})).read()
    assert other != first


async def test_generate_without_load_leaves_the_store_alone(client: Client) -> None:
    answer = await (await _generate(client, {"home_type": "shared_flat", "days": 2})).json()
    assert answer["loaded"] is False
    assert answer["home_type"] == "shared_flat"
    assert isinstance(answer["seed"], int)
    assert answer["events"] > 0
    assert answer["routines"]
    assert {"time_zone", "floors", "areas", "devices", "entities"} <= answer["home"].keys()
    home = await (await client.get("/api/v1/home", headers=AUTH)).json()
    assert home["entity_count"] == 0


async def test_load_replaces_catalog_and_events(client: Client) -> None:
    old = [{"entity_id": "light.old", "state": "on", "time": "2020-01-01T00:00:00Z"}]
    await client.post("/api/v1/events/import", json={"events": old}, headers=AUTH)
    body = {"home_type": "home_office", "days": 2, "seed": 3, "load": True}
    answer = await (await _generate(client, body)).json()
    assert answer["loaded"] is True
    home = await (await client.get("/api/v1/home", headers=AUTH)).json()
    assert home["source"] == "synthetic"
    assert home["entity_count"] == len(answer["home"]["entities"])
    status = await (await client.get("/api/v1/ingest/status", headers=AUTH)).json()
    assert status["events_total"] == answer["events"]
    gone = await (
        await client.get("/api/v1/events", params={"entity_id": "light.old"}, headers=AUTH)
    ).json()
    assert gone["events"] == []


@pytest.mark.parametrize("home_type", ["sensor_only", "motion_lit"])
async def test_the_newer_home_types_are_generated_and_loaded(
    client: Client, home_type: str
) -> None:
    body = {"home_type": home_type, "days": 2, "seed": 4, "load": True}
    answer = await (await _generate(client, body)).json()
    assert answer["home_type"] == home_type
    assert answer["loaded"] is True
    assert answer["events"] > 0
    home = await (await client.get("/api/v1/home", headers=AUTH)).json()
    assert home["entity_count"] == len(answer["home"]["entities"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 366}, "days"),
        ({"home_type": "castle"}, "home_type"),
        ({"seed": -1}, "seed"),
        ({"load": "yes"}, "load"),
    ],
)
async def test_bad_parameters_are_named(client: Client, body: dict[str, Any], field: str) -> None:
    response = await _generate(client, body)
    assert response.status == 400
    assert (await response.json())["error"]["details"]["field"] == field


async def test_loading_is_refused_while_home_assistant_is_mirrored(client: Client) -> None:
    client.app[HOME].mirror_connected = True
    response = await _generate(client, {"days": 1, "seed": 1, "load": True})
    assert response.status == 409


async def test_demo_mode_loads_a_home_into_an_empty_engine(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await aiohttp_client(create_app(replace(settings, demo=True)))
    home = await (await client.get("/api/v1/home", headers=AUTH)).json()
    assert home["source"] == "synthetic"
    assert home["entity_count"] >= 50
    status = await (await client.get("/api/v1/ingest/status", headers=AUTH)).json()
    assert status["events_total"] >= 100_000


async def test_demo_mode_never_replaces_an_imported_home(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    first = await aiohttp_client(create_app(settings))
    catalog = {"time_zone": "UTC", "entities": [{"entity_id": "light.mine", "name": "Mine"}]}
    await first.post("/api/v1/home/import", json=catalog, headers=AUTH)
    await first.close()
    second = await aiohttp_client(create_app(replace(settings, demo=True)))
    home = await (await second.get("/api/v1/home", headers=AUTH)).json()
    assert (home["source"], home["entity_count"]) == ("import", 1)


async def test_a_demo_load_cut_short_by_a_crash_is_redone(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    # What a crash in the middle of a load leaves: the new catalog, part of the history,
    # and the load still marked in progress.
    first = await aiohttp_client(create_app(settings))
    catalog = {"time_zone": "UTC", "entities": [{"entity_id": "light.half", "name": "Half"}]}
    await first.post("/api/v1/home/import", json=catalog, headers=AUTH)
    await write_meta(first.app[DATABASE], LOAD_STATE_KEY, "in_progress")
    await first.close()

    plain = await aiohttp_client(create_app(settings))
    assert plain.app[HOME].load_interrupted is True  # reported, not silently kept as whole
    await plain.close()

    demo = await aiohttp_client(create_app(replace(settings, demo=True)))
    home = await (await demo.get("/api/v1/home", headers=AUTH)).json()
    assert home["source"] == "synthetic"
    assert demo.app[HOME].load_interrupted is False
    status = await (await demo.get("/api/v1/ingest/status", headers=AUTH)).json()
    assert status["events_total"] >= 100_000
