"""Checking an automation without deploying it: the verdict an approval would give."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from aiohttp import web

from engine.api.http import json_response, read_body
from engine.api.routing import ApiRoute
from engine.automation.suggestions.routes import VALIDATION_SCHEMA
from engine.automation.validate import validate_automation
from engine.automation.yaml_render import automation_to_yaml
from engine.home.keys import HOME

# The config's every problem is reported in the answer; only a body that holds none is a 400.
VALIDATE_SCHEMA = vol.Schema({vol.Required("automation"): dict})


async def check_automation(request: web.Request) -> web.Response:
    """Validate an automation against the home and the safety policy."""
    body = await read_body(request, VALIDATE_SCHEMA)
    config: dict[str, Any] = body["automation"]
    result = validate_automation(config, request.app[HOME].catalog)
    try:
        rendered: str | None = automation_to_yaml(config)
    except ValueError:
        # Nested too deep to render: the verdict says so (invalid_structure).
        rendered = None
    return json_response(
        {
            **result.as_dict(),
            "requires_confirmation": result.requires_confirmation,
            "yaml": rendered,
        }
    )


CHECK_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {
        **VALIDATION_SCHEMA["properties"],
        "requires_confirmation": {
            "type": "boolean",
            "description": "Deploying it needs confirm: true (locks, alarms, garage doors...)",
        },
        "yaml": {
            "type": ["string", "null"],
            "description": "The automation as YAML; null when it is nested too deep to render",
        },
    },
}

ROUTES = [
    ApiRoute(
        "POST",
        "/api/v1/automations/validate",
        check_automation,
        "Validate an automation config (structure, the home's entities and areas, the safety "
        "policy) without deploying it: the verdict an approval would give, with its YAML. An "
        "invalid automation is a 200 with valid: false; only a body without an automation "
        "object is a 400",
        "automations",
        body=VALIDATE_SCHEMA,
        response=CHECK_SCHEMA,
    ),
]
