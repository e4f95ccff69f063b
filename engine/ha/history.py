"""Backfilling state history from Home Assistant's recorder, in chunks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.ha.errors import HomeAssistantConnectionError
from engine.home.event_input import parse_time, to_epoch_us
from engine.home.service import BackfillStatus
from engine.store.events import EventStore, NewEvent, Origin
from engine.store.schema import entity_keys, events

# One day and 100 entities per request keeps answers and URLs small on a busy home.
TIME_CHUNK = timedelta(days=1)
ENTITY_CHUNK = 100


class HistorySource(Protocol):
    """Where history comes from: Home Assistant's recorder (the client), or a test's fake."""

    @property
    def connected(self) -> bool:
        """Return True while the session that answers history is up."""
        ...

    async def history(
        self, start: datetime, end: datetime, entity_ids: Iterable[str]
    ) -> list[list[dict[str, Any]]]:
        """Return each entity's state at `start` (stamped `start`), then its changes to `end`."""
        ...


@dataclass(frozen=True, slots=True)
class HistoryChunk:
    """One history request: a time window for some entities."""

    start: datetime
    end: datetime
    entity_ids: tuple[str, ...]


def plan_chunks(start: datetime, end: datetime, entity_ids: list[str]) -> Iterator[HistoryChunk]:
    """Split a backfill into requests, oldest first."""
    cursor = start
    while cursor < end:
        chunk_end = min(cursor + TIME_CHUNK, end)
        for index in range(0, len(entity_ids), ENTITY_CHUNK):
            yield HistoryChunk(cursor, chunk_end, tuple(entity_ids[index : index + ENTITY_CHUNK]))
        cursor = chunk_end


async def stored_states_at(
    engine: AsyncEngine, entity_ids: Sequence[str], time_us: int
) -> dict[str, str]:
    """Return each entity's newest stored state at or before a time (none: left out)."""
    newest = (
        select(events.c.state)
        .where(events.c.entity_key == entity_keys.c.key, events.c.time_us <= time_us)
        .order_by(events.c.time_us.desc(), events.c.id.desc())
        .limit(1)
        .correlate(entity_keys)
        .scalar_subquery()
    )
    found: dict[str, str] = {}
    async with engine.connect() as connection:
        # One index seek per entity (the events' (entity_key, time_us) key), 100 per query.
        for index in range(0, len(entity_ids), ENTITY_CHUNK):
            chunk = entity_ids[index : index + ENTITY_CHUNK]
            rows = await connection.execute(
                select(entity_keys.c.entity_id, newest).where(entity_keys.c.entity_id.in_(chunk))
            )
            found.update((entity_id, state) for entity_id, state in rows if state is not None)
    return found


def events_from_history(
    series: list[list[dict[str, Any]]], known: dict[str, str] | None = None
) -> list[NewEvent]:
    """Return the state changes of a history answer; `known` follows each entity's state."""
    # The recorder answers each entity's state at the window's start as its first row,
    # stamped with the start: a change only if it differs from the state known before the
    # window (what the store holds, or the previous window's last row). The recorder's
    # history has no context, so who made a backfilled change is unknown.
    known = {} if known is None else known
    found: list[NewEvent] = []
    for states in series:
        if not states:
            continue
        entity_id = states[0].get("entity_id")
        if not isinstance(entity_id, str):
            continue
        previous = known.get(entity_id)
        for item in states:
            state, moment = item.get("state"), parse_time(item.get("last_changed"))
            if not isinstance(state, str) or moment is None:
                continue
            # Compared as stored: a state longer than the column is kept cut.
            state = state[:255]
            if state == previous:
                continue
            previous = known[entity_id] = state
            found.append(NewEvent(entity_id, to_epoch_us(moment), state, Origin.UNKNOWN))
    return found


async def backfill(
    source: HistorySource,
    store: EventStore,
    entity_ids: list[str],
    status: BackfillStatus,
    *,
    stopping: Callable[[], bool],
) -> None:
    """Store each change in [status.start, status.end) once, counting them in `status`."""
    if status.start is None or status.end is None:
        raise ValueError("a backfill needs its window")
    chunks = list(plan_chunks(status.start, status.end, entity_ids))
    # Each window's first rows restate the states at its start; those already stored
    # (before the gap, or by the previous window) are not changes and are not stored. A
    # change stored live (or by an earlier backfill) has the same entity, time and state as
    # the recorder's row, so the store's unique key drops it: the same window read twice
    # stores nothing the second time.
    known = await stored_states_at(store.engine, entity_ids, to_epoch_us(status.start))
    for done, chunk in enumerate(chunks, start=1):
        if stopping() or not source.connected:
            raise HomeAssistantConnectionError("Disconnected during the backfill")
        answer = await source.history(chunk.start, chunk.end, chunk.entity_ids)
        status.events += (await store.write(events_from_history(answer, known))).imported
        status.progress = done / len(chunks)
