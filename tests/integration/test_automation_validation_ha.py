"""Home Assistant 2025.4.4 accepts every automation form the engine's schemas accept.

The engine's schemas are meant to be a strict subset of Home Assistant's: each accepted
form is checked here with async_validate_config_item, what Home Assistant runs when the
automation editor saves (POST /api/config/automation/config/<id>, HomeIQ's deploy call).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import voluptuous as vol
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.core import HomeAssistant

from engine.automation.validate import validate_automation
from tests.engine.test_automation_validation import (
    AT_SEVEN,
    HOME,
    UNBOUNDED_REPEATS,
    VALID_ACTIONS,
    VALID_AUTOMATIONS,
    VALID_CONDITIONS,
    VALID_TRIGGERS,
    automation,
)
from tests.engine.test_suggestion_drafts import DRAFTED

ACCEPTED = [
    *(automation(triggers=[item]) for item in VALID_TRIGGERS),
    *(automation(conditions=[item]) for item in VALID_CONDITIONS),
    *(automation(actions=[item]) for item in [*VALID_ACTIONS, *UNBOUNDED_REPEATS]),
    *VALID_AUTOMATIONS,
]


async def _validate(hass: HomeAssistant, config: dict[str, Any]) -> None:
    """Raise unless Home Assistant accepts an automation config."""
    assert await async_validate_config_item(hass, "automation", copy.deepcopy(config)) is not None


@pytest.mark.parametrize("config", ACCEPTED)
async def test_home_assistant_accepts_what_the_engine_accepts(
    hass: HomeAssistant, config: dict[str, Any]
) -> None:
    result = validate_automation(config, HOME)
    assert [found.code for found in result.errors if found.code == "invalid_structure"] == []
    await _validate(hass, config)


async def test_home_assistant_rejects_what_the_engine_rejects_for_it(hass: HomeAssistant) -> None:
    # The negative control: the validation is Home Assistant's, and it does reject.
    await _validate(hass, automation())
    for broken in (
        {**AT_SEVEN, "weekday": ["mon"]},
        {"trigger": "sun", "event": "noon"},
        {"trigger": "sun", "event": "sunset", "offset": "half an hour"},
        {
            "trigger": "numeric_state",
            "entity_id": "sensor.living_room_temperature",
            "above": 25,
            "below": 20,
        },
        {"trigger": "time_pattern", "minutes": 60},
    ):
        await _rejected_by_both(hass, automation(triggers=[broken]))
    await _rejected_by_both(
        hass, automation(conditions=[{"condition": "time", "weekday": ["mon", "funday"]}])
    )
    await _rejected_by_both(hass, automation(actions=[{"delay": "five minutes"}]))
    await _rejected_by_both(
        hass, automation(actions=[{"repeat": {"count": 2, "while": [], "sequence": []}}])
    )


async def _rejected_by_both(hass: HomeAssistant, config: dict[str, Any]) -> None:
    assert not validate_automation(config, HOME).valid
    with pytest.raises(vol.Invalid):
        await _validate(hass, config)


@pytest.mark.parametrize("config", DRAFTED, ids=lambda config: config["alias"])
async def test_home_assistant_accepts_every_suggested_automation(
    hass: HomeAssistant, config: dict[str, Any]
) -> None:
    await _validate(hass, config)
