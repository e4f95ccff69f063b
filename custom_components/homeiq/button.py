"""Button: run the engine's analysis now."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import HomeIQConfigEntry
from .entity import HomeIQEntity
from .errors import engine_errors

PARALLEL_UPDATES = 1

RUN_ANALYSIS = ButtonEntityDescription(key="run_analysis", translation_key="run_analysis")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomeIQConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the run-analysis button."""
    async_add_entities([HomeIQRunAnalysisButton(entry.runtime_data, RUN_ANALYSIS)])


class HomeIQRunAnalysisButton(HomeIQEntity, ButtonEntity):
    """Queues an analysis run; its completion arrives as an event and a sensor update."""

    async def async_press(self) -> None:
        """Ask the engine to analyse the history now."""
        async with engine_errors(self.coordinator):
            await self.coordinator.client.run_analysis()
