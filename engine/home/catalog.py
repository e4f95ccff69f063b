"""The catalog: floors, areas, devices and entities, as Home Assistant describes a home."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache, cached_property
from typing import Any

import voluptuous as vol

from engine.errors import BadRequestError
from engine.home.attributes import (
    MAX_ATTRIBUTE_BYTES,
    MAX_ATTRIBUTE_DEPTH,
    attributes_problem,
    dropped_note,
    trim_attributes,
)
from engine.home.event_input import ENTITY_ID_JSON_SCHEMA, ENTITY_ID_RULE, is_entity_id
from engine.home.wire import CatalogCounts, Home, HomeEntity
from engine.store.events import MAX_ENTITY_ID_LENGTH
from engine.validation import Described

# The longest IANA name is 32 characters; anything much longer is not a time zone.
MAX_TIME_ZONE_LENGTH = 64
# Home Assistant's floor levels count storeys (negative below ground); these bounds leave
# room for any building while keeping the value a small integer in every database.
MIN_FLOOR_LEVEL = -100
MAX_FLOOR_LEVEL = 1000
DEFAULT_TIME_ZONE = "UTC"


class CatalogSource(StrEnum):
    """Where the catalog came from."""

    HOME_ASSISTANT = "home_assistant"
    IMPORT = "import"
    SYNTHETIC = "synthetic"


@dataclass(frozen=True, slots=True)
class Location:
    """The home's coordinates."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Floor:
    """A floor of the home."""

    floor_id: str
    name: str
    level: int | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Area:
    """A room or zone."""

    area_id: str
    name: str
    floor_id: str | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Device:
    """A physical or virtual device that owns entities."""

    device_id: str
    name: str
    area_id: str | None = None
    manufacturer: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity; `area_id` is its own area, before falling back to its device's."""

    entity_id: str
    name: str
    area_id: str | None = None
    device_id: str | None = None
    device_class: str | None = None
    unit_of_measurement: str | None = None
    entity_category: str | None = None
    aliases: list[str] = field(default_factory=list)
    state: str | None = None
    attributes: dict[str, Any] | None = None
    # Home Assistant's label ids of the entity (settings may leave labelled entities out).
    labels: list[str] = field(default_factory=list)

    @property
    def domain(self) -> str:
        """Return the entity's domain, e.g. 'light'."""
        return self.entity_id.partition(".")[0]


# An entity's state and attributes now, as the home's live states hold them.
type LiveState = tuple[str | None, dict[str, Any] | None]


@dataclass(frozen=True)
class Catalog:
    """A whole home."""

    source: CatalogSource
    time_zone: str
    location: Location | None = None
    floors: list[Floor] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def entity_area(self, entity: Entity) -> str | None:
        """Return the entity's area, falling back to its device's (as Home Assistant does)."""
        if entity.area_id is not None or entity.device_id is None:
            return entity.area_id
        device = self.device_by_id.get(entity.device_id)
        return device.area_id if device else None

    @cached_property
    def device_by_id(self) -> dict[str, Device]:
        """Return the devices by id."""
        return {device.device_id: device for device in self.devices}

    def counts(self) -> CatalogCounts:
        """Return how many floors, areas, devices and entities the catalog has."""
        return {
            "floors": len(self.floors),
            "areas": len(self.areas),
            "devices": len(self.devices),
            "entities": len(self.entities),
        }


def empty_catalog() -> Catalog:
    """Return the catalog of a fresh engine: nothing imported yet."""
    return Catalog(source=CatalogSource.IMPORT, time_zone=DEFAULT_TIME_ZONE)


def entity_to_dict(catalog: Catalog, entity: Entity) -> HomeEntity:
    """Return an entity as the API's HomeEntity, with its effective area."""
    return {
        "entity_id": entity.entity_id,
        "name": entity.name,
        "area_id": catalog.entity_area(entity),
        "device_id": entity.device_id,
        "device_class": entity.device_class,
        "unit_of_measurement": entity.unit_of_measurement,
        "entity_category": entity.entity_category,
        "aliases": entity.aliases,
        "state": entity.state,
        "attributes": entity.attributes,
        "labels": entity.labels,
    }


def home_to_dict(catalog: Catalog) -> Home:
    """Return GET /api/v1/home."""
    location = catalog.location
    return {
        "source": catalog.source.value,
        "time_zone": catalog.time_zone,
        "location": (
            {"latitude": location.latitude, "longitude": location.longitude} if location else None
        ),
        "floors": [
            {
                "floor_id": floor.floor_id,
                "name": floor.name,
                "level": floor.level,
                "aliases": floor.aliases,
            }
            for floor in catalog.floors
        ],
        "areas": [
            {
                "area_id": area.area_id,
                "name": area.name,
                "floor_id": area.floor_id,
                "aliases": area.aliases,
            }
            for area in catalog.areas
        ],
        "devices": [
            {
                "device_id": device.device_id,
                "name": device.name,
                "area_id": device.area_id,
                "manufacturer": device.manufacturer,
                "model": device.model,
            }
            for device in catalog.devices
        ],
        "entity_count": len(catalog.entities),
    }


@cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(value: Any) -> bool:
    """Return True for a known IANA time zone name."""
    # A set lookup, never a file path built from the request.
    return isinstance(value, str) and value in _known_time_zones()


_TIME_ZONE_RULE = "expected a known IANA time zone name such as Europe/Berlin"


def _time_zone(value: Any) -> str:
    if not is_time_zone(value):
        raise vol.Invalid(_TIME_ZONE_RULE)
    return str(value)


def _entity_id(value: Any) -> str:
    if not is_entity_id(value):
        raise vol.Invalid(f"expected {ENTITY_ID_RULE}")
    return value


# What the document states of them (voluptuous_openapi cannot see into a function).
_TIME_ZONE = Described(
    _time_zone, {"type": "string", "enum": sorted(zoneinfo.available_timezones())}
)
_ENTITY_ID = Described(_entity_id, ENTITY_ID_JSON_SCHEMA)


def _attributes(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise vol.Invalid("expected an object")
    if (problem := attributes_problem(value)) is not None:
        raise vol.Invalid(f"attributes {problem}")
    return value


ATTRIBUTES = Described(
    _attributes,
    {
        "type": "object",
        "nullable": True,
        "description": f"At most {MAX_ATTRIBUTE_DEPTH} levels deep and "
        f"{MAX_ATTRIBUTE_BYTES // 1024} KB as JSON",
    },
)


_ID = vol.All(str, vol.Length(min=1, max=255))
_NAME = vol.All(str, vol.Length(min=1, max=255))
_OPTIONAL_TEXT = vol.Any(None, vol.All(str, vol.Length(max=255)))
_ALIASES = vol.Any(None, [vol.All(str, vol.Length(min=1, max=255))])
# An entity carries a handful of labels; Home Assistant's label ids are short slugs.
_LABELS = vol.Any(None, vol.All([vol.All(str, vol.Length(min=1, max=255))], vol.Length(max=100)))

IMPORT_SCHEMA = vol.Schema(
    {
        vol.Required("time_zone", description="A known IANA name, e.g. Europe/Berlin"): vol.All(
            vol.Length(min=1, max=MAX_TIME_ZONE_LENGTH, msg=_TIME_ZONE_RULE), _TIME_ZONE
        ),
        vol.Optional("location"): vol.Any(
            None,
            {
                vol.Required("latitude"): vol.All(vol.Coerce(float), vol.Range(-90, 90)),
                vol.Required("longitude"): vol.All(vol.Coerce(float), vol.Range(-180, 180)),
            },
        ),
        vol.Optional("floors", default=list): [
            {
                vol.Required("floor_id"): _ID,
                vol.Required("name"): _NAME,
                vol.Optional("level"): vol.Any(
                    None,
                    vol.All(int, vol.Range(min=MIN_FLOOR_LEVEL, max=MAX_FLOOR_LEVEL)),
                    msg=f"expected an integer from {MIN_FLOOR_LEVEL} to {MAX_FLOOR_LEVEL}",
                ),
                vol.Optional("aliases"): _ALIASES,
            }
        ],
        vol.Optional("areas", default=list): [
            {
                vol.Required("area_id"): _ID,
                vol.Required("name"): _NAME,
                vol.Optional("floor_id"): vol.Any(None, _ID),
                vol.Optional("aliases"): _ALIASES,
            }
        ],
        vol.Optional("devices", default=list): [
            {
                vol.Required("device_id"): _ID,
                vol.Required("name"): _NAME,
                vol.Optional("area_id"): vol.Any(None, _ID),
                vol.Optional("manufacturer"): _OPTIONAL_TEXT,
                vol.Optional("model"): _OPTIONAL_TEXT,
            }
        ],
        vol.Optional("entities", default=list): [
            {
                vol.Required("entity_id"): vol.All(
                    vol.Length(min=1, max=MAX_ENTITY_ID_LENGTH, msg=f"expected {ENTITY_ID_RULE}"),
                    _ENTITY_ID,
                ),
                vol.Required("name"): _NAME,
                vol.Optional("area_id"): vol.Any(None, _ID),
                vol.Optional("device_id"): vol.Any(None, _ID),
                vol.Optional("device_class"): vol.Any(None, vol.All(str, vol.Length(max=64))),
                vol.Optional("unit_of_measurement"): vol.Any(
                    None, vol.All(str, vol.Length(max=64))
                ),
                vol.Optional("entity_category"): vol.Any(None, "config", "diagnostic"),
                vol.Optional("aliases"): _ALIASES,
                vol.Optional("labels"): _LABELS,
                vol.Optional("state"): _OPTIONAL_TEXT,
                vol.Optional("attributes"): ATTRIBUTES,
            }
        ],
    }
)


def _unique(kind: str, key: str, items: list[dict[str, Any]]) -> set[str]:
    """Return the ids of items, refusing a repeated one."""
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item[key] in seen:
            raise BadRequestError(
                f"{kind}[{index}].{key} {item[key]!r} appears twice",
                {"field": f"{kind}.{index}.{key}"},
            )
        seen.add(item[key])
    return seen


def _references(kind: str, key: str, items: list[dict[str, Any]], known: set[str]) -> None:
    """Refuse an item that points at an id the catalog does not have."""
    for index, item in enumerate(items):
        value = item.get(key)
        if value is not None and value not in known:
            raise BadRequestError(
                f"{kind}[{index}].{key} {value!r} is not in the catalog",
                {"field": f"{kind}.{index}.{key}"},
            )


def catalog_from_import(body: dict[str, Any], source: CatalogSource) -> Catalog:
    """Return a catalog from a validated import body, checking that references resolve."""
    floor_ids = _unique("floors", "floor_id", body["floors"])
    area_ids = _unique("areas", "area_id", body["areas"])
    device_ids = _unique("devices", "device_id", body["devices"])
    _unique("entities", "entity_id", body["entities"])
    _references("areas", "floor_id", body["areas"], floor_ids)
    _references("devices", "area_id", body["devices"], area_ids)
    _references("entities", "area_id", body["entities"], area_ids)
    _references("entities", "device_id", body["entities"], device_ids)
    location = body.get("location")

    def aliased(item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "aliases": item.get("aliases") or []}

    return Catalog(
        source=source,
        time_zone=body["time_zone"],
        location=Location(**location) if location else None,
        floors=[Floor(**aliased(item)) for item in body["floors"]],
        areas=[Area(**aliased(item)) for item in body["areas"]],
        devices=[Device(**item) for item in body["devices"]],
        entities=[
            Entity(**{**aliased(item), "labels": item.get("labels") or []})
            for item in body["entities"]
        ],
    )


def within_bounds(catalog: Catalog) -> tuple[Catalog, list[str]]:
    """Return the catalog with what would break its readers trimmed, and what was trimmed.

    For catalogs the engine cannot refuse: Home Assistant's, and those stored before the
    import bounds. Each note names an entity, a floor or the time zone.
    """
    notes: list[str] = []
    entities = []
    for entity in catalog.entities:
        kept, dropped = trim_attributes(entity.attributes or {})
        if dropped:
            notes.append(dropped_note(entity.entity_id, dropped))
            entities.append(replace(entity, attributes=kept))
        else:
            entities.append(entity)
    floors = []
    for floor in catalog.floors:
        if floor.level is not None and not MIN_FLOOR_LEVEL <= floor.level <= MAX_FLOOR_LEVEL:
            notes.append(f"floor {floor.floor_id}: level {floor.level} dropped")
            floors.append(replace(floor, level=None))
        else:
            floors.append(floor)
    time_zone = catalog.time_zone
    if not is_time_zone(time_zone):
        shown = time_zone[:MAX_TIME_ZONE_LENGTH]
        notes.append(f"time zone {shown!r} is not known; {DEFAULT_TIME_ZONE} is used")
        time_zone = DEFAULT_TIME_ZONE
    if not notes:
        return catalog, notes
    return replace(catalog, time_zone=time_zone, floors=floors, entities=entities), notes
