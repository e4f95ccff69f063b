"""Event import and paging: idempotent, strict, and atomic on bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.home.event_input import MAX_EVENTS_PER_REQUEST

from .conftest import AUTH, Client

START = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # spans Europe's DST change


def make_events(count: int, entity: str = "light.kitchen") -> list[dict[str, Any]]:
    return [
        {
            "entity_id": entity,
            "state": "on" if i % 2 else "off",
            "time": (START + timedelta(minutes=i)).isoformat(),
            "origin": "manual",
        }
        for i in range(count)
    ]


async def _import(client: Client, events: list[dict[str, Any]]) -> Any:
    return await client.post("/api/v1/events/import", json={"events": events}, headers=AUTH)


async def _all_events(client: Client, **params: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": "7", **({"cursor": cursor} if cursor else {})}
        body = await (await client.get("/api/v1/events", params=query, headers=AUTH)).json()
        found += body["events"]
        cursor = body["next_cursor"]
        if cursor is None:
            return found


async def test_import_is_idempotent(client: Client) -> None:
    events = make_events(2500)
    first = await (await _import(client, events)).json()
    assert first == {"imported": 2500, "duplicates": 0}
    second = await (await _import(client, events + make_events(3, "switch.fan"))).json()
    assert second == {"imported": 3, "duplicates": 2500}
    stats = await (await client.get("/api/v1/stats", headers=AUTH)).json()
    assert stats["events_total"] == 2503


async def test_same_instant_in_another_offset_is_the_same_event(client: Client) -> None:
    utc = {"entity_id": "lock.door", "state": "locked", "time": "2026-01-01T06:00:00+00:00"}
    berlin = {**utc, "time": "2026-01-01T07:00:00+01:00"}
    body = await (await _import(client, [utc, berlin])).json()
    assert body == {"imported": 1, "duplicates": 1}


async def test_pages_follow_time_order_and_filters(client: Client) -> None:
    await _import(client, make_events(20) + make_events(5, "switch.fan"))
    everything = await _all_events(client)
    assert len(everything) == 25
    times = [datetime.fromisoformat(event["time"]) for event in everything]
    assert times == sorted(times)
    fan = await _all_events(client, entity_id="switch.fan")
    assert {event["entity_id"] for event in fan} == {"switch.fan"}
    assert fan[0] == {
        "entity_id": "switch.fan",
        "state": "off",
        "time": START.isoformat(),
        "origin": "manual",
    }
    window = await _all_events(
        client,
        entity_id="light.kitchen",
        start=(START + timedelta(minutes=5)).isoformat(),
        end=(START + timedelta(minutes=10)).isoformat(),
    )
    assert len(window) == 5


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"state": "on", "time": "2026-01-01T00:00:00Z"}, "entity_id"),
        (
            {"entity_id": "Light Kitchen", "state": "on", "time": "2026-01-01T00:00:00Z"},
            "entity_id",
        ),
        ({"entity_id": "light.k", "state": 1, "time": "2026-01-01T00:00:00Z"}, "state"),
        ({"entity_id": "light.k", "state": "on", "time": "yesterday"}, "time"),
        ({"entity_id": "light.k", "state": "on", "time": "2026-01-01T00:00:00"}, "time"),
        (
            {"entity_id": "light.k", "state": "on", "time": "2026-01-01T00:00:00Z", "origin": "x"},
            "origin",
        ),
        # Found by the property-based tests: a list is unhashable, and was a 500.
        (
            {
                "entity_id": "light.k",
                "state": "on",
                "time": "2026-01-01T00:00:00Z",
                "origin": [None],
            },
            "origin",
        ),
        (
            {"entity_id": "light.k", "state": "on", "time": "2026-01-01T00:00:00Z", "colour": 1},
            "colour",
        ),
        ("not an object", None),
    ],
)
async def test_bad_item_is_named_and_nothing_is_stored(
    client: Client, bad: Any, field: str | None
) -> None:
    events: list[Any] = make_events(1500)
    events.insert(1234, bad)
    response = await _import(client, events)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "bad_request"
    assert error["details"] == {"index": 1234, "field": field}
    assert "events[1234]" in error["message"]
    assert await _all_events(client) == []


async def test_too_many_events_is_413(client: Client) -> None:
    events = make_events(1) * (MAX_EVENTS_PER_REQUEST + 1)
    response = await _import(client, events)
    assert response.status == 413
    assert (await response.json())["error"]["details"]["max_events"] == MAX_EVENTS_PER_REQUEST


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "501"}, {"limit": "ten"}, {"cursor": "%%%"}, {"start": "noon"}],
)
async def test_bad_listing_parameters_are_400(client: Client, params: dict[str, str]) -> None:
    response = await client.get("/api/v1/events", params=params, headers=AUTH)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "bad_request"


@pytest.mark.parametrize("body", [{}, {"events": "x"}, [], {"events": None}])
async def test_body_without_an_events_list_is_400(client: Client, body: Any) -> None:
    response = await client.post("/api/v1/events/import", json=body, headers=AUTH)
    assert response.status == 400
    assert (await response.json())["error"]["details"]["field"] == "events"


async def test_importing_100000_events_twice_stores_100000(client: Client) -> None:
    events = [
        {
            "entity_id": f"sensor.s{i % 97}",
            "state": str(i),
            "time": (START + timedelta(seconds=i)).isoformat(),
        }
        for i in range(100_000)
    ]
    first = await (await _import(client, events)).json()
    assert first == {"imported": 100_000, "duplicates": 0}
    second = await (await _import(client, events)).json()
    assert second == {"imported": 0, "duplicates": 100_000}
    status = await (await client.get("/api/v1/ingest/status", headers=AUTH)).json()
    assert status["events_total"] == 100_000
