"""The settings changed through the API, one row per field, in the engine's database."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.dialect import upsert
from engine.store.schema import preferences


class PreferenceStore:
    """Reads and writes the fields someone set; the rest keep the environment's defaults."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self) -> dict[str, Any]:
        """Return every stored field by its dotted name."""
        async with self._engine.connect() as connection:
            rows = await connection.execute(select(preferences.c.key, preferences.c.value))
            return {row.key: row.value for row in rows}

    async def save(self, fields: Mapping[str, Any], cleared: Collection[str]) -> None:
        """Store `fields` and forget `cleared` in one transaction."""
        now = time.time()
        async with self._engine.begin() as connection:
            if fields:
                await connection.execute(
                    upsert(connection.dialect.name, preferences, ["key"], ["value", "updated_at"]),
                    [
                        {"key": key, "value": value, "updated_at": now}
                        for key, value in fields.items()
                    ],
                )
            if cleared:
                await connection.execute(
                    delete(preferences).where(preferences.c.key.in_(sorted(cleared)))
                )
