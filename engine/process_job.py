"""One function run in a spawned process, reporting over a pipe until it ends.

Training and analysis are CPU-bound Python and numpy: in a thread they would take the GIL
from the event loop that answers /health, so each run gets a process of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

# Progress messages at most this often: a tight loop in the worker must not flood the pipe.
PROGRESS_INTERVAL_S = 0.2
# A process asked to stop that has not stopped within this is terminated.
STOP_GRACE_S = 10.0

# The worker's last message when it died (killed, out of memory) without saying how it ended.
DIED = ("died",)

_SPAWN = multiprocessing.get_context("spawn")


class ProgressSender:
    """Sends ("progress", fraction) from the worker, throttled, and reads the stop flag."""

    def __init__(self, connection: Connection, stop: Event) -> None:
        self._connection = connection
        self._stop = stop
        self._last_sent = 0.0

    def __call__(self, fraction: float) -> None:
        """Send progress unless some was sent a moment ago."""
        now = time.monotonic()
        if now - self._last_sent >= PROGRESS_INTERVAL_S:
            self._last_sent = now
            self._connection.send(("progress", fraction))

    def should_stop(self) -> bool:
        """Return whether the engine asked this worker to stop."""
        return self._stop.is_set()


class ProcessJob:
    """Runs `target(*args, connection, stop_event)` in a spawned process.

    The target sends ("progress", x) messages and then exactly one final message; `run`
    returns that final message (or DIED).
    """

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...], name: str) -> None:
        self._receiver, self._sender = _SPAWN.Pipe(duplex=False)
        self.stop_event = _SPAWN.Event()
        self.process = _SPAWN.Process(
            target=target, args=(*args, self._sender, self.stop_event), name=name, daemon=True
        )

    def stop(self) -> None:
        """Ask the worker to stop; terminate it if it has not within the grace period."""
        self.stop_event.set()
        asyncio.get_running_loop().call_later(STOP_GRACE_S, self.terminate)

    def terminate(self) -> None:
        """Terminate the worker now."""
        if self.process.is_alive():
            self.process.terminate()

    async def run(self, on_progress: Callable[[float], Awaitable[None]]) -> tuple[Any, ...]:
        """Start the process, pass its progress on, and return its final message.

        The process has been reaped (or waited for a bounded time) when this returns, so
        `process.exitcode` tells how a worker that DIED ended.
        """
        messages: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        try:
            self.process.start()
            self._sender.close()
            loop.add_reader(self._receiver.fileno(), self._receive, messages)
            while (message := await messages.get())[0] == "progress":
                await on_progress(message[1])
            return message
        finally:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(self._receiver.fileno())
            self._receiver.close()
            await asyncio.to_thread(self.process.join, STOP_GRACE_S)

    def _receive(self, messages: asyncio.Queue[tuple[Any, ...]]) -> None:
        """Move one message from the pipe to the queue (called when readable)."""
        try:
            messages.put_nowait(self._receiver.recv())
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(self._receiver.fileno())
            messages.put_nowait(DIED)
