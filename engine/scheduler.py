"""Periodic background jobs with one place that starts, logs and stops them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

_LOGGER = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


class Scheduler:
    """Runs jobs every so often; a failing run is logged and the job keeps its schedule."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    def every(self, name: str, interval_s: float, job: Job, *, delay_s: float = 0.0) -> None:
        """Run `job` after `delay_s`, then every `interval_s` seconds."""
        delays = iter((delay_s,))
        self._start(name, job, lambda: next(delays, interval_s))

    def daily(self, name: str, at: time, time_zone: Callable[[], str], job: Job) -> None:
        """Run `job` every day at a local time of day, in the zone `time_zone()` names then."""
        self._start(name, job, lambda: seconds_until(at, ZoneInfo(time_zone())))

    def _start(self, name: str, job: Job, next_delay: Callable[[], float]) -> None:
        self._tasks.append(
            asyncio.create_task(self._loop(name, job, next_delay), name=f"homeiq-{name}")
        )

    async def _wait(self, seconds: float) -> bool:
        """Wait, returning True early when the scheduler is stopping."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        return self._stopping.is_set()

    async def _loop(self, name: str, job: Job, next_delay: Callable[[], float]) -> None:
        while not await self._wait(next_delay()):
            try:
                await job()
            except Exception:
                _LOGGER.exception("Scheduled job %s failed", name)

    async def close(self) -> None:
        """Let running jobs finish (never cut a database write short), then stop."""
        self._stopping.set()
        await asyncio.gather(*self._tasks)
        self._tasks.clear()


def seconds_until(at: time, zone: ZoneInfo, now: datetime | None = None) -> float:
    """Return the seconds from `now` to the next local `at` in a zone (DST-aware)."""
    current = (now or datetime.now(UTC)).astimezone(UTC)
    day = current.astimezone(zone).date()
    # Wall-clock on dates, then compared in UTC: aware datetimes sharing a tzinfo subtract
    # as naive ones, which would be an hour off across a DST change.
    target = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    if target <= current:
        target = datetime.combine(day + timedelta(days=1), at, tzinfo=zone).astimezone(UTC)
    return (target - current).total_seconds()
