"""The SQLAlchemy async engine, with the SQLite pragmas set on every connection."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

# Applied to every new SQLite connection; the order matters: WAL before anything writes.
# Each pooled connection has a page cache of its own (up to ten, SQLITE_POOL), filling with
# the pages it reads as the database grows: at 64 MB each the engine grew by 100 MB in a
# 10-minute soak. 2 MB (SQLite's own default) ingests 1M events as fast (24,000 vs 22,600
# events/s, `scripts/bench`): the OS's file cache already holds the file.
SQLITE_PRAGMAS: tuple[tuple[str, str], ...] = (
    ("journal_mode", "WAL"),
    ("synchronous", "NORMAL"),
    ("cache_size", "-2048"),
    ("busy_timeout", "5000"),
    ("foreign_keys", "ON"),
)


# At most ten connections to an SQLite file, five kept: each has its own page cache and
# aiosqlite thread (and malloc arena), and under 50 clients SQLAlchemy's default of fifteen
# opened and closed the extra ten again and again while the engine's memory grew. (An
# in-memory database has one connection, SQLAlchemy's StaticPool, which takes no sizes.)
SQLITE_POOL: Final[Mapping[str, int]] = {"pool_size": 5, "max_overflow": 5}


def _apply_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    """Set the pragmas on a fresh DB-API connection."""
    cursor = dbapi_connection.cursor()
    try:
        for name, value in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}={value}")
    finally:
        cursor.close()


# The synchronous driver of each backend (see DATABASE_DRIVERS in engine/settings.py).
_SYNC_DRIVERS: Final = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg2"}


def _json_loads(text: str | bytes) -> Any:
    """Read a JSON column with orjson, which reads a listing's columns several times faster."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        # The standard library's writer (SQLAlchemy's default) writes NaN and Infinity,
        # which are not JSON: such a row reads as it was written.
        return json.loads(text)


def create_database_engine(url: str) -> AsyncEngine:
    """Create the process's one async engine; on SQLite, make the file's folder too."""
    # Imported here: the analysis worker imports this module for create_sync_engine, and
    # SQLAlchemy's asyncio layer would bring the ORM into its memory.
    from sqlalchemy.ext.asyncio import create_async_engine  # noqa: PLC0415

    from engine.store.one_writer import READERS, OneWriterEngine  # noqa: PLC0415

    parsed = make_url(url)
    database = parsed.database or ""
    sqlite_file = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if sqlite_file:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        parsed, json_deserializer=_json_loads, **(SQLITE_POOL if sqlite_file else {})
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _apply_sqlite_pragmas)
        return OneWriterEngine(
            engine.sync_engine,
            create_sync_engine(url, pool_size=READERS + 1, max_overflow=0) if sqlite_file else None,
        )
    return engine


def create_sync_engine(url: str, **options: Any) -> Engine:
    """Return a synchronous engine on the same database (worker processes; SQLite's threads).

    sqlite+aiosqlite becomes sqlite (the standard library's driver); postgresql+asyncpg
    becomes postgresql+psycopg2 (a dependency of the engine like asyncpg; named, as
    SQLAlchemy 2.1's default for postgresql is psycopg 3).
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    engine = create_engine(
        parsed.set(drivername=_SYNC_DRIVERS.get(backend, backend)),
        json_deserializer=_json_loads,
        **options,
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _apply_sqlite_pragmas)
    return engine


async def release_idle_memory(engine: AsyncEngine) -> None:
    """Empty the SQLite page caches of the pooled connections no one is using right now."""
    # Every connection caches pages (SQLITE_PRAGMAS), so after a bulk import or a scan the
    # idle pool can hold more than the engine needs between requests, while an analysis
    # worker is the one that needs memory. Pages are read again (from the
    # OS's file cache) when a query wants them.
    from engine.store.one_writer import OneWriterEngine  # noqa: PLC0415 - see above

    pool = engine.pool
    if engine.dialect.name != "sqlite" or not isinstance(pool, QueuePool):
        return
    async with contextlib.AsyncExitStack() as stack:
        # Held all at once, so each checkout is a different idle connection.
        for _ in range(pool.checkedin()):
            connection = await stack.enter_async_context(engine.connect())
            await connection.exec_driver_sql("PRAGMA shrink_memory")
    if isinstance(engine, OneWriterEngine):
        # And the connections of the file's writer and reader threads.
        await engine.shrink_idle()
    await asyncio.to_thread(_return_free_heap)


def _return_free_heap() -> None:
    """Hand the C heap's free pages back to the system, where the C library allows it."""
    # SQLite frees its cache into malloc's per-thread arenas (one per aiosqlite connection),
    # which keep the pages resident until told otherwise.
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc; absent on macOS and musl
    except (AttributeError, OSError, TypeError):
        return
    trim(0)
