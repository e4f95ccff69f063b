"""The push stream against a real engine process: changes arrive at once, polling takes over.

The rest of this tier stands the engine in with `aioclient_mock`, which cannot upgrade to a
WebSocket; here a real engine (a child process, so its threads are not phcc's) serves it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from homeassistant.const import CONF_API_TOKEN, CONF_URL, STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)

from custom_components.homeiq.const import (
    DOMAIN,
    EVENT_ANALYSIS_COMPLETED,
    EVENT_SUGGESTION_CREATED,
)
from custom_components.homeiq.coordinator import HomeIQCoordinator
from tests.engine.process import EngineProcess

TOKEN = "push-test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEADLINE_S = 30.0
CONNECTION = "binary_sensor.homeiq_engine_connection"
PENDING = "sensor.homeiq_engine_pending_suggestions"


@pytest.fixture
def engine(tmp_path: Path, socket_enabled: None) -> Iterator[EngineProcess]:
    """A real engine with three weeks of a synthetic home's history."""
    with EngineProcess(tmp_path / "data", {"HOMEIQ_API_TOKEN": TOKEN}) as process:
        body = {"home_type": "family_house", "days": 21, "seed": 7, "load": True}
        loaded = httpx.post(
            f"{process.base_url}/api/v1/synthetic/home", json=body, headers=AUTH, timeout=60
        )
        assert loaded.status_code == 200, loaded.text
        yield process
        process.stop()


def engine_call(engine: EngineProcess, method: str, path: str, body: Any = None) -> Any:
    """Call the engine directly (from a worker thread: this is blocking I/O)."""
    response = httpx.request(
        method, f"{engine.base_url}{path}", json=body, headers=AUTH, timeout=DEADLINE_S
    )
    assert response.status_code < 300, response.text
    return response.json()


async def until(coordinator: HomeIQCoordinator, check: Callable[[], bool], what: str) -> None:
    """Wait, with a deadline, until a refresh of the coordinator leaves `check` true."""
    refreshed = asyncio.Event()
    remove = coordinator.async_add_listener(refreshed.set)
    try:
        async with asyncio.timeout(DEADLINE_S):
            while not check():
                await refreshed.wait()
                refreshed.clear()
    except TimeoutError:
        pytest.fail(f"timed out waiting for {what}")
    finally:
        remove()


def collect(hass: HomeAssistant, event_type: str) -> list[dict[str, Any]]:
    """Collect the data of every event of a type fired from now on."""
    seen: list[dict[str, Any]] = []

    @callback  # run in the loop at once: a plain function would run later, in a thread
    def remember(event: Event) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(event_type, remember)
    return seen


async def test_pushed_changes_arrive_without_polling_and_polling_takes_over(
    hass: HomeAssistant, engine: EngineProcess
) -> None:
    health = await hass.async_add_executor_job(
        lambda: httpx.get(f"{engine.base_url}/health", timeout=DEADLINE_S).json()
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="HomeIQ",
        unique_id=health["instance_id"],
        data={CONF_URL: engine.base_url, CONF_API_TOKEN: TOKEN},
    )
    completed = collect(hass, EVENT_ANALYSIS_COMPLETED)
    created = collect(hass, EVENT_SUGGESTION_CREATED)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator: HomeIQCoordinator = entry.runtime_data
    await until(coordinator, lambda: coordinator.stream_connected, "the stream to connect")
    assert coordinator.update_interval is None
    state = hass.states.get(CONNECTION)
    assert state is not None
    assert state.attributes["push"] is True

    # The engine has history and never ran an analysis: setting up started the first one.
    await until(coordinator, lambda: bool(completed), "homeiq_analysis_completed")
    runs = await hass.async_add_executor_job(engine_call, engine, "GET", "/api/v1/analysis/runs")
    assert [run["run_id"] for run in runs["runs"]] == [completed[0]["run_id"]]
    assert completed[0]["status"] == "succeeded"
    assert completed[0]["stats"]["patterns"] > 0
    # The run's suggestions are made as Home Assistant hears of it, and announced.
    await until(coordinator, lambda: bool(created), "homeiq_suggestion_created")
    page = await hass.async_add_executor_job(
        engine_call, engine, "GET", "/api/v1/suggestions?status=pending&limit=500"
    )
    assert page["total"] > 0
    assert {event["suggestion_id"] for event in created} == {
        suggestion["id"] for suggestion in page["suggestions"]
    }
    pending = hass.states.get(PENDING)
    assert pending is not None
    assert pending.state == str(page["total"])

    # The engine goes away: the stream drops, the sensor shows it, polling resumes.
    await hass.async_add_executor_job(engine.stop)
    await until(coordinator, lambda: not coordinator.stream_connected, "the stream to drop")
    await until(coordinator, lambda: not coordinator.last_update_success, "the refresh to fail")
    assert coordinator.update_interval == coordinator.polling_interval
    state = hass.states.get(CONNECTION)
    assert state is not None
    assert state.state == STATE_OFF
    pending = hass.states.get(PENDING)
    assert pending is not None
    assert pending.state == "unavailable"

    # It comes back on the same port: the next poll reconnects the stream.
    await hass.async_add_executor_job(engine.start)
    await coordinator.async_refresh()
    await until(coordinator, lambda: coordinator.stream_connected, "the stream to reconnect")
    state = hass.states.get(CONNECTION)
    assert state is not None
    assert state.state == STATE_ON

    # Unloading ends the stream task (phcc's cleanup check fails on a lingering task).
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert not entry._background_tasks  # what unloading must empty
