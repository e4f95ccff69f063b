"""Binary sensor: whether Home Assistant reaches the engine."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import HomeIQConfigEntry
from .entity import HomeIQEntity

PARALLEL_UPDATES = 0

CONNECTIVITY = BinarySensorEntityDescription(
    key="connection",
    translation_key="connection",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomeIQConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the engine's connectivity sensor."""
    async_add_entities([HomeIQConnectivity(entry.runtime_data, CONNECTIVITY)])


class HomeIQConnectivity(HomeIQEntity, BinarySensorEntity):
    """On while the engine answers; stays available so that "off" is visible."""

    @property
    def available(self) -> bool:
        """Always available: being unreachable is this sensor's "off" state."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the last refresh reached the engine."""
        return self.coordinator.last_update_success

    @property
    def extra_state_attributes(self) -> dict[str, bool]:
        """Whether changes arrive by push (the stream) or by polling."""
        return {"push": self.coordinator.stream_connected}
