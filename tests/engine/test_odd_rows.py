"""A stored row with a value no engine writes never makes a listing fail (both backends)."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert, select

from engine.home.event_input import to_epoch_us, utc_now
from engine.keys import DATABASE
from engine.patterns.arrays import ORIGIN_UNKNOWN
from engine.patterns.load import load_window
from engine.settings import Settings
from engine.store.database import create_database_engine
from engine.store.schema import entity_keys, events

from .conftest import AUTH, TOKEN, Client
from .hostile import event, import_events


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Every test here runs on SQLite and on PostgreSQL."""
    return Settings(data_dir=tmp_path, api_token=TOKEN, database_url=database_url)


async def test_an_unknown_origin_code_reads_as_unknown(client: Client) -> None:
    now = utc_now()
    await import_events(client, [event(now - timedelta(hours=2), state="on")])
    async with client.app[DATABASE].begin() as connection:
        key = await connection.scalar(
            select(entity_keys.c.key).where(entity_keys.c.entity_id == "light.kitchen")
        )
        for hours, origin in ((1, 99), (0, -1)):
            time_us = to_epoch_us(now - timedelta(hours=hours))
            await connection.execute(
                insert(events).values(entity_key=key, time_us=time_us, state="odd", origin=origin)
            )
    response = await client.get("/api/v1/events", headers=AUTH)
    assert response.status == 200, await response.text()
    rows = (await response.json())["events"]
    assert [(row["state"], row["origin"]) for row in rows] == [
        ("on", "unknown"),
        ("odd", "unknown"),
        ("odd", "unknown"),
    ]


async def test_an_analysis_reads_an_unknown_origin_code_as_unknown(client: Client) -> None:
    now = utc_now()
    await import_events(client, [event(now - timedelta(hours=3), state="on")])
    async with client.app[DATABASE].begin() as connection:
        key = await connection.scalar(
            select(entity_keys.c.key).where(entity_keys.c.entity_id == "light.kitchen")
        )
        for hours, origin in ((2, 99), (1, -1)):
            time_us = to_epoch_us(now - timedelta(hours=hours))
            await connection.execute(
                insert(events).values(entity_key=key, time_us=time_us, state="odd", origin=origin)
            )
    url = client.app[DATABASE].url.render_as_string(hide_password=False)
    window = load_window(url, 30)
    assert window.origin.tolist() == [ORIGIN_UNKNOWN] * 3


async def test_a_json_column_the_standard_library_wrote_with_nan_reads(tmp_path: Path) -> None:
    # JSON columns are read with orjson, which refuses NaN; SQLAlchemy's default writer (the
    # standard library's) writes it. SQLite keeps such text as it is: the row still reads.
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'odd.db'}")
    table = Table("odd", MetaData(), Column("id", Integer, primary_key=True), Column("v", JSON))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(table.metadata.create_all)
            await connection.execute(insert(table).values(id=1, v={"score": float("nan")}))
            await connection.execute(insert(table).values(id=2, v={"score": 0.5}))
        async with engine.connect() as connection:
            rows = (await connection.execute(select(table.c.v).order_by(table.c.id))).all()
    finally:
        await engine.dispose()
    assert math.isnan(rows[0].v["score"])
    assert rows[1].v == {"score": 0.5}
