"""The InfluxDB 2.x source against captured /api/v2/query answers served on loopback.

No 2.x server runs here, so a small aiohttp server replays annotated CSV in the exact
format InfluxDB 2.x sends (tests/engine/fixtures/influxdb_v2) and records what the real
influxdb-client sent: the Flux text, the org and the token header. Also covers the
factory's choice between 1.x and 2.x and its configuration errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from engine.errors import BadRequestError, SettingsError
from engine.home.event_input import to_epoch_us
from engine.influxdb.errors import (
    InfluxDBAuthError,
    InfluxDBConfigError,
    InfluxDBConnectionError,
    InfluxDBNotFoundError,
    InfluxDBQueryError,
)
from engine.influxdb.source import InfluxHistorySource, create_influx_source, format_number
from engine.influxdb.v1 import InfluxDBV1Backend
from engine.influxdb.v2 import InfluxDBV2Backend, build_flux, flux_string
from engine.settings import InfluxSettings
from engine.store.events import NewEvent, Origin

from .process import free_port

FIXTURES = Path(__file__).parent / "fixtures" / "influxdb_v2"
TOKEN = "v2-token-do-not-leak-0123456789"
ORG = "home"
BUCKET = "homeassistant"
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
DAY = datetime(2024, 1, 15, tzinfo=UTC)

PROBE_FLUX = (
    'buckets()\n  |> filter(fn: (r) => r.name == "homeassistant")\n  |> keep(columns: ["name"])'
)
DAY_FLUX = (
    'from(bucket: "homeassistant")\n'
    "  |> range(start: 2024-01-15T00:00:00Z, stop: 2024-01-16T00:00:00Z)\n"
    '  |> filter(fn: (r) => r._field == "state" or r._field == "value")\n'
    '  |> filter(fn: (r) => r.entity_id != "")'
)


def at(hour: int, minute: int = 0, second: int = 0, microsecond: int = 0) -> int:
    """Epoch microseconds of a time on 2024-01-15 UTC."""
    moment = DAY.replace(hour=hour, minute=minute, second=second, microsecond=microsecond)
    return to_epoch_us(moment)


def event(entity_id: str, time_us: int, state: str) -> NewEvent:
    return NewEvent(entity_id, time_us, state, Origin.UNKNOWN)


# What history_2024-01-15.csv holds, as HomeIQ events: `state` strings win over the
# 1.0/0.0 `value` Home Assistant also writes for on/off; numbers become "21", "21.5".
DAY_EVENTS = [
    event("binary_sensor.front_door", at(6, 59, 58, 500_000), "on"),
    event("binary_sensor.front_door", at(7, 0, 10, 250_000), "off"),
    event("light.kitchen", at(7, 30, 0, 123_456), "on"),
    event("sensor.living_room_temperature", at(7, 31), "21.5"),
    event("sensor.living_room_temperature", at(8), "21"),
    event("sensor.living_room_temperature", at(9, 0, 0, 500_000), "20.75"),
    event("sensor.washer_status", at(10), "washing"),
    event("sensor.washer_status", at(11, 30, 0, 1), "idle"),
    event("sensor.count", at(12), "3"),
    event("light.kitchen", at(22, 15), "off"),
]


@dataclass
class Answer:
    """One canned HTTP answer."""

    status: int
    body: bytes
    content_type: str = CSV_TYPE


@dataclass
class FakeInflux:
    """What the fake /api/v2/query received, and what it answers next (in order)."""

    url: str
    answers: list[Answer] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def queue_csv(self, *names: str) -> None:
        for name in names:
            self.answers.append(Answer(200, (FIXTURES / name).read_bytes()))

    def queue_error(self, status: int, code: str, message: str) -> None:
        body = orjson.dumps({"code": code, "message": message})
        self.answers.append(Answer(status, body, JSON_TYPE))

    @property
    def fluxes(self) -> list[str]:
        return [str(request["body"]["query"]) for request in self.requests]


@pytest.fixture
async def influx(aiohttp_server: AiohttpServer) -> FakeInflux:
    fake = FakeInflux(url="")

    async def query(request: web.Request) -> web.Response:
        fake.requests.append(
            {
                "path": request.path,
                "org": request.query.get("org"),
                "authorization": request.headers.get("Authorization"),
                "body": orjson.loads(await request.read()),
            }
        )
        if not fake.answers:
            return web.Response(status=500, text="no answer queued")
        answer = fake.answers.pop(0)
        # The headers InfluxDB 2.x sends with a query answer.
        headers = {"X-Influxdb-Build": "OSS", "X-Influxdb-Version": "v2.7.11"}
        return web.Response(
            status=answer.status,
            body=answer.body,
            headers={**headers, "Content-Type": answer.content_type},
        )

    app = web.Application()
    app.router.add_post("/api/v2/query", query)
    server = await aiohttp_server(app)
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def v2_source(
    url: str, session: aiohttp.ClientSession, chunk: timedelta = timedelta(days=1)
) -> InfluxHistorySource:
    settings = InfluxSettings(url=url, token=TOKEN, org=ORG, bucket=BUCKET)
    return create_influx_source(settings, session, chunk=chunk)


async def test_fetch_reads_the_annotated_csv_back_into_events(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    influx.queue_csv("bucket_found.csv", "history_2024-01-15.csv")
    async with v2_source(influx.url, session) as source:
        events = await source.fetch(DAY, DAY + timedelta(days=1))

    assert events == DAY_EVENTS
    assert influx.fluxes == [PROBE_FLUX, DAY_FLUX]
    for request in influx.requests:
        assert request["path"] == "/api/v2/query"
        assert request["org"] == ORG
        assert request["authorization"] == f"Token {TOKEN}"
        # The dialect influxdb-client asks for, and that the fixtures are written in.
        assert request["body"]["dialect"]["annotations"] == ["datatype", "group", "default"]
        assert request["body"]["dialect"]["header"] is True


async def test_fetch_filters_entities_in_the_query(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    influx.queue_csv("bucket_found.csv", "history_light_kitchen.csv")
    async with v2_source(influx.url, session) as source:
        events = await source.fetch(
            DAY, DAY + timedelta(days=1), ["light.kitchen", "light.hall", "sensor.count"]
        )

    assert events == [
        event("light.kitchen", at(7, 30, 0, 123_456), "on"),
        event("light.kitchen", at(22, 15), "off"),
    ]
    assert influx.fluxes[1] == (
        'from(bucket: "homeassistant")\n'
        "  |> range(start: 2024-01-15T00:00:00Z, stop: 2024-01-16T00:00:00Z)\n"
        '  |> filter(fn: (r) => r._field == "state" or r._field == "value")\n'
        '  |> filter(fn: (r) => (r.domain == "light" and (r.entity_id == "hall" or '
        'r.entity_id == "kitchen")) or (r.domain == "sensor" and (r.entity_id == "count")))'
    )


async def test_fetch_pages_through_the_window_one_day_per_query(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    influx.queue_csv("bucket_found.csv", "history_2024-01-15.csv", "history_2024-01-16.csv")
    async with v2_source(influx.url, session) as source:
        events = await source.fetch(DAY, DAY + timedelta(days=1, hours=12))

    # The point at exactly midnight belongs to the second chunk only (ranges are half-open).
    assert events == [*DAY_EVENTS, event("light.kitchen", at(0) + 86_400_000_000, "on")]
    assert [flux.splitlines()[1] for flux in influx.fluxes[1:]] == [
        "  |> range(start: 2024-01-15T00:00:00Z, stop: 2024-01-16T00:00:00Z)",
        "  |> range(start: 2024-01-16T00:00:00Z, stop: 2024-01-16T12:00:00Z)",
    ]


async def test_window_bounds_keep_their_microseconds(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    influx.queue_csv("bucket_found.csv", "empty.csv")
    start = DAY.replace(hour=6, microsecond=250)
    async with v2_source(influx.url, session) as source:
        assert await source.fetch(start, start + timedelta(minutes=1, microseconds=1)) == []

    assert influx.fluxes[1].splitlines()[1] == (
        "  |> range(start: 2024-01-15T06:00:00.000250Z, stop: 2024-01-15T06:01:00.000251Z)"
    )


async def test_a_window_without_data_is_empty(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    influx.queue_csv("bucket_found.csv", "empty.csv")
    async with v2_source(influx.url, session) as source:
        assert await source.fetch(DAY, DAY + timedelta(hours=1)) == []
        # An empty or reversed window, or no entities, needs no query at all.
        assert await source.fetch(DAY, DAY) == []
        assert await source.fetch(DAY, DAY - timedelta(hours=1)) == []
        assert await source.fetch(DAY, DAY + timedelta(hours=1), []) == []
    assert len(influx.requests) == 2


async def test_a_bad_token_raises_the_auth_error(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    influx.queue_error(401, "unauthorized", "unauthorized access")
    source = v2_source(influx.url, session)
    with pytest.raises(InfluxDBAuthError, match="rejected the token") as caught:
        await source.setup()
    assert TOKEN not in str(caught.value)
    assert caught.value.status == 502
    await source.close()


async def test_a_missing_bucket_raises_not_found(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    # buckets() answers with no table when the bucket does not exist.
    influx.queue_csv("empty.csv")
    source = v2_source(influx.url, session)
    with pytest.raises(InfluxDBNotFoundError, match="bucket 'homeassistant' does not exist"):
        await source.setup()


async def test_a_bucket_deleted_after_setup_raises_not_found(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    influx.queue_csv("bucket_found.csv")
    influx.queue_error(
        404,
        "not found",
        'failed to initialize execute state: could not find bucket "homeassistant"',
    )
    async with v2_source(influx.url, session) as source:
        with pytest.raises(InfluxDBNotFoundError, match='could not find bucket "homeassistant"'):
            await source.fetch(DAY, DAY + timedelta(hours=1))


async def test_a_rejected_query_raises_the_query_error(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    influx.queue_csv("bucket_found.csv")
    influx.queue_error(400, "invalid", "compilation failed: error @2:6-2:11: undefined identifier")
    influx.queue_csv("query_error.csv")
    async with v2_source(influx.url, session) as source:
        with pytest.raises(InfluxDBQueryError, match="HTTP 400: compilation failed"):
            await source.fetch(DAY, DAY + timedelta(hours=1))
        # An error the server only hits while streaming comes as an error table in the CSV.
        with pytest.raises(InfluxDBQueryError, match="memory allocation limit reached"):
            await source.fetch(DAY, DAY + timedelta(hours=1))


async def test_an_unreachable_server_raises_the_connection_error(
    session: aiohttp.ClientSession,
) -> None:
    source = v2_source(f"http://127.0.0.1:{free_port()}", session)
    with pytest.raises(InfluxDBConnectionError, match="Cannot reach InfluxDB") as caught:
        await source.setup()
    assert TOKEN not in str(caught.value)
    assert caught.value.status == 503


async def test_invalid_arguments_are_refused_before_any_query(
    influx: FakeInflux, session: aiohttp.ClientSession
) -> None:
    influx.queue_csv("bucket_found.csv")
    async with v2_source(influx.url, session) as source:
        with pytest.raises(BadRequestError, match="Not a valid entity id"):
            await source.fetch(DAY, DAY + timedelta(hours=1), ['light.x") or (r._field != "'])
        with pytest.raises(ValueError, match="timezone-aware"):
            await source.fetch(datetime(2024, 1, 15), datetime(2024, 1, 16))
    assert len(influx.requests) == 1


async def test_without_aiocsv_setup_says_what_to_install(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("engine.influxdb.v2.find_spec", lambda _name: None)
    with pytest.raises(InfluxDBConfigError, match=r"influxdb-client\[async\]"):
        await v2_source("http://127.0.0.1:9", session).setup()


async def test_fetch_before_setup_is_a_programming_error(session: aiohttp.ClientSession) -> None:
    source = v2_source("http://127.0.0.1:9", session)
    with pytest.raises(RuntimeError, match="setup"):
        await source.fetch(DAY, DAY + timedelta(hours=1))


def test_flux_strings_are_escaped() -> None:
    assert flux_string('my "bucket" ${x} \\') == '"my \\"bucket\\" \\${x} \\\\"'
    flux = build_flux('a"b', to_epoch_us(DAY), to_epoch_us(DAY) + 1, None)
    assert flux.splitlines()[0] == 'from(bucket: "a\\"b")'


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (21.5, "21.5"),
        (21.0, "21"),
        (21, "21"),
        (-3.0, "-3"),
        (0.1, "0.1"),
        (1234567.891, "1234567.891"),
        (1e20, "1e+20"),
        (-0.0, "0"),
    ],
)
def test_numbers_become_state_strings(value: float, state: str) -> None:
    assert format_number(value) == state


async def test_factory_picks_the_backend_by_settings(session: aiohttp.ClientSession) -> None:
    v2 = create_influx_source(
        InfluxSettings(url="http://h:8086", token=TOKEN, org=ORG, bucket=BUCKET), session
    )
    assert isinstance(v2.backend, InfluxDBV2Backend)
    assert v2.description == "InfluxDB 2.x at http://h:8086, org 'home', bucket 'homeassistant'"
    v1 = create_influx_source(
        InfluxSettings(
            url="http://user:pw@h:8086", database="ha", username="ha", password="pw-secret"
        ),
        session,
    )
    assert isinstance(v1.backend, InfluxDBV1Backend)
    assert v1.description == "InfluxDB 1.x at http://h:8086, database 'ha'"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (InfluxSettings(), "INFLUXDB_URL is not set"),
        (InfluxSettings(url="http://h:8086"), "neither INFLUXDB_TOKEN"),
        (InfluxSettings(url="http://h:8086", token=TOKEN, org=ORG), "INFLUXDB_BUCKET"),
        (InfluxSettings(url="http://h:8086", token=TOKEN, bucket=BUCKET), "INFLUXDB_ORG"),
        (
            InfluxSettings(url="http://h:8086", token=TOKEN, org=ORG, bucket=BUCKET, database="x"),
            "INFLUXDB_TOKEN selects InfluxDB 2.x",
        ),
        (InfluxSettings(url="http://h:8086", database="ha", bucket=BUCKET), "need INFLUXDB_TOKEN"),
        (InfluxSettings(url="http://h:8086", database="ha", username="u"), "both"),
        (InfluxSettings(url="http://h:8086", database="ha", password="p-secret"), "both"),
    ],
)
async def test_factory_refuses_unclear_settings(
    settings: InfluxSettings, message: str, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(InfluxDBConfigError, match=message) as caught:
        create_influx_source(settings, session)
    # Start-up reports it like every other configuration error.
    assert isinstance(caught.value, SettingsError)
    for secret in (TOKEN, "p-secret"):
        assert secret not in str(caught.value)
