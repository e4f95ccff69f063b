"""InfluxDB starts in its own module: only when configured, and a bad setup stops the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web

from engine.app import create_app
from engine.errors import SettingsError
from engine.influxdb.keys import INFLUX_INGEST
from engine.settings import InfluxSettings, Settings

from .conftest import TOKEN, Client


async def test_without_influxdb_nothing_reads_it(client: Client) -> None:
    assert INFLUX_INGEST not in client.app


async def test_a_setup_that_is_neither_influxdb_1_nor_2_stops_the_engine(tmp_path: Path) -> None:
    influxdb = InfluxSettings(
        url="http://127.0.0.1:1", token="t", org="o", bucket="b", database="home_assistant"
    )
    settings = Settings(data_dir=tmp_path, api_token=TOKEN, influxdb=influxdb)
    runner = web.AppRunner(create_app(settings))
    try:
        with pytest.raises(SettingsError, match=r"INFLUXDB_TOKEN selects InfluxDB 2\.x"):
            await runner.setup()
    finally:
        # As the engine's command line does: what had started (the store) is closed.
        await runner.cleanup()
