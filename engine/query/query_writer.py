"""Answered requests written in batches: one transaction for all that wait (group commit)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.cache import CorrelationCache, Entries
from engine.store.one_writer import write
from engine.store.schema import queries

if TYPE_CHECKING:
    from engine.automation.suggestions.asked import AskedSuggestions
    from engine.automation.suggestions.new import NewSuggestion
    from engine.automation.suggestions.wire import Suggestion
    from engine.query.wire import Query


@dataclass(frozen=True, slots=True)
class AnsweredQuery:
    """A request's stored row, and the answer the cache is to keep for its words (if any).

    `suggestion` is the drafted suggestion of the automation it asks for, stored in the
    same transaction (its answer then shows the suggestion as stored).
    """

    row: dict[str, Any]
    cache_key: str | None = None
    cache_value: Any = None
    suggestion: NewSuggestion | None = None


def with_suggestions(
    asked: AskedSuggestions | None,
    connection: Connection,
    answered: Sequence[tuple[Query, NewSuggestion | None]],
) -> tuple[list[Query], list[Suggestion]]:
    """Store the drafted suggestions; return each answer with its own, and those new."""
    drafted = [suggestion for _answer, suggestion in answered if suggestion is not None]
    if asked is None or not drafted:
        return [answer for answer, _suggestion in answered], []
    stored = asked.store(connection, drafted)
    answers: list[Query] = [
        answer
        if suggestion is None
        else {**answer, "suggestions": [stored.shown[suggestion.row["id"]]]}
        for answer, suggestion in answered
    ]
    return answers, [stored.shown[suggestion_id] for suggestion_id in stored.new]


class QueryWriter:
    """Stores answered requests; each `write` returns once its row is committed.

    SQLite takes one write transaction at a time, and under load each of a transaction's
    statements waits for the busy event loop: one transaction per request held the write
    lock ~15 ms each, and 50 clients waited ~400 ms for it. Rows that arrive while a batch
    is written go together in the next one: three statements and one commit for all of
    them (their suggestions, the cached answers, the rows), in one hand-off to the writer
    (`one_writer.write`). A suggestion in a transaction of its own made each request that
    asked for an automation wait for the writer twice (under 50 clients, 24 ms more).
    """

    def __init__(
        self, engine: AsyncEngine, cache: CorrelationCache, asked: AskedSuggestions | None = None
    ) -> None:
        self._engine = engine
        self._cache = cache
        self._asked = asked
        self._pending: list[tuple[AnsweredQuery, asyncio.Future[Query]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def write(self, answered: AnsweredQuery) -> Query:
        """Store a request's row (its suggestion, its cached answer); return its answer as stored.

        Returns once committed.
        """
        done: asyncio.Future[Query] = asyncio.get_running_loop().create_future()
        self._pending.append((answered, done))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain(), name="homeiq-query-writer")
        # A request that goes away (a client that hung up) leaves its row to be written.
        return await asyncio.shield(done)

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            items = [item for item, _done in batch]
            entries = self._cache.entries(
                [(item.cache_key, item.cache_value) for item in items if item.cache_key is not None]
            )
            try:
                answers, new = await write(self._engine, partial(self._store, entries, items))
            except Exception as error:  # noqa: BLE001 - each waiting request gets it
                for _item, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                self._cache.remember(entries)
                if self._asked is not None:
                    self._asked.announce(new)
                for (_item, done), answer in zip(batch, answers, strict=True):
                    if not done.done():
                        done.set_result(answer)

    def _store(
        self, entries: Entries, items: list[AnsweredQuery], connection: Connection
    ) -> tuple[list[Query], list[Suggestion]]:
        answers, new = with_suggestions(
            self._asked, connection, [(item.row["answer"], item.suggestion) for item in items]
        )
        self._cache.store(connection, entries)
        connection.execute(
            insert(queries),
            [{**item.row, "answer": answer} for item, answer in zip(items, answers, strict=True)],
        )
        return answers, new

    async def close(self) -> None:
        """Wait for the rows being written."""
        if self._draining is not None:
            with contextlib.suppress(Exception):
                await self._draining
