"""POST /api/v1/automations/validate: the verdict an approval would give, without deploying."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from .conftest import AUTH, Client

HOME = {
    "time_zone": "Europe/Berlin",
    "floors": [],
    "areas": [{"area_id": "hall", "name": "Hall"}],
    "devices": [],
    "entities": [
        {"entity_id": "light.hall", "name": "Hall light", "area_id": "hall"},
        {"entity_id": "lock.front_door", "name": "Front door lock", "area_id": "hall"},
    ],
}


def automation(action: str = "light.turn_on", entity_id: str = "light.hall") -> dict[str, Any]:
    return {
        "id": "homeiq_test",
        "alias": "Test",
        "description": "Made by HomeIQ",
        "mode": "single",
        "triggers": [{"trigger": "time", "at": "22:00:00"}],
        "actions": [{"action": action, "target": {"entity_id": entity_id}}],
    }


@pytest.fixture
async def home(client: Client) -> Client:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    return client


async def _check(client: Client, body: Any, status: int = 200) -> dict[str, Any]:
    response = await client.post("/api/v1/automations/validate", json=body, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def test_a_valid_automation_is_valid_with_its_yaml(home: Client) -> None:
    config = automation()
    verdict = await _check(home, {"automation": config})
    assert verdict["valid"] is True
    assert verdict["errors"] == []
    assert verdict["safety"]["score"] == 100
    assert verdict["requires_confirmation"] is False
    assert yaml.safe_load(verdict["yaml"]) == config
    assert verdict["yaml"].startswith("id: homeiq_test\nalias: Test\n")


async def test_an_invalid_automation_names_its_problems(home: Client) -> None:
    verdict = await _check(home, {"automation": automation(entity_id="light.hal")})
    assert verdict["valid"] is False
    (error,) = verdict["errors"]
    assert error["code"] == "unknown_entity"
    assert error["path"] == "actions[0].target.entity_id"
    assert "Did you mean light.hall?" in error["message"]
    blocked = await _check(home, {"automation": automation(action="shell_command.wipe")})
    assert blocked["valid"] is False
    assert "blocked_service" in {issue["code"] for issue in blocked["safety"]["issues"]}
    assert blocked["safety"]["score"] < 100


async def test_a_lock_automation_needs_confirmation(home: Client) -> None:
    config = automation(action="lock.unlock", entity_id="lock.front_door")
    verdict = await _check(home, {"automation": config})
    assert verdict["valid"] is True
    assert verdict["requires_confirmation"] is True
    assert "confirm_lock" in {issue["code"] for issue in verdict["safety"]["issues"]}
    # The same verdict a deployment gives: without confirm: true it is refused.
    response = await home.post(
        "/api/v1/deployment/deploy", json={"automation": config}, headers=AUTH
    )
    assert response.status == 422
    assert (await response.json())["error"]["details"]["validation"] == {
        key: verdict[key] for key in ("valid", "errors", "warnings", "safety")
    }


async def test_a_config_nested_too_deep_is_invalid_without_yaml(home: Client) -> None:
    action: dict[str, Any] = {"action": "light.turn_on", "target": {"entity_id": "light.hall"}}
    for _ in range(60):
        action = {"if": [], "then": [action]}
    config = {**automation(), "actions": [action]}
    verdict = await _check(home, {"automation": config})
    assert verdict["valid"] is False
    assert verdict["errors"][0]["code"] == "invalid_structure"
    assert verdict["yaml"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "automation"),
        ({"automation": []}, "automation"),
        ({"automation": "alias: x"}, "automation"),
        ({"automation": {}, "confirm": True}, "confirm"),
        ([], "body"),
    ],
)
async def test_bad_bodies_are_400_naming_the_field(home: Client, body: Any, field: str) -> None:
    error = (await _check(home, body, 400))["error"]
    assert error["code"] == "bad_request"
    assert error["details"]["field"] == field


async def test_an_empty_body_is_400(home: Client) -> None:
    response = await home.post("/api/v1/automations/validate", data=b"", headers=AUTH)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "bad_request"
