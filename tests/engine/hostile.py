"""Helpers for tests of hostile input: events, imports, the error envelope, raw rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.store.database import create_database_engine
from engine.store.events import EventStore
from engine.store.migrate import migrate
from engine.store.schema import entity_keys, events

from .conftest import AUTH, Client


def event(time: datetime | str, entity_id: str = "light.kitchen", state: str = "on") -> Any:
    """Return one event of an import body."""
    moment = time.isoformat() if isinstance(time, datetime) else time
    return {"entity_id": entity_id, "state": state, "time": moment}


async def import_events(client: Client, items: list[Any]) -> Any:
    """POST events to the import route."""
    return await client.post("/api/v1/events/import", json={"events": items}, headers=AUTH)


async def error_of(response: Any, status: int = 400) -> dict[str, Any]:
    """Return the error of a full envelope, checking the status."""
    assert response.status == status, await response.text()
    body = await response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]  # type: ignore[no-any-return]


async def insert_raw(engine: AsyncEngine, entity_id: str, time_us: int, state: str) -> None:
    """Store a row as an old engine (or a hand edit) could have, bypassing every check."""
    async with engine.begin() as connection:
        key = await connection.scalar(
            select(entity_keys.c.key).where(entity_keys.c.entity_id == entity_id)
        )
        if key is None:
            result = await connection.execute(insert(entity_keys).values(entity_id=entity_id))
            assert result.inserted_primary_key is not None
            key = result.inserted_primary_key[0]
        await connection.execute(
            insert(events).values(entity_key=key, time_us=time_us, state=state, origin=0)
        )


async def open_store(tmp_path: Path) -> tuple[AsyncEngine, EventStore]:
    """Return a migrated database and its event store."""
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
    await migrate(engine)
    store = EventStore(engine)
    await store.setup()
    return engine, store
