"""Answered requests are written in batches, each committed before its request is answered."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import IntegrityError

from engine.automation.keys import SUGGESTIONS
from engine.keys import CACHE, DATABASE, STREAM
from engine.query.query_writer import AnsweredQuery, QueryWriter
from engine.store.schema import queries, suggestions

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


def _lights_at_seven(entity_id: str) -> dict[str, Any]:
    return {
        "triggers": [{"trigger": "time", "at": "07:00:00"}],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": [entity_id]}}],
    }


async def _suggestion_rows(client: Client) -> list[tuple[str, str]]:
    async with client.app[DATABASE].connect() as connection:
        rows = await connection.execute(select(suggestions.c.id, suggestions.c.status))
        return sorted((row.id, row.status) for row in rows)


async def test_suggestions_asked_for_are_stored_in_their_requests_transaction(
    client: Client,
) -> None:
    # A suggestion written on its own made each request for an automation wait for the
    # writer twice; now it goes in its request's batch, and its answer shows it as stored.
    service = client.app[SUGGESTIONS]
    writer = QueryWriter(client.app[DATABASE], client.app[CACHE], service.asked)
    hall, kitchen = _lights_at_seven("light.hall"), _lights_at_seven("light.kitchen")
    rejected = await service.from_query("q0", "hall light at seven", hall)
    await service.reject(rejected["id"], None)
    stream = client.app[STREAM].subscribe()
    asked = [("k1", kitchen), ("k2", kitchen), ("h1", hall), ("none", None)]
    inserts: list[str] = []

    def executed(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(("INSERT INTO queries", "INSERT INTO suggestions")):
            inserts.append(statement.split()[2])

    event.listen(Engine, "before_cursor_execute", executed)
    try:
        answers = await asyncio.gather(
            *(
                writer.write(
                    AnsweredQuery(
                        _row(query_id),
                        suggestion=service.asked.draft(query_id, f"asked {query_id}", automation)
                        if automation is not None
                        else None,
                    )
                )
                for query_id, automation in asked
            )
        )
    finally:
        event.remove(Engine, "before_cursor_execute", executed)
    # One batch (or two, as the writer took the first alone): both tables in each.
    assert inserts in (["suggestions", "queries"], ["suggestions", "queries"] * 2)
    (made,), second, (again,) = (answer["suggestions"] for answer in answers[:3])
    assert second == [made]
    assert (made["source_id"], made["status"]) == ("k1", "pending")
    assert (again["id"], again["status"]) == (rejected["id"], "rejected")
    assert answers[3] == _row("none")["answer"]
    assert await _suggestion_rows(client) == sorted(
        [(made["id"], "pending"), (rejected["id"], "rejected")]
    )
    # What each request answered is what its row keeps.
    async with client.app[DATABASE].connect() as connection:
        rows = await connection.execute(select(queries.c.query_id, queries.c.answer))
        stored = {row.query_id: row.answer for row in rows}
    assert [stored[query_id] for query_id, _ in asked] == answers
    # Told once committed: the one suggestion new.
    assert stream.get_nowait() == {
        "type": "suggestions_updated",
        "data": {"generated": 1, "ids": [made["id"]]},
    }
    assert stream.empty()


async def test_a_failed_batch_stores_no_suggestion_of_its_requests(client: Client) -> None:
    service = client.app[SUGGESTIONS]
    writer = QueryWriter(client.app[DATABASE], client.app[CACHE], service.asked)
    await writer.write(AnsweredQuery(_row("taken")))
    drafted = service.asked.draft("taken", "hall light at seven", _lights_at_seven("light.hall"))
    with pytest.raises(IntegrityError):
        await writer.write(AnsweredQuery(_row("taken"), suggestion=drafted))
    assert await _suggestion_rows(client) == []


@pytest.fixture(autouse=True)
async def _started(client: Client) -> None:
    """The app has started (its tables exist) before a test writes."""
