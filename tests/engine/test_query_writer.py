"""Answered requests are written in batches, each committed before its request is answered."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import IntegrityError

from engine.keys import CACHE, DATABASE
from engine.query.query_writer import AnsweredQuery, QueryWriter
from engine.store.schema import queries

from .conftest import Client


def _row(query_id: str) -> dict[str, Any]:
    now = time.time()
    answer = {"status": "unsupported", "kind": None, "message": "no"}
    return {
        "query_id": query_id,
        "text": f"request {query_id}",
        "language": "en",
        "area_id": None,
        "answer": answer,
        "created_at": now,
        "updated_at": now,
    }


async def _stored(client: Client) -> int:
    async with client.app[DATABASE].connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(queries)) or 0)


async def test_requests_that_wait_together_are_committed_together(client: Client) -> None:
    engine, cache = client.app[DATABASE], client.app[CACHE]
    writer = QueryWriter(engine, cache)
    inserts: list[str] = []

    def executed(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO queries"):
            inserts.append(statement)

    # On every engine: the batch runs on the writer's own connection (a file's database).
    event.listen(Engine, "before_cursor_execute", executed)
    before = await _stored(client)
    try:
        await asyncio.gather(
            *(writer.write(AnsweredQuery(_row(f"q{n}"), f"key{n}", {"n": n})) for n in range(30))
        )
    finally:
        event.remove(Engine, "before_cursor_execute", executed)
    assert await _stored(client) == before + 30
    assert await cache.get("key7") == {"n": 7}
    # One transaction per request before; now those that wait together share one.
    assert 1 <= len(inserts) <= 2


async def test_a_request_that_goes_away_still_has_its_row_written(client: Client) -> None:
    writer = QueryWriter(client.app[DATABASE], client.app[CACHE])
    before = await _stored(client)
    waiting = asyncio.create_task(writer.write(AnsweredQuery(_row("gone"))))
    await asyncio.sleep(0)
    waiting.cancel()
    await writer.close()
    assert await _stored(client) == before + 1


async def test_a_failed_batch_fails_each_request_in_it_and_stores_none(client: Client) -> None:
    writer = QueryWriter(client.app[DATABASE], client.app[CACHE])
    before = await _stored(client)
    first = asyncio.create_task(writer.write(AnsweredQuery(_row("first"))))
    # Its batch is being written (the task queued it, the writer took it)...
    for _ in range(2):
        await asyncio.sleep(0)
    # ...so these are written together after it: the same id twice breaks their batch.
    twice = [writer.write(AnsweredQuery(_row("twice"))) for _ in range(2)]
    results = await asyncio.gather(*twice, return_exceptions=True)
    await first
    assert all(isinstance(result, IntegrityError) for result in results)
    assert await _stored(client) == before + 1
    await writer.write(AnsweredQuery(_row("after")))
    assert await _stored(client) == before + 2


@pytest.fixture(autouse=True)
async def _started(client: Client) -> None:
    """The app has started (its tables exist) before a test writes."""
