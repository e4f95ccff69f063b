"""Every path to a lock through the API: the validation answer and the deploy route ask confirm."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import AUTH, Client

HOME: dict[str, Any] = {
    "time_zone": "Europe/Berlin",
    "floors": [{"floor_id": "ground", "name": "Ground floor", "level": 0}],
    "areas": [{"area_id": "hall", "name": "Hall", "floor_id": "ground"}],
    "devices": [{"device_id": "door_lock", "name": "Door lock", "area_id": "hall"}],
    "entities": [
        {"entity_id": "binary_sensor.front_door", "name": "Front door", "device_class": "door"},
        {"entity_id": "light.porch", "name": "Porch light"},
        {"entity_id": "lock.front_door", "name": "Front door lock", "device_id": "door_lock"},
        {"entity_id": "script.leave_home", "name": "Leave home"},
        {
            "entity_id": "scene.evening",
            "name": "Evening",
            "attributes": {"entity_id": ["light.porch", "lock.front_door"]},
        },
        {"entity_id": "scene.porch", "name": "Porch", "attributes": {"entity_id": ["light.porch"]}},
    ],
}

UNLOCK = {"lock.front_door": "unlocked"}
PATHS = {
    "direct service": {"action": "lock.unlock", "target": {"entity_id": "lock.front_door"}},
    "scene.apply": {"action": "scene.apply", "data": {"entities": UNLOCK}},
    "scene.turn_on": {"action": "scene.turn_on", "target": {"entity_id": "scene.evening"}},
    "script.turn_on": {"action": "script.turn_on", "target": {"entity_id": "script.leave_home"}},
    "script by name": {"action": "script.leave_home"},
    "homeassistant.turn_off": {
        "action": "homeassistant.turn_off",
        "target": {"entity_id": "lock.front_door"},
    },
    "homeassistant.toggle of an area": {
        "action": "homeassistant.toggle",
        "target": {"area_id": "hall"},
    },
    "a device": {"action": "homeassistant.turn_off", "data": {"device_id": "door_lock"}},
    "a floor": {"action": "homeassistant.turn_off", "data": {"floor_id": "ground"}},
    "a label": {"action": "homeassistant.turn_off", "data": {"label_id": "doors"}},
    "a templated target in data": {
        "action": "homeassistant.turn_off",
        "data": {"entity_id": "{{ 'lock.' ~ 'front_door' }}"},
    },
}
TEMPLATED_TARGET = {
    "action": "homeassistant.turn_off",
    "target": {"entity_id": "{{ 'lock.' ~ 'front_door' }}"},
}


def _automation(action: dict[str, Any]) -> dict[str, Any]:
    return {
        "alias": "Door opens",
        "triggers": [{"trigger": "state", "entity_id": "binary_sensor.front_door", "to": "on"}],
        "actions": [action],
    }


@pytest.fixture
async def home(client: Client) -> Client:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    return client


async def _post(client: Client, path: str, body: dict[str, Any], status: int) -> Any:
    response = await client.post(path, json=body, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


@pytest.mark.parametrize("action", list(PATHS.values()), ids=list(PATHS))
async def test_every_path_to_a_lock_needs_confirm(home: Client, action: dict[str, Any]) -> None:
    body = {"automation": _automation(action)}
    verdict = await _post(home, "/api/v1/automations/validate", body, 200)
    assert verdict["requires_confirmation"] is True
    [lock] = [i for i in verdict["safety"]["issues"] if i["code"] == "confirm_lock"]
    # The answer says how the call gets to the lock.
    assert action["action"] in lock["message"]
    error = (await _post(home, "/api/v1/deployment/deploy", body, 422))["error"]
    assert "confirm_lock" in error["details"]["confirm"]
    # Confirmed, it gets as far as Home Assistant, which this engine has none of.
    confirmed = await _post(home, "/api/v1/deployment/deploy", {**body, "confirm": True}, 503)
    assert confirmed["error"]["code"] == "ha_unavailable"


async def test_a_scene_that_sets_no_lock_needs_no_confirm(home: Client) -> None:
    action = {"action": "scene.turn_on", "target": {"entity_id": "scene.porch"}}
    verdict = await _post(
        home, "/api/v1/automations/validate", {"automation": _automation(action)}, 200
    )
    assert verdict["valid"] is True
    assert verdict["requires_confirmation"] is False


async def test_a_templated_target_is_refused_and_says_it_could_reach_a_lock(home: Client) -> None:
    body = {"automation": _automation(TEMPLATED_TARGET)}
    verdict = await _post(home, "/api/v1/automations/validate", body, 200)
    assert verdict["valid"] is False
    assert "invalid_structure" in {issue["code"] for issue in verdict["errors"]}
    [lock] = [i for i in verdict["safety"]["issues"] if i["code"] == "confirm_lock"]
    assert "given by" in lock["message"]
    assert "lock.front_door" in lock["message"]
    error = await _post(home, "/api/v1/deployment/deploy", {**body, "confirm": True}, 422)
    assert error["error"]["code"] == "unprocessable"
