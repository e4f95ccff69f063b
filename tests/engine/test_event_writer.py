"""Live events: batched writes, nothing lost on a failed write or at close (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
import pytest_asyncio

from engine.store.database import create_database_engine
from engine.store.event_writer import BufferedEventWriter
from engine.store.events import BATCH_SIZE, EventStore, NewEvent, Origin, WriteResult
from engine.store.migrate import migrate


@pytest_asyncio.fixture
async def store(database_url: str) -> AsyncIterator[EventStore]:
    engine = create_database_engine(database_url)
    await migrate(engine)
    store = EventStore(engine)
    await store.setup()
    yield store
    await engine.dispose()


def _event(i: int) -> NewEvent:
    return NewEvent("light.a", 1_700_000_000_000_000 + i, "on" if i % 2 else "off", Origin.MANUAL)


async def test_a_full_batch_is_written_without_waiting(store: EventStore) -> None:
    writer = BufferedEventWriter(store, max_delay_s=60)
    writer.start()
    for i in range(BATCH_SIZE):
        writer.add(_event(i))
    async with asyncio.timeout(5):
        while store.total < BATCH_SIZE:  # noqa: ASYNC110 - polls the store with a deadline
            await asyncio.sleep(0.01)
    await writer.close()
    assert writer.written == BATCH_SIZE


async def test_close_writes_what_is_left(store: EventStore) -> None:
    writer = BufferedEventWriter(store, max_delay_s=60)
    writer.start()
    for i in range(7):
        writer.add(_event(i))
    await writer.close()
    assert store.total == 7


async def test_a_failed_write_is_retried_not_dropped(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = BufferedEventWriter(store, max_delay_s=60)
    real_write = store.write
    calls = 0

    async def flaky(events: Sequence[NewEvent]) -> WriteResult:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("disk full")
        return await real_write(events)

    monkeypatch.setattr(store, "write", flaky)
    for i in range(3):
        writer.add(_event(i))
    await writer.flush()
    assert writer.pending == 3
    writer.add(_event(3))
    await writer.flush()
    assert writer.pending == 0
    assert store.total == 4
