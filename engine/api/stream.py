"""The push stream: GET /api/v1/stream, a WebSocket of engine events for Home Assistant."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import WSMsgType, web

from engine.api.routing import ApiRoute
from engine.errors import BadRequestError
from engine.keys import STREAM
from engine.stream import STREAM_TYPES

HEARTBEAT_S = 30.0


async def stream(request: web.Request) -> web.StreamResponse:
    """Upgrade to a WebSocket and send engine events until either side closes."""
    socket = web.WebSocketResponse(heartbeat=HEARTBEAT_S)
    if not socket.can_prepare(request).ok:
        raise BadRequestError(
            "This is a WebSocket endpoint: connect with a WebSocket upgrade request",
            {"upgrade": "websocket"},
        )
    await socket.prepare(request)
    hub = request.app[STREAM]
    queue = hub.subscribe()
    sender = asyncio.create_task(_send(socket, queue))
    try:
        # Nothing is expected from the client; reading notices when it goes away.
        async for message in socket:
            if message.type == WSMsgType.ERROR:
                break
    finally:
        hub.unsubscribe(queue)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        await socket.close()
    return socket


async def _send(socket: web.WebSocketResponse, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
    """Send queued messages; None (engine stopping, client too slow) closes the socket."""
    while (message := await queue.get()) is not None:
        await socket.send_json(message)
    await socket.close()


ROUTES = [
    ApiRoute(
        "GET",
        "/api/v1/stream",
        stream,
        "WebSocket of engine events: " + ", ".join(STREAM_TYPES) + ' as {"type","data"} messages',
        "stream",
        errors=(400,),
    ),
]
