"""The engine's event hub: what the push stream (GET /api/v1/stream) sends."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

_LOGGER = logging.getLogger(__name__)

STREAM_TYPES = (
    "analysis_completed",
    "suggestions_updated",
    "deployment_changed",
    "training_run_updated",
    "ha_connection",
)
# Messages a slow client may have waiting; past that it is disconnected rather than letting
# its backlog grow without bound (it reconnects and re-reads state).
CLIENT_BACKLOG = 100


class StreamHub:
    """Fans engine events out to every connected stream client."""

    def __init__(self) -> None:
        self._clients: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._closing = False

    @property
    def client_count(self) -> int:
        """Return how many clients are connected."""
        return len(self._clients)

    def publish(self, message_type: str, data: Mapping[str, Any]) -> None:
        """Queue a message for every client (never blocks the publisher)."""
        if message_type not in STREAM_TYPES:
            raise ValueError(f"unknown stream message type {message_type!r}")
        message = {"type": message_type, "data": data}
        for queue in list(self._clients):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                _LOGGER.warning(
                    "A stream client fell %d messages behind; closing it", CLIENT_BACKLOG
                )
                self._drop(queue)

    def _drop(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._clients.discard(queue)
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                queue.get_nowait()
        queue.put_nowait(None)

    def subscribe(self) -> asyncio.Queue[dict[str, Any] | None]:
        """Return a new client's queue; None in it means: close."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(CLIENT_BACKLOG)
        if self._closing:
            queue.put_nowait(None)
        else:
            self._clients.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        """Forget a client that went away."""
        self._clients.discard(queue)

    def close(self) -> None:
        """Tell every client to close (the engine is stopping)."""
        self._closing = True
        for queue in list(self._clients):
            self._drop(queue)
