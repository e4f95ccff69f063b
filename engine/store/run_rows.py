"""What training and analysis runs share in the database: restarts and newest-first pages."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import Row, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import NotFoundError

ACTIVE = ("queued", "running")
INTERRUPTED_BY_RESTART = "Interrupted: the engine restarted during the run"
INTERRUPTED_BY_STOP = "Interrupted: the engine stopped during the run"


@overload
def iso_time(epoch_s: float) -> str: ...
@overload
def iso_time(epoch_s: float | None) -> str | None: ...
def iso_time(epoch_s: float | None) -> str | None:
    """Return an epoch time in seconds as ISO 8601 UTC, None staying None."""
    return None if epoch_s is None else datetime.fromtimestamp(epoch_s, UTC).isoformat()


async def fetch_run(engine: AsyncEngine, table: Table, run_id: str, what: str) -> Row[Any]:
    """Return a run's row; 404 naming `what` ("training run") when there is none."""
    async with engine.connect() as connection:
        row = (await connection.execute(select(table).where(table.c.run_id == run_id))).first()
    if row is None:
        raise NotFoundError(f"No {what} {run_id!r}")
    return row


async def fail_unfinished(engine: AsyncEngine, table: Table, reason: str) -> int:
    """Mark every queued or running run failed with a reason; return how many."""
    async with engine.begin() as connection:
        result = await connection.execute(
            update(table)
            .where(table.c.status.in_(ACTIVE))
            .values(status="failed", error=reason, finished_at=time.time())
        )
    return result.rowcount


async def newest_first(
    engine: AsyncEngine, table: Table, limit: int, before: tuple[float, str] | None
) -> tuple[list[Row[Any]], int]:
    """Return a page of runs newest first after a (created_at, run_id) position, and the total."""
    query = select(table).order_by(table.c.created_at.desc(), table.c.run_id.desc())
    if before is not None:
        created_at, run_id = before
        query = query.where(
            (table.c.created_at < created_at)
            | ((table.c.created_at == created_at) & (table.c.run_id < run_id))
        )
    async with engine.connect() as connection:
        rows = (await connection.execute(query.limit(limit))).all()
        total = await connection.scalar(select(func.count()).select_from(table))
    return list(rows), total or 0
