"""The engine reads Home Assistant's history out of a real InfluxDB 1.x into its store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from engine.app import create_app
from engine.home.event_input import from_epoch_us
from engine.influxdb.keys import INFLUX_INGEST
from engine.influxdb.source import create_influx_source
from engine.settings import InfluxSettings, Settings

from .conftest import AUTH, Client, ClientFactory
from .test_influxdb_v1 import (  # the real influxd fixture and its credentials
    DATABASE,
    READER,
    READER_PASSWORD,
    InfluxServer,
    influxd,
)

__all__ = ["influxd"]
BACKFILL_DAYS = 3650  # the fixture's points are from 2024


def _settings(tmp_path: Path, server: InfluxServer, password: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        api_token=AUTH["Authorization"].removeprefix("Bearer "),
        backfill_days=BACKFILL_DAYS,
        influxdb=InfluxSettings(
            url=server.url, database=DATABASE, username=READER, password=password
        ),
    )


async def _status_when(client: Client, done: set[str]) -> dict[str, Any]:
    async with asyncio.timeout(20):
        while True:
            status = await (await client.get("/api/v1/ingest/status", headers=AUTH)).json()
            if status["backfill"]["status"] in done:
                return status  # type: ignore[no-any-return]
            await asyncio.sleep(0.05)


async def _stored(client: Client) -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    cursor = None
    while True:
        params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
        body = await (await client.get("/api/v1/events", params=params, headers=AUTH)).json()
        found |= {(e["entity_id"], e["time"], e["state"]) for e in body["events"]}
        cursor = body["next_cursor"]
        if cursor is None:
            return found


async def test_backfill_then_polls_without_duplicates(
    aiohttp_client: ClientFactory, tmp_path: Path, influxd: InfluxServer
) -> None:
    settings = _settings(tmp_path, influxd, READER_PASSWORD)
    client = await aiohttp_client(create_app(settings))
    status = await _status_when(client, {"succeeded", "failed"})
    assert status["backfill"]["status"] == "succeeded", status
    assert status["source"] == "influxdb"
    assert status["connected"] is True

    # What the source itself reads for the same window is exactly what was stored.
    now = datetime.now(UTC)
    async with aiohttp.ClientSession() as session:
        source = create_influx_source(settings.influxdb, session)
        async with source:
            direct = await source.fetch(now - timedelta(days=BACKFILL_DAYS + 1), now)
    expected = {(e.entity_id, from_epoch_us(e.time_us).isoformat(), e.state) for e in direct}
    assert expected
    assert await _stored(client) == expected
    assert status["events_total"] == len(expected)

    # The next poll re-reads an overlap and stores nothing twice.
    assert await client.app[INFLUX_INGEST].run_once() == 0
    stats = await (await client.get("/api/v1/stats", headers=AUTH)).json()
    assert stats["events_total"] == len(expected)


async def test_bad_credentials_show_in_the_status_without_the_password(
    aiohttp_client: ClientFactory, tmp_path: Path, influxd: InfluxServer
) -> None:
    wrong = "wrong-password-do-not-leak"
    client = await aiohttp_client(create_app(_settings(tmp_path, influxd, wrong)))
    status = await _status_when(client, {"succeeded", "failed"})
    assert status["backfill"]["status"] == "failed"
    assert status["connected"] is False
    assert status["backfill"]["error"]
    assert wrong not in str(status)
    assert status["events_total"] == 0
