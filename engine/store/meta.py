"""Small engine-wide values kept in the `meta` table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.dialect import upsert
from engine.store.schema import meta


async def read_meta(engine: AsyncEngine, key: str) -> str | None:
    """Return a stored value, or None."""
    async with engine.connect() as connection:
        value = await connection.scalar(select(meta.c.value).where(meta.c.key == key))
    return None if value is None else str(value)


async def write_meta(engine: AsyncEngine, key: str, value: str) -> None:
    """Store a value, replacing the old one."""
    async with engine.begin() as connection:
        await connection.execute(
            upsert(connection.dialect.name, meta, ["key"], ["value"]), {"key": key, "value": value}
        )
