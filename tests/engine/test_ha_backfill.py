"""Backfill stores each change once: the recorder's restated start states are not changes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.ha.errors import HomeAssistantConnectionError
from engine.ha.history import backfill, events_from_history, stored_states_at
from engine.home.event_input import from_epoch_us, to_epoch_us
from engine.home.service import BackfillStatus
from engine.store.database import create_database_engine
from engine.store.events import EventStore, NewEvent, Origin, page_events
from engine.store.migrate import migrate

T0 = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)


def _row(state: str, moment: datetime, entity_id: str | None = None) -> dict[str, Any]:
    row = {"state": state, "last_changed": moment.isoformat()}
    return row if entity_id is None else {"entity_id": entity_id, **row}


def test_a_window_start_that_restates_the_known_state_is_not_a_change() -> None:
    start = T0 + timedelta(hours=1)
    answer = [
        # The state at the window's start, stamped with the start, then one change.
        [_row("off", start, "light.a"), _row("on", start + timedelta(minutes=1))],
        # Changed while nobody watched: the start row is the only trace, so it is kept.
        [_row("on", start, "light.b")],
        # Never stored before: its state at the start is all there is to know.
        [_row("off", start, "light.new")],
    ]
    known = {"light.a": "off", "light.b": "off"}
    events = events_from_history(answer, known)
    assert [(e.entity_id, e.state, e.time_us) for e in events] == [
        ("light.a", "on", to_epoch_us(start + timedelta(minutes=1))),
        ("light.b", "on", to_epoch_us(start)),
        ("light.new", "off", to_epoch_us(start)),
    ]
    assert known == {"light.a": "on", "light.b": "on", "light.new": "off"}


def test_each_window_after_the_first_restates_the_previous_windows_last_state() -> None:
    day = timedelta(days=1)
    known: dict[str, str] = {}
    first = events_from_history([[_row("off", T0, "light.a"), _row("on", T0 + day / 2)]], known)
    second = events_from_history(
        [[_row("on", T0 + day, "light.a"), _row("off", T0 + day * 1.5)]], known
    )
    assert [e.state for e in first] == ["off", "on"]
    assert [(e.state, e.time_us) for e in second] == [("off", to_epoch_us(T0 + day * 1.5))]


def test_states_are_compared_as_stored() -> None:
    long_state = "x" * 300
    events = events_from_history(
        [[_row(long_state, T0, "sensor.long")]], {"sensor.long": "x" * 255}
    )
    assert events == []


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'homeiq.db'}")
    await migrate(engine)
    yield engine
    await engine.dispose()


async def test_stored_states_are_read_as_they_were_at_a_moment(database: AsyncEngine) -> None:
    store = EventStore(database)
    await store.setup()

    def event(entity_id: str, minutes: int, state: str) -> NewEvent:
        return NewEvent(
            entity_id, to_epoch_us(T0 + timedelta(minutes=minutes)), state, Origin.MANUAL
        )

    await store.write(
        [
            event("light.a", 0, "on"),
            event("light.a", 10, "off"),
            event("light.a", 30, "on"),  # after the moment: not yet the state then
            event("light.b", 10, "on"),
            event("light.later", 30, "on"),  # nothing stored at the moment
        ]
    )
    moment = to_epoch_us(T0 + timedelta(minutes=10))
    ids = ["light.a", "light.b", "light.later", "light.unknown"]
    assert await stored_states_at(database, ids, moment) == {"light.a": "off", "light.b": "on"}
    assert await stored_states_at(database, [], moment) == {}


@dataclass
class FakeRecorder:
    """Answers history as Home Assistant's recorder does with minimal_response.

    Each entity's newest change before the window, stamped with the window's start, then
    its changes inside the window; the first row alone names the entity.
    """

    changes: dict[str, list[tuple[datetime, str]]]
    connected: bool = True
    # Cut the connection after this many answers (None: never).
    answers_left: int | None = None
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)

    async def history(
        self, start: datetime, end: datetime, entity_ids: Iterable[str]
    ) -> list[list[dict[str, Any]]]:
        self.windows.append((start, end))
        answer: list[list[dict[str, Any]]] = []
        for entity_id in entity_ids:
            timeline = sorted(self.changes.get(entity_id, []))
            before = [state for moment, state in timeline if moment < start]
            rows = [_row(before[-1], start)] if before else []
            rows += [_row(state, moment) for moment, state in timeline if start < moment < end]
            if rows:
                answer.append([{"entity_id": entity_id, **rows[0]}, *rows[1:]])
        if self.answers_left is not None:
            self.answers_left -= 1
            self.connected = self.answers_left > 0
        return answer


async def _stored(store: EventStore, entity_id: str) -> list[tuple[datetime, str, Origin]]:
    """Return an entity's stored rows, oldest first."""
    page = await page_events(
        store.engine, entity_id=entity_id, start_us=None, end_us=None, after=None, limit=500
    )
    return [(from_epoch_us(event.time_us), event.state, event.origin) for event in page]


async def _backfill(
    recorder: FakeRecorder, store: EventStore, start: datetime, end: datetime
) -> BackfillStatus:
    status = BackfillStatus(status="running", start=start, end=end)
    await backfill(recorder, store, sorted(recorder.changes), status, stopping=lambda: False)
    return status


HOUR = timedelta(hours=1)


@pytest.fixture
async def store(database: AsyncEngine) -> EventStore:
    store = EventStore(database)
    await store.setup()
    return store


async def test_a_gap_is_stored_once_and_a_second_backfill_of_it_stores_nothing(
    store: EventStore,
) -> None:
    # Stored live before the outage; then three changes while the engine was away.
    await store.write([NewEvent("light.a", to_epoch_us(T0), "off", Origin.MANUAL)])
    missed = [(T0 + 2 * HOUR, "on"), (T0 + 3 * HOUR, "off"), (T0 + 4 * HOUR, "on")]
    recorder = FakeRecorder({"light.a": [(T0, "off"), *missed]})
    gap = (T0 + HOUR, T0 + 5 * HOUR)

    first = await _backfill(recorder, store, *gap)
    assert (first.events, first.progress) == (3, 1.0)
    expected = [(T0, "off", Origin.MANUAL)] + [(t, s, Origin.UNKNOWN) for t, s in missed]
    assert await _stored(store, "light.a") == expected

    again = await _backfill(recorder, store, *gap)
    assert again.events == 0
    assert await _stored(store, "light.a") == expected


async def test_changes_stored_live_in_the_window_keep_their_row_and_origin(
    store: EventStore,
) -> None:
    # The session's first minutes: the writer stored a change the recorder also answers.
    await store.write(
        [
            NewEvent("light.a", to_epoch_us(T0), "off", Origin.MANUAL),
            NewEvent("light.a", to_epoch_us(T0 + 2 * HOUR), "on", Origin.AUTOMATION),
        ]
    )
    recorder = FakeRecorder({"light.a": [(T0, "off"), (T0 + 2 * HOUR, "on")]})
    status = await _backfill(recorder, store, T0 + HOUR, T0 + 3 * HOUR)
    assert status.events == 0
    assert await _stored(store, "light.a") == [
        (T0, "off", Origin.MANUAL),
        (T0 + 2 * HOUR, "on", Origin.AUTOMATION),
    ]


async def test_a_gap_of_days_restates_each_day_without_storing_it(store: EventStore) -> None:
    await store.write([NewEvent("light.a", to_epoch_us(T0), "off", Origin.MANUAL)])
    day = timedelta(days=1)
    missed = [(T0 + HOUR, "on"), (T0 + day + 2 * HOUR, "off"), (T0 + 2 * day + HOUR, "on")]
    # Unchanged throughout: every day restates it, it is never stored again.
    recorder = FakeRecorder({"light.a": [(T0, "off"), *missed], "light.still": [(T0 - HOUR, "on")]})
    await store.write([NewEvent("light.still", to_epoch_us(T0 - HOUR), "on", Origin.MANUAL)])
    status = await _backfill(recorder, store, T0 + HOUR / 2, T0 + 3 * day)
    assert len(recorder.windows) == 3  # one request per day: both entities fit in one
    assert status.events == 3
    assert [(t, s) for t, s, _ in await _stored(store, "light.a")] == [(T0, "off"), *missed]
    assert await _stored(store, "light.still") == [(T0 - HOUR, "on", Origin.MANUAL)]


async def test_a_backfill_cut_short_is_finished_by_the_next_without_doubles(
    store: EventStore,
) -> None:
    await store.write([NewEvent("light.a", to_epoch_us(T0), "off", Origin.MANUAL)])
    day = timedelta(days=1)
    missed = [(T0 + HOUR, "on"), (T0 + day + HOUR, "off"), (T0 + 2 * day + HOUR, "on")]
    recorder = FakeRecorder({"light.a": [(T0, "off"), *missed]}, answers_left=1)
    with pytest.raises(HomeAssistantConnectionError):
        await _backfill(recorder, store, T0 + HOUR / 2, T0 + 3 * day)
    assert [(t, s) for t, s, _ in await _stored(store, "light.a")] == [(T0, "off"), missed[0]]

    # The mark did not move, so the next session reads the whole gap again.
    recorder.connected, recorder.answers_left = True, None
    status = await _backfill(recorder, store, T0 + HOUR / 2, T0 + 3 * day)
    assert status.events == 2
    assert [(t, s) for t, s, _ in await _stored(store, "light.a")] == [(T0, "off"), *missed]
