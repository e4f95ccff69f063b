"""Questions are answered from the home's live states, not the catalog's or the cache's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine.home.event_input import to_epoch_us, utc_now
from engine.home.keys import HOME

from .conftest import AUTH, Client

BODY: dict[str, Any] = {
    "time_zone": "Europe/Berlin",
    "areas": [{"area_id": "kitchen", "name": "Kitchen"}, {"area_id": "hall", "name": "Hall"}],
    "entities": [
        {
            "entity_id": "light.kitchen",
            "name": "Kitchen light",
            "area_id": "kitchen",
            "state": "off",
        },
        {"entity_id": "light.hall", "name": "Hall light", "area_id": "hall", "state": "off"},
        {
            "entity_id": "climate.kitchen",
            "name": "Kitchen thermostat",
            "area_id": "kitchen",
            "state": "heat",
            "attributes": {"current_temperature": 19.5, "temperature_unit": "°C"},
        },
    ],
}


def _changed(entity_id: str, old: str | None, new: str | None, **attributes: Any) -> dict[str, Any]:
    """Return a state_changed event shaped like Home Assistant's."""

    def state(value: str | None) -> dict[str, Any] | None:
        if value is None:
            return None
        return {
            "entity_id": entity_id,
            "state": value,
            "attributes": attributes,
            "last_changed": "2026-05-01T06:00:00+00:00",
            "last_updated": "2026-05-01T06:00:00+00:00",
            "context": {"id": "c", "parent_id": None, "user_id": None},
        }

    return {
        "event_type": "state_changed",
        "data": {"entity_id": entity_id, "old_state": state(old), "new_state": state(new)},
    }


@pytest.fixture
async def home(client: Client) -> Client:
    response = await client.post("/api/v1/home/import", json=BODY, headers=AUTH)
    assert response.status == 200, await response.text()
    return client


async def _ask(client: Client, text: str) -> Any:
    response = await client.post("/api/v1/query", json={"text": text}, headers=AUTH)
    assert response.status == 200, await response.text()
    answer = await response.json()
    assert (answer["status"], answer["kind"]) == ("ready", "question"), answer
    assert "_asked" not in answer  # the cached parse is never shown
    return answer


async def _hits(client: Client) -> int:
    stats = await (await client.get("/api/v1/stats", headers=AUTH)).json()
    hits: int = stats["cache"]["hits"]
    return hits


async def test_home_service_follows_state_changed_events(home: Client) -> None:
    service = home.app[HOME]
    assert service.state_of("light.kitchen") == ("off", None)
    service.state_changed(_changed("light.kitchen", "off", "on", brightness=200))
    assert service.state_of("light.kitchen") == ("on", {"brightness": 200})
    # Attribute-only changes are no events, but they are the state now.
    service.state_changed(_changed("climate.kitchen", "heat", "heat", current_temperature=21))
    assert service.state_of("climate.kitchen") == ("heat", {"current_temperature": 21})
    service.state_changed(_changed("light.hall", "off", None))
    assert service.state_of("light.hall") is None
    # The catalog object stays (the query parsers are built per catalog).
    assert service.catalog.entities[0].state == "off"


async def test_a_catalog_read_before_a_change_does_not_undo_it(home: Client) -> None:
    service = home.app[HOME]
    read_at = to_epoch_us(utc_now())
    service.state_changed(_changed("light.kitchen", "off", "on"))
    await service.replace_catalog(service.catalog, as_of_us=read_at)
    assert service.state_of("light.kitchen") == ("on", {})
    # A catalog read afterwards is the newer word.
    await service.replace_catalog(service.catalog)
    assert service.state_of("light.kitchen") == ("off", None)


async def test_a_cached_question_is_answered_from_the_state_now(home: Client) -> None:
    first = await _ask(home, "is the kitchen light on")
    assert (first["message"], first["answer"]["value"]) == ("No, Kitchen light is off.", False)
    home.app[HOME].state_changed(_changed("light.kitchen", "off", "on"))
    hits = await _hits(home)
    second = await _ask(home, "Is the  kitchen light on")
    assert await _hits(home) == hits + 1  # the parse came from the cache, the state did not
    assert (second["message"], second["answer"]["value"]) == ("Yes, Kitchen light is on.", True)
    assert second["answer"]["entities"][0]["state"] == "on"


async def test_an_attribute_change_answers_a_temperature_question(home: Client) -> None:
    text = "what is the temperature in the kitchen"
    assert (await _ask(home, text))["answer"]["value"] == 19.5
    home.app[HOME].state_changed(
        _changed("climate.kitchen", "heat", "heat", current_temperature=22.5, temperature_unit="°C")
    )
    answer = await _ask(home, text)
    assert answer["answer"]["value"] == 22.5
    assert answer["message"] == "It is 22.5 °C (Kitchen thermostat)."


async def test_imported_events_newer_than_the_catalog_are_the_state_now(home: Client) -> None:
    assert (await _ask(home, "is the hall light on"))["answer"]["value"] is False
    now = utc_now()
    history = {
        "events": [
            # History from before the catalog was imported says nothing about now.
            {
                "entity_id": "light.kitchen",
                "state": "on",
                "time": (now - timedelta(hours=1)).isoformat(),
            },
            {
                "entity_id": "light.hall",
                "state": "on",
                "time": (now + timedelta(seconds=1)).isoformat(),
            },
        ]
    }
    response = await home.post("/api/v1/events/import", json=history, headers=AUTH)
    assert response.status == 200, await response.text()
    assert (await _ask(home, "is the hall light on"))["message"] == "Yes, Hall light is on."
    assert (await _ask(home, "is the kitchen light on"))["answer"]["value"] is False
