"""Retention deletes only what lies outside its window, whatever the table holds.

The window ends at the newest stored event that is not later than now (never at a
future-dated row): for a live home that is now; a demo home or an imported data set that
ended long ago keeps its last `retention_days` instead of being emptied on the next start.
Either way nothing younger than `retention_days` before now is ever deleted. On SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.home.event_input import parse_events, to_epoch_us, utc_now
from engine.home.lifecycle import DAY_US, enforce_retention
from engine.keys import EVENTS
from engine.settings import Settings
from engine.store.database import create_database_engine
from engine.store.events import CLOCK_SKEW_US, EventStore
from engine.store.migrate import migrate
from engine.store.schema import events
from engine.training.synthetic import DEFAULT_END

from .conftest import AUTH, TOKEN, Client
from .hostile import event, insert_raw

WINDOW_DAYS = 30
# Rows no import accepts, as an old database or a hand edit could hold them.
ODD_ROWS_US = [2**62, to_epoch_us(utc_now()) + 100 * 365 * DAY_US, -(2**62)]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Every test here runs on SQLite and on PostgreSQL."""
    return Settings(data_dir=tmp_path, api_token=TOKEN, database_url=database_url)


@pytest.mark.parametrize("live", [True, False], ids=["live home", "history that ended"])
async def test_nothing_younger_than_the_window_is_deleted(database_url: str, live: bool) -> None:
    engine = create_database_engine(database_url)
    await migrate(engine)
    store = EventStore(engine)
    try:
        now = utc_now()
        newest = now if live else now - timedelta(days=400)
        ages = [0, 1, WINDOW_DAYS - 1, WINDOW_DAYS + 1, 2 * WINDOW_DAYS, 365]
        items = [event(newest - timedelta(days=age), state=str(age)) for age in ages]
        # Ahead of the clock, within the skew an import allows.
        items.append(event(now + timedelta(microseconds=CLOCK_SKEW_US // 2), state="ahead"))
        await store.write(parse_events({"events": items}))
        for i, time_us in enumerate(ODD_ROWS_US):
            await insert_raw(engine, "light.kitchen", time_us, f"odd{i}")
        await store.setup()
        cutoff = to_epoch_us(now) - WINDOW_DAYS * DAY_US
        kept_before = await _times(store)
        deleted = await enforce_retention(store, WINDOW_DAYS, now)
        kept = await _times(store)
        # Everything within the window counted back from now is still there.
        assert [t for t in kept_before if t >= cutoff] == [t for t in kept if t >= cutoff]
        assert deleted == len(kept_before) - len(kept)
        # The 31-, 60- and 365-day-old events (by the newest real one) and the row before
        # year 1 went; the window ends at the newest real event, not at a row in the future.
        assert deleted == 4
        assert min(kept) == to_epoch_us(newest - timedelta(days=WINDOW_DAYS - 1))
    finally:
        await engine.dispose()


async def _times(store: EventStore) -> list[int]:
    """Return every stored event time, oldest first (rows no datetime holds included)."""
    async with store.engine.connect() as connection:
        return sorted((await connection.scalars(select(events.c.time_us))).all())


async def test_a_loaded_demo_home_survives_retention_a_year_later(client: Client) -> None:
    body = {"home_type": "home_office", "days": 2, "seed": 3, "load": True}
    response = await client.post("/api/v1/synthetic/home", json=body, headers=AUTH)
    assert response.status == 200, await response.text()
    loaded = (await response.json())["events"]
    store = client.app[EVENTS]
    await insert_raw(store.engine, "light.kitchen", ODD_ROWS_US[1], "2126")
    a_year_later = DEFAULT_END + timedelta(days=365)
    assert await enforce_retention(store, 90, a_year_later) == 0
    assert len(await _times(store)) == loaded + 1
