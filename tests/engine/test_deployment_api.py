"""Deployment routes without Home Assistant: validation, confirmation, 503 and 404."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import AUTH, Client

HOME = {
    "time_zone": "Europe/Berlin",
    "entities": [
        {"entity_id": "light.hall", "name": "Hall light"},
        {"entity_id": "binary_sensor.front_door", "name": "Front door", "device_class": "door"},
        {"entity_id": "lock.front_door", "name": "Front door lock"},
    ],
}


def automation(action: str = "light.turn_on", target: str = "light.hall") -> dict[str, Any]:
    return {
        "alias": "Door opens",
        "triggers": [{"trigger": "state", "entity_id": "binary_sensor.front_door", "to": "on"}],
        "actions": [{"action": action, "target": {"entity_id": target}}],
    }


@pytest.fixture
async def home(client: Client) -> Client:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    return client


async def _deploy(client: Client, body: dict[str, Any], status: int) -> dict[str, Any]:
    response = await client.post("/api/v1/deployment/deploy", json=body, headers=AUTH)
    assert response.status == status, await response.text()
    answer: dict[str, Any] = await response.json()
    return answer


async def _codes(client: Client, body: dict[str, Any]) -> list[str]:
    error = (await _deploy(client, body, 422))["error"]
    assert error["code"] == "unprocessable"
    return [issue["code"] for issue in error["details"]["validation"]["errors"]]


async def test_invalid_automations_are_422_with_the_validation_errors(home: Client) -> None:
    unknown = await _codes(home, {"automation": automation(target="light.hal")})
    assert unknown == ["unknown_entity"]
    blocked = await _codes(home, {"automation": automation(action="shell_command.x")})
    assert "blocked_service" in blocked
    error = (await _deploy(home, {"automation": {"alias": "No parts"}}, 422))["error"]
    assert {i["path"] for i in error["details"]["validation"]["errors"]} >= {"triggers", "actions"}


async def test_a_lock_automation_needs_confirm(home: Client) -> None:
    body = {"automation": automation(action="lock.unlock", target="lock.front_door")}
    error = (await _deploy(home, body, 422))["error"]
    assert error["details"]["confirm"] == ["confirm_lock"]
    assert "confirm: true" in error["message"]
    # Confirmed, it gets as far as Home Assistant, which this engine has none of.
    error = (await _deploy(home, {**body, "confirm": True}, 503))["error"]
    assert error["code"] == "ha_unavailable"


async def test_without_home_assistant_a_valid_deploy_is_503_and_stores_nothing(
    home: Client,
) -> None:
    error = (await _deploy(home, {"automation": automation()}, 503))["error"]
    assert error["code"] == "ha_unavailable"
    response = await home.get("/api/v1/deployment/automations", headers=AUTH)
    assert response.status == 200
    assert await response.json() == {"automations": []}


@pytest.mark.parametrize(
    "body",
    [{}, {"automation": "not an object"}, {"automation": {}, "suggestion_id": "x"}, []],
)
async def test_a_body_without_exactly_one_automation_or_suggestion_is_400(
    client: Client, body: Any
) -> None:
    error = (await _deploy(client, body, 400))["error"]
    assert error["code"] == "bad_request"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/deployment/nope/versions"),
        ("POST", "/api/v1/deployment/nope/rollback"),
        ("POST", "/api/v1/deployment/nope/disable"),
        ("POST", "/api/v1/deployment/nope/enable"),
        ("DELETE", "/api/v1/deployment/nope"),
    ],
)
async def test_unknown_automation_ids_are_404(client: Client, method: str, path: str) -> None:
    response = await client.request(method, path, headers=AUTH)
    assert response.status == 404, await response.text()
    assert (await response.json())["error"]["code"] == "not_found"
