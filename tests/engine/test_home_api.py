"""Catalog import and listing, ingest status, retention."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.app import create_app
from engine.home.event_input import parse_events, to_epoch_us
from engine.home.lifecycle import enforce_retention
from engine.settings import Settings
from engine.store.database import create_database_engine
from engine.store.events import EventStore
from engine.store.migrate import migrate

from .conftest import AUTH, Client, ClientFactory

CATALOG: dict[str, Any] = {
    "time_zone": "Europe/Berlin",
    "location": {"latitude": 52.52, "longitude": 13.4},
    "floors": [{"floor_id": "ground", "name": "Ground floor", "level": 0}],
    "areas": [
        {"area_id": "kitchen", "name": "Kitchen", "floor_id": "ground"},
        {"area_id": "hall", "name": "Hall", "floor_id": "ground", "aliases": ["Hallway"]},
    ],
    "devices": [{"device_id": "hue1", "name": "Hue bulb", "area_id": "kitchen"}],
    "entities": [
        {"entity_id": "light.kitchen", "name": "Kitchen light", "device_id": "hue1"},
        {"entity_id": "light.hall", "name": "Hall light", "area_id": "hall", "aliases": ["Lamp"]},
        {"entity_id": "binary_sensor.door", "name": "Front door", "area_id": "hall"},
        {
            "entity_id": "sensor.power",
            "name": "Power",
            "device_id": "hue1",
            "area_id": "hall",
            "unit_of_measurement": "W",
            "entity_category": "diagnostic",
        },
    ],
}


async def _import(client: Client, body: Any) -> Any:
    return await client.post("/api/v1/home/import", json=body, headers=AUTH)


async def _entities(client: Client, **params: str) -> Any:
    return await (await client.get("/api/v1/entities", params=params, headers=AUTH)).json()


async def test_import_and_read_back(client: Client) -> None:
    response = await _import(client, CATALOG)
    assert await response.json() == {"floors": 1, "areas": 2, "devices": 1, "entities": 4}
    home = await (await client.get("/api/v1/home", headers=AUTH)).json()
    assert home["source"] == "import"
    assert home["time_zone"] == "Europe/Berlin"
    assert home["location"] == {"latitude": 52.52, "longitude": 13.4}
    assert home["entity_count"] == 4
    assert home["areas"][1]["aliases"] == ["Hallway"]


async def test_entity_filters_and_device_area_fallback(client: Client) -> None:
    await _import(client, CATALOG)
    kitchen = await _entities(client, area_id="kitchen")
    # light.kitchen has no area of its own: it is in its device's; sensor.power has its own.
    assert [e["entity_id"] for e in kitchen["entities"]] == ["light.kitchen"]
    assert kitchen["entities"][0]["area_id"] == "kitchen"
    hall = await _entities(client, area_id="hall")
    assert {e["entity_id"] for e in hall["entities"]} == {
        "light.hall",
        "binary_sensor.door",
        "sensor.power",
    }
    lights = await _entities(client, domain="light")
    assert lights["total"] == 2
    by_alias = await _entities(client, q="LAMP")
    assert [e["entity_id"] for e in by_alias["entities"]] == ["light.hall"]


async def test_entity_paging(client: Client) -> None:
    await _import(client, CATALOG)
    seen: list[str] = []
    cursor = None
    while True:
        page = await _entities(client, limit="3", **({"cursor": cursor} if cursor else {}))
        seen += [e["entity_id"] for e in page["entities"]]
        assert page["total"] == 4
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(e["entity_id"] for e in CATALOG["entities"])


def _broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(CATALOG)
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_broken(("time_zone",), "Mars/Olympus"), "time_zone"),
        (_broken(("areas", 0, "floor_id"), "attic"), "areas.0.floor_id"),
        (_broken(("entities", 1, "device_id"), "nope"), "entities.1.device_id"),
        (_broken(("entities", 1, "entity_id"), "light.kitchen"), "entities.1.entity_id"),
        (_broken(("entities", 2, "entity_id"), "Front Door"), "entities.2.entity_id"),
        (_broken(("devices", 0, "name"), 5), "devices.0.name"),
        (_broken(("location",), {"latitude": 99, "longitude": 0}), "location.latitude"),
    ],
)
async def test_bad_imports_are_refused_and_keep_the_old_catalog(
    client: Client, body: dict[str, Any], field: str
) -> None:
    await _import(client, CATALOG)
    response = await _import(client, body)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "bad_request"
    assert error["details"]["field"] == field
    home = await (await client.get("/api/v1/home", headers=AUTH)).json()
    assert home["entity_count"] == 4


async def test_catalog_survives_a_restart(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    first = await aiohttp_client(create_app(settings))
    await _import(first, CATALOG)
    await first.close()
    second = await aiohttp_client(create_app(settings))
    kitchen = await _entities(second, area_id="kitchen")
    assert [e["entity_id"] for e in kitchen["entities"]] == ["light.kitchen"]


async def test_ingest_status_for_imports(client: Client) -> None:
    events = [
        {"entity_id": "light.hall", "state": "on", "time": "2026-01-01T07:00:00+01:00"},
        {"entity_id": "light.hall", "state": "off", "time": "2026-01-03T07:00:00+01:00"},
    ]
    await client.post("/api/v1/events/import", json={"events": events}, headers=AUTH)
    status = await (await client.get("/api/v1/ingest/status", headers=AUTH)).json()
    assert status == {
        "source": "import",
        "connected": False,
        "events_total": 2,
        "oldest_event_at": "2026-01-01T06:00:00+00:00",
        "newest_event_at": "2026-01-03T06:00:00+00:00",
        "backfill": {
            "status": "idle",
            "from": None,
            "to": None,
            "progress": 0.0,
            "events": 0,
            "error": None,
        },
    }


async def test_retention_counts_back_from_the_newest_event(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    try:
        await migrate(engine)
        store = EventStore(engine)
        await store.setup()
        times = ["2025-01-01T00:00:00Z", "2025-01-20T00:00:00Z", "2025-01-25T00:00:00Z"]
        body = {
            "events": [
                {"entity_id": "light.a", "state": str(i), "time": t} for i, t in enumerate(times)
            ]
        }
        await store.write(parse_events(body))
        # Old imported history is not purged for being old: only what lies more than
        # 10 days before the newest event goes.
        assert await enforce_retention(store, 10) == 1
        assert store.total == 2
        assert await enforce_retention(store, 10) == 0
        oldest, _ = await store.bounds()
        assert oldest == to_epoch_us(datetime(2025, 1, 20, tzinfo=UTC))
    finally:
        await engine.dispose()
