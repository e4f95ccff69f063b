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
            assert "CREATE" in str(CreateIndex(index).compile(dialect=PG))  # type: ignore[no-untyped-call]
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
