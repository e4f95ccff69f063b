"""The InfluxDB module's application keys."""

from __future__ import annotations

from aiohttp import web

from engine.influxdb.ingest import InfluxIngest

# Set only when INFLUXDB_URL is configured.
INFLUX_INGEST = web.AppKey("influx_ingest", InfluxIngest)
