"""A stored row at an instant no datetime can hold never makes a read or retention fail.

On SQLite and PostgreSQL: both hold any 64-bit time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from engine.app import create_app
from engine.home.event_input import utc_now
from engine.home.lifecycle import enforce_retention
from engine.keys import DATABASE, EVENTS
from engine.settings import Settings

from .conftest import AUTH, TOKEN, Client, ClientFactory
from .hostile import event, import_events, insert_raw

# Beyond year 9999 and before year 1, up to the limits of a 64-bit column.
UNREADABLE = [2**62, -(2**62), 2**63 - 1, -(2**63)]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Every test here runs on SQLite and on PostgreSQL."""
    return Settings(data_dir=tmp_path, api_token=TOKEN, database_url=database_url)


async def _states(client: Client, **params: str) -> list[str]:
    response = await client.get("/api/v1/events", params=params, headers=AUTH)
    assert response.status == 200, await response.text()
    return [item["state"] for item in (await response.json())["events"]]


async def test_rows_outside_datetimes_range_never_break_a_read(
    settings: Settings, aiohttp_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = await aiohttp_client(create_app(settings))
    await import_events(
        client, [event(utc_now() - timedelta(hours=i), state=str(i)) for i in (2, 1, 0)]
    )
    for i, value in enumerate(UNREADABLE):
        await insert_raw(client.app[DATABASE], "light.kitchen", value, f"bad{i}")
    assert await _states(client) == ["2", "1", "0"]
    assert await _states(client, limit="1") == ["2"]
    assert await _states(client, entity_id="light.kitchen", start="0001-01-01T00:00:00Z") == [
        "2",
        "1",
        "0",
    ]
    status = await client.get("/api/v1/ingest/status", headers=AUTH)
    assert status.status == 200
    body = await status.json()
    assert datetime.fromisoformat(body["newest_event_at"]) <= utc_now()
    assert await enforce_retention(client.app[EVENTS], 90) == 2  # the two before year 1
    await client.close()
    # Across a restart: the start-up retention run and every read still work, and the
    # remaining unreadable rows are named once in the log.
    with caplog.at_level(logging.WARNING):
        client = await aiohttp_client(create_app(settings))
    assert caplog.text.count("outside the dates") == 1
    assert await _states(client) == ["2", "1", "0"]
    assert (await client.get("/api/v1/ingest/status", headers=AUTH)).status == 200
