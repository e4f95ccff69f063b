"""The engine's entities: their states, attributes, names, unique ids and device."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)

from custom_components.homeiq.const import DEFAULT_ENGINE_URL, DOMAIN
from engine import __version__

from .conftest import (
    INSTANCE_ID,
    JSON,
    TOKEN,
    analysis_run,
    answer_error,
    exception_message,
    sent,
    serve_engine,
    setup_integration,
    suggestion,
)

PENDING = "sensor.homeiq_engine_pending_suggestions"
PATTERNS = "sensor.homeiq_engine_patterns"
LAST_ANALYSIS = "sensor.homeiq_engine_last_analysis"
CONNECTION = "binary_sensor.homeiq_engine_connection"
RUN_ANALYSIS = "button.homeiq_engine_run_analysis"
SUGGESTIONS = "todo.homeiq_engine_suggestions"
ASSIST = "conversation.homeiq_engine_assist"
# The conversation integration (a dependency of HomeIQ's agent) adds its built-in agent.
BUILT_IN_AGENT = "conversation.home_assistant"

# entity id -> (platform, description key, translated name)
ENTITIES = {
    PENDING: ("sensor", "pending_suggestions", "Pending suggestions"),
    PATTERNS: ("sensor", "patterns", "Patterns"),
    LAST_ANALYSIS: ("sensor", "last_analysis", "Last analysis"),
    CONNECTION: ("binary_sensor", "connection", "Connection"),
    RUN_ANALYSIS: ("button", "run_analysis", "Run analysis"),
    SUGGESTIONS: ("todo", "suggestions", "Suggestions"),
    ASSIST: ("conversation", "assist", "Assist"),
}


async def test_the_entities_show_what_the_engine_reports(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    assert sorted(hass.states.async_entity_ids()) == sorted([*ENTITIES, BUILT_IN_AGENT])

    pending = hass.states.get(PENDING)
    assert pending is not None
    assert pending.state == "3"
    assert pending.attributes["unit_of_measurement"] == "suggestions"
    assert pending.attributes["state_class"] == "measurement"
    assert pending.attributes["friendly_name"] == "HomeIQ Engine Pending suggestions"
    assert pending.attributes["suggestions"] == [
        {"id": "sugg0000000000000000", "title": "Turn on the kitchen light at 07:00", "score": 0.9},
        {
            "id": "sugg0000000000000001",
            "title": "Turn on the kitchen light at 07:01",
            "score": 0.89,
        },
        {
            "id": "sugg0000000000000002",
            "title": "Turn on the kitchen light at 07:02",
            "score": 0.88,
        },
    ]

    patterns = hass.states.get(PATTERNS)
    assert patterns is not None
    assert patterns.state == "12"
    assert patterns.attributes["unit_of_measurement"] == "patterns"
    assert "suggestions" not in patterns.attributes

    last = hass.states.get(LAST_ANALYSIS)
    assert last is not None
    assert last.state == "2026-11-21T03:00:07+00:00"
    assert last.attributes["device_class"] == "timestamp"

    connection = hass.states.get(CONNECTION)
    assert connection is not None
    assert connection.state == STATE_ON
    assert connection.attributes["device_class"] == "connectivity"
    assert connection.attributes["push"] is False

    button = hass.states.get(RUN_ANALYSIS)
    assert button is not None
    assert button.state == STATE_UNKNOWN

    todo = hass.states.get(SUGGESTIONS)
    assert todo is not None
    assert todo.state == "3"  # the number of open items


async def test_the_pending_sensor_counts_all_but_lists_the_top_ten(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    shown = [suggestion(n) for n in range(12)]
    shown[0]["score"] = 0.987654
    serve_engine(aioclient_mock, suggestions=shown, pending_total=640)
    await setup_integration(hass, config_entry)

    state = hass.states.get(PENDING)
    assert state is not None
    assert state.state == "640"
    top = state.attributes["suggestions"]
    assert len(top) == 10
    assert [item["id"] for item in top] == [f"sugg{n:016d}" for n in range(10)]
    # Compact: id, title and a rounded score only, nothing of the automation.
    assert top[0] == {
        "id": "sugg0000000000000000",
        "title": "Turn on the kitchen light at 07:00",
        "score": 0.988,
    }
    assert all(item.keys() == {"id", "title", "score"} for item in top)


async def test_the_pending_sensor_is_zero_without_suggestions(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock, suggestions=[], patterns_total=0)
    await setup_integration(hass, config_entry)
    pending = hass.states.get(PENDING)
    assert pending is not None
    assert pending.state == "0"
    assert pending.attributes["suggestions"] == []
    patterns = hass.states.get(PATTERNS)
    assert patterns is not None
    assert patterns.state == "0"


async def test_last_analysis_is_the_newest_succeeded_run(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    runs = [
        analysis_run("run-4", status="running"),
        analysis_run("run-3", status="failed", finished_at="2026-11-23T03:00:09+00:00"),
        analysis_run("run-2", finished_at="2026-11-22T03:00:08+00:00"),
        analysis_run("run-1"),
    ]
    serve_engine(aioclient_mock, runs=runs)
    await setup_integration(hass, config_entry)
    state = hass.states.get(LAST_ANALYSIS)
    assert state is not None
    assert state.state == "2026-11-22T03:00:08+00:00"


@pytest.mark.parametrize(
    "runs",
    [
        [],
        [analysis_run("run-2", status="queued"), analysis_run("run-1", status="failed")],
    ],
    ids=["no runs", "none succeeded"],
)
async def test_last_analysis_is_unknown_before_a_run_succeeded(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    runs: list[dict[str, object]],
) -> None:
    serve_engine(aioclient_mock, runs=runs)
    await setup_integration(hass, config_entry)
    state = hass.states.get(LAST_ANALYSIS)
    assert state is not None
    assert state.state == STATE_UNKNOWN


async def test_connection_turns_off_but_stays_available_while_the_engine_is_away(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock)
    coordinator = await setup_integration(hass, config_entry)

    aioclient_mock.clear_requests()
    aioclient_mock.get(f"{DEFAULT_ENGINE_URL}/health", exc=aiohttp.ClientConnectionError())
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    connection = hass.states.get(CONNECTION)
    assert connection is not None
    assert connection.state == "off"
    # The other entities have nothing current to show.
    for entity_id in (PENDING, PATTERNS, LAST_ANALYSIS, RUN_ANALYSIS, SUGGESTIONS):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == STATE_UNAVAILABLE, entity_id

    serve_engine(aioclient_mock, suggestions=[suggestion(1)])
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    connection = hass.states.get(CONNECTION)
    assert connection is not None
    assert connection.state == STATE_ON
    pending = hass.states.get(PENDING)
    assert pending is not None
    assert pending.state == "1"


async def test_connection_follows_the_polls(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    aioclient_mock.clear_requests()
    aioclient_mock.get(f"{DEFAULT_ENGINE_URL}/health", exc=TimeoutError())

    freezer.tick(61)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(CONNECTION)
    assert state is not None
    assert state.state == "off"
    assert [str(url) for _m, url, _d, _h in aioclient_mock.mock_calls] == [
        f"{DEFAULT_ENGINE_URL}/health"
    ]

    serve_engine(aioclient_mock)
    freezer.tick(61)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    state = hass.states.get(CONNECTION)
    assert state is not None
    assert state.state == STATE_ON


async def test_pressing_run_analysis_queues_a_run(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_integration(hass, config_entry)
    engine.post(
        f"{DEFAULT_ENGINE_URL}/api/v1/analysis/run",
        status=202,
        json={"run_id": "run-2", "status": "queued"},
        headers=JSON,
    )
    freezer.move_to(datetime(2026, 11, 22, 8, 30, tzinfo=UTC))
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: RUN_ANALYSIS}, blocking=True)
    [(body, headers)] = sent(engine, "POST", "/api/v1/analysis/run")
    assert body == {}
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    state = hass.states.get(RUN_ANALYSIS)
    assert state is not None
    assert state.state == "2026-11-22T08:30:00+00:00"


async def test_pressing_run_analysis_during_a_run_is_a_translated_error(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    answer_error(
        engine,
        "/api/v1/analysis/run",
        409,
        "conflict",
        "An analysis run is in progress.",
        run_id="run-2",
    )
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            "button", "press", {ATTR_ENTITY_ID: RUN_ANALYSIS}, blocking=True
        )
    assert not isinstance(raised.value, ServiceValidationError)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "conflict"
    assert str(raised.value) == (
        "The HomeIQ engine cannot do this now: An analysis run is in progress."
    )
    assert str(raised.value) == exception_message(
        "conflict", message="An analysis run is in progress."
    )
    assert len(sent(engine, "POST", "/api/v1/analysis/run")) == 1


async def test_the_entities_belong_to_one_engine_service_device(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    await setup_integration(hass, config_entry)
    device = device_registry.async_get_device(identifiers={(DOMAIN, INSTANCE_ID)})
    assert device is not None
    assert device.name == "HomeIQ Engine"
    assert device.manufacturer == "HomeIQ"
    assert device.model == "Engine"
    assert device.sw_version == __version__
    assert device.entry_type is DeviceEntryType.SERVICE
    # Opens the HomeIQ panel, not the engine's API.
    assert device.configuration_url == "homeassistant://homeiq"
    assert device.config_entries == {config_entry.entry_id}

    entries = er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    assert sorted(entry.entity_id for entry in entries) == sorted(ENTITIES)
    for entry in entries:
        platform, key, name = ENTITIES[entry.entity_id]
        assert entry.domain == platform
        assert entry.platform == DOMAIN
        assert entry.unique_id == f"{INSTANCE_ID}_{key}"
        assert entry.translation_key == key
        assert entry.has_entity_name is True
        assert entry.device_id == device.id
        state = hass.states.get(entry.entity_id)
        assert state is not None
        assert state.attributes["friendly_name"] == f"HomeIQ Engine {name}"
    connection = entity_registry.async_get(CONNECTION)
    assert connection is not None
    assert connection.entity_category is EntityCategory.DIAGNOSTIC


async def test_the_device_shows_the_version_the_engine_reports_later(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    serve_engine(aioclient_mock)
    coordinator = await setup_integration(hass, config_entry)

    serve_engine(aioclient_mock, version="0.9.1")
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    device = device_registry.async_get_device(identifiers={(DOMAIN, INSTANCE_ID)})
    assert device is not None
    assert device.sw_version == "0.9.1"
    assert coordinator.device_info["sw_version"] == "0.9.1"
