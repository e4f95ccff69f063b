"""The base of every HomeIQ entity: one engine device, updated by the coordinator."""

from __future__ import annotations

from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import HomeIQCoordinator


class HomeIQEntity(CoordinatorEntity[HomeIQCoordinator]):
    """An entity of the HomeIQ Engine device."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: HomeIQCoordinator, description: EntityDescription) -> None:
        """Name the entity by its description's translation key, under the engine device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.config_entry.unique_id}_{description.key}"
        self._attr_device_info = coordinator.device_info
