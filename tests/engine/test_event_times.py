"""Event times: no import stores an impossible instant, and none moves the retention window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.home.event_input import parse_events, to_epoch_us, utc_now
from engine.home.lifecycle import enforce_retention
from engine.patterns.load import load_window
from engine.store.events import EventStore

from .conftest import AUTH, Client
from .hostile import error_of, event, import_events, insert_raw, open_store

FAR_FUTURE_US = to_epoch_us(datetime(2099, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    "when",
    ["2099-01-01T00:00:00+00:00", "1969-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"],
)
async def test_import_refuses_an_event_in_the_future_or_before_the_epoch(
    client: Client, when: str
) -> None:
    now = utc_now()
    items = [event(now - timedelta(hours=i)) for i in range(5)]
    items.insert(3, event(when, "switch.odd"))
    error = await error_of(await import_events(client, items))
    assert error["code"] == "bad_request"
    assert error["details"]["index"] == 3
    assert error["details"]["field"] == "time"
    assert {"earliest", "latest"} <= set(error["details"])
    assert "events[3].time" in error["message"]
    # All or nothing: the good events of the refused request are not stored either.
    status = await (await client.get("/api/v1/ingest/status", headers=AUTH)).json()
    assert status["events_total"] == 0


async def test_import_accepts_a_little_clock_skew_and_old_history(client: Client) -> None:
    items = [event(utc_now() + timedelta(hours=12)), event("2012-05-01T07:00:00+00:00")]
    response = await import_events(client, items)
    assert await response.json() == {"imported": 2, "duplicates": 0}


async def test_a_far_future_row_does_not_move_the_retention_window(tmp_path: Path) -> None:
    engine, store = await open_store(tmp_path)
    try:
        now = utc_now()
        recent = [event(now - timedelta(days=d), state=str(d)) for d in range(0, 90, 7)]
        await store.write(parse_events({"events": recent}))
        await insert_raw(engine, "light.kitchen", FAR_FUTURE_US, "x")
        await store.setup()
        assert await enforce_retention(store, 90) == 0
        assert store.total == len(recent) + 1
    finally:
        await engine.dispose()


OLD_HISTORY_START = datetime(2012, 3, 1, tzinfo=UTC)


async def _old_history_and_a_far_future_row(engine: AsyncEngine, store: EventStore) -> None:
    """Store 60 days of a 2012 data set, and one row dated 2099 as an old engine could have."""
    history = [event(OLD_HISTORY_START + timedelta(days=d), state=str(d)) for d in range(60)]
    await store.write(parse_events({"events": history}))
    await insert_raw(engine, "light.kitchen", FAR_FUTURE_US, "x")


async def test_old_history_is_kept_beside_a_far_future_row(tmp_path: Path) -> None:
    engine, store = await open_store(tmp_path)
    try:
        start = OLD_HISTORY_START
        await _old_history_and_a_far_future_row(engine, store)
        await store.setup()
        # The window counts back from the newest event that is not in the future.
        assert await enforce_retention(store, 30) == 29
        oldest, _ = await store.bounds()
        assert oldest == to_epoch_us(start + timedelta(days=29))
    finally:
        await engine.dispose()


async def test_retention_never_deletes_more_than_its_window(tmp_path: Path) -> None:
    engine, store = await open_store(tmp_path)
    try:
        now = utc_now()
        # Within the allowed skew: an event dated a little ahead must not move the cut-off.
        items = [event(now - timedelta(days=89)), event(now + timedelta(hours=20))]
        await store.write(parse_events({"events": items}))
        assert await enforce_retention(store, 90) == 0
    finally:
        await engine.dispose()


async def test_a_far_future_row_does_not_move_the_analysis_window(tmp_path: Path) -> None:
    engine, store = await open_store(tmp_path)
    try:
        await _old_history_and_a_far_future_row(engine, store)
    finally:
        await engine.dispose()
    # The analysis reads the 30 days before the newest event that could be real.
    window = load_window(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}", 30)
    assert len(window) == 31
    assert int(window.time_us.max()) == to_epoch_us(OLD_HISTORY_START + timedelta(days=59))
