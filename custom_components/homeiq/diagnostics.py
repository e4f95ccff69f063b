"""Diagnostics for a HomeIQ entry: what a bug report needs, never the token."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_TOKEN
from homeassistant.core import HomeAssistant

from .const import TOP_SUGGESTIONS
from .coordinator import HomeIQConfigEntry

TO_REDACT = {CONF_API_TOKEN}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HomeIQConfigEntry
) -> dict[str, Any]:
    """Return the entry's settings and what the engine last reported."""
    settings = {
        "data": async_redact_data(dict(entry.data), TO_REDACT),
        "options": dict(entry.options),
        "state": entry.state.value,
        "reason": entry.reason,
    }
    if entry.state is not ConfigEntryState.LOADED:
        # Not set up (an old or unreachable engine, a refused token): no coordinator yet,
        # and that is exactly when a bug report needs the rest.
        return {"entry": settings}
    coordinator = entry.runtime_data
    data = coordinator.data
    return {
        "entry": settings,
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "push_stream_connected": coordinator.stream_connected,
            "update_interval_s": (
                coordinator.update_interval.total_seconds()
                if coordinator.update_interval is not None
                else None
            ),
        },
        "engine": asdict(data.info),
        "pending_total": data.pending_total,
        "patterns_total": data.patterns_total,
        "last_analysis": data.last_analysis,
        "last_finished_run": data.last_finished_run,
        "top_suggestions": [
            {
                "id": s["id"],
                "source": s["source"],
                "score": s["score"],
                "requires_confirmation": s["requires_confirmation"],
                "valid": s["validation"].get("valid"),
            }
            for s in data.pending[:TOP_SUGGESTIONS]
        ],
    }
