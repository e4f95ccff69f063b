"""Best-first pages of a scored table: (score desc, id) keyset paging."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import Connection, Integer, Row, Select, Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.one_writer import read

# The count of every matching row, read as a column beside the page's own.
_MATCHING: Final = "homeiq_matching_rows"
# The page's own values, bound beside the listing's filters.
_AFTER_SCORE: Final = "homeiq_after_score"
_AFTER_ID: Final = "homeiq_after_id"
_LIMIT: Final = "homeiq_limit"
# Statements derived from a listing's query, per way of paging, kept by the query's
# identity (SQLAlchemy statements hash and compare as objects). Building a statement and its
# cache key costs SQLAlchemy ~0.2 ms, several times what SQLite takes to read a page: the
# listings pass one query object per filter shape (values bound), so each is built once.
_KEPT_QUERIES: Final = 256


async def best_first(
    engine: AsyncEngine,
    table: Table,
    query: Select[Any],
    limit: int,
    after: tuple[float, str] | None,
    *,
    total: int | None = None,
    values: Mapping[str, Any] | None = None,
) -> tuple[list[Row[Any]], int]:
    """Return a page of rows by (score desc, id) after a position, and how many match.

    Given the `total` (known to the caller), the matches are not counted again. `values`
    are those of the query's bound parameters.
    """
    page, counted = _derived(table, query, counting=total is None, resuming=after is not None)
    bound = {**(values or {}), _LIMIT: limit}
    if after is not None:
        bound[_AFTER_SCORE], bound[_AFTER_ID] = after

    def read_page(connection: Connection) -> tuple[list[Row[Any]], int]:
        rows = connection.execute(page, bound).all()
        if total is not None:
            return list(rows), total
        if rows:
            return list(rows), int(getattr(rows[0], _MATCHING))
        # A page past the last match has no row to carry the count.
        return [], 0 if after is None else int(connection.scalar(counted, values) or 0)

    return await read(engine, read_page)


@lru_cache(maxsize=_KEPT_QUERIES)
def _derived(
    table: Table, query: Select[Any], *, counting: bool, resuming: bool
) -> tuple[Select[Any], Select[Any]]:
    """Return the page statement for a query and way of paging, and its count."""
    # The count rides along as an uncorrelated scalar subquery: SQLite and PostgreSQL
    # evaluate it once (on a covering index where there is one) and plan the page as they
    # would alone; one round trip instead of two. (A window count would read and sort every
    # match, JSON and all, before LIMIT.)
    counted = select(func.count()).select_from(query.subquery())
    page = query.add_columns(counted.scalar_subquery().label(_MATCHING)) if counting else query
    if resuming:
        score, last_id = table.c.score, table.c.id
        page = page.where(
            (score < bindparam(_AFTER_SCORE, type_=score.type))
            | (
                (score == bindparam(_AFTER_SCORE, type_=score.type))
                & (last_id > bindparam(_AFTER_ID))
            )
        )
    page = page.order_by(table.c.score.desc(), table.c.id).limit(bindparam(_LIMIT, type_=Integer()))
    return page, counted
