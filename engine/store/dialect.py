"""Insert-or-ignore and upsert for the databases the store supports.

SQLAlchemy has no dialect-neutral ON CONFLICT construct, so the right dialect's
insert is picked here once; the rest of the store stays free of dialect checks.

Each statement is built once per dialect and shape (statements are immutable, so one
serves every connection and thread): building one again (its `excluded` alias, its
columns) cost as much as compiling it, on every answered request's write. SQLAlchemy
2.1 caches their compiled form (2.0 compiled them again on every execution).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def _dialect_insert(dialect_name: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"unsupported database dialect {dialect_name!r}")


@cache
def insert_ignoring_conflicts(dialect_name: str, table: Table) -> Insert:
    """Return an INSERT that skips rows violating a unique constraint."""
    return _dialect_insert(dialect_name, table).on_conflict_do_nothing()


def upsert(dialect_name: str, table: Table, keys: Sequence[str], updates: Sequence[str]) -> Insert:
    """Return an INSERT that updates `updates` columns when `keys` already exist."""
    return _upsert(dialect_name, table, tuple(keys), tuple(updates))


@cache
def _upsert(
    dialect_name: str, table: Table, keys: tuple[str, ...], updates: tuple[str, ...]
) -> Insert:
    statement = _dialect_insert(dialect_name, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: statement.excluded[name] for name in updates},
    )
