"""One function run in a spawned process, reporting typed messages over a pipe until it ends.

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

from engine.runs.messages import Died, Failed, Finished, Outcome, Progress, Stopped, WorkerMessage

# Progress messages at most this often: a tight loop in the worker must not flood the pipe.
PROGRESS_INTERVAL_S = 0.2
# A process asked to stop that has not stopped within this is terminated.
STOP_GRACE_S = 10.0

_SPAWN = multiprocessing.get_context("spawn")


class WorkerChannel:
    """The worker's end: sends progress, throttled, and reads the stop flag."""

    def __init__(self, connection: Connection, stop: Event) -> None:
        self._connection = connection
        self._stop = stop
        self._last_sent = 0.0

    def __call__(self, fraction: float) -> None:
        """Send progress unless some was sent a moment ago."""
        now = time.monotonic()
        if now - self._last_sent >= PROGRESS_INTERVAL_S:
            self._last_sent = now
            self._send(Progress(fraction))

    def should_stop(self) -> bool:
        """Return whether the engine asked this worker to stop."""
        return self._stop.is_set()

    def _send(self, message: WorkerMessage[Any]) -> None:
        self._connection.send(message)


def serve[ResultT](
    connection: Connection,
    stop: Event,
    work: Callable[[WorkerChannel], ResultT],
    stopped: tuple[type[BaseException], ...],
) -> None:
    """Do `work` in the worker process and send how it ended: Finished, Stopped or Failed.

    `stopped` are the exceptions `work` raises when it saw the stop flag.
    """
    channel = WorkerChannel(connection, stop)
    ending: WorkerMessage[ResultT]
    try:
        ending = Finished(work(channel))
    except stopped:
        ending = Stopped()
    except Exception as err:  # noqa: BLE001 - every failure becomes the run's error
        ending = Failed(f"{type(err).__name__}: {err}")
    try:
        connection.send(ending)
    finally:
        connection.close()


class ProcessJob[ResultT]:
    """Runs `target(*args, connection, stop_event)` in a spawned process.

    The target sends Progress messages and then exactly one ending (engine.runs.process.serve
    does that); `run` returns that ending, or Died when the process ended without one.
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

    def stop_now(self) -> None:
        """Ask the worker to stop and terminate it at once (the engine is stopping)."""
        self.stop_event.set()
        self.terminate()

    def terminate(self) -> None:
        """Terminate the worker now."""
        if self.process.is_alive():
            self.process.terminate()

    async def run(self, on_progress: Callable[[float], Awaitable[None]]) -> Outcome[ResultT]:
        """Start the process, pass its progress on, and return how it ended.

        The process has been reaped (or waited for a bounded time) when this returns, so a
        Died outcome carries its exit code.
        """
        messages: asyncio.Queue[WorkerMessage[ResultT] | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        try:
            self.process.start()
            self._sender.close()
            loop.add_reader(self._receiver.fileno(), self._receive, messages)
            while True:
                message = await messages.get()
                if not isinstance(message, Progress):
                    break
                await on_progress(message.fraction)
        finally:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(self._receiver.fileno())
            self._receiver.close()
            if self.process.pid is not None:
                await asyncio.to_thread(self.process.join, STOP_GRACE_S)
        return Died(self.process.exitcode) if message is None else message

    def _receive(self, messages: asyncio.Queue[WorkerMessage[ResultT] | None]) -> None:
        """Move one message from the pipe to the queue (None: the pipe closed without one)."""
        try:
            messages.put_nowait(self._receiver.recv())
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(self._receiver.fileno())
            messages.put_nowait(None)
