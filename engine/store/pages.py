"""Best-first pages of a scored table: (score desc, id) keyset paging."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine


async def best_first(
    engine: AsyncEngine,
    table: Table,
    query: Select[Any],
    limit: int,
    after: tuple[float, str] | None,
) -> tuple[list[Row[Any]], int]:
    """Return a page of rows by (score desc, id) after a position, and how many match."""
    counted = select(func.count()).select_from(query.subquery())
    if after is not None:
        score, last_id = after
        query = query.where(
            (table.c.score < score) | ((table.c.score == score) & (table.c.id > last_id))
        )
    query = query.order_by(table.c.score.desc(), table.c.id).limit(limit)
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
        total = await connection.scalar(counted)
    return list(rows), total or 0
