"""The home service: the catalog in memory, its persistence, and the ingest status."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import ConflictError
from engine.home.catalog import (
    IMPORT_SCHEMA,
    Catalog,
    CatalogSource,
    Entity,
    catalog_from_import,
)
from engine.home.catalog_store import load_catalog, save_catalog
from engine.home.event_input import from_epoch_us, parse_events
from engine.store.events import EventStore
from engine.store.meta import read_meta, write_meta
from engine.validation import validate

_LOGGER = logging.getLogger(__name__)

LOAD_STATE_KEY = "home_load_state"


@dataclass(slots=True)
class BackfillStatus:
    """Progress of reading history from the source."""

    status: str = "idle"  # idle | running | succeeded | failed
    start: datetime | None = None
    end: datetime | None = None
    progress: float = 0.0
    events: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the status as the API shows it."""
        return {
            "status": self.status,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "progress": round(self.progress, 4),
            "events": self.events,
            "error": self.error,
        }


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

    def __init__(self, engine: AsyncEngine, events: EventStore, history_source: str) -> None:
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

    async def setup(self) -> None:
        """Load the stored catalog, and learn whether a home load was cut off."""
        self._catalog = await load_catalog(self._engine)
        self.load_interrupted = await read_meta(self._engine, LOAD_STATE_KEY) == "in_progress"
        if self.load_interrupted:
            _LOGGER.warning("A home load was interrupted; its history is incomplete until reloaded")

    @property
    def catalog(self) -> Catalog:
        """Return the current catalog (replaced whole, never mutated)."""
        return self._catalog

    async def replace_catalog(self, catalog: Catalog) -> None:
        """Store a new catalog and serve it from now on."""
        await save_catalog(self._engine, catalog)
        self._catalog = catalog

    def _refuse_while_mirrored(self) -> None:
        if self.mirror_connected:
            raise ConflictError(
                "The catalog is mirrored from a connected Home Assistant; it cannot be replaced",
                {"source": CatalogSource.HOME_ASSISTANT.value},
            )

    async def import_catalog(
        self, body: dict[str, Any], source: CatalogSource = CatalogSource.IMPORT
    ) -> dict[str, int]:
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

    async def ingest_status(self) -> dict[str, Any]:
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
