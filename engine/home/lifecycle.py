"""Starting and stopping the home module: catalog, live writes, retention."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime

from aiohttp import web

from engine.home.event_input import from_epoch_us, to_epoch_us, utc_now
from engine.home.keys import EVENT_WRITER, HOME
from engine.home.service import HomeService
from engine.home.wire import HistorySource
from engine.keys import EVENTS, SCHEDULER, SETTINGS
from engine.scheduler import Scheduler
from engine.settings import Settings
from engine.store.event_writer import BufferedEventWriter
from engine.store.events import EventStore, latest_event_us

_LOGGER = logging.getLogger(__name__)

DAY_S = 24 * 3600.0
DAY_US = 24 * 3600 * 1_000_000


def history_source(settings: Settings) -> HistorySource:
    """Return where history comes from: Home Assistant, InfluxDB, or imports."""
    if settings.ha_url:
        return "home_assistant"
    if settings.influxdb.enabled:
        return "influxdb"
    return "import"


async def enforce_retention(
    events: EventStore, retention_days: int, now: datetime | None = None
) -> int:
    """Delete events older than the retention window; return how many.

    The window counts back from the newest stored event that is not later than now, as
    analysis does, so imported history (a data set from 2012) is kept the same way as live
    history (for live homes, that event is about now). An event dated ahead of the clock
    (a wrong clock, or a row stored before times were checked) never moves the window: no
    stored instant makes retention delete anything younger than `retention_days` before now.
    """
    now_us = to_epoch_us(now or utc_now())
    anchor = await events.newest_at_or_before(now_us)
    if anchor is None:
        return 0
    _, newest = await events.bounds()
    if newest is not None and newest > latest_event_us(now_us):
        _LOGGER.warning(
            "The newest stored event is dated %s, ahead of the clock; retention counts back "
            "from %s instead",
            from_epoch_us(newest).isoformat(),
            from_epoch_us(anchor).isoformat(),
        )
    # Integer microseconds: no datetime arithmetic to overflow near year 1.
    cutoff = anchor - retention_days * DAY_US
    deleted = await events.purge_before(cutoff)
    if deleted:
        _LOGGER.info("Retention removed %d events older than %d days", deleted, retention_days)
    return deleted


async def home_context(app: web.Application) -> AsyncIterator[None]:
    """Open the home module after the store; close it (writing what is buffered) first."""
    settings = app[SETTINGS]
    events = app[EVENTS]
    # Home Assistant and InfluxDB, the history sources, start in their own modules
    # (engine/ha, engine/influxdb), after this one.
    home = HomeService(events.engine, events, history_source(settings))
    await home.setup()
    app[HOME] = home
    writer = BufferedEventWriter(events, max_delay_s=settings.event_flush_s)
    writer.start()
    app[EVENT_WRITER] = writer
    scheduler = Scheduler()
    app[SCHEDULER] = scheduler
    scheduler.every("retention", DAY_S, lambda: enforce_retention(events, settings.retention_days))
    started = time.monotonic()
    try:
        yield
    finally:
        await scheduler.close()
        await writer.close()
        _LOGGER.debug("Home module closed after %.1f s", time.monotonic() - started)
