"""Read a time window of Home Assistant state history back out of InfluxDB as HomeIQ events.

How Home Assistant's influxdb integration writes a state change (homeassistant/components/
influxdb/__init__.py, ``event_to_json``), which this module reverses:

* one point per state change, timestamped with the event's ``time_fired``: the same instant
  as the new state's ``last_updated``; ``unknown``, ``unavailable`` and empty states are
  never written;
* tags ``domain`` and ``entity_id``, the latter being the object id WITHOUT the domain, so
  the entity id is ``<domain>.<entity_id tag>``;
* field ``value`` (float) when the state is numeric, field ``state`` (string) when it is not,
  and both when Home Assistant can also read it as a number (``on``/``off``, ``open``,
  ``home``/``not_home`` ... give ``value`` 1.0/0.0): the ``state`` string wins;
* attribute fields (``friendly_name_str``, ``brightness`` ...): ignored;
* the measurement name is configurable (by default the unit of measurement, else the entity
  id; ``default_measurement``, ``override_measurement`` and ``measurement_attr`` change it),
  so it is never used: every measurement is read and the tags identify the entity.

A numeric ``value`` becomes a state string with `format_number`: integral values without a
fractional part (21.0 -> "21"), others in Python's shortest round-trip form (21.5 -> "21.5").
InfluxDB keeps only the float, so "21" and "21.0" cannot be told apart; this picks one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from operator import attrgetter
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from engine.errors import BadRequestError
from engine.home.event_input import VALID_ENTITY_ID, to_epoch_us
from engine.influxdb.errors import InfluxDBConfigError
from engine.store.events import NewEvent

if TYPE_CHECKING:
    import aiohttp

    from engine.settings import InfluxSettings

# One query per day bounds the memory a busy home's history needs (~35,000 rows a day).
DEFAULT_CHUNK = timedelta(days=1)
DEFAULT_TIMEOUT_S = 120.0
# Up to this magnitude a float is an exact integer, so "21" is the same number as 21.0.
_EXACT_INTEGER_LIMIT = 2.0**53

# Domain -> its object ids, each list sorted: queries come out the same for the same ids.
EntityFilter = Mapping[str, Sequence[str]]

by_time = attrgetter("time_us")


def format_number(value: int | float) -> str:
    """Return the state string for a numeric ``value`` field (see the module docstring)."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and -_EXACT_INTEGER_LIMIT < value < _EXACT_INTEGER_LIMIT:
        return str(int(value))
    return repr(value)


def group_entity_ids(entity_ids: Collection[str]) -> dict[str, list[str]]:
    """Validate entity ids and group their object ids by domain, as the tags store them."""
    grouped: dict[str, list[str]] = {}
    for entity_id in entity_ids:
        # The rule also keeps quotes out of the query text: ids go into it as literals.
        if not isinstance(entity_id, str) or VALID_ENTITY_ID.match(entity_id) is None:
            raise BadRequestError(f"Not a valid entity id: {entity_id!r}")
        domain, object_id = entity_id.split(".", 1)
        grouped.setdefault(domain, []).append(object_id)
    return {domain: sorted(set(ids)) for domain, ids in sorted(grouped.items())}


def entity_condition(
    entities: EntityFilter, equals: Callable[[str, str], str], conjunction: str, disjunction: str
) -> str:
    """Return a query condition selecting entities by their domain and object-id tags.

    Both query languages get the same shape, (domain AND (id OR id ...)) OR ...; each
    backend supplies its own tag comparison and words.
    """
    return f" {disjunction} ".join(
        f"({equals('domain', domain)} {conjunction} ("
        + f" {disjunction} ".join(equals("entity_id", object_id) for object_id in object_ids)
        + "))"
        for domain, object_ids in entities.items()
    )


class InfluxBackend(Protocol):
    """One InfluxDB API version: queries a window and returns its events ordered by time."""

    @property
    def description(self) -> str:
        """Return a short description for logs, e.g. the URL and database; no secrets."""
        ...

    async def setup(self) -> None:
        """Connect and check that the credentials can read the configured data."""
        ...

    async def close(self) -> None:
        """Release what setup() acquired."""
        ...

    async def fetch_window(
        self, start_us: int, end_us: int, entities: EntityFilter | None
    ) -> list[NewEvent]:
        """Return the events with start_us <= time < end_us, ordered by time."""
        ...


class InfluxHistorySource:
    """State history from InfluxDB, fetched one chunk (a day by default) per query."""

    def __init__(self, backend: InfluxBackend, chunk: timedelta = DEFAULT_CHUNK) -> None:
        if chunk <= timedelta(0):
            raise ValueError("chunk must be positive")
        self.backend = backend
        self._chunk_us = chunk // timedelta(microseconds=1)

    @property
    def description(self) -> str:
        """Return where the history comes from; safe to log."""
        return self.backend.description

    async def setup(self) -> None:
        """Connect and check access; raises an InfluxDBError subclass when that fails."""
        await self.backend.setup()

    async def close(self) -> None:
        """Release the backend's resources."""
        await self.backend.close()

    async def __aenter__(self) -> Self:
        await self.setup()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def fetch(
        self, start: datetime, end: datetime, entity_ids: Collection[str] | None = None
    ) -> list[NewEvent]:
        """Return the events with start <= time < end, ordered by time.

        entity_ids limits the result to those entities; None means every entity. Events at
        the same microsecond keep the order InfluxDB returned them in.
        """
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware datetimes")
        if isinstance(entity_ids, str):
            # A str is a Collection[str] too, of its characters; one id is meant.
            entity_ids = (entity_ids,)
        entities = None if entity_ids is None else group_entity_ids(entity_ids)
        start_us, end_us = to_epoch_us(start), to_epoch_us(end)
        if entities == {} or start_us >= end_us:
            return []
        events: list[NewEvent] = []
        chunk_start = start_us
        while chunk_start < end_us:
            chunk_end = min(chunk_start + self._chunk_us, end_us)
            # Chunks are consecutive and each comes back ordered, so the whole list is.
            events.extend(await self.backend.fetch_window(chunk_start, chunk_end, entities))
            chunk_start = chunk_end
        return events


def create_influx_source(
    settings: InfluxSettings,
    session: aiohttp.ClientSession,
    *,
    chunk: timedelta = DEFAULT_CHUNK,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> InfluxHistorySource:
    """Return a 2.x source when a token is set, a 1.x source when a database is set.

    The 1.x backend uses the caller's session; the 2.x backend has influxdb-client's own.
    Raises InfluxDBConfigError (also a SettingsError) for a setup that is neither.
    """
    url = settings.url
    if url is None:
        raise InfluxDBConfigError("INFLUXDB_URL is not set")
    if settings.token is not None:
        if settings.database is not None or settings.username is not None:
            raise InfluxDBConfigError(
                "INFLUXDB_TOKEN selects InfluxDB 2.x: unset INFLUXDB_DATABASE and "
                "INFLUXDB_USERNAME/INFLUXDB_PASSWORD, which are for 1.x"
            )
        if settings.org is None or settings.bucket is None:
            raise InfluxDBConfigError(
                "InfluxDB 2.x needs INFLUXDB_ORG and INFLUXDB_BUCKET beside INFLUXDB_TOKEN"
            )
        # Imported here: influxdb-client is only loaded by homes that run InfluxDB 2.x.
        from engine.influxdb.v2 import InfluxDBV2Backend  # noqa: PLC0415

        v2 = InfluxDBV2Backend(
            url, settings.token, settings.org, settings.bucket, timeout_s=timeout_s
        )
        return InfluxHistorySource(v2, chunk)
    if settings.database is not None:
        if settings.org is not None or settings.bucket is not None:
            raise InfluxDBConfigError(
                "INFLUXDB_ORG and INFLUXDB_BUCKET are for InfluxDB 2.x and need INFLUXDB_TOKEN;"
                " unset them to use INFLUXDB_DATABASE (1.x)"
            )
        if (settings.username is None) != (settings.password is None):
            raise InfluxDBConfigError(
                "Set both INFLUXDB_USERNAME and INFLUXDB_PASSWORD, or neither"
            )
        # Imported here because v1 imports this module's helpers (a cycle at import time).
        from engine.influxdb.v1 import InfluxDBV1Backend  # noqa: PLC0415

        v1 = InfluxDBV1Backend(
            session,
            url,
            settings.database,
            settings.username,
            settings.password,
            timeout_s=timeout_s,
        )
        return InfluxHistorySource(v1, chunk)
    raise InfluxDBConfigError(
        "INFLUXDB_URL is set but neither INFLUXDB_TOKEN (with INFLUXDB_ORG and "
        "INFLUXDB_BUCKET, for InfluxDB 2.x) nor INFLUXDB_DATABASE (for 1.x)"
    )
