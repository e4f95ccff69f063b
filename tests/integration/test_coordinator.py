"""The coordinator: events, notifications, options, reauth, repairs, polling and unloading."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, CONF_URL, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.homeiq.const import (
    CONF_MIN_SCORE,
    CONF_NOTIFY_NEW_SUGGESTIONS,
    CONF_UPDATE_INTERVAL,
    DEFAULT_ENGINE_URL,
    DOMAIN,
    EVENT_ANALYSIS_COMPLETED,
    EVENT_SUGGESTION_CREATED,
)

from .conftest import (
    INSTANCE_ID,
    JSON,
    TOKEN,
    analysis_run,
    answer_error,
    sent,
    serve_engine,
    setup_integration,
    suggestion,
)

ENTITIES = (
    "sensor.homeiq_engine_pending_suggestions",
    "sensor.homeiq_engine_patterns",
    "sensor.homeiq_engine_last_analysis",
    "binary_sensor.homeiq_engine_connection",
    "button.homeiq_engine_run_analysis",
    "todo.homeiq_engine_suggestions",
)


def _entry(**options: Any) -> MockConfigEntry:
    """The test config entry, with options."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="HomeIQ",
        unique_id=INSTANCE_ID,
        data={CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: TOKEN},
        options=options,
    )


def _notification_id(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}_{entry.entry_id}_new_suggestions"


async def test_new_suggestions_fire_one_event_each_but_not_those_at_setup(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    created = async_capture_events(hass, EVENT_SUGGESTION_CREATED)
    completed = async_capture_events(hass, EVENT_ANALYSIS_COMPLETED)
    serve_engine(aioclient_mock, suggestions=[suggestion(0), suggestion(1)])
    coordinator = await setup_integration(hass, config_entry)
    assert created == []
    assert completed == []

    # 1 was approved meanwhile; 2 and 3 are new.
    newer = [suggestion(0), suggestion(2), suggestion(3, requires_confirmation=True)]
    serve_engine(aioclient_mock, suggestions=newer)
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    assert [event.data for event in created] == [
        {
            "config_entry_id": config_entry.entry_id,
            "suggestion_id": "sugg0000000000000002",
            "title": "Turn on the kitchen light at 07:02",
            "description": "On 12 of 21 days the kitchen light turned on near 07:00.",
            "score": 0.88,
            "requires_confirmation": False,
        },
        {
            "config_entry_id": config_entry.entry_id,
            "suggestion_id": "sugg0000000000000003",
            "title": "Turn on the kitchen light at 07:03",
            "description": "On 13 of 21 days the kitchen light turned on near 07:00.",
            "score": 0.87,
            "requires_confirmation": True,
        },
    ]
    # The same run as before: nothing completed.
    assert completed == []

    # Nothing new on the next refresh: no more events.
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert len(created) == 2


async def test_a_newer_finished_run_fires_analysis_completed(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    completed = async_capture_events(hass, EVENT_ANALYSIS_COMPLETED)
    serve_engine(aioclient_mock, runs=[analysis_run("run-1")])
    coordinator = await setup_integration(hass, config_entry)
    assert completed == []

    # A run that has not finished yet is not announced.
    serve_engine(
        aioclient_mock, runs=[analysis_run("run-2", status="running"), analysis_run("run-1")]
    )
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert completed == []

    stats = {"events": 5000, "entities": 40, "patterns": 17, "synergies": 4, "duration_s": 9.5}
    serve_engine(
        aioclient_mock,
        runs=[
            analysis_run("run-2", finished_at="2026-11-22T03:00:09+00:00", stats=stats),
            analysis_run("run-1"),
        ],
        generates=[],
    )
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert [event.data for event in completed] == [
        {
            "config_entry_id": config_entry.entry_id,
            "run_id": "run-2",
            "status": "succeeded",
            "finished_at": "2026-11-22T03:00:09+00:00",
            "stats": stats,
        }
    ]
    state = hass.states.get("sensor.homeiq_engine_last_analysis")
    assert state is not None
    assert state.state == "2026-11-22T03:00:09+00:00"

    # A failed run is announced too, with its status.
    serve_engine(
        aioclient_mock,
        runs=[analysis_run("run-3", status="failed"), analysis_run("run-2"), analysis_run("run-1")],
    )
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert [(e.data["run_id"], e.data["status"]) for e in completed] == [
        ("run-2", "succeeded"),
        ("run-3", "failed"),
    ]


async def test_the_first_finished_run_after_setup_is_announced(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    completed = async_capture_events(hass, EVENT_ANALYSIS_COMPLETED)
    serve_engine(aioclient_mock, runs=[])
    coordinator = await setup_integration(hass, config_entry)
    serve_engine(aioclient_mock, runs=[analysis_run("run-1")], generates=[])
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert [event.data["run_id"] for event in completed] == ["run-1"]


async def test_a_newly_succeeded_analysis_makes_its_suggestions_once(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    created = async_capture_events(hass, EVENT_SUGGESTION_CREATED)
    # Not at set-up: a restart would add another batch from the same findings each time.
    serve_engine(aioclient_mock, runs=[analysis_run("run-1")], suggestions=[], generates=[])
    coordinator = await setup_integration(hass, config_entry)
    assert sent(aioclient_mock, "POST", "/api/v1/suggestions/generate") == []

    made = [suggestion(1), suggestion(2)]
    runs = [analysis_run("run-2"), analysis_run("run-1")]
    serve_engine(aioclient_mock, runs=runs, suggestions=made, generates=made)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    [(body, headers)] = sent(aioclient_mock, "POST", "/api/v1/suggestions/generate")
    assert body == {}
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    # The same refresh shows them: on the to-do list, and as events.
    assert [event.data["suggestion_id"] for event in created] == [s["id"] for s in made]
    state = hass.states.get("sensor.homeiq_engine_pending_suggestions")
    assert state is not None
    assert state.state == "2"

    # The same run again, or a failed one: nothing more is made.
    failed = [analysis_run("run-3", status="failed"), *runs]
    serve_engine(aioclient_mock, runs=failed, suggestions=made, generates=made)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert sent(aioclient_mock, "POST", "/api/v1/suggestions/generate") == []


async def test_new_suggestions_are_notified_when_the_option_is_on(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    entry = _entry(**{CONF_NOTIFY_NEW_SUGGESTIONS: True})
    serve_engine(aioclient_mock, suggestions=[suggestion(0)])
    coordinator = await setup_integration(hass, entry)
    # What was pending at setup is not news.
    assert persistent_notification._async_get_or_create_notifications(hass) == {}

    serve_engine(aioclient_mock, suggestions=[suggestion(0), suggestion(1), suggestion(2)])
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert list(notifications) == [_notification_id(entry)]
    notification = notifications[_notification_id(entry)]
    assert notification["title"] == "HomeIQ: 2 new automation suggestion(s)"
    assert notification["message"] == (
        "- Turn on the kitchen light at 07:01 (score 0.89)\n"
        "- Turn on the kitchen light at 07:02 (score 0.88)\n"
        "\n"
        # A Markdown link: the notification opens the HomeIQ panel.
        "Review, approve or reject them in the [HomeIQ panel](/homeiq) "
        "or the HomeIQ suggestions to-do list."
    )


async def test_new_suggestions_are_not_notified_by_default(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    created = async_capture_events(hass, EVENT_SUGGESTION_CREATED)
    serve_engine(aioclient_mock, suggestions=[suggestion(0)])
    coordinator = await setup_integration(hass, config_entry)
    serve_engine(aioclient_mock, suggestions=[suggestion(0), suggestion(1)])
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert len(created) == 1  # the event is still fired
    assert persistent_notification._async_get_or_create_notifications(hass) == {}


async def test_the_minimum_score_option_is_sent_to_the_engine(
    hass: HomeAssistant, engine: AiohttpClientMocker
) -> None:
    await setup_integration(hass, _entry(**{CONF_MIN_SCORE: 0.5}))
    [url] = [url for _m, url, _d, _h in engine.mock_calls if url.path == "/api/v1/suggestions"]
    assert dict(url.query) == {"status": "pending", "min_score": "0.5", "limit": "500"}


async def test_without_a_minimum_score_none_is_sent(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    [url] = [url for _m, url, _d, _h in engine.mock_calls if url.path == "/api/v1/suggestions"]
    assert dict(url.query) == {"status": "pending", "limit": "500"}
    [(_body, headers)] = sent(engine, "GET", "/api/v1/suggestions")
    assert headers["Authorization"] == f"Bearer {TOKEN}"


async def test_polls_at_the_configured_interval(
    hass: HomeAssistant, engine: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    coordinator = await setup_integration(hass, _entry(**{CONF_UPDATE_INTERVAL: 120}))
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 120
    engine.mock_calls.clear()

    freezer.tick(61)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert engine.mock_calls == []

    freezer.tick(60)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert len(sent(engine, "GET", "/api/v1/suggestions")) == 1
    # The refused stream is tried again on each poll; polling goes on.
    assert len(sent(engine, "GET", "/api/v1/stream")) == 1
    assert coordinator.stream_connected is False
    assert coordinator.update_interval.total_seconds() == 120


async def test_a_refused_token_on_refresh_starts_reauth(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock)
    coordinator = await setup_integration(hass, config_entry)
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []

    serve_engine(aioclient_mock, authorized=False)
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    assert coordinator.last_update_success is False
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == config_entry.entry_id
    assert flow["step_id"] == "reauth_confirm"


async def test_a_refused_stream_token_starts_reauth(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock, stream_status=401)
    coordinator = await setup_integration(hass, config_entry)
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == config_entry.entry_id
    # The polled data is still shown, and the stream is tried again on the next refresh.
    assert config_entry.state is ConfigEntryState.LOADED
    assert coordinator.stream_connected is False
    assert coordinator.update_interval is not None


async def test_a_downgraded_engine_raises_a_repair_issue_until_upgraded(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue_id = f"unsupported_version_{config_entry.entry_id}"
    serve_engine(aioclient_mock)
    coordinator = await setup_integration(hass, config_entry)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    serve_engine(aioclient_mock, version="0.0.9")
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "unsupported_version"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.is_fixable is False
    assert issue.translation_placeholders == {
        "title": "HomeIQ",
        "version": "0.0.9",
        "minimum": "0.1.0",
    }
    assert coordinator.last_update_success is False
    pending = hass.states.get("sensor.homeiq_engine_pending_suggestions")
    assert pending is not None
    assert pending.state == STATE_UNAVAILABLE

    serve_engine(aioclient_mock)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    connection = hass.states.get("binary_sensor.homeiq_engine_connection")
    assert connection is not None
    assert connection.state == "on"
    pending = hass.states.get("sensor.homeiq_engine_pending_suggestions")
    assert pending is not None
    assert pending.state == "3"


async def test_setup_against_an_old_engine_raises_the_issue_and_retries(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    serve_engine(aioclient_mock, version="0.0.1")
    config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert config_entry.reason == (
        "HomeIQ engine version 0.0.1 is not supported; version 0.1.0 or newer is required"
    )
    issue = issue_registry.async_get_issue(DOMAIN, f"unsupported_version_{config_entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "title": "HomeIQ",
        "version": "0.0.1",
        "minimum": "0.1.0",
    }


async def test_setup_after_an_upgrade_clears_the_issue(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue_id = f"unsupported_version_{config_entry.entry_id}"
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="unsupported_version",
    )
    await setup_integration(hass, config_entry)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_unload_leaves_nothing_running(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    serve_engine(aioclient_mock)
    # A stream that never answers keeps the listening task alive until the entry unloads.
    aioclient_mock._mocks.insert(
        0, AiohttpClientMockResponse("get", DEFAULT_ENGINE_URL, side_effect=_hang)
    )
    aioclient_mock._mocks[0].match_request = _is_stream
    coordinator = await setup_integration(hass, config_entry)
    [task] = config_entry._background_tasks
    assert not task.done()
    assert coordinator.stream_connected is False

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.state is ConfigEntryState.NOT_LOADED
    assert task.cancelled()
    assert config_entry._background_tasks == set()
    for entity_id in ENTITIES:
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == STATE_UNAVAILABLE, entity_id
    # Nothing polls any more.
    aioclient_mock.mock_calls.clear()
    freezer.tick(3600)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert aioclient_mock.mock_calls == []


async def _hang(method: str, url: object, data: object) -> AiohttpClientMockResponse:
    """Never answer."""
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


def _is_stream(method: str, url: Any, params: object = None) -> bool:
    return bool(method.upper() == "GET" and url.path == "/api/v1/stream")


@pytest.mark.parametrize("status", [404, 500])
async def test_a_refused_stream_keeps_polling(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    status: int,
) -> None:
    serve_engine(aioclient_mock, stream_status=status)
    coordinator = await setup_integration(hass, config_entry)
    assert coordinator.stream_connected is False
    assert coordinator.update_interval == coordinator.polling_interval
    assert config_entry._background_tasks == set()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_a_downgraded_engine_is_logged_with_the_versions(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock)
    coordinator = await setup_integration(hass, config_entry)
    serve_engine(aioclient_mock, version="0.0.9")
    await coordinator.async_refresh()
    assert str(coordinator.last_exception) == (
        "HomeIQ engine version 0.0.9 is not supported; version 0.1.0 or newer is required"
    )


async def test_another_engine_at_the_url_later_is_not_shown_as_ours(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    coordinator = await setup_integration(hass, config_entry)
    # The engine was wiped (a new instance id): its suggestions are not this entry's.
    serve_engine(engine, instance_id="another-instance", suggestions=[])
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert not coordinator.last_update_success
    assert sent(engine, "GET", "/api/v1/suggestions") == []
    state = hass.states.get("sensor.homeiq_engine_pending_suggestions")
    assert state is not None
    assert state.state == STATE_UNAVAILABLE


RUN_PATH = "/api/v1/analysis/run"


async def test_a_first_analysis_runs_after_setup_when_the_engine_has_history(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock, runs=[], events_total=5000)
    aioclient_mock.post(
        f"{DEFAULT_ENGINE_URL}{RUN_PATH}",
        status=202,
        json={"run_id": "run-1", "status": "queued"},
        headers=JSON,
    )
    coordinator = await setup_integration(hass, config_entry)
    # The engine's own window: the integration does not choose one.
    [(body, _headers)] = sent(aioclient_mock, "POST", RUN_PATH)
    assert body == {}

    # Once per setup: later refreshes (the run still queued, or none listed) start no other.
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert len(sent(aioclient_mock, "POST", RUN_PATH)) == 1


@pytest.mark.parametrize(
    ("runs", "events_total"),
    [([analysis_run("run-1")], 5000), ([analysis_run("run-1", status="failed")], 5000), ([], 0)],
    ids=["it ran before", "a run failed before", "no history yet"],
)
async def test_no_first_analysis_when_one_ran_or_there_is_no_history(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    runs: list[dict[str, Any]],
    events_total: int,
) -> None:
    serve_engine(aioclient_mock, runs=runs, events_total=events_total)
    await setup_integration(hass, config_entry)
    assert sent(aioclient_mock, "POST", RUN_PATH) == []


async def test_a_first_analysis_already_running_does_not_fail_setup(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock, runs=[], events_total=5000)
    answer_error(aioclient_mock, RUN_PATH, 409, "conflict", "A run is in progress.", run_id="r")
    await setup_integration(hass, config_entry)
    assert len(sent(aioclient_mock, "POST", RUN_PATH)) == 1
