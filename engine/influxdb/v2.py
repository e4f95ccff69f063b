"""InfluxDB 2.x backend: Flux queries through influxdb-client's async API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from importlib.util import find_spec
from typing import Any

import aiohttp
from influxdb_client.client.flux_csv_parser import FluxCsvParserException, FluxQueryException
from influxdb_client.client.influxdb_client_async import InfluxDBClientAsync
from influxdb_client.rest import ApiException

from engine.home.event_input import from_epoch_us, to_epoch_us
from engine.influxdb.errors import (
    InfluxDBAuthError,
    InfluxDBConfigError,
    InfluxDBConnectionError,
    InfluxDBError,
    InfluxDBNotFoundError,
    InfluxDBQueryError,
    display_url,
    redact,
)
from engine.influxdb.source import (
    DEFAULT_TIMEOUT_S,
    EntityFilter,
    by_time,
    entity_condition,
    format_number,
)
from engine.store.events import NewEvent, Origin

_CONNECT_TIMEOUT_S = 10.0
_REASON_LIMIT = 300


def flux_string(text: str) -> str:
    """Return text as a Flux string literal."""
    # "${" would start string interpolation in Flux.
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${")
    return f'"{escaped}"'


def flux_time(time_us: int) -> str:
    """Return epoch microseconds as a Flux (RFC 3339, UTC) time literal."""
    moment = from_epoch_us(time_us)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return f"{text}Z"


def _flux_equals(tag: str, value: str) -> str:
    return f"r.{tag} == {flux_string(value)}"


def build_flux(bucket: str, start_us: int, end_us: int, entities: EntityFilter | None) -> str:
    """Return the Flux for the state changes with start_us <= time < end_us."""
    lines = [
        f"from(bucket: {flux_string(bucket)})",
        # range() includes start and excludes stop, like the 1.x query.
        f"  |> range(start: {flux_time(start_us)}, stop: {flux_time(end_us)})",
        # Only the state fields: attribute fields are most of the data and are not needed.
        '  |> filter(fn: (r) => r._field == "state" or r._field == "value")',
    ]
    if entities is None:
        # Series of other writers lack the tag; Home Assistant's always have it.
        lines.append('  |> filter(fn: (r) => r.entity_id != "")')
    else:
        # Plain tag comparisons, so InfluxDB pushes the filter down to its storage.
        domains = entity_condition(entities, _flux_equals, "and", "or")
        lines.append(f"  |> filter(fn: (r) => {domains})")
    return "\n".join(lines)


def build_bucket_probe(bucket: str) -> str:
    """Return the Flux that lists the bucket if it exists and the token may read it."""
    return "\n".join(
        [
            "buckets()",
            f"  |> filter(fn: (r) => r.name == {flux_string(bucket)})",
            '  |> keep(columns: ["name"])',
        ]
    )


def _series_of(
    values: dict[str, Any], string_times: dict[str, set[int]]
) -> tuple[str | None, set[int] | None]:
    """Return a table's entity id (None: not Home Assistant's) and, for `state`, its times."""
    domain = values.get("domain")
    object_id = values.get("entity_id")
    field = values.get("_field")
    if not domain or not object_id or field not in ("state", "value"):
        return None, None
    entity_id = f"{domain}.{object_id}"
    if field == "value":
        return entity_id, None
    return entity_id, string_times.setdefault(entity_id, set())


async def collect_records(records: AsyncIterator[Any]) -> list[NewEvent]:
    """Return the events in influxdb-client's record stream, ordered by time.

    Records come table by table and one table is one series (measurement, tags, field), so
    the entity id and the field are worked out once per table. A point with a `state` string
    also has a `value` when Home Assistant can read the state as a number (on -> 1.0): the
    string wins, as in the 1.x backend.
    """
    events: list[NewEvent] = []
    append = events.append
    unknown = Origin.UNKNOWN
    # Numeric events wait until every `state` time of their entity is known.
    numeric: list[NewEvent] = []
    string_times: dict[str, set[int]] = {}
    table = -1
    entity_id: str | None = None
    times: set[int] | None = None
    try:
        async for record in records:
            values = record.values
            if record.table != table:
                table = record.table
                entity_id, times = _series_of(values, string_times)
            if entity_id is None:
                continue
            time_us = to_epoch_us(values["_time"])
            value = values["_value"]
            if times is None:
                numeric.append(NewEvent(entity_id, time_us, format_number(value), unknown))
                continue
            times.add(time_us)
            if value.__class__ is not str:
                value = str(value)
            append(NewEvent(entity_id, time_us, value, unknown))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InfluxDBQueryError(f"Unexpected InfluxDB 2.x answer: {err!r}") from err
    for numeric_event in numeric:
        shadowed = string_times.get(numeric_event.entity_id)
        if shadowed is None or numeric_event.time_us not in shadowed:
            append(numeric_event)
    # Each table is already ordered, so this sort only merges runs (timsort).
    events.sort(key=by_time)
    return events


async def _has_records(records: AsyncIterator[Any]) -> bool:
    """Return True if the stream holds at least one record."""
    async for _record in records:
        return True
    return False


class InfluxDBV2Backend:
    """Reads Home Assistant's points from an InfluxDB 2.x bucket."""

    def __init__(
        self,
        url: str,
        token: str,
        org: str,
        bucket: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._url = url
        self._where = display_url(url)
        self._token = token
        self._org = org
        self._bucket = bucket
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=min(_CONNECT_TIMEOUT_S, timeout_s), sock_read=timeout_s
        )
        self._client: Any = None
        self._query_api: Any = None

    @property
    def description(self) -> str:
        """Return the server, org and bucket; no token."""
        return f"InfluxDB 2.x at {self._where}, org {self._org!r}, bucket {self._bucket!r}"

    async def setup(self) -> None:
        """Create the client and check that the token can read the bucket."""
        await self.close()
        # influxdb-client parses async answers with aiocsv, which only its [async] extra
        # installs; without it every query would fail with ModuleNotFoundError.
        if find_spec("aiocsv") is None:
            raise InfluxDBConfigError(
                "InfluxDB 2.x needs the aiocsv package: install influxdb-client[async]"
            )
        # The async client must be created inside the running loop: it opens its session.
        self._client = InfluxDBClientAsync(
            url=self._url, token=self._token, org=self._org, timeout=self._timeout
        )
        self._query_api = self._client.query_api()
        try:
            if not await self._stream(build_bucket_probe(self._bucket), _has_records):
                raise InfluxDBNotFoundError(
                    f"InfluxDB bucket {self._bucket!r} does not exist in org {self._org!r} "
                    f"at {self._where}, or the token may not read it"
                )
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close influxdb-client's session; safe to call more than once."""
        client, self._client, self._query_api = self._client, None, None
        if client is not None:
            await client.close()

    async def fetch_window(
        self, start_us: int, end_us: int, entities: EntityFilter | None
    ) -> list[NewEvent]:
        """Return the events with start_us <= time < end_us, ordered by time."""
        flux = build_flux(self._bucket, start_us, end_us, entities)
        return await self._stream(flux, collect_records)

    async def _stream[T](
        self, flux: str, consume: Callable[[AsyncIterator[Any]], Awaitable[T]]
    ) -> T:
        """Run Flux and hand influxdb-client's record stream to consume; map errors to ours.

        query_stream(), not query(): the same client parser, but records are dropped as they
        are turned into events instead of a day's worth being held (~90 MB per 100,000 rows).
        """
        if self._query_api is None:
            raise RuntimeError("InfluxDBV2Backend.setup() was not called")
        try:
            records = await self._query_api.query_stream(flux, org=self._org)
            # Closing the generator closes the HTTP response when consume stops early.
            async with aclosing(records):
                return await consume(records)
        except ApiException as err:
            raise self._api_error(err) from None
        except (FluxQueryException, FluxCsvParserException) as err:
            reason = redact(str(err), (self._token,))[:_REASON_LIMIT]
            raise InfluxDBQueryError(f"InfluxDB query failed: {reason}") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            detail = redact(str(err), (self._token,)) or type(err).__name__
            raise InfluxDBConnectionError(
                f"Cannot reach InfluxDB at {self._where}: {detail}"
            ) from err

    def _api_error(self, err: ApiException) -> InfluxDBError:
        """Return the error for a non-2xx answer, with the server's own message."""
        status = err.status
        reason = err.message
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        # Not str(err): that carries the response headers and body verbatim.
        reason = redact(str(reason or err.reason or ""), (self._token,))[:_REASON_LIMIT]
        if status == 401:
            return InfluxDBAuthError(
                f"InfluxDB at {self._where} rejected the token (HTTP 401: {reason})"
            )
        if status == 403:
            return InfluxDBAuthError(
                f"InfluxDB at {self._where}: the token may not read bucket {self._bucket!r} "
                f"(HTTP 403: {reason})"
            )
        if status == 404:
            return InfluxDBNotFoundError(
                f"InfluxDB at {self._where}: {reason} (HTTP 404); "
                "check INFLUXDB_ORG and INFLUXDB_BUCKET"
            )
        if status in (429, 502, 503, 504):
            return InfluxDBConnectionError(
                f"InfluxDB at {self._where} is unavailable (HTTP {status}: {reason})"
            )
        return InfluxDBQueryError(f"InfluxDB rejected the query (HTTP {status}: {reason})")
