"""Periodic background jobs with one place that starts, logs and stops them."""

from __future__ import annotations

import asyncio
import logging
import time as clock
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

_LOGGER = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]
# When the job runs next (UTC epoch seconds), or None: no run until it is rescheduled.
NextDue = Callable[[], float | None]


@dataclass(slots=True)
class _Schedule:
    """A job's next run (UTC epoch seconds, None when unscheduled) and its reschedule signal."""

    due_at: float | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class Scheduler:
    """Runs jobs every so often; a failing run is logged and the job keeps its schedule."""

    def __init__(self, now: Callable[[], float] = clock.time) -> None:
        # The wall clock (UTC epoch seconds) due times are computed from; waits are real time.
        self._now = now
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        self._schedules: dict[str, _Schedule] = {}

    def every(self, name: str, interval_s: float, job: Job, *, delay_s: float = 0.0) -> None:
        """Run `job` after `delay_s`, then every `interval_s` seconds."""
        delays = iter((delay_s,))
        self._start(name, job, lambda: self._now() + next(delays, interval_s))

    def daily(
        self,
        name: str,
        at: time | Callable[[], time | None],
        time_zone: Callable[[], str],
        job: Job,
    ) -> None:
        """Run `job` every day at a local time of day, in the zone `time_zone()` names then.

        A callable `at` is read before each wait (None: not scheduled); `reschedule` reads it now.
        """
        when = at if callable(at) else lambda: at

        def next_due() -> float | None:
            local = when()
            if local is None:
                return None
            current = datetime.fromtimestamp(self._now(), UTC)
            return next_local(local, ZoneInfo(time_zone()), current).timestamp()

        self._start(name, job, next_due)

    def reschedule(self, name: str) -> None:
        """Compute a job's next run again now (its time of day changed), cutting its wait short."""
        if (schedule := self._schedules.get(name)) is not None:
            schedule.changed.set()

    def next_run(self, name: str) -> datetime | None:
        """Return when a job runs next (UTC), or None when it is not scheduled."""
        schedule = self._schedules.get(name)
        if schedule is None or schedule.due_at is None:
            return None
        return datetime.fromtimestamp(schedule.due_at, UTC)

    def _start(self, name: str, job: Job, next_due: NextDue) -> None:
        schedule = self._schedules[name] = _Schedule()
        schedule.due_at = next_due()
        self._tasks.append(
            asyncio.create_task(self._loop(name, job, next_due, schedule), name=f"homeiq-{name}")
        )

    async def _wait(self, due_at: float | None, changed: asyncio.Event) -> bool:
        """Wait until `due_at` or a reschedule; return True when the job is due."""
        waits = [
            asyncio.ensure_future(self._stopping.wait()),
            asyncio.ensure_future(changed.wait()),
        ]
        timeout = None if due_at is None else max(0.0, due_at - self._now())
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
        return not self._stopping.is_set() and not changed.is_set()

    async def _loop(self, name: str, job: Job, next_due: NextDue, schedule: _Schedule) -> None:
        while not self._stopping.is_set():
            if not await self._wait(schedule.due_at, schedule.changed):
                schedule.changed.clear()
                schedule.due_at = next_due()
                continue
            schedule.due_at = None
            try:
                await job()
            except Exception:
                _LOGGER.exception("Scheduled job %s failed", name)
            schedule.due_at = next_due()

    async def close(self) -> None:
        """Let running jobs finish (never cut a database write short), then stop."""
        self._stopping.set()
        await asyncio.gather(*self._tasks)
        self._tasks.clear()


def seconds_until(at: time, zone: ZoneInfo, now: datetime | None = None) -> float:
    """Return the seconds from `now` to the next local `at` in a zone (DST-aware)."""
    current = (now or datetime.now(UTC)).astimezone(UTC)
    return (next_local(at, zone, current) - current).total_seconds()


def next_local(at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """Return the next instant (UTC) after `now` whose local time in a zone is `at`."""
    current = now.astimezone(UTC)
    day = current.astimezone(zone).date()
    # Wall-clock on dates, then compared in UTC: aware datetimes sharing a tzinfo subtract
    # as naive ones, which would be an hour off across a DST change.
    target = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    if target <= current:
        target = datetime.combine(day + timedelta(days=1), at, tzinfo=zone).astimezone(UTC)
    return target
