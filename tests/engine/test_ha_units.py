"""Pure pieces of the Home Assistant mirror: origin, catalog building, history parsing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.ha.catalog_sync import build_catalog
from engine.ha.history import ENTITY_CHUNK, TIME_CHUNK, events_from_history, plan_chunks
from engine.ha.mirror import reconnect_delay
from engine.ha.origin import event_from_state_changed, origin_from_context
from engine.home.event_input import to_epoch_us
from engine.store.events import Origin


@pytest.mark.parametrize(
    ("context", "origin"),
    [
        ({"id": "1", "user_id": "u", "parent_id": None}, Origin.MANUAL),
        ({"id": "1", "user_id": None, "parent_id": "p"}, Origin.AUTOMATION),
        ({"id": "1", "user_id": None, "parent_id": None}, Origin.SYSTEM),
        (None, Origin.UNKNOWN),
    ],
)
def test_origin_from_context(context: dict[str, Any] | None, origin: Origin) -> None:
    assert origin_from_context(context) is origin


def _state(entity_id: str, state: str = "on", **attributes: Any) -> dict[str, Any]:
    return {"entity_id": entity_id, "state": state, "attributes": attributes}


def test_catalog_from_registries() -> None:
    catalog = build_catalog(
        config={"time_zone": "Europe/Berlin", "latitude": 52.5, "longitude": 13.4},
        floors=[{"floor_id": "ground", "name": "Ground", "level": 0, "aliases": ["EG"]}],
        areas=[{"area_id": "kitchen", "name": "Kitchen", "floor_id": "ground", "aliases": []}],
        devices=[
            {"id": "d1", "name": "Ceiling", "name_by_user": "Big lamp", "area_id": "kitchen"},
            {"id": "d2", "name": "Old", "disabled_by": "user", "area_id": None},
        ],
        entries={
            "light.ceiling": {
                "device_id": "d1",
                "area_id": None,
                "aliases": ["Main light"],
                "labels": ["evening", "downstairs"],
            },
            "light.renamed": {"name": "User Name", "original_name": "Original"},
            "sensor.power": {"entity_category": "diagnostic", "original_device_class": "power"},
        },
        states=[
            _state("light.ceiling", friendly_name="Ceiling Light"),
            _state("light.renamed", friendly_name="Friendly"),
            _state("sensor.power", "12.5", unit_of_measurement="W"),
            _state("input_boolean.yaml_only", "off"),
        ],
    )
    by_id = {entity.entity_id: entity for entity in catalog.entities}
    assert catalog.time_zone == "Europe/Berlin"
    assert catalog.location is not None
    assert [device.name for device in catalog.devices] == ["Big lamp"]
    # The entity's own area is empty: it falls back to its device's, as in Home Assistant.
    assert catalog.entity_area(by_id["light.ceiling"]) == "kitchen"
    assert by_id["light.ceiling"].aliases == ["Main light"]
    assert by_id["light.ceiling"].labels == ["downstairs", "evening"]
    assert by_id["light.ceiling"].name == "Ceiling Light"
    assert by_id["light.renamed"].name == "User Name"
    assert by_id["sensor.power"].unit_of_measurement == "W"
    assert by_id["sensor.power"].device_class == "power"
    assert by_id["sensor.power"].entity_category == "diagnostic"
    assert by_id["input_boolean.yaml_only"].name == "yaml only"
    assert catalog.floors[0].aliases == ["EG"]


def test_history_parsing_keeps_real_changes_only() -> None:
    t0 = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
    answer = [
        [
            {"entity_id": "light.a", "state": "on", "last_changed": t0.isoformat()},
            {"state": "on", "last_changed": (t0 + timedelta(seconds=5)).isoformat()},
            {"state": "off", "last_changed": (t0 + timedelta(minutes=1)).isoformat()},
            {"state": "on", "last_changed": "not a time"},
        ],
        [],
        [{"entity_id": "sensor.t", "state": "21.5", "last_changed": t0.isoformat()}],
    ]
    events = events_from_history(answer)
    assert [(e.entity_id, e.state, e.time_us) for e in events] == [
        ("light.a", "on", to_epoch_us(t0)),
        ("light.a", "off", to_epoch_us(t0 + timedelta(minutes=1))),
        ("sensor.t", "21.5", to_epoch_us(t0)),
    ]
    assert {event.origin for event in events} == {Origin.UNKNOWN}


def test_backfill_chunks_cover_the_window_once() -> None:
    start = datetime(2026, 5, 1, tzinfo=UTC)
    end = start + TIME_CHUNK * 2 + timedelta(hours=3)
    ids = [f"light.l{i}" for i in range(ENTITY_CHUNK + 1)]
    chunks = list(plan_chunks(start, end, ids))
    assert len(chunks) == 3 * 2
    assert chunks[0].start == start
    assert chunks[-1].end == end
    for chunk in chunks:
        assert len(chunk.entity_ids) <= ENTITY_CHUNK
    windows = sorted({(chunk.start, chunk.end) for chunk in chunks})
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert list(plan_chunks(end, end, ids)) == []


def _changed(old: str | None, new: str | None, **context: Any) -> dict[str, Any]:
    when = "2026-05-01T06:00:00.123456+00:00"

    def state(value: str | None) -> dict[str, Any] | None:
        if value is None:
            return None
        return {"entity_id": "light.a", "state": value, "last_changed": when, "context": context}

    return {"data": {"entity_id": "light.a", "old_state": state(old), "new_state": state(new)}}


def test_state_changes_become_events_with_their_origin() -> None:
    event = event_from_state_changed(_changed("off", "on", id="c", user_id="u"))
    assert event is not None
    assert (event.entity_id, event.state, event.origin) == ("light.a", "on", Origin.MANUAL)
    assert event.time_us == to_epoch_us(datetime(2026, 5, 1, 6, 0, 0, 123456, tzinfo=UTC))
    first = event_from_state_changed(_changed(None, "on", id="c", parent_id="p"))
    assert first is not None
    assert first.origin is Origin.AUTOMATION


def test_attribute_only_changes_and_removals_are_not_events() -> None:
    assert event_from_state_changed(_changed("on", "on", id="c")) is None
    assert event_from_state_changed(_changed("on", None, id="c")) is None


def test_reconnect_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    def delays(jitter: float) -> list[float]:
        return [
            reconnect_delay(attempt, minimum_s=1, maximum_s=60, jitter=lambda: jitter)
            for attempt in range(10)
        ]

    assert delays(0.999999)[:7] == pytest.approx([1, 2, 4, 8, 16, 32, 60], rel=1e-5)
    assert delays(0.0)[:3] == [0.5, 1.0, 2.0]  # never less than half the backoff
    assert max(delays(0.999999)) <= 60
    assert reconnect_delay(10_000, minimum_s=1, maximum_s=60, jitter=lambda: 0.5) == 45
