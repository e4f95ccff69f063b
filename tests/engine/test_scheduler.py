"""The scheduler: daily jobs at a local time, across DST, and a clean stop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.scheduler import Scheduler, seconds_until

BERLIN = ZoneInfo("Europe/Berlin")


def test_next_daily_run_is_later_today_or_tomorrow() -> None:
    now = datetime(2026, 11, 21, 1, 0, tzinfo=BERLIN)
    assert seconds_until(time(3, 0), BERLIN, now) == 2 * 3600
    later = datetime(2026, 11, 21, 3, 0, tzinfo=BERLIN)
    assert seconds_until(time(3, 0), BERLIN, later) == 24 * 3600


def test_daily_run_keeps_local_time_across_dst() -> None:
    # 29 March 2026: Berlin skips 02:00-03:00, so 01:00 to the next 04:00 is 2 hours.
    spring = datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN)
    assert seconds_until(time(4, 0), BERLIN, spring) == 2 * 3600
    # 25 October 2026: 02:00-03:00 happens twice; the day from 00:00 to 03:00 is 4 hours.
    autumn = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)
    assert seconds_until(time(3, 0), BERLIN, autumn) == 4 * 3600
    # The evening before the change, 03:00 next day is 28 hours minus the hours left: 7 h.
    evening = datetime(2026, 10, 24, 21, 0, tzinfo=BERLIN)
    assert seconds_until(time(3, 0), BERLIN, evening) == 7 * 3600


def test_time_zone_is_read_when_the_wait_starts() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert seconds_until(time(13, 0), ZoneInfo("UTC"), now) == 3600
    # 12:00 UTC is 13:00 in Berlin: its 13:00 has just passed, so the next is tomorrow's.
    assert seconds_until(time(13, 0), BERLIN, now) == 24 * 3600
    assert seconds_until(time(14, 0), BERLIN, now) == 3600


async def test_every_runs_then_close_stops_waiting() -> None:
    scheduler = Scheduler()
    ran = asyncio.Event()
    runs: list[int] = []

    async def job() -> None:
        runs.append(1)
        ran.set()

    scheduler.every("test", 3600, job, delay_s=0)
    async with asyncio.timeout(5):
        await ran.wait()
        await scheduler.close()
    assert runs == [1]


async def test_daily_job_runs_at_its_local_time() -> None:
    scheduler = Scheduler()
    ran = asyncio.Event()
    zone = "Pacific/Auckland"
    at = (datetime.now(ZoneInfo(zone)) + timedelta(seconds=1)).time()

    async def job() -> None:
        ran.set()

    scheduler.daily("test", at, lambda: zone, job)
    async with asyncio.timeout(10):
        await ran.wait()
    assert datetime.now(ZoneInfo(zone)).time() >= at
    await scheduler.close()
