"""The HomeIQ integration: a thin client of the HomeIQ engine."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import (
    HomeIQAuthError,
    HomeIQClient,
    HomeIQError,
    HomeIQUnsupportedVersionError,
)
from .const import DOMAIN

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

type HomeIQConfigEntry = ConfigEntry[HomeIQClient]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up the HomeIQ integration."""
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HomeIQConfigEntry) -> bool:
    """Connect to the engine and keep its client on the entry."""
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
    if info.instance_id != entry.unique_id:
        # Another engine (or a wiped one) answers at this URL: its suggestions are not ours.
        raise ConfigEntryError(translation_domain=DOMAIN, translation_key="wrong_instance")
    entry.runtime_data = client
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HomeIQConfigEntry) -> bool:
    """Unload a config entry; the shared session stays Home Assistant's."""
    return True


async def _async_update_listener(hass: HomeAssistant, entry: HomeIQConfigEntry) -> None:
    """Reload so changed options take effect."""
    await hass.config_entries.async_reload(entry.entry_id)
