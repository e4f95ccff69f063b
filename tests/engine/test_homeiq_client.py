"""The integration's API client against a real in-process engine (no Home Assistant needed)."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from custom_components.homeiq import api
from custom_components.homeiq.api import (
    HomeIQAuthError,
    HomeIQClient,
    HomeIQConflictError,
    HomeIQConnectionError,
    HomeIQError,
    HomeIQInvalidResponseError,
    HomeIQNotFoundError,
    HomeIQResponseError,
    HomeIQTimeoutError,
    HomeIQUnavailableError,
    HomeIQUnprocessableError,
    HomeIQUnsupportedVersionError,
)
from engine import __version__
from engine.keys import INSTANCE_ID
from tests.engine.test_suggestions_api import HOME

from .conftest import AUTH, TOKEN, Client


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session the test owns, as Home Assistant owns the integration's."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def homeiq(client: Client, session: aiohttp.ClientSession) -> HomeIQClient:
    """The integration's client pointed at the real engine, with the right token."""
    return HomeIQClient(str(client.make_url("")), TOKEN, session, backoff=0)


async def _serve(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> TestServer:
    """Start a stand-in server for answers a healthy engine never gives."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = TestServer(app)
    await server.start_server()
    return server


def _closed_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_info_and_validate_read_the_engines_version_and_instance_id(
    client: Client, homeiq: HomeIQClient
) -> None:
    info = await homeiq.get_info()
    assert info.version == __version__
    assert info.instance_id == client.app[INSTANCE_ID]
    assert await homeiq.validate() == info


async def test_a_wrong_token_fails_validation_and_never_appears_in_errors_or_logs(
    client: Client, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "wrong-token-must-not-leak-42"
    wrong = HomeIQClient(str(client.make_url("")), secret, session)
    # /health is open, so the info still reads; the authed check is what refuses.
    assert (await wrong.get_info()).instance_id == client.app[INSTANCE_ID]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(HomeIQAuthError) as raised:
        await wrong.validate()
    assert secret not in str(raised.value)
    assert secret not in repr(wrong)
    assert secret not in caplog.text
    assert TOKEN not in repr(HomeIQClient("http://engine:8025", TOKEN, session))


async def test_an_older_engine_is_unsupported(
    homeiq: HomeIQClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "MIN_ENGINE_VERSION", (99, 0, 0))
    with pytest.raises(HomeIQUnsupportedVersionError) as raised:
        await homeiq.validate()
    assert raised.value.version == __version__
    assert raised.value.minimum == "99.0.0"


@pytest.mark.parametrize(
    ("version", "supported"),
    [("0.1.0", True), ("0.1", True), ("1.2.3.dev4", True), ("0.0.9", False), ("dev", False)],
)
def test_version_support(version: str, supported: bool) -> None:
    assert api.is_supported(version) is supported


async def test_stats(homeiq: HomeIQClient) -> None:
    stats = await homeiq.get_stats()
    assert stats["events_total"] == 0
    assert {"hits", "misses", "hit_rate", "entries"} <= stats["cache"].keys()


async def test_suggestions_from_a_query_are_listed_approved_and_rejected(
    client: Client, homeiq: HomeIQClient
) -> None:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    query = await homeiq.ask("every day at 7 turn on the hall light")
    assert (query["status"], query["kind"]) == ("ready", "automation"), query
    [suggestion] = query["suggestions"]
    page = await homeiq.list_suggestions(status="pending", min_score=0.0, limit=10)
    assert [item["id"] for item in page["suggestions"]] == [suggestion["id"]]
    assert page["next_cursor"] is None
    assert (await homeiq.get_suggestion(suggestion["id"]))["title"] == suggestion["title"]
    # Without Home Assistant the engine cannot deploy: the envelope's 503 maps to its error.
    with pytest.raises(HomeIQUnavailableError) as raised:
        await homeiq.approve_suggestion(suggestion["id"])
    assert (raised.value.status, raised.value.code) == (503, "ha_unavailable")
    approved = await homeiq.approve_suggestion(suggestion["id"], deploy=False)
    assert (approved["suggestion"]["status"], approved["deployment"]) == ("approved", None)

    other = (await homeiq.ask("every day at 8 turn off the hall light"))["suggestions"][0]
    rejected = await homeiq.reject_suggestion(other["id"], "not at eight")
    assert rejected["suggestion"]["status"] == "rejected"
    with pytest.raises(HomeIQConflictError):
        await homeiq.reject_suggestion(other["id"])


async def test_refine_answers_a_querys_question(client: Client, homeiq: HomeIQClient) -> None:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200
    query = await homeiq.ask("every day turn on the hall light", area_id="hall")
    assert query["status"] == "needs_clarification", query
    assert [question["id"] for question in query["clarifications"]] == ["time"]
    refined = await homeiq.refine(query["query_id"], {"time": "07:00"})
    assert (refined["query_id"], refined["status"]) == (query["query_id"], "ready")
    with pytest.raises(HomeIQConflictError):
        await homeiq.refine(query["query_id"], {"time": "07:00"}, text="again")
    with pytest.raises(HomeIQNotFoundError):
        await homeiq.refine("no-such-query", {"time": "07:00"})


async def test_a_suggestion_that_needs_confirmation_is_unprocessable(
    client: Client, homeiq: HomeIQClient
) -> None:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200
    query = await homeiq.ask("every day at 23:00 lock the front lock")
    [suggestion] = query["suggestions"]
    assert suggestion["requires_confirmation"]
    with pytest.raises(HomeIQUnprocessableError):
        await homeiq.approve_suggestion(suggestion["id"], deploy=False)


async def test_generate_analysis_and_training_are_queued(homeiq: HomeIQClient) -> None:
    assert (await homeiq.generate_suggestions(limit=5))["generated"] == 0
    run = await homeiq.run_analysis(days=7)
    assert run["status"] == "queued"
    assert run["run_id"]
    training = await homeiq.start_training("home_type_classifier", {})
    assert training["status"] == "queued"
    assert training["run_id"]


@pytest.mark.parametrize(
    "call",
    [
        lambda homeiq: homeiq.get_suggestion("missing"),
        lambda homeiq: homeiq.approve_suggestion("missing"),
        lambda homeiq: homeiq.reject_suggestion("missing"),
        lambda homeiq: homeiq.rollback("missing", 1),
        lambda homeiq: homeiq.start_training("no_such_model"),
    ],
)
async def test_unknown_ids_are_not_found(homeiq: HomeIQClient, call: Any) -> None:
    with pytest.raises(HomeIQNotFoundError) as raised:
        await call(homeiq)
    assert raised.value.status == 404
    assert raised.value.code == "not_found"
    assert raised.value.message


async def test_a_refused_connection_is_retried_with_backoff_then_raised(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr("custom_components.homeiq.api.asyncio.sleep", record)
    homeiq = HomeIQClient(f"http://127.0.0.1:{_closed_port()}", TOKEN, session, backoff=0.5)
    with pytest.raises(HomeIQConnectionError) as raised:
        await homeiq.run_analysis()
    assert not isinstance(raised.value, HomeIQTimeoutError)
    assert delays == [0.5, 1.0]
    assert TOKEN not in str(raised.value)


async def test_a_slow_engine_times_out_without_retry(session: aiohttp.ClientSession) -> None:
    calls = 0

    async def slow(_request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(1)
        return web.json_response({})

    server = await _serve(slow)
    try:
        homeiq = HomeIQClient(str(server.make_url("")), TOKEN, session, request_timeout=0.05)
        with pytest.raises(HomeIQTimeoutError):
            await homeiq.get_info()
    finally:
        await server.close()
    assert calls == 1


async def test_a_dropped_connection_is_retried_for_reads_only() -> None:
    calls: list[str] = []

    async def drop(request: web.Request) -> web.Response:
        calls.append(request.method)
        assert request.transport is not None
        request.transport.close()
        return web.json_response({})

    server = await _serve(drop)
    try:
        async with aiohttp.ClientSession() as session:
            homeiq = HomeIQClient(str(server.make_url("")), TOKEN, session, backoff=0)
            with pytest.raises(HomeIQConnectionError):
                await homeiq.get_stats()
            # Three attempts of the client's, each of which aiohttp itself resends once.
            assert calls == ["GET"] * 6
            calls.clear()
            with pytest.raises(HomeIQConnectionError):
                await homeiq.run_analysis()
            # The request may have reached the engine: sending it again could queue a second run.
            assert calls == ["POST"]
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("status", "body", "content_type", "error"),
    [
        (200, "<html>proxy login</html>", "text/html", HomeIQInvalidResponseError),
        (200, "[1, 2]", "application/json", HomeIQInvalidResponseError),
        (200, "{not json", "application/json", HomeIQInvalidResponseError),
        (200, '{"status": "ok"}', "application/json", HomeIQInvalidResponseError),
        (502, "<html>Bad gateway</html>", "text/html", HomeIQConnectionError),
        (500, "oops", "text/plain", HomeIQInvalidResponseError),
        (401, "", "text/plain", HomeIQAuthError),
        (
            500,
            '{"error": {"code": "internal", "message": "Internal error"}}',
            "application/json",
            HomeIQResponseError,
        ),
        (
            418,
            '{"error": {"code": "teapot", "message": "Short and stout", "details": []}}',
            "application/json",
            HomeIQResponseError,
        ),
    ],
)
async def test_answers_outside_the_contract_map_to_errors(
    session: aiohttp.ClientSession,
    status: int,
    body: str,
    content_type: str,
    error: type[HomeIQError],
) -> None:
    async def answer(_request: web.Request) -> web.Response:
        return web.Response(status=status, text=body, content_type=content_type)

    server = await _serve(answer)
    try:
        homeiq = HomeIQClient(str(server.make_url("")), TOKEN, session, retries=0)
        with pytest.raises(error) as raised:
            await homeiq.get_info()
    finally:
        await server.close()
    assert type(raised.value) is error
    if isinstance(raised.value, HomeIQResponseError):
        assert raised.value.details == {}


async def test_a_malformed_url_cannot_connect(session: aiohttp.ClientSession) -> None:
    with pytest.raises(HomeIQConnectionError):
        await HomeIQClient("not a url", TOKEN, session, retries=0).get_info()
