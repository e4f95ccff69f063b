"""Building the catalog from Home Assistant's registries and states."""

from __future__ import annotations

from typing import Any

from engine.ha.client import HomeAssistantClient
from engine.home.catalog import Area, Catalog, CatalogSource, Device, Entity, Floor, Location

# Fetching the extended entries of this many entities per command keeps messages small.
ENTRY_BATCH = 500


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def build_catalog(
    *,
    config: dict[str, Any],
    floors: list[dict[str, Any]],
    areas: list[dict[str, Any]],
    devices: list[dict[str, Any]],
    entries: dict[str, dict[str, Any]],
    states: list[dict[str, Any]],
) -> Catalog:
    """Return the catalog of a Home Assistant home (entities: those with a state)."""
    latitude, longitude = config.get("latitude"), config.get("longitude")
    catalog_entities = []
    for state in states:
        entity_id = state["entity_id"]
        attributes = state.get("attributes") or {}
        entry = entries.get(entity_id, {})
        name = (
            _text(entry.get("name"))
            or _text(attributes.get("friendly_name"))
            or _text(entry.get("original_name"))
            or entity_id.partition(".")[2].replace("_", " ")
        )
        catalog_entities.append(
            Entity(
                entity_id=entity_id,
                name=name,
                area_id=_text(entry.get("area_id")),
                device_id=_text(entry.get("device_id")),
                device_class=_text(entry.get("device_class"))
                or _text(entry.get("original_device_class"))
                or _text(attributes.get("device_class")),
                unit_of_measurement=_text(attributes.get("unit_of_measurement")),
                entity_category=_text(entry.get("entity_category")),
                aliases=sorted(alias for alias in entry.get("aliases") or [] if alias),
                labels=sorted(label for label in entry.get("labels") or [] if label),
                state=state.get("state"),
                attributes=attributes,
            )
        )
    return Catalog(
        source=CatalogSource.HOME_ASSISTANT,
        time_zone=config.get("time_zone") or "UTC",
        location=(
            Location(latitude, longitude)
            if latitude is not None and longitude is not None
            else None
        ),
        floors=[
            Floor(
                floor_id=floor["floor_id"],
                name=floor["name"],
                level=floor.get("level"),
                aliases=sorted(floor.get("aliases") or []),
            )
            for floor in floors
        ],
        areas=[
            Area(
                area_id=area["area_id"],
                name=area["name"],
                floor_id=_text(area.get("floor_id")),
                aliases=sorted(area.get("aliases") or []),
            )
            for area in areas
        ],
        devices=[
            Device(
                device_id=device["id"],
                name=_text(device.get("name_by_user")) or _text(device.get("name")) or device["id"],
                area_id=_text(device.get("area_id")),
                manufacturer=_text(device.get("manufacturer")),
                model=_text(device.get("model")),
            )
            for device in devices
            if not device.get("disabled_by")
        ],
        entities=sorted(catalog_entities, key=lambda entity: entity.entity_id),
    )


async def fetch_catalog(client: HomeAssistantClient) -> Catalog:
    """Read config, registries and states from Home Assistant and build the catalog."""
    config = await client.command({"type": "get_config"})
    floors = await client.command({"type": "config/floor_registry/list"})
    areas = await client.command({"type": "config/area_registry/list"})
    devices = await client.command({"type": "config/device_registry/list"})
    registry = await client.command({"type": "config/entity_registry/list"})
    states = await client.command({"type": "get_states"})
    registered = [entry["entity_id"] for entry in registry]
    entries: dict[str, dict[str, Any]] = {}
    # The list command leaves out aliases and device classes; get_entries has them.
    for start in range(0, len(registered), ENTRY_BATCH):
        extended = await client.command(
            {
                "type": "config/entity_registry/get_entries",
                "entity_ids": registered[start : start + ENTRY_BATCH],
            }
        )
        entries.update({key: value for key, value in extended.items() if value})
    return build_catalog(
        config=config,
        floors=floors,
        areas=areas,
        devices=devices,
        entries=entries,
        states=states,
    )
