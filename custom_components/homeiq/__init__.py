"""The HomeIQ integration: a thin client of the HomeIQ engine."""

from __future__ import annotations

from homeassistant.const import CONF_API_TOKEN, CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import HomeIQClient
from .const import DOMAIN
from .coordinator import HomeIQConfigEntry, HomeIQCoordinator
from .llm_api import async_register_llm_api
from .panel import async_setup_panel
from .services import async_setup_services
from .websocket_api import async_setup_websocket_api

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CONVERSATION,
    Platform.SENSOR,
    Platform.TODO,
]

__all__ = ["HomeIQConfigEntry"]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, the panel's commands, the language-model API and the panel."""
    async_setup_services(hass)
    async_setup_websocket_api(hass)
    async_register_llm_api(hass)
    await async_setup_panel(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HomeIQConfigEntry) -> bool:
    """Connect to the engine, fetch its state and add the entities.

    The first refresh checks everything: reachability (not ready: retried), version (not
    ready, with a repair issue), token (reauth) and that it is this entry's engine (error).
    """
    client = HomeIQClient(
        entry.data[CONF_URL], entry.data[CONF_API_TOKEN], async_get_clientsession(hass)
    )
    coordinator = HomeIQCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    # No update listener: the flows that change the entry schedule its reload themselves
    # (Home Assistant 2026.12 refuses a listener beside async_update_reload_and_abort).
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HomeIQConfigEntry) -> bool:
    """Remove the entities; the stream task ends with the entry, the session is HA's."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
