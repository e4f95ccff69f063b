"""InfluxDB 1.x backend: InfluxQL over the HTTP /query endpoint, through the engine's session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import orjson

from engine.influxdb.errors import (
    InfluxDBAuthError,
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

# Rows per streamed JSON object. Chunked answers also bypass the server's max-row-limit,
# which would otherwise cut a busy day short.
CHUNK_ROWS = 10_000
# An error body is a short JSON object; never buffer more of one than this.
_ERROR_BODY_LIMIT = 64 * 1024
_CONNECT_TIMEOUT_S = 10.0

Handler = Callable[[Any], None]


def _influxql_equals(tag: str, value: str) -> str:
    return f"\"{tag}\" = '{value}'"


def build_query(start_us: int, end_us: int, entities: EntityFilter | None) -> str:
    """Return the InfluxQL for the state changes with start_us <= time < end_us."""
    # Integer time literals are nanoseconds in InfluxQL.
    conditions = [f"time >= {start_us * 1000}", f"time < {end_us * 1000}"]
    if entities is None:
        # Series of other writers (Telegraf ...) lack the tag; Home Assistant's always have it.
        conditions.append("\"entity_id\" != ''")
    else:
        # Safe as literals: group_entity_ids() only lets [a-z0-9_] through.
        domains = entity_condition(entities, _influxql_equals, "AND", "OR")
        conditions.append(f"({domains})")
    # Any measurement: its name depends on the integration's options, the tags do not.
    # GROUP BY the tags makes one series per entity, so the entity id is built once per series.
    return (
        'SELECT "state", "value" FROM /.*/ WHERE '  # noqa: S608 - no user text, see above
        + " AND ".join(conditions)
        + ' GROUP BY "domain", "entity_id"'
    )


def collect_events(payload: Any, events: list[NewEvent]) -> None:
    """Append the events of one (error-free) JSON answer object to events."""
    try:
        for result in payload["results"]:
            for series in result.get("series", ()):
                _collect_series(series, events)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        raise InfluxDBQueryError(f"Unexpected InfluxDB 1.x answer: {err!r}") from err


def _collect_series(series: dict[str, Any], events: list[NewEvent]) -> None:
    """Append one series' rows: the `state` string if present, else the `value` number."""
    tags = series.get("tags") or {}
    domain = tags.get("domain")
    object_id = tags.get("entity_id")
    if not domain or not object_id:
        return
    entity_id = f"{domain}.{object_id}"
    columns = series["columns"]
    time_at, state_at, value_at = (
        columns.index("time"),
        columns.index("state"),
        columns.index("value"),
    )
    rows = series["values"]
    # epoch=u makes times integer microseconds; a server that ignored it would send text.
    if rows and rows[0][time_at].__class__ is not int:
        raise InfluxDBQueryError("InfluxDB 1.x did not answer with epoch=u integer times")
    append = events.append
    unknown = Origin.UNKNOWN
    for row in rows:
        state = row[state_at]
        if state is None:
            value = row[value_at]
            if value is None:
                continue
            state = format_number(value)
        elif state.__class__ is not str:
            state = str(state)
        append(NewEvent(entity_id, row[time_at], state, unknown))


class InfluxDBV1Backend:
    """Reads Home Assistant's points from an InfluxDB 1.x database."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        database: str,
        username: str | None = None,
        password: str | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._session = session
        self._query_url = f"{url.rstrip('/')}/query"
        self._where = display_url(url)
        self._database = database
        # Basic auth keeps the password out of the URL, which proxies and servers log. UTF-8,
        # not aiohttp's latin-1 default: influxd compares the bytes of the password as created.
        self._auth = (
            None
            if username is None
            else aiohttp.BasicAuth(username, password or "", encoding="utf-8")
        )
        self._secrets = (password,)
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=min(_CONNECT_TIMEOUT_S, timeout_s), sock_read=timeout_s
        )

    @property
    def description(self) -> str:
        """Return the server and database; no credentials."""
        return f"InfluxDB 1.x at {self._where}, database {self._database!r}"

    async def setup(self) -> None:
        """Check that the server answers, the credentials work and the database exists."""
        # Needs only READ on the database and fails with "database not found" without it.
        await self._execute("SHOW RETENTION POLICIES", lambda _payload: None)

    async def close(self) -> None:
        """Nothing to release: the session belongs to the caller."""

    async def fetch_window(
        self, start_us: int, end_us: int, entities: EntityFilter | None
    ) -> list[NewEvent]:
        """Return the events with start_us <= time < end_us, ordered by time."""
        events: list[NewEvent] = []
        await self._execute(
            build_query(start_us, end_us, entities), lambda payload: collect_events(payload, events)
        )
        # Each series is already ordered, so this sort only merges runs (timsort).
        events.sort(key=by_time)
        return events

    async def _execute(self, query: str, handle: Handler) -> None:
        """Run a query and pass each streamed JSON object to handle, after checking it."""
        form = {
            "db": self._database,
            "q": query,
            "epoch": "u",
            "chunked": "true",
            "chunk_size": str(CHUNK_ROWS),
        }
        try:
            # raise_for_status=False: the status is mapped below, whatever the session's default.
            async with self._session.post(
                self._query_url,
                data=form,
                auth=self._auth,
                timeout=self._timeout,
                raise_for_status=False,
            ) as response:
                if response.status != 200:
                    raise await self._http_error(response)
                await self._read_objects(response.content, handle)
        except InfluxDBError:
            raise
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            detail = redact(str(err), self._secrets) or type(err).__name__
            raise InfluxDBConnectionError(
                f"Cannot reach InfluxDB at {self._where}: {detail}"
            ) from err

    async def _read_objects(self, content: aiohttp.StreamReader, handle: Handler) -> None:
        """Split the chunked answer into its newline-separated JSON objects."""
        # Not `async for line in content`: aiohttp caps a line at 128 KiB, and one object
        # holds CHUNK_ROWS rows.
        buffer = bytearray()
        async for data in content.iter_any():
            buffer += data
            start = 0
            while (end := buffer.find(b"\n", start)) >= 0:
                if end > start:
                    self._handle_object(buffer[start:end], handle)
                start = end + 1
            del buffer[:start]
        if buffer.strip():
            self._handle_object(buffer, handle)

    def _handle_object(self, raw: bytearray, handle: Handler) -> None:
        """Decode one JSON object, raise the error it reports, else hand it on."""
        try:
            payload = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise InfluxDBQueryError(
                f"InfluxDB at {self._where} did not answer with JSON: is it InfluxDB 1.x?"
            ) from None
        if not isinstance(payload, dict):
            raise InfluxDBQueryError(f"Unexpected InfluxDB 1.x answer: {type(payload).__name__}")
        error = payload.get("error")
        if error is None:
            for result in payload.get("results") or ():
                error = result.get("error") if isinstance(result, dict) else None
                if error is not None:
                    break
        if error is not None:
            raise self._query_error(str(error))
        handle(payload)

    def _query_error(self, message: str) -> InfluxDBQueryError:
        """Return the error for an error InfluxDB reported inside a 200 answer."""
        message = redact(message, self._secrets)
        if message.startswith("database not found"):
            return InfluxDBNotFoundError(
                f"InfluxDB database {self._database!r} does not exist at {self._where}"
            )
        return InfluxDBQueryError(f"InfluxDB query failed: {message}")

    async def _http_error(self, response: aiohttp.ClientResponse) -> InfluxDBError:
        """Return the error for a non-200 answer, with the server's own reason."""
        status = response.status
        body = await response.content.read(_ERROR_BODY_LIMIT)
        try:
            reason = str(orjson.loads(body).get("error", ""))
        except (orjson.JSONDecodeError, AttributeError):
            reason = body[:200].decode("utf-8", "replace").strip()
        reason = redact(reason or response.reason or "", self._secrets)
        if status == 401:
            return InfluxDBAuthError(
                f"InfluxDB at {self._where} rejected the username or password (HTTP 401: {reason})"
            )
        if status == 403:
            return InfluxDBAuthError(
                f"InfluxDB at {self._where} does not let this user read database "
                f"{self._database!r}, or it does not exist (HTTP 403: {reason})"
            )
        if status in (502, 503, 504):
            return InfluxDBConnectionError(
                f"InfluxDB at {self._where} is unavailable (HTTP {status}: {reason})"
            )
        if status == 404:
            return InfluxDBQueryError(
                f"{self._where} has no /query endpoint (HTTP 404): is it InfluxDB 1.x?"
            )
        return InfluxDBQueryError(f"InfluxDB rejected the query (HTTP {status}: {reason})")
