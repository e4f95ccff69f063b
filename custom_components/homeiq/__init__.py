"""The HomeIQ integration: a thin client of the HomeIQ engine."""

from __future__ import annotations

from homeassistant.const import CONF_API_TOKEN, CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import HomeIQAuthError, HomeIQClient, HomeIQError, HomeIQUnsupportedVersionError
from .const import DOMAIN
from .coordinator import HomeIQConfigEntry, HomeIQCoordinator
from .issues import async_clear_unsupported_version, async_report_unsupported_version
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS = [Platform.BINARY_SENSOR, Platform.BUTTON, Platform.SENSOR, Platform.TODO]

__all__ = ["HomeIQConfigEntry"]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, which work for every HomeIQ entry."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HomeIQConfigEntry) -> bool:
    """Connect to the engine, fetch its state and add the entities."""
    client = HomeIQClient(
        entry.data[CONF_URL], entry.data[CONF_API_TOKEN], async_get_clientsession(hass)
    )
    try:
        info = await client.validate()
    except HomeIQAuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        ) from err
    except HomeIQUnsupportedVersionError as err:
        # Retried: upgrading the engine fixes this without the user touching the entry.
        async_report_unsupported_version(hass, entry, err.version)
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="unsupported_version",
            translation_placeholders={"version": err.version, "minimum": err.minimum},
        ) from err
    except HomeIQError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"url": client.url},
        ) from err
    async_clear_unsupported_version(hass, entry)
    if info.instance_id != entry.unique_id:
        # Another engine (or a wiped one) answers at this URL: its suggestions are not ours.
        raise ConfigEntryError(translation_domain=DOMAIN, translation_key="wrong_instance")
    coordinator = HomeIQCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HomeIQConfigEntry) -> bool:
    """Remove the entities; the stream task ends with the entry, the session is HA's."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def _async_update_listener(hass: HomeAssistant, entry: HomeIQConfigEntry) -> None:
    """Reload so changed options take effect."""
    await hass.config_entries.async_reload(entry.entry_id)
