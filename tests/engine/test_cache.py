"""The correlation cache: two tiers, TTL, LRU, counters (the table on SQLite and PostgreSQL)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.cache import CorrelationCache
from engine.store.database import create_database_engine
from engine.store.key_filter import KeyFilter
from engine.store.migrate import migrate

from .conftest import AUTH, Client


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_database_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_hit_miss_and_counters(engine: AsyncEngine, clock: Clock) -> None:
    cache = CorrelationCache(engine, max_entries=10, ttl_s=60, clock=clock)
    assert await cache.get("corr:a:b") is None
    await cache.set("corr:a:b", {"lift": 3.5, "support_days": 12})
    assert await cache.get("corr:a:b") == {"lift": 3.5, "support_days": 12}
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (1, 1, 1)
    assert stats.hit_rate == 0.5


async def test_entries_expire_in_both_tiers(engine: AsyncEngine, clock: Clock) -> None:
    cache = CorrelationCache(engine, max_entries=10, ttl_s=60, clock=clock)
    await cache.set("short", 1, ttl_s=5)
    await cache.set("long", 2)
    clock.now += 10
    assert await cache.get("short") is None
    assert await cache.get("long") == 2
    # A fresh memory tier must not bring the expired row back from the table.
    fresh = CorrelationCache(engine, max_entries=10, ttl_s=60, clock=clock)
    assert await fresh.get("short") is None
    assert await fresh.purge_expired() == 1
    assert await fresh.persisted_entries() == 1


async def test_evicted_entries_come_back_from_the_table(engine: AsyncEngine, clock: Clock) -> None:
    cache = CorrelationCache(engine, max_entries=2, ttl_s=60, clock=clock)
    for key in ("a", "b", "c"):
        await cache.set(key, key.upper())
    assert cache.stats().entries == 2  # "a" left the LRU
    assert await cache.get("a") == "A"  # ...but not the table
    assert cache.stats().hits == 1


async def test_survives_a_restart(engine: AsyncEngine, clock: Clock) -> None:
    await CorrelationCache(engine, clock=clock).set("k", [1, 2, 3])
    assert await CorrelationCache(engine, clock=clock).get("k") == [1, 2, 3]


async def test_set_replaces_and_invalidate_drops_a_prefix(
    engine: AsyncEngine, clock: Clock
) -> None:
    cache = CorrelationCache(engine, clock=clock)
    await cache.set("corr:a:b", 1)
    await cache.set("corr:a:b", 2)
    await cache.set("corr:a:c", 3)
    await cache.set("other%_:x", 4)
    await cache.set("otherwise", 5)
    assert await cache.get("corr:a:b") == 2
    assert await cache.invalidate("corr:a:") == 2
    assert await cache.get("corr:a:c") is None
    # LIKE wildcards in a prefix are matched literally.
    assert await cache.invalidate("other%") == 1
    assert await cache.get("otherwise") == 5


async def test_stats_route_reports_the_cache(client: Client) -> None:
    from engine.keys import CACHE  # noqa: PLC0415

    cache = client.app[CACHE]
    await cache.set("x", 1)
    await cache.get("x")
    await cache.get("y")
    body = await (await client.get("/api/v1/stats", headers=AUTH)).json()
    assert body["cache"] == {"hits": 1, "misses": 1, "hit_rate": 0.5, "entries": 1}
    assert body["queries"] == {"count": 0, "p50_ms": None, "p95_ms": None}
    assert body["events_total"] == 0
    assert 10 < body["memory_rss_mb"] < 4096
    assert body["uptime_s"] >= 0


async def test_a_key_never_stored_is_a_miss_without_reading_the_table(
    engine: AsyncEngine, clock: Clock
) -> None:
    await CorrelationCache(engine, clock=clock).set("stored", 1)
    cache = CorrelationCache(engine, clock=clock)
    assert await cache.get("stored") == 1  # the first lookup reads which keys the table has
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        assert await cache.get("never stored") is None
        await cache.set("new", 2)
        cache._memory.clear()  # as after an eviction: the new key is read from the table
        assert await cache.get("new") == 2
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert [statement.split()[0] for statement in statements] == ["INSERT", "SELECT"]


def test_the_key_filter_never_forgets_a_key_and_keeps_its_size() -> None:
    keys = [f"query:{n:064x}" for n in range(100_000)]
    stored = KeyFilter()
    size = sys.getsizeof(stored._bits)
    for key in keys:
        stored.add(key)
    assert all(key in stored for key in keys)
    assert sys.getsizeof(stored._bits) == size <= 300_000
    others = [f"query:{n:064x}" for n in range(100_000, 200_000)]
    wrong = sum(1 for key in others if key in stored)
    assert wrong < 100  # under 1 in 1,000 at twice a soak's keys
    assert 1 not in stored


async def _statements(engine: AsyncEngine, lookups: Awaitable[object]) -> list[str]:
    """Return the first word of each statement run while the lookups run."""
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]).split()[0])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await lookups
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    return statements


async def test_purged_keys_leave_the_filter(engine: AsyncEngine, clock: Clock) -> None:
    cache = CorrelationCache(engine, clock=clock, ttl_s=10)
    await cache.set("old", 1)
    clock.now += 11
    await cache.set("new", 2, ttl_s=100)
    assert await cache.purge_expired() == 1
    cache._memory.clear()

    async def lookups() -> None:
        assert await cache.get("old") is None
        assert await cache.get("new") == 2
        assert await cache.get("old") is None

    # The live keys once (the filter, rebuilt), then only the row of the key that is there.
    assert await _statements(engine, lookups()) == ["SELECT", "SELECT"]
