"""Suggestions in the database."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache, partial
from types import SimpleNamespace
from typing import Any, Final

from sqlalchemy import Connection, Select, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.dml import Insert

from engine.automation.suggestions.new import NewSuggestion
from engine.automation.suggestions.wire import Suggestion
from engine.automation.yaml_render import automation_to_yaml
from engine.errors import NotFoundError
from engine.patterns.pattern_store import stored_evidence
from engine.store.dialect import insert_ignoring_conflicts
from engine.store.one_writer import read, write
from engine.store.pages import best_first
from engine.store.run_rows import iso_time
from engine.store.schema import suggestions

# Rows per INSERT: 17 columns stay well under SQLite's bound-parameter limit.
_BATCH = 500
# Suggestions remembered as shown: ~12 KB each with its automation, validation and YAML
# (measured), so a few pages' worth, not a home's history.
_SHOWN = 256
# Filters whose counts are kept (a listing's status, minimum score and hidden ids).
_COUNTED_FILTERS = 64


@cache
def _inserting_new(dialect_name: str) -> Insert:
    """Return the INSERT of new suggestions (built once: see `engine.store.dialect`)."""
    # Counted from RETURNING: asyncpg reports no row count for a batch.
    return insert_ignoring_conflicts(dialect_name, suggestions).returning(suggestions.c.id)


def _insert_new(rows: Sequence[dict[str, Any]], connection: Connection) -> set[str]:
    """Insert the rows whose id is not taken; return the ids of those that were."""
    statement = _inserting_new(connection.dialect.name)
    return {
        row.id
        for start in range(0, len(rows), _BATCH)
        for row in connection.execute(statement, rows[start : start + _BATCH])
    }


@dataclass(frozen=True, slots=True)
class Stored:
    """Suggestions as stored, by id (new or made before), and the ids stored just now."""

    shown: dict[str, Suggestion]
    new: list[str]


def store_new(connection: Connection, made: Sequence[NewSuggestion]) -> Stored:
    """Store the suggestions whose id is not taken, in the caller's transaction; return them.

    One whose id is taken (the same automation, suggested before or by another request
    of the batch) gives the suggestion already stored, whatever its status.
    """
    by_id: dict[str, NewSuggestion] = {}
    for suggestion in made:
        by_id.setdefault(suggestion.row["id"], suggestion)  # the first of a batch is stored
    new = _insert_new([suggestion.row for suggestion in by_id.values()], connection)
    shown = {
        suggestion_id: suggestion_to_dict(SimpleNamespace(**suggestion.row), suggestion.yaml)
        for suggestion_id, suggestion in by_id.items()
        if suggestion_id in new
    }
    if taken := [suggestion_id for suggestion_id in by_id if suggestion_id not in new]:
        existing = connection.execute(_BY_IDS, {"ids": taken})
        shown |= {row.id: suggestion_to_dict(row) for row in existing}
    return Stored(shown, [suggestion_id for suggestion_id in by_id if suggestion_id in new])


def suggestion_to_dict(row: Any, yaml: str | None = None) -> Suggestion:
    """Return a stored suggestion as the API's Suggestion (with its YAML, if rendered already)."""
    return {
        "id": row.id,
        "source": row.source,
        "source_id": row.source_id,
        "title": row.title,
        "description": row.description,
        "explanation": row.explanation,
        "score": row.score,
        "status": row.status,
        "automation": row.automation,
        "yaml": automation_to_yaml(row.automation) if yaml is None else yaml,
        "validation": row.validation,
        "requires_confirmation": row.requires_confirmation,
        "reason": row.reason,
        "created_at": iso_time(row.created_at),
        "updated_at": iso_time(row.updated_at),
        "evidence": stored_evidence(row.evidence),
    }


class SuggestionStore:
    """Suggestions and their status, keyed by an id derived from what they do."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._shown = _Shown()
        self._totals = _Totals()

    def added(self, scores: Sequence[float]) -> None:
        """Count new pending suggestions (their scores), stored by a write now committed."""
        self._totals.add(scores)

    def changed(self) -> None:
        """Note that suggestions changed (once committed): their counts are read again."""
        self._totals.forget()

    async def fingerprints(self) -> set[str]:
        """Return the fingerprint of every suggestion ever made, whatever its status."""
        async with self._engine.connect() as connection:
            return set((await connection.scalars(select(suggestions.c.fingerprint))).all())

    async def add(self, made: Sequence[NewSuggestion]) -> Stored:
        """Store new suggestions in one transaction; return them as stored (see `store_new`)."""
        if not made:
            return Stored({}, [])
        stored = await write(self._engine, partial(store_new, made=made))
        self.added([stored.shown[suggestion_id]["score"] for suggestion_id in stored.new])
        return stored

    async def pending_automations(self) -> list[tuple[str, dict[str, Any]]]:
        """Return the id and automation of every pending suggestion."""
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(suggestions.c.id, suggestions.c.automation).where(
                    suggestions.c.status == "pending"
                )
            )
            return [(row.id, row.automation) for row in rows]

    async def get(self, suggestion_id: str) -> Suggestion:
        """Return one suggestion (404 when there is none)."""
        query = select(suggestions).where(suggestions.c.id == suggestion_id)
        row = await read(self._engine, lambda connection: connection.execute(query).first())
        if row is None:
            raise NotFoundError(f"No suggestion {suggestion_id!r}")
        return suggestion_to_dict(row)

    async def update(self, suggestion_id: str, **values: Any) -> Suggestion:
        """Change a suggestion's columns and return it as it is now."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(suggestions)
                .where(suggestions.c.id == suggestion_id)
                .values(**values, updated_at=time.time())
            )
        # Forgotten once committed (a listing meanwhile may have kept the row as it was),
        # so a change is shown even if it shares its `updated_at` with the one before.
        self._shown.forget(suggestion_id)
        self.changed()
        return await self.get(suggestion_id)

    async def list(
        self,
        *,
        status: str | None,
        min_score: float | None,
        limit: int,
        after: tuple[float, str] | None,
        hidden: Collection[str] = (),
    ) -> tuple[list[Suggestion], int]:
        """Return suggestions best first after a cursor position, and how many match.

        Pending suggestions whose ids are `hidden` are left out.
        """
        query = _listing(
            hiding=bool(hidden), by_status=status is not None, by_score=min_score is not None
        )
        values = {"hidden": sorted(hidden), "status": status, "min_score": min_score}
        counting = _Filter(status, min_score, frozenset(hidden))
        page, total = await self._totals.counted(
            counting,
            lambda total: best_first(
                self._engine, suggestions, query, limit, after, total=total, values=values
            ),
        )
        shown = {row.id: found for row in page if (found := self._shown.get(row)) is not None}
        if missing := [row.id for row in page if row.id not in shown]:
            for row in await read(
                self._engine, lambda c: c.execute(_BY_IDS, {"ids": missing}).all()
            ):
                shown[row.id] = self._shown.keep(row)
        # A suggestion deleted between the two reads is left out of its page.
        return [{**shown[row.id]} for row in page if row.id in shown], total


@cache
def _listing(*, hiding: bool, by_status: bool, by_score: bool) -> Select[Any]:
    """Return the listing's query for a shape of filter, its values bound (built once)."""
    query = select(suggestions.c.id, suggestions.c.updated_at)
    if hiding:
        query = query.where(
            or_(
                suggestions.c.status != "pending",
                suggestions.c.id.not_in(bindparam("hidden", expanding=True)),
            )
        )
    if by_status:
        query = query.where(suggestions.c.status == bindparam("status"))
    if by_score:
        query = query.where(suggestions.c.score >= bindparam("min_score"))
    return query


_BY_IDS: Final = select(suggestions).where(suggestions.c.id.in_(bindparam("ids", expanding=True)))


@dataclass(frozen=True, slots=True)
class _Filter:
    """What a listing counts: a status (or all), a minimum score, pending ids left out."""

    status: str | None
    min_score: float | None
    hidden: frozenset[str]

    def counts(self, score: float) -> bool:
        """Return whether a new pending suggestion with this score matches."""
        return self.status in (None, "pending") and (
            self.min_score is None or score >= self.min_score
        )


class _Totals:
    """How many suggestions match each filter, kept up to date as suggestions are stored.

    Counting reads a whole index (SQLite keeps no count): under the load bench, with a
    suggestion stored for every automation asked for, the listings' counts grew to most of
    the engine's time. New suggestions are counted in (`SuggestionStore.added`: each is
    pending, with its score; its id is new, so no filter hides it); any other change
    forgets the counts (`SuggestionStore.changed`). A count read while either happened is
    not kept.
    """

    def __init__(self, size: int = _COUNTED_FILTERS) -> None:
        self._size = size
        self._counts: dict[_Filter, int] = {}
        self._changes = 0

    async def counted[T](
        self, key: _Filter, read: Callable[[int | None], Awaitable[tuple[T, int]]]
    ) -> tuple[T, int]:
        """Return `read(total)` with the total kept for a filter (None: count it, then keep it)."""
        changes = self._changes
        kept = self._counts.get(key)
        found, total = await read(kept)
        if kept is None and changes == self._changes:
            if len(self._counts) >= self._size:
                self._counts.clear()
            self._counts[key] = total
        return found, total

    def add(self, scores: Sequence[float]) -> None:
        """Count new pending suggestions into every count they match."""
        if not scores:
            return
        self._changes += 1
        for key, count in self._counts.items():
            self._counts[key] = count + sum(1 for score in scores if key.counts(score))

    def forget(self) -> None:
        """Forget every count (suggestions changed)."""
        self._changes += 1
        self._counts.clear()


class _Shown:
    """Suggestions as last shown, by id and the update they show (a bounded LRU).

    Listings are most of what the suggestions are read for (the panel, the integration's
    polling), and each showed every row again: its JSON columns parsed, its YAML looked
    up, its times formatted (under the load bench, a third of the event loop's time). A
    row is shown from here while its `updated_at` is the one remembered; every change of
    a suggestion goes through `SuggestionStore.update`, which moves it.
    """

    def __init__(self, size: int = _SHOWN) -> None:
        self._size = size
        self._items: OrderedDict[str, tuple[float, Suggestion]] = OrderedDict()

    def get(self, row: Any) -> Suggestion | None:
        """Return a row's suggestion as shown, if it is remembered at that update."""
        item = self._items.get(row.id)
        if item is None or item[0] != row.updated_at:
            return None
        self._items.move_to_end(row.id)
        return item[1]

    def forget(self, suggestion_id: str) -> None:
        """Forget a suggestion as shown (it is changing)."""
        self._items.pop(suggestion_id, None)

    def keep(self, row: Any) -> Suggestion:
        """Return a full row's suggestion, remembered."""
        shown = suggestion_to_dict(row)
        self._items[row.id] = (row.updated_at, shown)
        self._items.move_to_end(row.id)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return shown
