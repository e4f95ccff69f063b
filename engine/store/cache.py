"""Correlation cache: an in-memory LRU over a table, both with a time to live."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from cachetools import TLRUCache
from sqlalchemy import Connection, Insert, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from engine.store.dialect import upsert
from engine.store.key_filter import KeyFilter
from engine.store.schema import cache_entries


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Counters reported at /api/v1/stats."""

    hits: int
    misses: int
    entries: int

    @property
    def hit_rate(self) -> float:
        """Return hits over lookups, 0 before the first lookup."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


@cache
def _upsert(dialect: str) -> Insert:
    """Return the statement that writes entries (built once: see `engine.store.pages`)."""
    return upsert(dialect, cache_entries, ["key"], ["value", "expires_at"])


def _encoded(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _expiry(_key: str, value: tuple[Any, float], _now: float) -> float:
    """Tell TLRUCache when an entry expires: the time stored beside its value."""
    return value[1]


@dataclass(frozen=True, slots=True)
class Entries:
    """Values to store under their keys, and when they expire."""

    values: dict[str, Any]
    expires_at: float

    def rows(self) -> list[dict[str, Any]]:
        """Return the table's rows for them."""
        return [
            {"key": key, "value": _encoded(value), "expires_at": self.expires_at}
            for key, value in self.values.items()
        ]


class CorrelationCache:
    """Two tiers: a bounded LRU in memory, then the `cache_entries` table."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_entries: int = 1000,
        ttl_s: float = 24 * 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._ttl_s = ttl_s
        self._clock = clock
        self._memory: TLRUCache[str, tuple[Any, float]] = TLRUCache(
            maxsize=max_entries, ttu=_expiry, timer=clock
        )
        self._hits = 0
        self._misses = 0
        # The keys the table holds, read once into a filter of fixed size: a key never
        # stored (most new requests) is a miss without a read. Only this object writes the
        # table while the engine runs. Keys set while the table's are being read wait here.
        self._stored: KeyFilter | None = None
        self._meanwhile: list[str] | None = None

    async def get(self, key: str) -> Any | None:
        """Return a live value from memory, else from the table (and keep it in memory)."""
        entry = self._memory.get(key)
        if entry is None and key in await self._stored_keys():
            async with self._engine.connect() as connection:
                row = (
                    await connection.execute(
                        select(cache_entries.c.value, cache_entries.c.expires_at).where(
                            cache_entries.c.key == key,
                            cache_entries.c.expires_at > self._clock(),
                        )
                    )
                ).first()
            if row is not None:
                entry = (json.loads(row.value), row.expires_at)
                self._memory[key] = entry
        if entry is None:
            self._misses += 1
            return None
        self._hits += 1
        return entry[0]

    async def set(
        self,
        key: str,
        value: Any,
        ttl_s: float | None = None,
        *,
        within: AsyncConnection | None = None,
    ) -> None:
        """Store a JSON-serialisable value in both tiers (in the caller's transaction, if given)."""
        await self.set_many([(key, value)], ttl_s, within=within)

    async def set_many(
        self,
        items: Sequence[tuple[str, Any]],
        ttl_s: float | None = None,
        *,
        within: AsyncConnection | None = None,
    ) -> None:
        """Store several values in one statement (in the caller's transaction, if given)."""
        entries = self.entries(items, ttl_s)
        if not entries.values:
            return
        if within is not None:
            await within.execute(_upsert(within.dialect.name), entries.rows())
        else:
            async with self._engine.begin() as connection:
                await connection.execute(_upsert(connection.dialect.name), entries.rows())
        self.remember(entries)

    def entries(self, items: Sequence[tuple[str, Any]], ttl_s: float | None = None) -> Entries:
        """Return values to store under their keys, expiring after `ttl_s` (else the cache's)."""
        # The last of a key given twice wins, as it would one after the other.
        return Entries(dict(items), self._clock() + (self._ttl_s if ttl_s is None else ttl_s))

    @staticmethod
    def store(connection: Connection, entries: Entries) -> None:
        """Write entries in the caller's (synchronous) transaction; `remember` once committed."""
        if entries.values:
            connection.execute(_upsert(connection.dialect.name), entries.rows())

    def remember(self, entries: Entries) -> None:
        """Keep entries written to the table in memory too, and their keys in the filter."""
        for key, value in entries.values.items():
            self._memory[key] = (value, entries.expires_at)
            if self._stored is not None:
                self._stored.add(key)
            elif self._meanwhile is not None:
                self._meanwhile.append(key)
            # Else no filter is being built: the table has the key when one is.

    async def _stored_keys(self) -> KeyFilter:
        if self._stored is None:
            meanwhile = self._meanwhile = [] if self._meanwhile is None else self._meanwhile
            async with self._engine.connect() as connection:
                keys = await connection.scalars(
                    select(cache_entries.c.key).where(cache_entries.c.expires_at > self._clock())
                )
                stored = keys.all()
            # Keys set while the table was read are kept too; a filter built meanwhile by
            # another lookup is as new as this one.
            if self._stored is None:
                self._stored = KeyFilter([*stored, *meanwhile])
            self._meanwhile = None
        return self._stored

    def _forget_keys(self) -> None:
        """Drop the filter (it cannot forget one key): the next lookup reads the table's."""
        self._stored = None
        self._meanwhile = None

    async def invalidate(self, prefix: str = "") -> int:
        """Drop every entry whose key starts with `prefix`; return how many the table had."""
        for key in [key for key in self._memory if key.startswith(prefix)]:
            self._memory.pop(key, None)
        self._forget_keys()
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(cache_entries).where(cache_entries.c.key.startswith(prefix, autoescape=True))
            )
        return result.rowcount

    async def purge_expired(self) -> int:
        """Delete expired rows from the table; return how many."""
        self._memory.expire()
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(cache_entries).where(cache_entries.c.expires_at <= self._clock())
            )
        # Read again from the live rows, the filter holds at most a TTL's keys.
        self._forget_keys()
        return result.rowcount

    async def persisted_entries(self) -> int:
        """Return the number of live rows in the table."""
        async with self._engine.connect() as connection:
            count = await connection.scalar(
                select(func.count())
                .select_from(cache_entries)
                .where(cache_entries.c.expires_at > self._clock())
            )
        return count or 0

    def stats(self) -> CacheStats:
        """Return hit and miss counters and the memory tier's size."""
        self._memory.expire()
        return CacheStats(hits=self._hits, misses=self._misses, entries=len(self._memory))
