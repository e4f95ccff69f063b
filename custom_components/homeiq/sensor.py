"""Sensors: pending suggestions, patterns found, and when the last analysis finished."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import TOP_SUGGESTIONS
from .coordinator import HomeIQConfigEntry, HomeIQData
from .entity import HomeIQEntity

# Read-only entities; the coordinator does all the fetching.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HomeIQSensorEntityDescription(SensorEntityDescription):
    """How one sensor reads its value (and attributes) from the engine's data."""

    value_fn: Callable[[HomeIQData], int | datetime | None]
    attributes_fn: Callable[[HomeIQData], dict[str, Any]] | None = None


def _top_suggestions(data: HomeIQData) -> dict[str, Any]:
    """Return the best pending suggestions, compact enough for a state attribute."""
    return {
        "suggestions": [
            {"id": s["id"], "title": s["title"], "score": round(s["score"], 3)}
            for s in data.pending[:TOP_SUGGESTIONS]
        ]
    }


def _last_analysis(data: HomeIQData) -> datetime | None:
    """Return when the newest successful analysis finished."""
    run = data.last_analysis
    if run is None or run["finished_at"] is None:
        return None
    return dt_util.parse_datetime(run["finished_at"])


SENSORS: tuple[HomeIQSensorEntityDescription, ...] = (
    HomeIQSensorEntityDescription(
        key="pending_suggestions",
        translation_key="pending_suggestions",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.pending_total,
        attributes_fn=_top_suggestions,
    ),
    HomeIQSensorEntityDescription(
        key="patterns",
        translation_key="patterns",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.patterns_total,
    ),
    HomeIQSensorEntityDescription(
        key="last_analysis",
        translation_key="last_analysis",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_last_analysis,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomeIQConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the engine's sensors."""
    coordinator = entry.runtime_data
    async_add_entities(HomeIQSensor(coordinator, description) for description in SENSORS)


class HomeIQSensor(HomeIQEntity, SensorEntity):
    """A number or time the engine reports."""

    entity_description: HomeIQSensorEntityDescription
    # The suggestion list changes often and is in the engine anyway: keep it out of history.
    _unrecorded_attributes = frozenset({"suggestions"})

    @property
    def native_value(self) -> int | datetime | None:
        """The sensor's value from the last refresh."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The sensor's attributes, if it has any."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator.data)
