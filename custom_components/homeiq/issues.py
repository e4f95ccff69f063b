"""Repair issues the integration raises in Home Assistant's repairs dashboard."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .api import MIN_ENGINE_VERSION
from .const import DOMAIN


def _unsupported_version_id(entry: ConfigEntry) -> str:
    """One unsupported-version issue per entry."""
    return f"unsupported_version_{entry.entry_id}"


@callback
def async_report_unsupported_version(hass: HomeAssistant, entry: ConfigEntry, version: str) -> None:
    """Tell the user this engine is too old and must be upgraded."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _unsupported_version_id(entry),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="unsupported_version",
        translation_placeholders={
            "title": entry.title,
            "version": version,
            "minimum": ".".join(map(str, MIN_ENGINE_VERSION)),
        },
    )


@callback
def async_clear_unsupported_version(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove the issue once the engine is new enough."""
    ir.async_delete_issue(hass, DOMAIN, _unsupported_version_id(entry))
