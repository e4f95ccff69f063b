"""Backfilling state history from Home Assistant's recorder, in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.home.event_input import parse_time, to_epoch_us
from engine.store.events import NewEvent, Origin

# One day and 100 entities per request keeps answers and URLs small on a busy home.
TIME_CHUNK = timedelta(days=1)
ENTITY_CHUNK = 100


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


def events_from_history(series: list[list[dict[str, Any]]]) -> list[NewEvent]:
    """Return the state changes of a minimal_response history answer.

    The recorder's history has no context, so who made a backfilled change is unknown.
    """
    found: list[NewEvent] = []
    for states in series:
        if not states:
            continue
        entity_id = states[0].get("entity_id")
        if not isinstance(entity_id, str):
            continue
        previous: str | None = None
        for item in states:
            state, moment = item.get("state"), parse_time(item.get("last_changed"))
            if not isinstance(state, str) or moment is None or state == previous:
                continue
            previous = state
            found.append(NewEvent(entity_id, to_epoch_us(moment), state[:255], Origin.UNKNOWN))
    return found
