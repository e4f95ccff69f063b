"""The home service: the catalog in memory, its persistence, and the ingest status."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import ConflictError
from engine.home.attributes import dropped_note, trim_attributes
from engine.home.catalog import (
    IMPORT_SCHEMA,
    Catalog,
    CatalogSource,
    Entity,
    LiveState,
    catalog_from_import,
    within_bounds,
)
from engine.home.catalog_store import load_catalog, save_catalog
from engine.home.event_input import from_epoch_us, parse_events, to_epoch_us, utc_now
from engine.home.wire import Backfill, BackfillState, CatalogCounts, HistorySource, IngestStatus
from engine.store.events import EventStore, NewEvent
from engine.store.meta import read_meta, write_meta
from engine.validation import validate

_LOGGER = logging.getLogger(__name__)

LOAD_STATE_KEY = "home_load_state"
# Trimmed data is logged once per distinct note; the memory of notes is bounded.
_MAX_NOTES_REMEMBERED = 10_000


@dataclass(slots=True)
class BackfillStatus:
    """Progress of reading history from the source."""

    status: BackfillState = "idle"
    start: datetime | None = None
    end: datetime | None = None
    progress: float = 0.0
    events: int = 0
    error: str | None = None

    def as_dict(self) -> Backfill:
        """Return the status as the API's Backfill."""
        return {
            "status": self.status,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "progress": round(self.progress, 4),
            "events": self.events,
            "error": self.error,
        }


def _now_us() -> int:
    return to_epoch_us(utc_now())


def _by_entity_id(entity: Entity) -> str:
    return entity.entity_id


def _matches(entity: Entity, needle: str) -> bool:
    return (
        needle in entity.entity_id
        or needle in entity.name.casefold()
        or any(needle in alias.casefold() for alias in entity.aliases)
    )


class HomeService:
    """Owns the catalog; the Home Assistant mirror and the import routes both go through it."""

    def __init__(
        self, engine: AsyncEngine, events: EventStore, history_source: HistorySource
    ) -> None:
        self._engine = engine
        self._events = events
        self._catalog = Catalog(source=CatalogSource.IMPORT, time_zone="UTC")
        self.history_source = history_source
        # True while Home Assistant owns the catalog (imports are refused then).
        self.mirror_connected = False
        # True while the history source answers (Home Assistant or InfluxDB).
        self.source_connected = False
        self.backfill = BackfillStatus()
        self.load_interrupted = False
        # Every entity's state now, and since when (epoch µs): the catalog is replaced only
        # when the registries change, states change all the time.
        self._states: dict[str, LiveState] = {}
        self._states_as_of: dict[str, int] = {}
        self._notes_logged: set[str] = set()
        # Told of each new catalog (the query module builds its parsers for it at once).
        self._catalog_listeners: list[Callable[[Catalog], None]] = []

    def on_catalog(self, listener: Callable[[Catalog], None]) -> None:
        """Call `listener` with each catalog that replaces the current one."""
        self._catalog_listeners.append(listener)

    async def setup(self) -> None:
        """Load the stored catalog, and learn whether a home load was cut off."""
        # A catalog stored before the bounds existed is held to them too.
        self._catalog = self._bounded(await load_catalog(self._engine))
        self._seed_states(self._catalog, _now_us())
        self.load_interrupted = await read_meta(self._engine, LOAD_STATE_KEY) == "in_progress"
        if self.load_interrupted:
            _LOGGER.warning("A home load was interrupted; its history is incomplete until reloaded")

    @property
    def catalog(self) -> Catalog:
        """Return the current catalog (replaced whole, never mutated)."""
        return self._catalog

    def _note(self, note: str) -> None:
        """Log, once, what was trimmed from data the engine could not refuse."""
        if note in self._notes_logged:
            return
        if len(self._notes_logged) >= _MAX_NOTES_REMEMBERED:
            self._notes_logged.clear()
        self._notes_logged.add(note)
        _LOGGER.warning("Trimmed to keep the home readable: %s", note)

    def _bounded(self, catalog: Catalog) -> Catalog:
        """Return the catalog within the import bounds, logging what was trimmed."""
        bounded, notes = within_bounds(catalog)
        for note in notes:
            self._note(note)
        return bounded

    async def replace_catalog(self, catalog: Catalog, *, as_of_us: int | None = None) -> None:
        """Store a new catalog and serve it from now on; its states are as of `as_of_us`.

        Home Assistant's catalog cannot be refused: what would break a reader is trimmed.
        """
        as_of = _now_us() if as_of_us is None else as_of_us
        catalog = self._bounded(catalog)
        await save_catalog(self._engine, catalog)
        self._catalog = catalog
        self._seed_states(catalog, as_of)
        for listener in self._catalog_listeners:
            listener(catalog)

    def _seed_states(self, catalog: Catalog, as_of_us: int) -> None:
        """Take the catalog's states, but keep those that changed after it was read."""
        states: dict[str, LiveState] = {}
        as_of: dict[str, int] = {}
        for entity in catalog.entities:
            entity_id = entity.entity_id
            if self._states_as_of.get(entity_id, -1) > as_of_us:
                if (live := self._states.get(entity_id)) is not None:  # else since removed
                    states[entity_id] = live
                    as_of[entity_id] = self._states_as_of[entity_id]
            else:
                states[entity_id] = (entity.state, entity.attributes)
                as_of[entity_id] = as_of_us
        self._states, self._states_as_of = states, as_of

    def state_of(self, entity_id: str) -> LiveState | None:
        """Return an entity's state and attributes now, or None if it is not known."""
        return self._states.get(entity_id)

    def state_changed(self, event: Mapping[str, Any]) -> None:
        """Take a Home Assistant state_changed event (attribute-only changes too)."""
        data = event.get("data") or {}
        entity_id = data.get("entity_id")
        if not isinstance(entity_id, str):
            return
        new_state = data.get("new_state")
        # Stamped on arrival, not with Home Assistant's clock: a catalog read started
        # before it must not overwrite it (see _seed_states).
        self._states_as_of[entity_id] = _now_us()
        if not new_state:
            self._states.pop(entity_id, None)  # removed
            return
        state, attributes = new_state.get("state"), new_state.get("attributes")
        kept: dict[str, Any] | None = None
        if isinstance(attributes, Mapping):
            kept, dropped = trim_attributes(attributes)
            if dropped:
                self._note(dropped_note(entity_id, dropped))
        self._states[entity_id] = (state if isinstance(state, str) else None, kept)

    def events_imported(self, events: Iterable[NewEvent]) -> None:
        """Take imported events newer than the states known (attributes are kept)."""
        if self.mirror_connected:
            return  # Home Assistant's own events say what the states are
        for event in events:
            entity_id = event.entity_id
            known = self._states.get(entity_id)
            # History from before the catalog's states says nothing about now.
            if known is not None and event.time_us > self._states_as_of.get(entity_id, 0):
                self._states[entity_id] = (event.state, known[1])
                self._states_as_of[entity_id] = event.time_us

    def _refuse_while_mirrored(self) -> None:
        if self.mirror_connected:
            raise ConflictError(
                "The catalog is mirrored from a connected Home Assistant; it cannot be replaced",
                {"source": CatalogSource.HOME_ASSISTANT.value},
            )

    async def import_catalog(
        self, body: dict[str, Any], source: CatalogSource = CatalogSource.IMPORT
    ) -> CatalogCounts:
        """Replace the catalog with an imported one, unless Home Assistant owns it now."""
        self._refuse_while_mirrored()
        catalog = catalog_from_import(body, source)
        await self.replace_catalog(catalog)
        return catalog.counts()

    async def load_home(
        self, catalog_body: dict[str, Any], events_body: dict[str, Any], source: CatalogSource
    ) -> int:
        """Replace the catalog and the whole history (a synthetic home); return events stored."""
        self._refuse_while_mirrored()
        catalog = catalog_from_import(validate(IMPORT_SCHEMA, catalog_body), source)
        new_events = parse_events(events_body, limit=None)
        # Three steps, not one transaction (events go in batches): the mark says whether a
        # crash cut the load short, so it can be told apart from a complete home.
        await write_meta(self._engine, LOAD_STATE_KEY, "in_progress")
        await self.replace_catalog(catalog)
        await self._events.clear()
        stored = (await self._events.write(new_events)).imported
        await write_meta(self._engine, LOAD_STATE_KEY, "complete")
        self.load_interrupted = False
        return stored

    def find_entities(
        self, *, domain: str | None, area_id: str | None, text: str | None
    ) -> list[Entity]:
        """Return the entities matching every given filter, by entity id."""
        catalog = self._catalog
        needle = text.casefold() if text else None
        return [
            entity
            for entity in sorted(catalog.entities, key=_by_entity_id)
            if (domain is None or entity.domain == domain)
            and (area_id is None or catalog.entity_area(entity) == area_id)
            and (needle is None or _matches(entity, needle))
        ]

    async def ingest_status(self) -> IngestStatus:
        """Return where history comes from and how much of it is stored."""
        oldest, newest = await self._events.bounds()
        return {
            "source": self.history_source,
            "connected": self.source_connected,
            "events_total": self._events.total,
            "oldest_event_at": from_epoch_us(oldest).isoformat() if oldest is not None else None,
            "newest_event_at": from_epoch_us(newest).isoformat() if newest is not None else None,
            "backfill": self.backfill.as_dict(),
        }
