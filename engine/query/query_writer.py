"""Answered requests written in batches: one transaction for all that wait (group commit)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.cache import CorrelationCache, Entries
from engine.store.one_writer import write
from engine.store.schema import queries


@dataclass(frozen=True, slots=True)
class AnsweredQuery:
    """A request's stored row, and the answer the cache is to keep for its words (if any)."""

    row: dict[str, Any]
    cache_key: str | None = None
    cache_value: Any = None


class QueryWriter:
    """Stores answered requests; each `write` returns once its row is committed.

    SQLite takes one write transaction at a time, and under load each of a transaction's
    statements waits for the busy event loop: one transaction per request held the write
    lock ~15 ms each, and 50 clients waited ~400 ms for it. Rows that arrive while a batch
    is written go together in the next one: two statements and one commit for all of them,
    in one hand-off to the writer (`one_writer.write`).
    """

    def __init__(self, engine: AsyncEngine, cache: CorrelationCache) -> None:
        self._engine = engine
        self._cache = cache
        self._pending: list[tuple[AnsweredQuery, asyncio.Future[None]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def write(self, answered: AnsweredQuery) -> None:
        """Store a request's row (and its cached answer); return once committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((answered, done))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain(), name="homeiq-query-writer")
        # A request that goes away (a client that hung up) leaves its row to be written.
        await asyncio.shield(done)

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            entries = self._cache.entries(
                [
                    (item.cache_key, item.cache_value)
                    for item, _done in batch
                    if item.cache_key is not None
                ]
            )
            rows = [item.row for item, _done in batch]
            try:
                await write(self._engine, partial(self._store, entries, rows))
            except Exception as error:  # noqa: BLE001 - each waiting request gets it
                for _item, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                self._cache.remember(entries)
                for _item, done in batch:
                    if not done.done():
                        done.set_result(None)

    def _store(self, entries: Entries, rows: list[dict[str, Any]], connection: Connection) -> None:
        self._cache.store(connection, entries)
        connection.execute(insert(queries), rows)

    async def close(self) -> None:
        """Wait for the rows being written."""
        if self._draining is not None:
            with contextlib.suppress(Exception):
                await self._draining
