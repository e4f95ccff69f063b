"""Best-first pages count what matches, whatever the page holds: on SQLite and PostgreSQL.

The count rides in the statement that reads the page; a page past the last match, which has
no row to carry it, counts apart. Either way `total` is every match.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Connection, Select, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.database import create_database_engine
from engine.store.migrate import migrate
from engine.store.pages import best_first
from engine.store.schema import suggestions

# Scores 0.00 .. 0.24, every third one approved; two share a score (ties break by id).
SCORES = [round(n / 100, 2) for n in range(25)] + [0.24]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated store holding the suggestions above."""
    engine = create_database_engine(database_url)
    await migrate(engine)
    rows: list[dict[str, Any]] = [
        {
            "id": f"s{n:02d}",
            "source": "pattern",
            "fingerprint": f"f{n}",
            "title": "t",
            "description": "d",
            "explanation": "e",
            "score": score,
            "status": "approved" if n % 3 == 0 else "pending",
            "automation": {},
            "validation": {},
            "requires_confirmation": False,
            "created_at": 0.0,
            "updated_at": 0.0,
        }
        for n, score in enumerate(SCORES)
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(suggestions), rows)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _every_page(
    engine: AsyncEngine, query: Select[Any], limit: int
) -> tuple[list[str], set[int]]:
    """Return the ids of every page in order, and each page's total."""
    ids: list[str] = []
    totals: set[int] = set()
    after: tuple[float, str] | None = None
    while True:
        rows, total = await best_first(engine, suggestions, query, limit, after)
        totals.add(total)
        ids += [row.id for row in rows]
        if len(rows) < limit:
            return ids, totals
        after = (rows[-1].score, rows[-1].id)


@pytest.mark.parametrize("limit", [1, 4, 26, 50])
async def test_every_page_counts_every_match(engine: AsyncEngine, limit: int) -> None:
    pending = select(suggestions).where(suggestions.c.status == "pending")
    ids, totals = await _every_page(engine, pending, limit)
    expected = sorted(
        (n for n in range(len(SCORES)) if n % 3), key=lambda n: (-SCORES[n], f"s{n:02d}")
    )
    assert ids == [f"s{n:02d}" for n in expected]
    assert totals == {len(expected)} == {17}


async def test_a_first_page_of_nothing_counts_nothing(engine: AsyncEngine) -> None:
    nothing = select(suggestions).where(suggestions.c.status == "rejected")
    assert await best_first(engine, suggestions, nothing, 10, None) == ([], 0)


async def test_a_page_past_the_last_match_still_counts_them(engine: AsyncEngine) -> None:
    approved = select(suggestions).where(suggestions.c.status == "approved")
    assert await best_first(engine, suggestions, approved, 10, (-1.0, "")) == ([], 9)


async def test_a_first_page_is_best_first_ties_by_id_with_every_column(engine: AsyncEngine) -> None:
    rows, total = await best_first(engine, suggestions, select(suggestions), 2, None)
    assert total == len(SCORES)
    assert [row.id for row in rows] == ["s24", "s25"]
    assert set(suggestions.c.keys()) <= set(rows[0]._fields)


async def test_a_query_with_bound_values_pages_on_statements_built_once(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_status = select(suggestions).where(suggestions.c.status == bindparam("status"))
    executed: list[object] = []
    execute = Connection.execute

    def recorded(connection: Connection, statement: Any, *args: Any, **kwargs: Any) -> Any:
        executed.append(statement)
        return execute(connection, statement, *args, **kwargs)

    monkeypatch.setattr(Connection, "execute", recorded)
    pages = [
        await best_first(engine, suggestions, by_status, limit, after, values={"status": status})
        for status, limit, after in [
            ("approved", 4, None),
            ("pending", 2, None),
            ("approved", 4, (0.12, "s12")),
            ("pending", 3, (0.2, "s20")),
        ]
    ]
    assert [[row.id for row in rows] for rows, _total in pages] == [
        ["s24", "s21", "s18", "s15"],
        ["s25", "s23"],
        ["s09", "s06", "s03", "s00"],
        ["s19", "s17", "s16"],
    ]
    assert [total for _rows, total in pages] == [9, 17, 9, 17]
    # One statement per way of paging (from the top, after a position), whatever the values.
    assert executed[0] is executed[1]
    assert executed[2] is executed[3]
    assert executed[0] is not executed[2]
