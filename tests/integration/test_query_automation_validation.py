"""Home Assistant 2025.4.4 accepts every automation the parser's tests produce, and no bad one.

The configs are checked with async_validate_config_item, what Home Assistant runs when the
automation editor saves (POST /api/config/automation/config/<id>, HomeIQ's deploy call): it
loads the trigger and condition platforms and validates triggers, conditions and actions.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import voluptuous as vol
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.core import HomeAssistant

from engine.query.automation import AutomationParser
from tests.engine.test_query_automation import (
    FAMILY_HOUSE,
    READY,
    TOO_FAST,
    TOO_LONG,
    WEEKDAYS,
    family_house,
    home,
)


@pytest.fixture(scope="module")
def parser() -> AutomationParser:
    return AutomationParser(home())


def _parsed(parser: AutomationParser, text: str, area_id: str | None = None) -> dict[str, Any]:
    result = parser.parse(text, area_id=area_id)
    assert result is not None, text
    assert result.automation is not None, (text, result)
    return result.automation


async def _validate(hass: HomeAssistant, config: dict[str, Any]) -> None:
    """Raise unless Home Assistant accepts an automation config."""
    assert await async_validate_config_item(hass, "automation", copy.deepcopy(config)) is not None


@pytest.mark.parametrize(("text", "area_id"), READY)
async def test_home_assistant_accepts_every_parsed_automation(
    hass: HomeAssistant, parser: AutomationParser, text: str, area_id: str | None
) -> None:
    await _validate(hass, _parsed(parser, text, area_id))


async def test_home_assistant_accepts_the_family_house_automations(hass: HomeAssistant) -> None:
    parser = AutomationParser(family_house())
    for text in FAMILY_HOUSE:
        await _validate(hass, _parsed(parser, text))


async def test_what_the_safety_limits_refuse_is_valid_config(hass: HomeAssistant) -> None:
    # The limits are the safety policy's own: Home Assistant would run both.
    await _validate(hass, TOO_FAST)
    await _validate(hass, TOO_LONG)


async def test_home_assistant_rejects_what_it_does_not_accept(
    hass: HomeAssistant, parser: AutomationParser
) -> None:
    # The negative control: the validation is Home Assistant's, and it does reject.
    automation = _parsed(parser, "30 minutes before sunset close the living room blinds")
    await _validate(hass, automation)
    broken = copy.deepcopy(automation)
    broken["triggers"][0]["offset"] = "half an hour"
    with pytest.raises(vol.Invalid):
        await _validate(hass, broken)
    # Time triggers have no weekdays in Home Assistant 2025.4, so the parser uses a condition.
    automation = _parsed(parser, "every weekday at 7 turn on the kitchen light")
    broken = copy.deepcopy(automation)
    broken["triggers"][0]["weekday"] = WEEKDAYS
    with pytest.raises(vol.Invalid):
        await _validate(hass, broken)
    with pytest.raises(vol.Invalid):
        await _validate(hass, {**automation, "triggers": [{"trigger": "sun", "event": "noon"}]})
