"""The catalog: floors, areas, devices and entities, as Home Assistant describes a home."""

from __future__ import annotations

import zoneinfo
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

import voluptuous as vol

from engine.errors import BadRequestError
from engine.home.event_input import VALID_ENTITY_ID


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

    def counts(self) -> dict[str, int]:
        """Return how many floors, areas, devices and entities the catalog has."""
        return {
            "floors": len(self.floors),
            "areas": len(self.areas),
            "devices": len(self.devices),
            "entities": len(self.entities),
        }


def empty_catalog() -> Catalog:
    """Return the catalog of a fresh engine: nothing imported yet."""
    return Catalog(source=CatalogSource.IMPORT, time_zone="UTC")


def entity_to_dict(catalog: Catalog, entity: Entity) -> dict[str, Any]:
    """Return an entity as the API shows it, with its effective area."""
    return {**asdict(entity), "area_id": catalog.entity_area(entity)}


def home_to_dict(catalog: Catalog) -> dict[str, Any]:
    """Return GET /api/v1/home."""
    return {
        "source": catalog.source.value,
        "time_zone": catalog.time_zone,
        "location": asdict(catalog.location) if catalog.location else None,
        "floors": [asdict(floor) for floor in catalog.floors],
        "areas": [asdict(area) for area in catalog.areas],
        "devices": [asdict(device) for device in catalog.devices],
        "entity_count": len(catalog.entities),
    }


def _time_zone(value: Any) -> str:
    if not isinstance(value, str):
        raise vol.Invalid("expected an IANA time zone name such as Europe/Berlin")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise vol.Invalid(f"unknown time zone {value!r}") from None
    return value


def _entity_id(value: Any) -> str:
    if not isinstance(value, str) or not VALID_ENTITY_ID.match(value):
        raise vol.Invalid("expected an entity id such as light.kitchen")
    return value


_ID = vol.All(str, vol.Length(min=1, max=255))
_NAME = vol.All(str, vol.Length(min=1, max=255))
_OPTIONAL_TEXT = vol.Any(None, vol.All(str, vol.Length(max=255)))
_ALIASES = vol.Any(None, [vol.All(str, vol.Length(min=1, max=255))])

IMPORT_SCHEMA = vol.Schema(
    {
        vol.Required("time_zone"): _time_zone,
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
                vol.Optional("level"): vol.Any(None, int),
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
                vol.Required("entity_id"): _entity_id,
                vol.Required("name"): _NAME,
                vol.Optional("area_id"): vol.Any(None, _ID),
                vol.Optional("device_id"): vol.Any(None, _ID),
                vol.Optional("device_class"): vol.Any(None, vol.All(str, vol.Length(max=64))),
                vol.Optional("unit_of_measurement"): vol.Any(
                    None, vol.All(str, vol.Length(max=64))
                ),
                vol.Optional("entity_category"): vol.Any(None, "config", "diagnostic"),
                vol.Optional("aliases"): _ALIASES,
                vol.Optional("state"): _OPTIONAL_TEXT,
                vol.Optional("attributes"): vol.Any(None, dict),
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
        entities=[Entity(**aliased(item)) for item in body["entities"]],
    )
