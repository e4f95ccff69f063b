"""Reading history from InfluxDB into the event store: a backfill, then a poll a minute."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from engine.home.event_input import from_epoch_us, to_epoch_us, utc_now
from engine.home.service import BackfillStatus, HomeService
from engine.influxdb.errors import InfluxDBError
from engine.influxdb.source import InfluxHistorySource
from engine.store.events import EventStore
from engine.store.meta import read_meta, write_meta

_LOGGER = logging.getLogger(__name__)

SYNCED_UNTIL_KEY = "influxdb_synced_until_us"
POLL_INTERVAL_S = 60.0
# Home Assistant's influxdb integration writes in batches: points can land a little late.
LATE_POINTS = timedelta(minutes=2)


class InfluxIngest:
    """Copies new history from InfluxDB on every run; re-reading an overlap is harmless."""

    def __init__(
        self,
        source: InfluxHistorySource,
        home: HomeService,
        events: EventStore,
        *,
        backfill_days: int,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._source = source
        self._home = home
        self._events = events
        self._backfill_days = backfill_days
        self._clock = clock
        self._ready = False

    async def run_once(self) -> int:
        """Read from the last synced moment (less a margin) up to now; return new events."""
        end = self._clock()
        synced = await read_meta(self._events.engine, SYNCED_UNTIL_KEY)
        first = synced is None
        start = (
            end - timedelta(days=self._backfill_days)
            if synced is None
            else from_epoch_us(int(synced)) - LATE_POINTS
        )
        if first:
            self._home.backfill = BackfillStatus(status="running", start=start, end=end)
        try:
            if not self._ready:
                await self._source.setup()
                self._ready = True
            found = await self._source.fetch(start, end)
            imported = (await self._events.write(found)).imported
        except InfluxDBError as err:
            self._home.source_connected = False
            if first:
                self._home.backfill.status, self._home.backfill.error = "failed", str(err)
            _LOGGER.warning("Reading InfluxDB failed: %s", err)
            return 0
        self._home.source_connected = True
        if first:
            status = self._home.backfill
            status.status, status.progress, status.events = "succeeded", 1.0, imported
            _LOGGER.info("Backfilled %d events from %s", imported, self._source.description)
        await write_meta(self._events.engine, SYNCED_UNTIL_KEY, str(to_epoch_us(end)))
        return imported

    async def close(self) -> None:
        """Close the connection to InfluxDB."""
        await self._source.close()
