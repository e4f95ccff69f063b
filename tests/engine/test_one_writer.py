"""SQLite's one writer and readers: `write()` and `read()` each in one hand-off."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.database import create_database_engine
from engine.store.one_writer import read, write

_meta = MetaData()
_notes = Table("notes", _meta, Column("id", Integer, primary_key=True), Column("text", String))


@pytest.fixture(params=["file", "memory"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}"
        if request.param == "file"
        else "sqlite+aiosqlite://"
    )
    engine = create_database_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_meta.create_all)
    yield engine
    await engine.dispose()


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(_notes)) or 0)


def _add(texts: list[str], connection: Connection) -> str:
    connection.execute(insert(_notes), [{"text": text} for text in texts])
    return threading.current_thread().name


async def test_a_file_is_written_on_the_writers_thread_in_one_transaction(
    tmp_path: Path,
) -> None:
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_meta.create_all)
        thread = await write(engine, lambda connection: _add(["a", "b"], connection))
        # Not the event loop's thread, nor a pooled connection's: the writer's own.
        assert thread.startswith("homeiq-sqlite-writer")
        assert await _count(engine) == 2
        assert (await read(engine, _texts))[0] == ["a", "b"]
    finally:
        await engine.dispose()
    # Disposed: its writer's and readers' threads have ended (their connections closed).
    assert not any(t.name.startswith("homeiq-sqlite-") for t in threading.enumerate())


async def test_a_failing_write_stores_nothing_and_the_next_one_works(engine: AsyncEngine) -> None:
    def half_then_fail(connection: Connection) -> None:
        _add(["kept?"], connection)
        raise RuntimeError("in the middle")

    with pytest.raises(RuntimeError, match="in the middle"):
        await write(engine, half_then_fail)
    assert await _count(engine) == 0
    await write(engine, lambda connection: _add(["next"], connection))
    assert await _count(engine) == 1


async def test_writes_and_transactions_from_many_tasks_take_turns(engine: AsyncEngine) -> None:
    async def through_begin(n: int) -> None:
        async with engine.begin() as connection:
            await connection.execute(insert(_notes), [{"text": f"begin {n}"}])
            # Another task's write() would wait for SQLite's lock here without the turns.
            await asyncio.sleep(0)
            await connection.execute(insert(_notes), [{"text": f"begin {n} again"}])

    await asyncio.gather(
        *(through_begin(n) for n in range(20)),
        *(write(engine, partial(_add, [f"write {n}"] * 3)) for n in range(20)),
    )
    assert await _count(engine) == 20 * 2 + 20 * 3


def _texts(connection: Connection) -> tuple[list[str], str]:
    texts = list(connection.scalars(select(_notes.c.text).order_by(_notes.c.id)))
    return texts, threading.current_thread().name


async def test_reads_see_every_committed_write_in_one_hand_off(engine: AsyncEngine) -> None:
    for n in range(3):
        await write(engine, partial(_add, [f"note {n}"]))
        texts, thread = await read(engine, _texts)
        assert texts == [f"note {m}" for m in range(n + 1)]
    # A file's reads run on its reader threads; an in-memory database's on its one connection.
    file = engine.url.database not in (None, "", ":memory:")
    assert thread.startswith("homeiq-sqlite-reader") == file


async def test_many_reads_at_once_each_see_the_whole_table(engine: AsyncEngine) -> None:
    await write(engine, lambda c: _add([f"note {n}" for n in range(50)], c))
    results = await asyncio.gather(*(read(engine, _texts) for _ in range(40)))
    assert all(texts == [f"note {n}" for n in range(50)] for texts, _thread in results)
