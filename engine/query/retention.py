"""Retention of stored requests: kept as long as the events are, then deleted."""

from __future__ import annotations

import logging
import time
from typing import Final

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.schema import queries

_LOGGER = logging.getLogger(__name__)

DAY_S: Final = 24 * 3600.0


async def purge_queries(engine: AsyncEngine, retention_days: int, now: float | None = None) -> int:
    """Delete requests asked more than `retention_days` before `now`; return how many.

    Unlike events (imported history may be old), a request is stored when it is asked, so
    its window counts back from the wall clock.
    """
    cutoff = (time.time() if now is None else now) - retention_days * DAY_S
    async with engine.begin() as connection:
        result = await connection.execute(delete(queries).where(queries.c.created_at < cutoff))
    deleted = int(result.rowcount)
    if deleted:
        _LOGGER.info("Retention removed %d requests older than %d days", deleted, retention_days)
    return deleted
