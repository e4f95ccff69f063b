"""Backfill stores each change once: the recorder's restated start states are not changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.ha.history import events_from_history, stored_states_at
from engine.home.event_input import to_epoch_us
from engine.store.database import create_database_engine
from engine.store.events import EventStore, NewEvent, Origin
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
