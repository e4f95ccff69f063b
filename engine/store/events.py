"""The event store: compact state-history rows written in batches."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Integer, Select, and_, bindparam, delete, func, or_, select

from engine.store.database import release_idle_memory
from engine.store.dialect import insert_ignoring_conflicts
from engine.store.schema import entity_keys, events

if TYPE_CHECKING:
    # Annotations only: the analysis worker imports this module (for Origin, through the
    # catalog), and SQLAlchemy's asyncio layer would bring the ORM into its memory.
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_LOGGER = logging.getLogger(__name__)

# One transaction per batch, as DESIGN.md asks: a crash loses at most the open batch.
BATCH_SIZE = 1000
# Deleting in slices keeps each transaction short, so live writes are never held up long.
PURGE_BATCH_SIZE = 10_000
# A write this big is a bulk import (history, a synthetic home, /events/import), which can
# leave every pooled connection with a full page cache; live batches are far smaller.
BULK_WRITE_EVENTS = 10_000

# Home Assistant's limit (MAX_LENGTH_STATE_ENTITY_ID) and the width of the key column.
MAX_ENTITY_ID_LENGTH = 255
_DAY_US = 24 * 3600 * 1_000_000
# Stored times are microseconds since 1970-01-01 UTC; no home's history starts before it.
EARLIEST_EVENT_US = 0
# Clocks disagree a little (a device's, Home Assistant's, this machine's); an event dated
# further ahead than this is a wrong clock or a typo, never a state change that happened.
CLOCK_SKEW_US = _DAY_US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# The instants a datetime can hold (years 1 to 9999). A row outside them (stored before
# times were checked, or by hand) cannot be shown: every read skips it.
READABLE_MIN_US = (datetime.min.replace(tzinfo=UTC) - _EPOCH) // _MICROSECOND
READABLE_MAX_US = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _MICROSECOND


def now_us() -> int:
    """Return the current time in epoch microseconds."""
    return time.time_ns() // 1000


def latest_event_us(now: int) -> int:
    """Return the latest time an event may carry when the clock reads `now` (epoch µs)."""
    return now + CLOCK_SKEW_US


class Origin(IntEnum):
    """Who caused a state change; stored as a small integer."""

    UNKNOWN = 0
    MANUAL = 1
    AUTOMATION = 2
    SYSTEM = 3

    @property
    def label(self) -> str:
        """Return the API name of this origin."""
        return self.name.lower()


ORIGINS_BY_LABEL: dict[str, Origin] = {origin.label: origin for origin in Origin}


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One state change to store."""

    entity_id: str
    time_us: int
    state: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class WriteResult:
    """How many events a write stored, how many it already had, and how many it refused."""

    imported: int
    duplicates: int
    refused: int = 0


def _storable(new_events: Sequence[NewEvent]) -> Sequence[NewEvent]:
    """Return the events the store can hold, logging the rest.

    That is: dated from the epoch to now plus the clock skew, with an entity id that fits.
    """
    latest = latest_event_us(now_us())

    def fits(event: NewEvent) -> bool:
        return (
            EARLIEST_EVENT_US <= event.time_us <= latest
            and len(event.entity_id) <= MAX_ENTITY_ID_LENGTH
        )

    kept = [event for event in new_events if fits(event)]
    if len(kept) < len(new_events):
        # Imports refuse such events with a 400 first; this stops live sources (a Home
        # Assistant or InfluxDB with a wrong clock) from moving "the newest event".
        first = next(event for event in new_events if not fits(event))
        _LOGGER.warning(
            "Refused %d events dated before 1970 or ahead of the clock by more than %s, or "
            "with an entity id over %d characters, e.g. %s at %d µs since 1970",
            len(new_events) - len(kept),
            timedelta(microseconds=CLOCK_SKEW_US),
            MAX_ENTITY_ID_LENGTH,
            first.entity_id[:MAX_ENTITY_ID_LENGTH],
            first.time_us,
        )
    return kept


class EventStore:
    """Writes and counts events; interns entity ids to integer keys."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._keys: dict[str, int] = {}
        self._total = 0
        # Batches from concurrent writers queue here instead of fighting for SQLite's lock.
        self._write_lock = asyncio.Lock()

    async def setup(self) -> None:
        """Load the interned keys and the event count."""
        async with self._engine.connect() as connection:
            rows = await connection.execute(select(entity_keys.c.entity_id, entity_keys.c.key))
            self._keys = dict(rows.all())
            self._total = (await connection.scalar(select(func.count()).select_from(events))) or 0
            unreadable = 0
            for outside in (events.c.time_us < READABLE_MIN_US, events.c.time_us > READABLE_MAX_US):
                count = select(func.count()).select_from(events).where(outside)
                unreadable += (await connection.scalar(count)) or 0
        if unreadable:
            _LOGGER.warning(
                "%d stored events lie outside the dates years 1 to 9999 can hold; every read "
                "skips them (delete them with: DELETE FROM events WHERE time_us < %d OR "
                "time_us > %d)",
                unreadable,
                READABLE_MIN_US,
                READABLE_MAX_US,
            )

    @property
    def engine(self) -> AsyncEngine:
        """Return the database engine the store writes to."""
        return self._engine

    @property
    def total(self) -> int:
        """Return the number of stored events."""
        return self._total

    async def write(self, new_events: Sequence[NewEvent]) -> WriteResult:
        """Store events in committed batches; one already stored, or dated impossibly, is not."""
        given = len(new_events)
        new_events = _storable(new_events)
        imported = 0
        async with self._write_lock:
            for start in range(0, len(new_events), BATCH_SIZE):
                batch = new_events[start : start + BATCH_SIZE]
                async with self._engine.begin() as connection:
                    created = await self._create_keys(connection, batch)
                    keys = self._keys | created if created else self._keys
                    insert = insert_ignoring_conflicts(connection.dialect.name, events)
                    counted = connection.dialect.supports_sane_multi_rowcount
                    if not counted:
                        # asyncpg reports no row count for a batch (-1): the stored rows are
                        # counted from RETURNING, which skips the rows a conflict left out.
                        # Only there: the plain batch is SQLite's fastest bulk path.
                        insert = insert.returning(events.c.id)
                    result = await connection.execute(
                        insert,
                        [
                            {
                                "entity_key": keys[event.entity_id],
                                "time_us": event.time_us,
                                "state": event.state,
                                "origin": int(event.origin),
                            }
                            for event in batch
                        ],
                    )
                    stored = result.rowcount if counted else len(result.all())
                # Cached only once committed: SQLite may hand a rolled-back key to another id.
                self._keys.update(created)
                imported += stored
                self._total += stored
        if len(new_events) >= BULK_WRITE_EVENTS:
            await release_idle_memory(self._engine)
        return WriteResult(
            imported=imported,
            duplicates=len(new_events) - imported,
            refused=given - len(new_events),
        )

    async def clear(self) -> None:
        """Delete every event (a synthetic home replaces the history)."""
        async with self._write_lock, self._engine.begin() as connection:
            await connection.execute(delete(events))
        self._total = 0

    async def bounds(self) -> tuple[int | None, int | None]:
        """Return the oldest and newest readable event times (epoch microseconds)."""
        async with self._engine.connect() as connection:
            # Each is one lookup on the time index.
            oldest = await connection.scalar(
                select(events.c.time_us)
                .where(events.c.time_us >= READABLE_MIN_US)
                .order_by(events.c.time_us)
                .limit(1)
            )
            newest = await connection.scalar(
                select(events.c.time_us)
                .where(events.c.time_us <= READABLE_MAX_US)
                .order_by(events.c.time_us.desc())
                .limit(1)
            )
        return oldest, newest

    async def newest_at_or_before(self, time_us: int) -> int | None:
        """Return the time of the newest readable event not later than `time_us`."""
        async with self._engine.connect() as connection:
            return await connection.scalar(
                select(events.c.time_us)
                .where(events.c.time_us <= time_us, events.c.time_us >= READABLE_MIN_US)
                .order_by(events.c.time_us.desc())
                .limit(1)
            )

    async def purge_before(self, time_us: int) -> int:
        """Delete events older than a time, in batches; return how many."""
        deleted = 0
        async with self._write_lock:
            while True:
                async with self._engine.begin() as connection:
                    oldest_ids = (
                        select(events.c.id)
                        .where(events.c.time_us < time_us)
                        .order_by(events.c.time_us)
                        .limit(PURGE_BATCH_SIZE)
                        .scalar_subquery()
                    )
                    result = await connection.execute(
                        delete(events).where(events.c.id.in_(oldest_ids))
                    )
                deleted += result.rowcount
                self._total -= result.rowcount
                if result.rowcount < PURGE_BATCH_SIZE:
                    return deleted

    async def _create_keys(
        self, connection: AsyncConnection, batch: Sequence[NewEvent]
    ) -> dict[str, int]:
        """Insert keys for entity ids not seen yet and return them."""
        missing = {event.entity_id for event in batch} - self._keys.keys()
        if not missing:
            return {}
        await connection.execute(
            insert_ignoring_conflicts(connection.dialect.name, entity_keys),
            [{"entity_id": entity_id} for entity_id in sorted(missing)],
        )
        rows = await connection.execute(
            select(entity_keys.c.entity_id, entity_keys.c.key).where(
                entity_keys.c.entity_id.in_(missing)
            )
        )
        return dict(rows.all())


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One stored state change."""

    id: int
    entity_id: str
    time_us: int
    state: str
    origin: Origin


async def page_events(
    engine: AsyncEngine,
    *,
    entity_id: str | None,
    start_us: int | None,
    end_us: int | None,
    after: tuple[int, int] | None,
    limit: int,
) -> list[StoredEvent]:
    """Return up to `limit` readable events in (time, id) order, after a cursor position."""
    query = _events_page(
        by_entity=entity_id is not None, ending=end_us is not None, resuming=after is not None
    )
    after_time, after_id = after or (None, None)
    values = {
        "start_us": READABLE_MIN_US if start_us is None else max(start_us, READABLE_MIN_US),
        "entity_id": entity_id,
        "end_us": end_us,
        "after_time": after_time,
        "after_id": after_id,
        "limit": limit,
    }
    # Imported here, as AsyncEngine above: it brings SQLAlchemy's asyncio layer.
    from engine.store.one_writer import read  # noqa: PLC0415

    def read_page(connection: Connection) -> list[StoredEvent]:
        rows = connection.execute(query, values)
        return [StoredEvent(row[0], row[1], row[2], row[3], _origin(row[4])) for row in rows]

    return await read(engine, read_page)


@cache
def _events_page(*, by_entity: bool, ending: bool, resuming: bool) -> Select[Any]:
    """Return the events page query for a shape of request, its values bound (built once).

    Building a statement and its cache key costs SQLAlchemy more than SQLite takes to
    read a page of events.
    """
    query = (
        select(
            events.c.id, entity_keys.c.entity_id, events.c.time_us, events.c.state, events.c.origin
        )
        .join(entity_keys, entity_keys.c.key == events.c.entity_key)
        # A row no datetime can hold would fail the whole page: it is skipped.
        .where(
            events.c.time_us >= bindparam("start_us"),
            events.c.time_us <= READABLE_MAX_US,
        )
    )
    if by_entity:
        query = query.where(entity_keys.c.entity_id == bindparam("entity_id"))
    if ending:
        query = query.where(events.c.time_us < bindparam("end_us"))
    if resuming:
        query = query.where(
            or_(
                events.c.time_us > bindparam("after_time"),
                and_(
                    events.c.time_us == bindparam("after_time"),
                    events.c.id > bindparam("after_id"),
                ),
            )
        )
    return query.order_by(events.c.time_us, events.c.id).limit(bindparam("limit", type_=Integer()))


def _origin(code: int) -> Origin:
    """Return what a stored origin code means; one no engine writes (a hand edit) is unknown."""
    try:
        return Origin(code)
    except ValueError:
        return Origin.UNKNOWN
