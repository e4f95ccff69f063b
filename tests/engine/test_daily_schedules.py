"""Daily schedules: analysis and retention on a real engine, next runs across DST."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from engine.scheduler import Scheduler
from tests.engine.process import EngineProcess

TOKEN = "daily-schedules-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ENTITY = "light.hall"
RETENTION_DAYS = 30
# The scheduled analysis starts within this of its minute, and ends within the rest.
RUN_DEADLINE_S = 90.0
# A minute closer than this is too near: the settings change might land after it began.
MIN_LEAD_S = 5.0
BERLIN = "Europe/Berlin"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _events(newest: datetime, ages: list[timedelta]) -> list[dict[str, Any]]:
    """Return one event of ENTITY at each age before `newest`, alternating on and off."""
    return [
        {"entity_id": ENTITY, "state": ("on", "off")[index % 2], "time": _iso(newest - age)}
        for index, age in enumerate(ages)
    ]


def _stored_times(engine: EngineProcess) -> set[datetime]:
    """Return the instants of every stored event of ENTITY, read through the API's pages."""
    times: set[datetime] = set()
    params: dict[str, str] = {"entity_id": ENTITY, "limit": "500"}
    while True:
        page = httpx.get(f"{engine.base_url}/api/v1/events", params=params, headers=AUTH)
        page.raise_for_status()
        body = page.json()
        times |= {_parse(event["time"]) for event in body["events"]}
        if not body["next_cursor"]:
            return times
        params["cursor"] = body["next_cursor"]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The engine's data directory (its output files go beside it)."""
    return tmp_path / "data"


def test_the_daily_analysis_runs_at_its_time_of_day(data_dir: Path) -> None:
    """Set the analysis time to the next minute; a run triggered by the schedule appears."""
    newest = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    env = {"HOMEIQ_API_TOKEN": TOKEN, "HOMEIQ_ANALYSIS_TIME": "off"}
    with EngineProcess(data_dir, env) as engine:
        api = f"{engine.base_url}/api/v1"
        events = _events(newest, [timedelta(hours=hours) for hours in range(48)])
        imported = httpx.post(f"{api}/events/import", json={"events": events}, headers=AUTH)
        assert imported.json()["imported"] == len(events)
        zone = ZoneInfo(httpx.get(f"{api}/home", headers=AUTH).json()["time_zone"])
        # The next whole minute of the home's clock far enough ahead to be set in time.
        local = datetime.now(zone) + timedelta(seconds=MIN_LEAD_S)
        due = (local + timedelta(minutes=1)).replace(second=0, microsecond=0)
        patched = httpx.patch(
            f"{api}/settings", json={"analysis_time": due.strftime("%H:%M")}, headers=AUTH
        )
        assert patched.status_code == 200, patched.text
        assert httpx.get(f"{api}/analysis/runs", headers=AUTH).json()["runs"] == []

        deadline = due.timestamp() + RUN_DEADLINE_S
        while time.time() < deadline:
            runs = httpx.get(f"{api}/analysis/runs", headers=AUTH).json()["runs"]
            if runs and runs[0]["status"] in {"succeeded", "failed"}:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"no scheduled analysis ended by {RUN_DEADLINE_S} s after {due}: {runs}")

    assert len(runs) == 1, runs
    run = runs[0]
    assert (run["trigger"], run["status"]) == ("schedule", "succeeded"), run
    assert _parse(run["started_at"]) >= due
    assert run["stats"]["events"] == len(events)


def test_retention_deletes_what_is_older_than_the_window_and_keeps_the_rest(
    data_dir: Path,
) -> None:
    """Import history across the window's edge; the retention run at start keeps the window."""
    newest = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    window = timedelta(days=RETENTION_DAYS)
    inside = [timedelta(0), timedelta(days=1), timedelta(days=15), window - timedelta(hours=1)]
    outside = [window + timedelta(hours=1), window + timedelta(days=15), timedelta(days=200)]
    events = _events(newest, inside + outside)
    env = {"HOMEIQ_API_TOKEN": TOKEN, "HOMEIQ_RETENTION_DAYS": str(RETENTION_DAYS)}
    engine = EngineProcess(data_dir, env)
    with engine:
        imported = httpx.post(
            f"{engine.base_url}/api/v1/events/import", json={"events": events}, headers=AUTH
        )
        assert imported.json()["imported"] == len(events)
        # Retention ran when this engine started, before the import: all is still there.
        assert len(_stored_times(engine)) == len(events)
        assert engine.stop() == 0

    # The schedule's run at start (then daily) is the one that deletes.
    with engine:
        deadline = time.monotonic() + RUN_DEADLINE_S
        while (stored := _stored_times(engine)) and len(stored) > len(inside):
            assert time.monotonic() < deadline, f"retention left {len(stored)} events"
            time.sleep(0.2)
    assert stored == {newest - age for age in inside}
    assert "Retention removed 3 events older than 30 days" in engine.stderr


@pytest.mark.parametrize(
    ("day_before", "expected_hours"),
    [
        # The night of 29 March 2026 is an hour shorter in Berlin (CET to CEST).
        (datetime(2026, 3, 28, 3, 0, tzinfo=ZoneInfo(BERLIN)), 23),
        # The night of 25 October 2026 is an hour longer (CEST to CET).
        (datetime(2026, 10, 24, 3, 0, tzinfo=ZoneInfo(BERLIN)), 25),
        # An ordinary night.
        (datetime(2026, 6, 10, 3, 0, tzinfo=ZoneInfo(BERLIN)), 24),
    ],
)
async def test_after_a_daily_run_the_next_is_the_same_local_time_the_next_day(
    day_before: datetime, expected_hours: int
) -> None:
    # The scheduler's clock reads a moment before 03:00 on `day_before`; waits are real.
    offset = day_before.timestamp() - 0.3 - time.time()
    scheduler = Scheduler(now=lambda: time.time() + offset)
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    scheduler.daily("test", time_of_day(3, 0), lambda: BERLIN, job)
    try:
        assert scheduler.next_run("test") == day_before.astimezone(UTC)
        async with asyncio.timeout(10):
            await ran.wait()
            # The next run is set once the job returned.
            while (next_run := scheduler.next_run("test")) in {None, day_before.astimezone(UTC)}:  # noqa: ASYNC110 - polls the scheduler
                await asyncio.sleep(0.01)
    finally:
        await scheduler.close()
    assert next_run is not None
    assert next_run - day_before.astimezone(UTC) == timedelta(hours=expected_hours)
    assert next_run.astimezone(ZoneInfo(BERLIN)).time() == time_of_day(3, 0)
    assert next_run.astimezone(ZoneInfo(BERLIN)).date() == day_before.date() + timedelta(days=1)
