"""Bounds at the edge of the catalog and event imports: time zones, floor levels, entity ids."""

from __future__ import annotations

from typing import Any

import pytest

from engine.home.catalog import Catalog, CatalogSource, Floor
from engine.home.event_input import utc_now
from engine.home.keys import HOME

from .conftest import AUTH, Client
from .hostile import error_of, event, import_events

CATALOG: dict[str, Any] = {
    "time_zone": "UTC",
    "entities": [{"entity_id": "light.kitchen", "name": "Kitchen light"}],
}


def _floor(**floor: Any) -> dict[str, Any]:
    return {"time_zone": "UTC", "floors": [{"floor_id": "g", "name": "G", **floor}]}


async def _import_home(client: Client, body: Any) -> Any:
    return await client.post("/api/v1/home/import", json=body, headers=AUTH)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CATALOG, "time_zone": "E" * 1_000_000}, "time_zone"),
        ({**CATALOG, "time_zone": "Europe/" + "x" * 300}, "time_zone"),
        ({**CATALOG, "time_zone": "../../etc/passwd"}, "time_zone"),
        ({**CATALOG, "time_zone": ""}, "time_zone"),
        (_floor(level=2**63), "floors.0.level"),
        (_floor(level=-101), "floors.0.level"),
        (_floor(level=1001), "floors.0.level"),
        (_floor(level=1.5), "floors.0.level"),
    ],
    ids=["1 MB zone", "long zone", "path zone", "empty zone", "2^63", "-101", "1001", "1.5"],
)
async def test_bad_time_zone_or_floor_level_is_400(
    client: Client, body: dict[str, Any], field: str
) -> None:
    error = await error_of(await _import_home(client, body))
    assert error["code"] == "bad_request"
    assert error["details"]["field"] == field


async def test_floor_levels_within_the_bounds_are_kept(client: Client) -> None:
    body = {
        "time_zone": "America/Argentina/ComodRivadavia",
        "floors": [
            {"floor_id": "cellar", "name": "Cellar", "level": -100},
            {"floor_id": "top", "name": "Top", "level": 1000},
        ],
    }
    assert (await _import_home(client, body)).status == 200
    home = await (await client.get("/api/v1/home", headers=AUTH)).json()
    assert [floor["level"] for floor in home["floors"]] == [-100, 1000]


async def test_entity_ids_longer_than_home_assistants_limit_are_refused(client: Client) -> None:
    long_id = "sensor." + "a" * 249  # 256 characters
    error = await error_of(await import_events(client, [event(utc_now(), long_id)]))
    assert error["details"] == {"index": 0, "field": "entity_id"}
    assert "255" in error["message"]
    body = {"time_zone": "UTC", "entities": [{"entity_id": long_id, "name": "Long"}]}
    error = await error_of(await _import_home(client, body))
    assert error["details"]["field"] == "entities.0.entity_id"
    fits = "sensor." + "a" * 248  # 255 characters
    response = await import_events(client, [event(utc_now(), fits)])
    assert await response.json() == {"imported": 1, "duplicates": 0}
    body = {"time_zone": "UTC", "entities": [{"entity_id": fits, "name": "Long"}]}
    assert (await _import_home(client, body)).status == 200


async def test_a_mirrored_floor_level_or_time_zone_out_of_bounds_is_dropped(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    catalog = Catalog(
        source=CatalogSource.HOME_ASSISTANT,
        time_zone="Mars/Olympus_Mons",
        floors=[Floor("sky", "Sky", level=2**63), Floor("ground", "Ground", level=0)],
    )
    await client.app[HOME].replace_catalog(catalog)
    home = await (await client.get("/api/v1/home", headers=AUTH)).json()
    assert home["time_zone"] == "UTC"
    assert [floor["level"] for floor in home["floors"]] == [None, 0]
    assert "Mars/Olympus_Mons" in caplog.text
    assert "floor sky" in caplog.text
