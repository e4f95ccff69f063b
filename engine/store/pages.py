"""Best-first pages of a scored table: (score desc, id) keyset paging."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, Row, Select, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.one_writer import read

# The count of every matching row, read as a column beside the page's own.
_MATCHING: Final = "homeiq_matching_rows"


async def best_first(
    engine: AsyncEngine,
    table: Table,
    query: Select[Any],
    limit: int,
    after: tuple[float, str] | None,
    *,
    total: int | None = None,
) -> tuple[list[Row[Any]], int]:
    """Return a page of rows by (score desc, id) after a position, and how many match.

    Given the `total` (known to the caller), the matches are not counted again.
    """
    # The count rides along as an uncorrelated scalar subquery: SQLite and PostgreSQL
    # evaluate it once (on a covering index where there is one) and plan the page as they
    # would alone; one round trip instead of two. (A window count would read and sort every
    # match, JSON and all, before LIMIT.)
    counted = select(func.count()).select_from(query.subquery())
    page = (
        query
        if total is not None
        else query.add_columns(counted.scalar_subquery().label(_MATCHING))
    )
    if after is not None:
        score, last_id = after
        page = page.where(
            (table.c.score < score) | ((table.c.score == score) & (table.c.id > last_id))
        )
    page = page.order_by(table.c.score.desc(), table.c.id).limit(limit)

    def read_page(connection: Connection) -> tuple[list[Row[Any]], int]:
        rows = connection.execute(page).all()
        if total is not None:
            return list(rows), total
        if rows:
            return list(rows), int(getattr(rows[0], _MATCHING))
        # A page past the last match has no row to carry the count.
        return [], 0 if after is None else int(connection.scalar(counted) or 0)

    return await read(engine, read_page)
