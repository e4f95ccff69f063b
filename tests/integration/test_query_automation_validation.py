"""Home Assistant 2025.4.4 accepts every automation the parser's tests produce, and no bad one.

The configs are checked with async_validate_config_item, what Home Assistant runs when the
automation editor saves (POST /api/config/automation/config/<id>, HomeIQ's deploy call): it
loads the trigger and condition platforms and validates triggers, conditions and actions.
The parser runs in the engine's environment (tests/integration/engine_output.py), on its own
hassil; Home Assistant's environment only validates what it made.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest
import voluptuous as vol
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .conftest import engine_output


@pytest.fixture(scope="module")
def made() -> dict[str, Any]:
    """The parser's configs for the requests of tests/engine/test_query_automation.py."""
    output: dict[str, Any] = engine_output("query-automations")
    return output


def _automation(parsed: dict[str, Any]) -> dict[str, Any]:
    assert parsed["automation"] is not None, parsed
    automation: dict[str, Any] = parsed["automation"]
    return automation


async def _validate(hass: HomeAssistant, config: dict[str, Any]) -> None:
    """Raise unless Home Assistant accepts an automation config."""
    assert await async_validate_config_item(hass, "automation", copy.deepcopy(config)) is not None


async def _refused(hass: HomeAssistant, parsed: Iterable[dict[str, Any]]) -> list[str]:
    """Each request whose config the parser did not make or Home Assistant refuses, and why."""
    refused = []
    for request in parsed:
        if request["automation"] is None:
            refused.append(f"{request['text']!r}: no automation (status {request['status']})")
            continue
        try:
            await _validate(hass, request["automation"])
        except (vol.Invalid, HomeAssistantError, AssertionError) as error:
            refused.append(f"{request['text']!r} (area {request['area_id']}): {error}")
    return refused


async def test_home_assistant_accepts_every_parsed_automation(
    hass: HomeAssistant, made: dict[str, Any]
) -> None:
    assert len(made["ready"]) > 50
    assert await _refused(hass, made["ready"]) == []


async def test_home_assistant_accepts_the_family_house_automations(
    hass: HomeAssistant, made: dict[str, Any]
) -> None:
    assert made["family_house"]
    assert await _refused(hass, made["family_house"]) == []


async def test_home_assistant_accepts_what_people_ask_for_in_words(
    hass: HomeAssistant, made: dict[str, Any]
) -> None:
    # Notifications, spoken alerts, alarms, two-part requests with trigger ids and a choose.
    assert len(made["requests"]) >= 15
    assert await _refused(hass, made["requests"]) == []


async def test_what_the_safety_limits_refuse_is_valid_config(
    hass: HomeAssistant, made: dict[str, Any]
) -> None:
    # The limits are the safety policy's own: Home Assistant would run both.
    await _validate(hass, made["too_fast"])
    await _validate(hass, made["too_long"])


async def test_home_assistant_rejects_what_it_does_not_accept(
    hass: HomeAssistant, made: dict[str, Any]
) -> None:
    # The negative control: the validation is Home Assistant's, and it does reject.
    automation = _automation(made["sunset_blinds"])
    await _validate(hass, automation)
    broken = copy.deepcopy(automation)
    broken["triggers"][0]["offset"] = "half an hour"
    with pytest.raises(vol.Invalid):
        await _validate(hass, broken)
    # Time triggers have no weekdays in Home Assistant 2025.4, so the parser uses a condition.
    automation = _automation(made["weekday_kitchen"])
    broken = copy.deepcopy(automation)
    broken["triggers"][0]["weekday"] = made["weekdays"]
    with pytest.raises(vol.Invalid):
        await _validate(hass, broken)
    with pytest.raises(vol.Invalid):
        await _validate(hass, {**automation, "triggers": [{"trigger": "sun", "event": "noon"}]})
