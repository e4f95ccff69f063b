"""Home Assistant 2025.4.4 accepts every automation form the engine's schemas accept.

The engine's schemas are meant to be a strict subset of Home Assistant's: each accepted
form is checked here with async_validate_config_item, what Home Assistant runs when the
automation editor saves (POST /api/config/automation/config/<id>, HomeIQ's deploy call).
The engine's verdicts come from its own environment (tests/integration/engine_output.py).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import voluptuous as vol
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .conftest import engine_output


@pytest.fixture(scope="module")
def forms() -> dict[str, Any]:
    """The forms of tests/engine/test_automation_validation.py, with the engine's verdicts."""
    output: dict[str, Any] = engine_output("automation-forms")
    return output


async def _validate(hass: HomeAssistant, config: dict[str, Any]) -> None:
    """Raise unless Home Assistant accepts an automation config."""
    assert await async_validate_config_item(hass, "automation", copy.deepcopy(config)) is not None


async def _refusal(hass: HomeAssistant, config: dict[str, Any]) -> str | None:
    """Why Home Assistant refuses a config, or None when it accepts it."""
    try:
        await _validate(hass, config)
    except (vol.Invalid, HomeAssistantError, AssertionError) as error:
        return f"{json.dumps(config)}: {error}"
    return None


async def test_home_assistant_accepts_what_the_engine_accepts(
    hass: HomeAssistant, forms: dict[str, Any]
) -> None:
    assert len(forms["accepted"]) > 20
    for form in forms["accepted"]:
        assert form["structure_errors"] == [], form["config"]
    refused = [await _refusal(hass, form["config"]) for form in forms["accepted"]]
    assert [reason for reason in refused if reason is not None] == []


async def test_home_assistant_rejects_what_the_engine_rejects_for_it(
    hass: HomeAssistant, forms: dict[str, Any]
) -> None:
    # The negative control: the validation is Home Assistant's, and it does reject.
    await _validate(hass, forms["plain"])
    assert len(forms["refused"]) == 8
    accepted = []
    for form in forms["refused"]:
        assert not form["valid"], form["config"]
        try:
            await _validate(hass, form["config"])
        except vol.Invalid:
            continue
        accepted.append(form["config"])
    assert accepted == []


async def test_home_assistant_accepts_every_suggested_automation(
    hass: HomeAssistant, forms: dict[str, Any]
) -> None:
    assert len(forms["drafted"]) == 9
    refused = [await _refusal(hass, config) for config in forms["drafted"]]
    assert [reason for reason in refused if reason is not None] == []
