"""Starting and stopping the InfluxDB history source: a backfill, then a poll a minute."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from engine.home.keys import HOME
from engine.influxdb.ingest import POLL_INTERVAL_S, InfluxIngest
from engine.influxdb.keys import INFLUX_INGEST
from engine.influxdb.source import create_influx_source
from engine.keys import EVENTS, SETTINGS
from engine.scheduler import Scheduler


async def influx_context(app: web.Application) -> AsyncIterator[None]:
    """Read history from InfluxDB when it is configured; stop before the home module closes."""
    settings = app[SETTINGS]
    if not settings.influxdb.enabled:
        yield
        return
    session = aiohttp.ClientSession()
    try:
        # A bad InfluxDB setup raises a SettingsError here: the engine stops with it.
        source = create_influx_source(settings.influxdb, session)
    except BaseException:
        await session.close()
        raise
    ingest = InfluxIngest(source, app[HOME], app[EVENTS], backfill_days=settings.backfill_days)
    app[INFLUX_INGEST] = ingest
    # Its own scheduler: the poll in progress ends before the source and its session close.
    scheduler = Scheduler()
    scheduler.every("influxdb", POLL_INTERVAL_S, ingest.run_once)
    try:
        yield
    finally:
        await scheduler.close()
        await ingest.close()
        await session.close()
