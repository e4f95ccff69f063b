"""The push stream: authenticated WebSocket, engine events as they happen, closed on stop."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from engine.app import create_app
from engine.keys import STREAM
from engine.settings import Settings
from engine.stream import CLIENT_BACKLOG, StreamHub
from engine.training.registry import TRAINING_TYPES

from .conftest import AUTH, Client, ClientFactory

DEADLINE_S = 60


async def _next_of(socket: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    """Return the next message of a type, skipping others."""
    async with asyncio.timeout(DEADLINE_S):
        while True:
            message = await socket.receive_json()
            if message["type"] == kind:
                return message  # type: ignore[no-any-return]


async def test_the_stream_needs_the_token_and_a_websocket(client: Client) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/api/v1/stream")
    assert refused.value.status == 401
    plain = await client.get("/api/v1/stream", headers=AUTH)
    assert plain.status == 400
    assert (await plain.json())["error"]["code"] == "bad_request"


async def test_a_plain_request_gets_the_full_error_envelope(client: Client) -> None:
    plain = await client.get("/api/v1/stream", headers=AUTH)
    assert plain.status == 400
    error = (await plain.json())["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == "bad_request"
    assert error["details"] == {"upgrade": "websocket"}


async def test_analysis_and_training_runs_are_announced(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TRAINING_TYPES, "test_steps", "tests.engine.training_types:STEPS")
    socket = await client.ws_connect("/api/v1/stream", headers=AUTH)
    response = await client.post("/api/v1/analysis/run", json={}, headers=AUTH)
    run_id = (await response.json())["run_id"]
    completed = await _next_of(socket, "analysis_completed")
    assert completed["data"]["run_id"] == run_id
    assert completed["data"]["status"] == "succeeded"
    assert completed["data"]["stats"]["patterns"] == 0

    response = await client.post("/api/v1/training/test_steps", json={}, headers=AUTH)
    run_id = (await response.json())["run_id"]
    statuses: list[str] = []
    while not statuses or statuses[-1] not in ("succeeded", "failed"):
        update = await _next_of(socket, "training_run_updated")
        assert update["data"]["run_id"] == run_id
        statuses.append(update["data"]["status"])
    assert statuses[0] == "running"
    assert statuses[-1] == "succeeded"
    await socket.close()


async def test_stopping_the_engine_closes_the_stream(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await aiohttp_client(create_app(settings))
    # A session of its own: the test client would close its own sockets before the server.
    async with aiohttp.ClientSession() as session:
        socket = await session.ws_connect(client.make_url("/api/v1/stream"), headers=AUTH)
        async with asyncio.timeout(DEADLINE_S):
            closing = asyncio.create_task(client.close())
            message = await socket.receive()
            await closing
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert socket.closed or (await socket.receive()).type == aiohttp.WSMsgType.CLOSED


async def test_a_client_that_falls_behind_is_dropped_not_buffered_forever() -> None:
    hub = StreamHub()
    slow = hub.subscribe()
    for number in range(CLIENT_BACKLOG + 1):
        hub.publish("suggestions_updated", {"n": number})
    assert hub.client_count == 0
    assert slow.get_nowait() is None
    with pytest.raises(ValueError, match="unknown stream message type"):
        hub.publish("gossip", {})


async def test_the_hub_is_shared_by_the_app(client: Client) -> None:
    assert isinstance(client.app[STREAM], StreamHub)
