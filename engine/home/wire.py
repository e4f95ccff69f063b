"""The home and event routes' answers, typed once: built by the code, derived by the document."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from engine.api.wire import DATE_TIME, SHARE, Schema
from engine.home.event_input import MAX_STATE_LENGTH
from engine.store.events import MAX_ENTITY_ID_LENGTH

# The values of engine.home.catalog.CatalogSource (mypy checks home_to_dict gives one).
CatalogSourceName = Literal["home_assistant", "import", "synthetic"]
HistorySource = Literal["home_assistant", "influxdb", "import"]
BackfillState = Literal["idle", "running", "succeeded", "failed"]
# The labels of engine.store.events.Origin, in the order the document has always listed them.
EventOrigin = Literal["manual", "automation", "system", "unknown"]


class HomeEntity(TypedDict):
    """One entity of the home, its area falling back to its device's."""

    entity_id: str
    name: str
    area_id: str | None
    device_id: str | None
    device_class: str | None
    unit_of_measurement: str | None
    entity_category: str | None
    aliases: list[str]
    state: str | None
    attributes: dict[str, Any] | None
    labels: Annotated[
        list[str], Schema({"description": "Home Assistant's label ids of the entity"})
    ]


class Entities(TypedDict):
    """GET /api/v1/entities: one page."""

    entities: list[HomeEntity]
    next_cursor: str | None
    total: int


class Event(TypedDict):
    """One stored state change."""

    entity_id: Annotated[
        str, Schema({"maxLength": MAX_ENTITY_ID_LENGTH, "examples": ["light.kitchen"]})
    ]
    state: Annotated[str, Schema({"maxLength": MAX_STATE_LENGTH})]
    time: Annotated[str, DATE_TIME]
    origin: EventOrigin


class Events(TypedDict):
    """GET /api/v1/events: one page, in time order."""

    events: list[Event]
    next_cursor: str | None


class CatalogCounts(TypedDict):
    """POST /api/v1/home/import: how much the imported catalog holds."""

    floors: int
    areas: int
    devices: int
    entities: int


class EventsImported(TypedDict):
    """POST /api/v1/events/import."""

    imported: int
    duplicates: int


# Functional syntax: "from" is a keyword. Reading history from the source.
Backfill = TypedDict(
    "Backfill",
    {
        "status": BackfillState,
        "from": Annotated[str | None, DATE_TIME],
        "to": Annotated[str | None, DATE_TIME],
        "progress": Annotated[float, SHARE],
        "events": int,
        "error": str | None,
    },
)


class IngestStatus(TypedDict):
    """GET /api/v1/ingest/status."""

    source: HistorySource
    connected: bool
    events_total: int
    oldest_event_at: Annotated[str | None, DATE_TIME]
    newest_event_at: Annotated[str | None, DATE_TIME]
    backfill: Backfill


class HomeLocation(TypedDict):
    """The home's coordinates."""

    latitude: float
    longitude: float


class HomeFloor(TypedDict):
    """A floor of the home."""

    floor_id: str
    name: str
    level: int | None
    aliases: list[str]


class HomeArea(TypedDict):
    """A room or zone."""

    area_id: str
    name: str
    floor_id: str | None
    aliases: list[str]


class HomeDevice(TypedDict):
    """A physical or virtual device that owns entities."""

    device_id: str
    name: str
    area_id: str | None
    manufacturer: str | None
    model: str | None


class Home(TypedDict):
    """GET /api/v1/home."""

    source: CatalogSourceName
    time_zone: str
    location: HomeLocation | None
    floors: list[HomeFloor]
    areas: list[HomeArea]
    devices: list[HomeDevice]
    entity_count: int
