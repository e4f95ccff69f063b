"""Nothing SQLite-only: the schema and the store's conflict statements compile for PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from engine.store.dialect import insert_ignoring_conflicts, upsert
from engine.store.schema import cache_entries, events, metadata

PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def test_schema_compiles_for_postgresql() -> None:
    for table in metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=PG))
        assert f"CREATE TABLE {table.name}" in ddl
        for index in table.indexes:
            assert "CREATE" in str(CreateIndex(index).compile(dialect=PG))
    # On PostgreSQL the events id is a real 64-bit column (SQLite uses its rowid).
    assert "id BIGSERIAL" in str(CreateTable(events).compile(dialect=PG))


def test_conflict_statements_compile_for_postgresql() -> None:
    ignore = str(insert_ignoring_conflicts("postgresql", events).compile(dialect=PG))
    assert "ON CONFLICT DO NOTHING" in ignore
    replace = str(
        upsert("postgresql", cache_entries, ["key"], ["value", "expires_at"]).compile(dialect=PG)
    )
    assert "ON CONFLICT (key) DO UPDATE SET value = excluded.value" in replace


def test_unsupported_dialect_is_named() -> None:
    with pytest.raises(NotImplementedError, match="mysql"):
        insert_ignoring_conflicts("mysql", events)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_each_conflict_statement_is_built_once_per_dialect_and_shape(dialect: str) -> None:
    # Every answered request writes through them: building one again cost as much as
    # compiling it.
    assert insert_ignoring_conflicts(dialect, events) is insert_ignoring_conflicts(dialect, events)
    first = upsert(dialect, cache_entries, ["key"], ["value", "expires_at"])
    assert upsert(dialect, cache_entries, ("key",), ("value", "expires_at")) is first
    assert upsert(dialect, cache_entries, ["key"], ["value"]) is not first
    assert insert_ignoring_conflicts(dialect, cache_entries) is not insert_ignoring_conflicts(
        dialect, events
    )


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_conflict_statements_are_compiled_once(dialect: str) -> None:
    # A statement without a cache key is compiled again on every execution, as SQLAlchemy
    # 2.0 did these (a sixth of the SQLite writer's time under the load bench).
    statements = [
        insert_ignoring_conflicts(dialect, events),
        upsert(dialect, cache_entries, ["key"], ["value", "expires_at"]),
    ]
    for statement in statements:
        assert statement._generate_cache_key() is not None
