"""Home Assistant entities for a synthetic home: template entities backed by input_booleans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Domains Home Assistant's template integration can build with the same entity ids; the
# others (media players, climate, sensors, ...) are left out, and so is their history.
DOMAINS = ("light", "switch", "binary_sensor", "cover", "lock")
# The states of each domain that the backing input_boolean's "on" stands for.
ON_STATES = {
    "light": "on",
    "switch": "on",
    "binary_sensor": "on",
    "cover": "open",
    "lock": "locked",
}
UNIQUE_ID_PREFIX = "homeiq_develop_"


@dataclass(frozen=True, slots=True)
class DevEntity:
    """One entity of the synthetic home that the development Home Assistant gets."""

    entity_id: str
    name: str
    area_id: str | None
    device_class: str | None
    state: str | None

    @property
    def domain(self) -> str:
        """The entity's domain."""
        return self.entity_id.partition(".")[0]

    @property
    def object_id(self) -> str:
        """The entity id without its domain."""
        return self.entity_id.partition(".")[2]

    @property
    def switch_id(self) -> str:
        """Object id of the input_boolean that holds this entity's state."""
        return f"{self.domain}_{self.object_id}"

    @property
    def switch_entity_id(self) -> str:
        """Entity id of the backing input_boolean."""
        return f"input_boolean.{self.switch_id}"

    @property
    def unique_id(self) -> str:
        """The template entity's unique id (so it has a registry entry and an area)."""
        return f"{UNIQUE_ID_PREFIX}{self.entity_id}"

    @property
    def is_on(self) -> bool:
        """Whether the home's last state is the backing input_boolean's "on"."""
        return self.state == ON_STATES[self.domain]


def dev_entities(catalog: dict[str, Any]) -> list[DevEntity]:
    """Return the catalog's entities that Home Assistant can mirror, with their areas."""
    device_areas = {device["device_id"]: device.get("area_id") for device in catalog["devices"]}
    entities = []
    for entity in catalog["entities"]:
        if entity["entity_id"].partition(".")[0] not in DOMAINS:
            continue
        if entity.get("entity_category"):
            continue
        entities.append(
            DevEntity(
                entity_id=entity["entity_id"],
                name=entity["name"],
                area_id=entity.get("area_id") or device_areas.get(entity.get("device_id")),
                device_class=entity.get("device_class"),
                state=entity.get("state"),
            )
        )
    return entities


def _is_on(entity: DevEntity) -> str:
    return f"{{{{ is_state('{entity.switch_entity_id}', 'on') }}}}"


def _switch(entity: DevEntity, service: str) -> dict[str, Any]:
    return {"action": f"input_boolean.{service}", "target": {"entity_id": entity.switch_entity_id}}


def _template(entity: DevEntity) -> dict[str, Any]:
    """Return the legacy template config of one entity (its key is the object id)."""
    config: dict[str, Any] = {"unique_id": entity.unique_id, "friendly_name": entity.name}
    if entity.device_class and entity.domain in ("binary_sensor", "cover"):
        config["device_class"] = entity.device_class
    if entity.domain in ("light", "switch"):
        config |= {
            "value_template": _is_on(entity),
            "turn_on": _switch(entity, "turn_on"),
            "turn_off": _switch(entity, "turn_off"),
        }
    elif entity.domain == "cover":
        config |= {
            "value_template": _is_on(entity),
            "open_cover": _switch(entity, "turn_on"),
            "close_cover": _switch(entity, "turn_off"),
        }
    else:
        config["value_template"] = _is_on(entity)
    return config


def homeassistant_config(entities: list[DevEntity]) -> dict[str, Any]:
    """Return configuration.yaml's input_boolean and template platform sections."""
    switches = {
        entity.switch_id: {
            # Only door, window and motion sensors are worth flipping by hand; the rest hide.
            "name": f"{entity.name} (simulate)"
            if entity.domain == "binary_sensor"
            else f"{entity.name} (state)",
            "icon": "mdi:toggle-switch-variant",
        }
        for entity in entities
    }
    by_domain: dict[str, list[DevEntity]] = {domain: [] for domain in DOMAINS}
    for entity in entities:
        by_domain[entity.domain].append(entity)
    keys = {"light": "lights", "switch": "switches", "binary_sensor": "sensors", "cover": "covers"}
    config: dict[str, Any] = {"input_boolean": switches}
    for domain, key in keys.items():
        if by_domain[domain]:
            platform = {e.object_id: _template(e) for e in by_domain[domain]}
            config[domain] = [{"platform": "template", key: platform}]
    # A template lock is configured by name, one per platform entry.
    if by_domain["lock"]:
        config["lock"] = [
            {
                "platform": "template",
                "name": entity.name,
                "unique_id": entity.unique_id,
                "value_template": _is_on(entity),
                "lock": _switch(entity, "turn_on"),
                "unlock": _switch(entity, "turn_off"),
            }
            for entity in by_domain["lock"]
        ]
    return config
