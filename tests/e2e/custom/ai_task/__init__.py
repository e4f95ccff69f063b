"""A stand-in for Home Assistant's ai_task (2025.8+) on 2025.4: generate_data without a model."""

from __future__ import annotations

import json
from typing import Any

import voluptuous as vol
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

DOMAIN = "ai_task"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
# The real service's fields (homeassistant/components/ai_task/services.py).
GENERATE_DATA_SCHEMA = vol.Schema(
    {
        vol.Required("task_name"): cv.string,
        vol.Optional("entity_id"): cv.entity_id,
        vol.Required("instructions"): cv.string,
        vol.Optional("structure"): dict,
        vol.Optional("attachments"): list,
    }
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register ai_task.generate_data, answering like a model asked for JSON in words."""

    async def generate_data(call: ServiceCall) -> ServiceResponse:
        instructions: str = call.data["instructions"]
        request = next(
            (line for line in instructions.splitlines() if line.startswith("Request:")), ""
        )
        answer: dict[str, Any] = {
            "kind": "command",
            "actions": [
                {"action": "light.turn_on", "entity_id": ["light.kitchen_light"], "data": "{}"}
            ],
            "automation": "",
            "entity_ids": [],
            "question": "",
            "message": f"{call.data['task_name']}: {request}",
        }
        # Fenced, as models asked for JSON in words often answer.
        return {"conversation_id": "stand-in", "data": f"```json\n{json.dumps(answer)}\n```"}

    hass.services.async_register(
        DOMAIN,
        "generate_data",
        generate_data,
        schema=GENERATE_DATA_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    return True
