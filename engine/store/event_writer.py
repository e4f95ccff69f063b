"""Live events are buffered and written in batches: up to 1,000 or every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from engine.store.events import BATCH_SIZE, EventStore, NewEvent

_LOGGER = logging.getLogger(__name__)

# Past this, a database that keeps failing would eat the memory of the machine.
MAX_BUFFERED = 1_000_000


class BufferedEventWriter:
    """Collects events and writes them in batches; `close()` writes what is left."""

    def __init__(self, store: EventStore, *, max_delay_s: float = 5.0) -> None:
        self._store = store
        self._max_delay_s = max_delay_s
        self._buffer: list[NewEvent] = []
        self._full = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.written = 0

    def add(self, event: NewEvent) -> None:
        """Queue one event for the next batch."""
        self._buffer.append(event)
        if len(self._buffer) >= BATCH_SIZE:
            self._full.set()
        if len(self._buffer) > MAX_BUFFERED:
            del self._buffer[: len(self._buffer) - MAX_BUFFERED]
            _LOGGER.error("Event buffer overflowed; the oldest buffered events were dropped")

    @property
    def pending(self) -> int:
        """Return how many events wait for the next write."""
        return len(self._buffer)

    def start(self) -> None:
        """Start writing in the background."""
        self._task = asyncio.create_task(self._run(), name="homeiq-event-writer")

    async def _run(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._max_delay_s):
                    await self._full.wait()
            await self.flush()

    async def flush(self) -> None:
        """Write everything buffered now; on failure keep it for the next attempt."""
        self._full.clear()
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        try:
            result = await self._store.write(batch)
        except Exception:
            _LOGGER.exception("Writing %d events failed; will retry", len(batch))
            self._buffer[:0] = batch
            return
        self.written += result.imported

    async def close(self) -> None:
        """Stop the background task and write what is left."""
        # Woken, not cancelled: a cancelled write would lose the batch it holds.
        self._closing = True
        self._full.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.flush()
