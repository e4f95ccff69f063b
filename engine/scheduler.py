"""Periodic background jobs with one place that starts, logs and stops them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

_LOGGER = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


class Scheduler:
    """Runs jobs every so often; a failing run is logged and the job keeps its schedule."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    def every(self, name: str, interval_s: float, job: Job, *, delay_s: float = 0.0) -> None:
        """Run `job` after `delay_s`, then every `interval_s` seconds."""
        self._tasks.append(
            asyncio.create_task(self._loop(name, interval_s, job, delay_s), name=f"homeiq-{name}")
        )

    async def _wait(self, seconds: float) -> bool:
        """Wait, returning True early when the scheduler is stopping."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        return self._stopping.is_set()

    async def _loop(self, name: str, interval_s: float, job: Job, delay_s: float) -> None:
        if await self._wait(delay_s):
            return
        while True:
            try:
                await job()
            except Exception:
                _LOGGER.exception("Scheduled job %s failed", name)
            if await self._wait(interval_s):
                return

    async def close(self) -> None:
        """Let running jobs finish (never cut a database write short), then stop."""
        self._stopping.set()
        await asyncio.gather(*self._tasks)
        self._tasks.clear()
