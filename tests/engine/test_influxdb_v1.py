"""The InfluxDB 1.x source against a real influxd started for this module.

The server runs on free loopback ports with its own config and data in a temp dir, with
authentication on. Points are written in line protocol exactly as Home Assistant's influxdb
integration writes them (tags and fields sorted, floats as repr(), nanosecond times), then
read back through the source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import httpx
import pytest

from engine.errors import BadRequestError
from engine.home.event_input import to_epoch_us
from engine.influxdb.errors import (
    InfluxDBAuthError,
    InfluxDBConnectionError,
    InfluxDBNotFoundError,
    InfluxDBQueryError,
)
from engine.influxdb.source import InfluxHistorySource, create_influx_source
from engine.influxdb.v1 import CHUNK_ROWS, Handler, InfluxDBV1Backend, build_query
from engine.settings import InfluxSettings
from engine.store.events import NewEvent, Origin

from .process import free_port

START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 15.0
DATABASE = "homeassistant"
BULK_DATABASE = "bulk"
ADMIN = "admin"
# Non-ASCII and a colon: Basic auth must send UTF-8 and split at the first colon only.
PASSWORD = "pä55:wörd-do-not-leak"
READER = "reader"
READER_PASSWORD = "reader-pw-do-not-leak"
DAY = datetime(2024, 1, 15, tzinfo=UTC)
BULK_ROWS = 3 * CHUNK_ROWS + 123

CONFIG = """\
# Upstream 1.x reads reporting-disabled; Debian's build reads reporting-enabled.
reporting-disabled = true
reporting-enabled = false
# The RPC service (backup/restore): loopback, on a port of its own.
bind-address = "127.0.0.1:{rpc_port}"

[meta]
  dir = "{root}/meta"
  logging-enabled = false

[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  query-log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  auth-enabled = true
  log-enabled = false
  pprof-enabled = false

# 1.6 has no admin UI any more and ignores this section; older servers would start it.
[admin]
  enabled = false

[ifql]
  enabled = false

[logging]
  level = "warn"
  suppress-logo = true

[[graphite]]
  enabled = false

[[collectd]]
  enabled = false

[[opentsdb]]
  enabled = false

[[udp]]
  enabled = false
"""


@dataclass(frozen=True)
class InfluxServer:
    """A running influxd with Home Assistant's points in it."""

    url: str


@dataclass
class CountingSession:
    """A client session and how many requests went through it: one per query."""

    session: aiohttp.ClientSession
    count: int = 0


def at(day: int, hour: int, minute: int = 0, second: int = 0, microsecond: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, second, microsecond, tzinfo=UTC)


def _escape_key(text: str) -> str:
    return text.replace(",", r"\,").replace("=", r"\=").replace(" ", r"\ ")


def _field_value(value: float | str) -> str:
    # Home Assistant converts every number to float; influxdb-python writes repr(float).
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(float(value))


def ha_line(
    entity_id: str, measurement: str, fields: dict[str, float | str], when: datetime
) -> str:
    """One point as Home Assistant's influxdb integration writes it (influxdb-python)."""
    domain, object_id = entity_id.split(".", 1)
    tags = {"domain": domain, "entity_id": object_id}
    key = ",".join(
        [measurement.replace(",", r"\,").replace(" ", r"\ ")]
        + [f"{_escape_key(k)}={_escape_key(v)}" for k, v in sorted(tags.items())]
    )
    field_text = ",".join(f"{_escape_key(k)}={_field_value(v)}" for k, v in sorted(fields.items()))
    return f"{key} {field_text} {to_epoch_us(when) * 1000}"


# (entity, measurement, fields, time): what Home Assistant wrote for these state changes.
# On/off-style states carry `state` and a 1.0/0.0 `value`; numbers only `value`; other
# strings only `state`. Attribute fields (friendly_name_str ...) ride along.
POINTS: list[tuple[str, str, dict[str, float | str], datetime]] = [
    (
        "binary_sensor.front_door",
        "binary_sensor.front_door",
        {
            "device_class_str": "door",
            "friendly_name_str": "Front Door",
            "state": "on",
            "value": 1.0,
        },
        at(15, 6, 59, 58, 500_000),
    ),
    (
        "binary_sensor.front_door",
        "binary_sensor.front_door",
        {
            "device_class_str": "door",
            "friendly_name_str": "Front Door",
            "state": "off",
            "value": 0.0,
        },
        at(15, 7, 0, 10, 250_000),
    ),
    (
        "light.kitchen",
        "light.kitchen",
        {
            "brightness": 255.0,
            "color_mode_str": "brightness",
            "friendly_name_str": "Kitchen",
            "state": "on",
            "value": 1.0,
        },
        at(15, 7, 30, 0, 123_456),
    ),
    (
        "sensor.living_room_temperature",
        "°C",
        {
            "device_class_str": "temperature",
            "friendly_name_str": "Living Room, Temperature",
            "state_class_str": "measurement",
            "value": 21.5,
        },
        at(15, 7, 31),
    ),
    (
        "sensor.living_room_temperature",
        "°C",
        {"friendly_name_str": "Living Room, Temperature", "value": 21.0},
        at(15, 8),
    ),
    (
        "sensor.washer_status",
        "sensor.washer_status",
        {"friendly_name_str": "Washer", "state": "washing"},
        at(15, 10),
    ),
    (
        "sensor.washer_status",
        "sensor.washer_status",
        {"friendly_name_str": "Washer", "state": "idle"},
        at(15, 11, 30, 0, 1),
    ),
    ("sensor.count", "sensor.count", {"friendly_name_str": "Count", "value": 3.0}, at(15, 12)),
    # A home with default_measurement: state writes entities without a unit there.
    (
        "switch.heater",
        "state",
        {"friendly_name_str": "Heater", "state": "on", "value": 1.0},
        at(15, 13, 0, 0, 999_999),
    ),
    (
        "person.anna",
        "person.anna",
        {"friendly_name_str": "Anna", "state": "not_home", "value": 0.0},
        at(15, 18, 45),
    ),
    (
        "light.kitchen",
        "light.kitchen",
        {"friendly_name_str": "Kitchen", "state": "off", "value": 0.0},
        at(15, 22, 15),
    ),
    # Exactly midnight: in the second day's chunk only.
    (
        "light.kitchen",
        "light.kitchen",
        {"brightness": 128.0, "friendly_name_str": "Kitchen", "state": "on", "value": 1.0},
        at(16, 0),
    ),
]
# Another writer in the same database (Telegraf): no domain/entity_id tags, so not an entity.
FOREIGN_LINE = f"cpu,host=server01 usage_idle=92.5,value=3.0 {to_epoch_us(at(15, 9)) * 1000}"


def event(entity_id: str, when: datetime, state: str) -> NewEvent:
    return NewEvent(entity_id, to_epoch_us(when), state, Origin.UNKNOWN)


DAY_EVENTS = [
    event("binary_sensor.front_door", at(15, 6, 59, 58, 500_000), "on"),
    event("binary_sensor.front_door", at(15, 7, 0, 10, 250_000), "off"),
    event("light.kitchen", at(15, 7, 30, 0, 123_456), "on"),
    event("sensor.living_room_temperature", at(15, 7, 31), "21.5"),
    event("sensor.living_room_temperature", at(15, 8), "21"),
    event("sensor.washer_status", at(15, 10), "washing"),
    event("sensor.washer_status", at(15, 11, 30, 0, 1), "idle"),
    event("sensor.count", at(15, 12), "3"),
    event("switch.heater", at(15, 13, 0, 0, 999_999), "on"),
    event("person.anna", at(15, 18, 45), "not_home"),
    event("light.kitchen", at(15, 22, 15), "off"),
]
MIDNIGHT_EVENT = event("light.kitchen", at(16, 0), "on")


def _influxd_binary() -> str:
    """Return influxd; scripts/setup installs Debian's influxdb package for it."""
    found = shutil.which("influxd")
    if found is None:
        pytest.fail("influxd is missing: run ./scripts/setup (it installs Debian's influxdb)")
    return found


def _two_free_ports() -> tuple[int, int]:
    first = free_port()
    second = free_port()
    while second == first:
        second = free_port()
    return first, second


def _wait_for_ping(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"influxd exited with {process.returncode}: {log.read_text()}")
        try:
            if httpx.get(f"{url}/ping", timeout=1).status_code == 204:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.01)  # poll interval, bounded by the deadline
    raise TimeoutError(f"influxd did not answer /ping in {START_DEADLINE_S} s: {log.read_text()}")


def _admin_query(client: httpx.Client, query: str, auth: tuple[str, str] | None) -> None:
    response = client.post("/query", data={"q": query}, auth=auth or httpx.USE_CLIENT_DEFAULT)
    response.raise_for_status()
    assert "error" not in response.text, response.text


def _write(client: httpx.Client, database: str, lines: list[str]) -> None:
    response = client.post(
        "/write",
        params={"db": database},
        content="\n".join(lines).encode(),
        auth=(ADMIN, PASSWORD),
    )
    assert response.status_code == 204, response.text


def _bulk_lines() -> list[str]:
    """Three busy power sensors on 2024-01-20, together more rows than one streamed object."""
    return [
        ha_line(
            f"sensor.power_{index % 3}",
            "W",
            {"value": (index % 1000) / 4},
            at(20, 0) + timedelta(seconds=index, microseconds=index % 3),
        )
        for index in range(BULK_ROWS)
    ]


def _bootstrap(url: str) -> None:
    """Create the admin (allowed without auth only while no user exists), data and reader."""
    with httpx.Client(base_url=url, timeout=30) as client:
        _admin_query(
            client, f"CREATE USER {ADMIN} WITH PASSWORD '{PASSWORD}' WITH ALL PRIVILEGES", None
        )
        admin = (ADMIN, PASSWORD)
        for statement in (
            f"CREATE DATABASE {DATABASE}",
            f"CREATE DATABASE {BULK_DATABASE}",
            "CREATE DATABASE other",
            f"CREATE USER {READER} WITH PASSWORD '{READER_PASSWORD}'",
            f"GRANT READ ON {DATABASE} TO {READER}",
        ):
            _admin_query(client, statement, admin)
        _write(client, DATABASE, [*(ha_line(*point) for point in POINTS), FOREIGN_LINE])
        _write(client, BULK_DATABASE, _bulk_lines())


@pytest.fixture(scope="module")
def influxd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    """A real influxd with auth on and Home Assistant's points written; stopped afterwards."""
    binary = _influxd_binary()
    root = tmp_path_factory.mktemp("influxd")
    http_port, rpc_port = _two_free_ports()
    config = root / "influxdb.conf"
    config.write_text(CONFIG.format(root=root, http_port=http_port, rpc_port=rpc_port))
    log = root / "influxd.log"
    url = f"http://127.0.0.1:{http_port}"
    # influxd reads INFLUXDB_* variables as config overrides; HomeIQ's INFLUXDB_* are not that.
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFLUXDB_")}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [binary, "run", "-config", str(config)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=root,
        )
        try:
            _wait_for_ping(process, url, log)
            _bootstrap(url)
            yield InfluxServer(url=url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_DEADLINE_S)


@pytest.fixture
async def requests_made() -> AsyncIterator[CountingSession]:
    """A session that counts its requests: each chunk of a window is one query."""
    counting: CountingSession | None = None
    trace = aiohttp.TraceConfig()

    async def on_request_start(*_args: object) -> None:
        assert counting is not None
        counting.count += 1

    # The session freezes its trace configs, so the hook goes in first.
    trace.on_request_start.append(on_request_start)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        counting = CountingSession(session)
        yield counting


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def v1_source(
    url: str,
    session: aiohttp.ClientSession,
    *,
    database: str = DATABASE,
    username: str | None = ADMIN,
    password: str | None = PASSWORD,
    chunk: timedelta = timedelta(days=1),
) -> InfluxHistorySource:
    settings = InfluxSettings(url=url, database=database, username=username, password=password)
    return create_influx_source(settings, session, chunk=chunk)


async def test_fetch_returns_home_assistant_history(
    influxd: InfluxServer, session: aiohttp.ClientSession
) -> None:
    async with v1_source(influxd.url, session) as source:
        events = await source.fetch(DAY, DAY + timedelta(days=1))
    assert events == DAY_EVENTS


async def test_fetch_filters_entities(
    influxd: InfluxServer, session: aiohttp.ClientSession
) -> None:
    async with v1_source(influxd.url, session) as source:
        events = await source.fetch(
            DAY,
            DAY + timedelta(days=1),
            ["light.kitchen", "sensor.living_room_temperature", "sensor.not_there"],
        )
    assert events == [
        event("light.kitchen", at(15, 7, 30, 0, 123_456), "on"),
        event("sensor.living_room_temperature", at(15, 7, 31), "21.5"),
        event("sensor.living_room_temperature", at(15, 8), "21"),
        event("light.kitchen", at(15, 22, 15), "off"),
    ]
    # One id given as a plain string means that entity, not its characters.
    async with v1_source(influxd.url, session) as source:
        assert await source.fetch(DAY, DAY + timedelta(days=1), "sensor.count") == [
            event("sensor.count", at(15, 12), "3")
        ]


async def test_fetch_pages_through_the_window_one_day_per_query(
    influxd: InfluxServer, requests_made: CountingSession
) -> None:
    source = v1_source(influxd.url, requests_made.session)
    events = await source.fetch(DAY, DAY + timedelta(days=2))
    # Half-open chunks: the midnight point comes back once, from the second day's query.
    assert events == [*DAY_EVENTS, MIDNIGHT_EVENT]
    assert requests_made.count == 2

    # Chunks start at the window's start; the last one is short. The start is included
    # to the microsecond, the end excluded.
    requests_made.count = 0
    events = await source.fetch(at(15, 7, 30, 0, 123_456), at(16, 12))
    assert events == [*DAY_EVENTS[2:], MIDNIGHT_EVENT]
    assert requests_made.count == 2
    assert await source.fetch(DAY, at(15, 22, 15)) == DAY_EVENTS[:-1]


async def test_a_window_without_data_is_empty(
    influxd: InfluxServer, requests_made: CountingSession
) -> None:
    source = v1_source(influxd.url, requests_made.session)
    assert await source.fetch(at(1, 0), at(2, 0)) == []
    assert await source.fetch(DAY, DAY + timedelta(days=1), ["light.nowhere"]) == []
    assert requests_made.count == 2
    # Empty windows and an empty entity list need no query at all.
    assert await source.fetch(DAY, DAY) == []
    assert await source.fetch(DAY, DAY + timedelta(days=1), []) == []
    assert requests_made.count == 2


async def test_many_rows_stream_in_several_objects(
    influxd: InfluxServer, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More rows than CHUNK_ROWS: the answer comes as several JSON objects, each larger
    # than aiohttp's 128 KiB line limit; all must arrive, in time order.
    sizes: list[int] = []
    handle_object = InfluxDBV1Backend._handle_object

    def spy(backend: InfluxDBV1Backend, raw: bytearray, handle: Handler) -> None:
        sizes.append(len(raw))
        handle_object(backend, raw, handle)

    monkeypatch.setattr(InfluxDBV1Backend, "_handle_object", spy)
    source = v1_source(influxd.url, session, database=BULK_DATABASE)
    events = await source.fetch(at(20, 0), at(21, 0))
    assert len(sizes) >= 4
    assert max(sizes) > 128 * 1024
    assert len(events) == BULK_ROWS
    times = [item.time_us for item in events]
    assert times == sorted(times)
    assert events[0] == event("sensor.power_0", at(20, 0), "0")
    assert events[5] == event("sensor.power_2", at(20, 0, 0, 5, 2), "1.25")
    assert {item.entity_id for item in events} == {f"sensor.power_{i}" for i in range(3)}


async def test_a_reader_with_read_access_is_enough(
    influxd: InfluxServer, session: aiohttp.ClientSession
) -> None:
    source = v1_source(influxd.url, session, username=READER, password=READER_PASSWORD)
    await source.setup()
    assert await source.fetch(DAY, DAY + timedelta(days=1)) == DAY_EVENTS


async def test_a_wrong_password_raises_the_auth_error(
    influxd: InfluxServer, session: aiohttp.ClientSession
) -> None:
    wrong = "wrong-password-do-not-leak"
    source = v1_source(influxd.url, session, password=wrong)
    with pytest.raises(InfluxDBAuthError, match="rejected the username or password") as caught:
        await source.setup()
    with pytest.raises(InfluxDBAuthError):
        await source.fetch(DAY, DAY + timedelta(days=1))
    assert wrong not in str(caught.value)
    assert caught.value.status == 502


async def test_missing_credentials_raise_the_auth_error(
    influxd: InfluxServer, session: aiohttp.ClientSession
) -> None:
    source = v1_source(influxd.url, session, username=None, password=None)
    with pytest.raises(InfluxDBAuthError, match="HTTP 401"):
        await source.setup()


async def test_a_database_the_user_may_not_read_raises_the_auth_error(
    influxd: InfluxServer, session: aiohttp.ClientSession
) -> None:
    source = v1_source(
        influxd.url, session, database="other", username=READER, password=READER_PASSWORD
    )
    with pytest.raises(InfluxDBAuthError, match="does not let this user read database 'other'"):
        await source.setup()


async def test_a_missing_database_raises_not_found(
    influxd: InfluxServer, session: aiohttp.ClientSession
) -> None:
    source = v1_source(influxd.url, session, database="home_assistant_typo")
    with pytest.raises(
        InfluxDBNotFoundError, match="'home_assistant_typo' does not exist"
    ) as caught:
        await source.setup()
    assert isinstance(caught.value, InfluxDBQueryError)
    assert PASSWORD not in str(caught.value)
    with pytest.raises(InfluxDBNotFoundError):
        await source.fetch(DAY, DAY + timedelta(days=1))


async def test_an_unreachable_server_raises_the_connection_error(
    session: aiohttp.ClientSession,
) -> None:
    source = v1_source(f"http://127.0.0.1:{free_port()}", session)
    with pytest.raises(InfluxDBConnectionError, match="Cannot reach InfluxDB") as caught:
        await source.setup()
    assert PASSWORD not in str(caught.value)
    assert caught.value.status == 503


async def test_invalid_arguments_are_refused_before_any_query(
    requests_made: CountingSession,
) -> None:
    source = v1_source("http://127.0.0.1:9", requests_made.session)
    with pytest.raises(BadRequestError, match="Not a valid entity id"):
        await source.fetch(DAY, DAY + timedelta(days=1), ["light.kitchen' OR '1'='1"])
    with pytest.raises(ValueError, match="timezone-aware"):
        await source.fetch(datetime(2024, 1, 15), datetime(2024, 1, 16))
    assert requests_made.count == 0


def test_the_query_text() -> None:
    start = to_epoch_us(DAY)
    end = start + 86_400_000_000
    assert build_query(start, end, {"light": ["hall", "kitchen"], "sensor": ["count"]}) == (
        'SELECT "state", "value" FROM /.*/ WHERE time >= 1705276800000000000 '
        "AND time < 1705363200000000000 AND "
        "((\"domain\" = 'light' AND (\"entity_id\" = 'hall' OR \"entity_id\" = 'kitchen')) OR "
        "(\"domain\" = 'sensor' AND (\"entity_id\" = 'count'))) "
        'GROUP BY "domain", "entity_id"'
    )
