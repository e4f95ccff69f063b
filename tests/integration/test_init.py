"""The integration loads in Home Assistant 2025.4.4 with a valid manifest."""

from __future__ import annotations

import json
from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_custom_components, async_get_integration
from homeassistant.setup import async_setup_component

from custom_components.homeiq.const import DOMAIN

MANIFEST = Path(__file__).parents[2] / "custom_components" / DOMAIN / "manifest.json"


async def test_home_assistant_finds_and_sets_up_the_integration(hass: HomeAssistant) -> None:
    assert DOMAIN in await async_get_custom_components(hass)
    integration = await async_get_integration(hass, DOMAIN)
    assert integration.name == "HomeIQ"
    assert integration.version is not None  # custom integrations must carry one
    assert await async_setup_component(hass, DOMAIN, {})
    assert DOMAIN in hass.config.components


def test_manifest_has_what_hacs_and_hassfest_require() -> None:
    manifest = json.loads(MANIFEST.read_text())
    required = {"domain", "name", "codeowners", "documentation", "iot_class", "version"}
    assert required <= manifest.keys()
    assert manifest["domain"] == DOMAIN
    hacs = json.loads((MANIFEST.parents[2] / "hacs.json").read_text())
    assert hacs["name"] == manifest["name"]
