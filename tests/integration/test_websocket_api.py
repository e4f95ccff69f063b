"""The homeiq/* websocket commands: what the engine receives, what they answer, how they fail."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)
from pytest_homeassistant_custom_component.typing import (  # type: ignore[import-untyped]
    WebSocketGenerator,
)

from custom_components.homeiq.const import DEFAULT_ENGINE_URL, DOMAIN
from engine import __version__

from .conftest import (
    INSTANCE_ID,
    JSON,
    TOKEN,
    analysis_run,
    error_envelope,
    exception_message,
    sent,
    serve_engine,
    setup_integration,
    suggestion,
)

type Client = Any
type Connect = Callable[..., Awaitable[Client]]

SUGGESTION_ID = "sugg0000000000000001"
EVIDENCE = {"days": [{"date": "2026-11-20", "times": ["07:01:00"]}]}
PENDING = suggestion(1, evidence=EVIDENCE, explanation="On 11 of 21 days at 07:01.")
AUTOMATION = {
    "id": "homeiq_manual",
    "alias": "Hall light at sunset",
    "triggers": [{"trigger": "sun", "event": "sunset"}],
    "actions": [{"action": "light.turn_on", "target": {"entity_id": ["light.hall"]}}],
}
AUTOMATION_YAML = """\
id: homeiq_manual
alias: Hall light at sunset
triggers:
  - trigger: sun
    event: sunset
actions:
  - action: light.turn_on
    target:
      entity_id: [light.hall]
"""
DEPLOYMENT = {
    "automation_id": f"homeiq_{SUGGESTION_ID}",
    "entity_id": "automation.hall_light_at_sunset",
    "version": 1,
    "status": "deployed",
    "suggestion_id": SUGGESTION_ID,
    "deployed_at": "2026-11-22T08:00:00+00:00",
}
DEPLOYED = suggestion(1, status="deployed", automation={**AUTOMATION, "id": "homeiq_x"})
QUERY = {
    "query_id": "q-1",
    "text": "turn off the kitchen lights",
    "status": "ready",
    "kind": "command",
    "actions": [{"action": "light.turn_off", "target": {"entity_id": ["light.kitchen"]}}],
    "automation": None,
    "clarifications": [],
    "suggestions": [],
    "latency_ms": 12.5,
}
REPORT = {
    "valid": True,
    "errors": [],
    "warnings": [],
    "safety": {"score": 100, "issues": []},
    "requires_confirmation": False,
    "yaml": AUTOMATION_YAML,
}
SETTINGS = {
    "analysis_time": "03:00",
    "analysis_days": 30,
    "min_score": 0.0,
    "exclude": {"areas": [], "entities": [], "labels": []},
    "language": "en",
    "llm": {"backend": "off"},
}
VERSIONS = {
    "versions": [
        {"version": 1, "created_at": "2026-11-22T08:00:00+00:00", "automation": {}, "diff": ""}
    ]
}
PATTERNS = {
    "patterns": [{"id": "p-1", "type": "routine", "evidence": EVIDENCE}],
    "next_cursor": None,
    "total": 1,
}
RUNS = [analysis_run(f"run-{n}") for n in range(7, 0, -1)]
ONE = f"/api/v1/deployment/{DEPLOYMENT['automation_id']}"


@pytest.fixture
async def ws(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> Client:
    """An admin's websocket to a Home Assistant with one loaded HomeIQ entry."""
    serve_engine(aioclient_mock, suggestions=[PENDING], runs=RUNS)
    await setup_integration(hass, config_entry)
    aioclient_mock.mock_calls.clear()
    return await hass_ws_client(hass)


async def command(client: Client, **message: Any) -> dict[str, Any]:
    """Send one command; return Home Assistant's whole answer to it."""
    await client.send_json_auto_id(message)
    answer: dict[str, Any] = await client.receive_json()
    return answer


async def result(client: Client, **message: Any) -> Any:
    """Send one command that succeeds; return its result."""
    answer = await command(client, **message)
    assert answer["success"], answer
    return answer["result"]


async def error(client: Client, **message: Any) -> dict[str, Any]:
    """Send one command that fails; return its error (never with the engine's token)."""
    answer = await command(client, **message)
    assert not answer["success"], answer
    assert TOKEN not in json.dumps(answer)
    failure: dict[str, Any] = answer["error"]
    return failure


def queries(mock: AiohttpClientMocker, method: str, path: str) -> list[dict[str, str]]:
    """The query parameters of each request the engine received for `method path`."""
    return [
        dict(url.query)
        for m, url, _, _ in mock.mock_calls
        if m.upper() == method and url.path == path
    ]


# command message, engine method and path, its answer, the body it receives, the result
CASES: list[tuple[dict[str, Any], str, str, Any, Any, Any]] = [
    (
        {"type": "homeiq/suggestion/approve", "suggestion_id": SUGGESTION_ID},
        "POST",
        f"/api/v1/suggestions/{SUGGESTION_ID}/approve",
        {"suggestion": DEPLOYED, "deployment": DEPLOYMENT},
        {"deploy": True, "confirm": False},
        {
            "suggestion": DEPLOYED,
            "deployment": DEPLOYMENT,
            "message": "Deployed 'Hall light at sunset' as automation.hall_light_at_sunset",
        },
    ),
    (
        {
            "type": "homeiq/suggestion/approve",
            "suggestion_id": SUGGESTION_ID,
            "yaml": AUTOMATION_YAML,
            "confirm": True,
            "deploy": False,
        },
        "POST",
        f"/api/v1/suggestions/{SUGGESTION_ID}/approve",
        {"suggestion": PENDING, "deployment": None},
        {"deploy": False, "confirm": True, "automation": AUTOMATION},
        {
            "suggestion": PENDING,
            "deployment": None,
            "message": "Approved 'Suggestion 1' without deploying it",
        },
    ),
    (
        {"type": "homeiq/suggestion/approve", "suggestion_id": "s2", "automation": AUTOMATION},
        "POST",
        "/api/v1/suggestions/s2/approve",
        {"suggestion": DEPLOYED, "deployment": {**DEPLOYMENT, "entity_id": None}},
        {"deploy": True, "confirm": False, "automation": AUTOMATION},
        {
            "suggestion": DEPLOYED,
            "deployment": {**DEPLOYMENT, "entity_id": None},
            "message": "Deployed 'Hall light at sunset'",
        },
    ),
    (
        {"type": "homeiq/suggestion/reject", "suggestion_id": SUGGESTION_ID, "reason": "No"},
        "POST",
        f"/api/v1/suggestions/{SUGGESTION_ID}/reject",
        {"suggestion": PENDING},
        {"reason": "No"},
        {
            "suggestion": PENDING,
            "message": "Rejected 'Turn on the kitchen light at 07:01': "
            "HomeIQ will not suggest it again",
        },
    ),
    (
        {"type": "homeiq/validate", "automation": AUTOMATION},
        "POST",
        "/api/v1/automations/validate",
        REPORT,
        {"automation": AUTOMATION},
        REPORT,
    ),
    (
        {"type": "homeiq/validate", "yaml": AUTOMATION_YAML + "description: since 2026-11-20\n"},
        "POST",
        "/api/v1/automations/validate",
        REPORT,
        {"automation": {**AUTOMATION, "description": "since 2026-11-20"}},
        REPORT,
    ),
    (
        # A YAML date is sent as the string it was written as: the engine takes JSON.
        {"type": "homeiq/validate", "yaml": "alias: x\nsince: 2026-11-20\n"},
        "POST",
        "/api/v1/automations/validate",
        REPORT,
        {"automation": {"alias": "x", "since": "2026-11-20"}},
        REPORT,
    ),
    (
        {"type": "homeiq/ask", "text": "turn off the kitchen lights", "area_id": "kitchen"},
        "POST",
        "/api/v1/query",
        QUERY,
        {
            "text": "turn off the kitchen lights",
            "language": "en",
            "context": {"area_id": "kitchen"},
        },
        {**QUERY, "message": "Understood: light.turn_off (light.kitchen)"},
    ),
    (
        {"type": "homeiq/ask", "text": "allume", "language": "fr"},
        "POST",
        "/api/v1/query",
        QUERY,
        {"text": "allume", "language": "fr"},
        {**QUERY, "message": "Understood: light.turn_off (light.kitchen)"},
    ),
    (
        {"type": "homeiq/refine", "query_id": "q-1", "answers": {"c1": "light.hall"}, "text": "t"},
        "POST",
        "/api/v1/query/q-1/refine",
        QUERY,
        {"answers": {"c1": "light.hall"}, "text": "t"},
        {**QUERY, "message": "Understood: light.turn_off (light.kitchen)"},
    ),
    (
        {"type": "homeiq/automation/versions", "automation_id": DEPLOYMENT["automation_id"]},
        "GET",
        f"{ONE}/versions",
        VERSIONS,
        None,
        VERSIONS,
    ),
    (
        {
            "type": "homeiq/automation/rollback",
            "automation_id": DEPLOYMENT["automation_id"],
            "version": 1,
        },
        "POST",
        f"{ONE}/rollback",
        {**DEPLOYMENT, "version": 3},
        {"version": 1},
        {**DEPLOYMENT, "version": 3},
    ),
    (
        {"type": "homeiq/automation/rollback", "automation_id": DEPLOYMENT["automation_id"]},
        "POST",
        f"{ONE}/rollback",
        {**DEPLOYMENT, "version": 3},
        {},
        {**DEPLOYMENT, "version": 3},
    ),
    (
        {"type": "homeiq/automation/disable", "automation_id": DEPLOYMENT["automation_id"]},
        "POST",
        f"{ONE}/disable",
        {**DEPLOYMENT, "status": "disabled"},
        None,
        {**DEPLOYMENT, "status": "disabled"},
    ),
    (
        {"type": "homeiq/automation/enable", "automation_id": DEPLOYMENT["automation_id"]},
        "POST",
        f"{ONE}/enable",
        DEPLOYMENT,
        None,
        DEPLOYMENT,
    ),
    (
        {"type": "homeiq/automation/delete", "automation_id": DEPLOYMENT["automation_id"]},
        "DELETE",
        ONE,
        {**DEPLOYMENT, "status": "removed"},
        None,
        {"automation_id": DEPLOYMENT["automation_id"], "status": "removed"},
    ),
    (
        {"type": "homeiq/analysis/run", "days": 14},
        "POST",
        "/api/v1/analysis/run",
        {"run_id": "run-8", "status": "queued"},
        {"days": 14},
        {"run_id": "run-8", "status": "queued"},
    ),
    ({"type": "homeiq/settings"}, "GET", "/api/v1/settings", SETTINGS, None, SETTINGS),
    (
        {
            "type": "homeiq/settings",
            "settings": {"min_score": 0.4, "exclude": {"areas": ["garage"]}, "llm": {}},
        },
        "PATCH",
        "/api/v1/settings",
        {**SETTINGS, "min_score": 0.4},
        {"min_score": 0.4, "exclude": {"areas": ["garage"]}, "llm": {}},
        {**SETTINGS, "min_score": 0.4},
    ),
]


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{case[0]['type']}-{index}" for index, case in enumerate(CASES)]
)
async def test_each_command_sends_its_request_and_answers_the_result(
    ws: Client,
    aioclient_mock: AiohttpClientMocker,
    case: tuple[dict[str, Any], str, str, Any, Any, Any],
) -> None:
    message, method, path, answer, body, expected = case
    aioclient_mock.request(method, f"{DEFAULT_ENGINE_URL}{path}", json=answer, headers=JSON)

    assert await result(ws, **message) == expected

    [(sent_body, headers)] = sent(aioclient_mock, method, path)
    assert sent_body == body
    assert headers["Authorization"] == f"Bearer {TOKEN}"


async def test_suggestions_are_a_filtered_page_with_evidence(
    ws: Client, aioclient_mock: AiohttpClientMocker
) -> None:
    page = await result(
        ws, type="homeiq/suggestions", status="pending", min_score=0.5, limit=20, cursor="c1"
    )

    assert page == {"suggestions": [PENDING], "next_cursor": None, "total": 1}
    assert page["suggestions"][0]["evidence"] == EVIDENCE
    assert queries(aioclient_mock, "GET", "/api/v1/suggestions") == [
        {"status": "pending", "min_score": "0.5", "limit": "20", "cursor": "c1"}
    ]


async def test_patterns_are_filtered_by_type_entity_and_confidence(
    ws: Client, aioclient_mock: AiohttpClientMocker
) -> None:
    # Only this answer: the stand-in answers with the first route that matches.
    aioclient_mock.clear_requests()
    aioclient_mock.get(f"{DEFAULT_ENGINE_URL}/api/v1/patterns", json=PATTERNS, headers=JSON)

    page = await result(
        ws,
        type="homeiq/patterns",
        pattern_type="routine",
        entity_id="binary_sensor.hall_motion",
        min_confidence=0.7,
        limit=10,
        cursor="c2",
    )

    assert page == PATTERNS
    assert queries(aioclient_mock, "GET", "/api/v1/patterns") == [
        {
            "type": "routine",
            "entity_id": "binary_sensor.hall_motion",
            "min_confidence": "0.7",
            "limit": "10",
            "cursor": "c2",
        }
    ]


async def test_analysis_status_is_the_latest_five_runs(
    ws: Client, aioclient_mock: AiohttpClientMocker
) -> None:
    status = await result(ws, type="homeiq/analysis/status")

    assert [run["run_id"] for run in status["runs"]] == [
        "run-7",
        "run-6",
        "run-5",
        "run-4",
        "run-3",
    ]
    assert queries(aioclient_mock, "GET", "/api/v1/analysis/runs") == [{"limit": "5"}]


async def test_automations_carry_the_alias_home_assistant_shows(
    hass: HomeAssistant, ws: Client, aioclient_mock: AiohttpClientMocker
) -> None:
    hass.states.async_set(
        "automation.hall_light_at_sunset", "on", {"friendly_name": "Hall light at sunset"}
    )
    gone = {**DEPLOYMENT, "automation_id": "homeiq_gone", "entity_id": "automation.gone"}
    removed = {**DEPLOYMENT, "automation_id": "homeiq_old", "entity_id": None}
    aioclient_mock.get(
        f"{DEFAULT_ENGINE_URL}/api/v1/deployment/automations",
        json={"automations": [DEPLOYMENT, gone, removed]},
        headers=JSON,
    )

    answer = await result(ws, type="homeiq/automations")

    assert answer == {
        "automations": [
            {**DEPLOYMENT, "alias": "Hall light at sunset"},
            {**gone, "alias": None},
            {**removed, "alias": None},
        ]
    }


async def test_engines_name_entries_never_urls_or_tokens(
    ws: Client, config_entry: MockConfigEntry
) -> None:
    answer = await result(ws, type="homeiq/engines")

    assert answer == {
        "engines": [{"entry_id": config_entry.entry_id, "title": "HomeIQ", "version": __version__}]
    }
    assert TOKEN not in json.dumps(answer)
    assert DEFAULT_ENGINE_URL not in json.dumps(answer)


async def test_changes_refresh_the_entities(
    hass: HomeAssistant, ws: Client, aioclient_mock: AiohttpClientMocker
) -> None:
    answer = {"suggestion": PENDING}
    aioclient_mock.post(
        f"{DEFAULT_ENGINE_URL}/api/v1/suggestions/{SUGGESTION_ID}/reject", json=answer, headers=JSON
    )

    await result(ws, type="homeiq/suggestion/reject", suggestion_id=SUGGESTION_ID)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert queries(aioclient_mock, "GET", "/api/v1/suggestions")


QUERY_MESSAGES: list[tuple[dict[str, Any], str]] = [
    ({"message": "I did not understand 'frobnicate'", "status": "unsupported"}, "I did not"),
    ({"status": "unsupported", "kind": None, "actions": []}, "HomeIQ did not understand"),
    (
        {
            "status": "needs_clarification",
            "kind": "automation",
            "clarifications": [
                {"id": "c1", "question": "Which light?", "options": []},
                {"id": "c2", "question": "When?", "options": []},
            ],
        },
        "Which light? When?",
    ),
    (
        {"kind": "automation", "suggestions": [PENDING]},
        "Suggested 'Turn on the kitchen light at 07:01': approve it to deploy it",
    ),
    ({"kind": "command", "actions": [{"action": "scene.turn_on"}]}, "Understood: scene.turn_on"),
    ({"kind": "question", "actions": []}, "Understood 'turn off the kitchen lights'"),
]


@pytest.mark.parametrize(("changes", "message"), QUERY_MESSAGES)
async def test_ask_says_in_a_sentence_what_the_engine_made_of_it(
    ws: Client, aioclient_mock: AiohttpClientMocker, changes: dict[str, Any], message: str
) -> None:
    aioclient_mock.post(
        f"{DEFAULT_ENGINE_URL}/api/v1/query", json={**QUERY, **changes}, headers=JSON
    )

    answer = await result(ws, type="homeiq/ask", text="turn off the kitchen lights")

    assert answer["message"].startswith(message)


INVALID: list[dict[str, Any]] = [
    {"type": "homeiq/suggestions", "limit": 0},
    {"type": "homeiq/suggestions", "limit": 201},
    {"type": "homeiq/suggestions", "min_score": 1.5},
    {"type": "homeiq/suggestions", "status": "maybe"},
    {"type": "homeiq/suggestion/approve"},
    {"type": "homeiq/suggestion/approve", "suggestion_id": "s", "automation": {}, "yaml": "a: 1"},
    {"type": "homeiq/suggestion/reject", "suggestion_id": ""},
    {"type": "homeiq/validate"},
    {"type": "homeiq/validate", "automation": "not a mapping"},
    {"type": "homeiq/ask", "text": ""},
    {"type": "homeiq/ask", "text": "x" * 1001},
    {"type": "homeiq/refine", "query_id": "q-1", "answers": ["c1"]},
    {"type": "homeiq/automation/versions"},
    {"type": "homeiq/automation/rollback", "automation_id": "a", "version": 0},
    {"type": "homeiq/patterns", "pattern_type": "habit"},
    {"type": "homeiq/patterns", "entity_id": "not an entity"},
    {"type": "homeiq/analysis/run", "days": 0},
    {"type": "homeiq/settings", "settings": {"api_token": "x"}},
    {"type": "homeiq/settings", "settings": {"min_score": 2}},
    {"type": "homeiq/settings", "settings": {"llm": {"backend": "skynet"}}},
]


@pytest.mark.parametrize("message", INVALID, ids=[str(index) for index in range(len(INVALID))])
async def test_invalid_messages_are_refused_before_the_engine(
    ws: Client, aioclient_mock: AiohttpClientMocker, message: dict[str, Any]
) -> None:
    failure = await error(ws, **message)

    assert failure["code"] == "invalid_format"
    assert not aioclient_mock.mock_calls


YAML_ERRORS: list[tuple[str, str, dict[str, str]]] = [
    ("- alias: one\n- alias: two\n", "yaml_not_mapping", {"kind": "a list"}),
    ("", "yaml_not_mapping", {"kind": "empty"}),
    ("just words", "yaml_not_mapping", {"kind": "a single value"}),
]


@pytest.mark.parametrize(("text", "key", "placeholders"), YAML_ERRORS)
async def test_yaml_that_is_no_automation_is_refused_clearly(
    ws: Client,
    aioclient_mock: AiohttpClientMocker,
    text: str,
    key: str,
    placeholders: dict[str, str],
) -> None:
    failure = await error(ws, type="homeiq/validate", yaml=text)

    assert failure["code"] == "invalid_yaml"
    assert failure["message"] == exception_message(key, **placeholders)
    assert not aioclient_mock.mock_calls


@pytest.mark.parametrize("text", ["alias: [", "!include /etc/hostname", "a: !env_var HOME"])
async def test_unreadable_yaml_and_home_assistant_tags_are_refused(
    ws: Client, aioclient_mock: AiohttpClientMocker, text: str
) -> None:
    failure = await error(ws, type="homeiq/suggestion/approve", suggestion_id="s", yaml=text)

    assert failure["code"] == "invalid_yaml"
    assert failure["translation_key"] == "invalid_yaml"
    assert failure["message"].startswith("The YAML cannot be read: ")
    # Nothing of the host's files or environment reaches the engine.
    assert not aioclient_mock.mock_calls


# the engine's answer (status, envelope), the command's error code, its message
ENGINE_ERRORS: list[tuple[int, dict[str, Any], str, str]] = [
    (
        422,
        error_envelope(
            "unprocessable",
            "The automation unlocks a lock: deploying it needs confirm: true",
            confirm=["unlocks_lock"],
            validation={"valid": True},
        ),
        "confirmation_required",
        exception_message(
            "needs_confirmation",
            message="The automation unlocks a lock: deploying it needs confirm: true",
        ),
    ),
    (
        422,
        error_envelope(
            "unprocessable", "The automation is not valid: no trigger", validation={"valid": False}
        ),
        "validation_failed",
        exception_message("validation_failed", message="The automation is not valid: no trigger"),
    ),
    (
        422,
        error_envelope("unprocessable", "Home Assistant refused it"),
        "unprocessable",
        exception_message("unprocessable", message="Home Assistant refused it"),
    ),
    (
        404,
        error_envelope("not_found", "No suggestion sugg1"),
        "not_found",
        exception_message("not_found", message="No suggestion sugg1"),
    ),
    (
        409,
        error_envelope("conflict", "Already approved"),
        "conflict",
        exception_message("conflict", message="Already approved"),
    ),
    (
        400,
        error_envelope("bad_request", "automation: extra key"),
        "bad_request",
        exception_message("bad_request", message="automation: extra key"),
    ),
    (
        503,
        error_envelope("ha_unavailable", "Home Assistant is not connected"),
        "ha_unavailable",
        exception_message("engine_unavailable", message="Home Assistant is not connected"),
    ),
    (
        500,
        error_envelope("internal", "Internal error"),
        "internal",
        exception_message("engine_error", error="internal (500): Internal error"),
    ),
    (
        502,
        {},
        "engine_unavailable",
        exception_message(
            "engine_unreachable",
            error="The engine is unreachable behind a proxy: "
            f"POST /api/v1/suggestions/{SUGGESTION_ID}/approve",
        ),
    ),
    (
        500,
        {"no": "envelope"},
        "engine_error",
        exception_message(
            "engine_error",
            error="Error 500 without an error envelope: "
            f"POST /api/v1/suggestions/{SUGGESTION_ID}/approve",
        ),
    ),
]


@pytest.mark.parametrize("case", ENGINE_ERRORS, ids=[case[2] for case in ENGINE_ERRORS])
async def test_engine_errors_keep_their_code_with_a_translated_message(
    ws: Client, aioclient_mock: AiohttpClientMocker, case: tuple[int, dict[str, Any], str, str]
) -> None:
    status, body, code, message = case
    aioclient_mock.post(
        f"{DEFAULT_ENGINE_URL}/api/v1/suggestions/{SUGGESTION_ID}/approve",
        status=status,
        json=body,
        headers=JSON,
    )

    failure = await error(ws, type="homeiq/suggestion/approve", suggestion_id=SUGGESTION_ID)

    assert (failure["code"], failure["message"]) == (code, message)
    assert failure["translation_domain"] == DOMAIN


async def test_a_running_analysis_is_a_conflict_that_names_it(
    ws: Client, aioclient_mock: AiohttpClientMocker
) -> None:
    envelope = error_envelope("conflict", "An analysis is running", run_id="run-7")
    aioclient_mock.post(
        f"{DEFAULT_ENGINE_URL}/api/v1/analysis/run", status=409, json=envelope, headers=JSON
    )

    failure = await error(ws, type="homeiq/analysis/run")

    assert failure["code"] == "conflict"
    assert failure["message"] == exception_message("analysis_running", run_id="run-7")
    assert failure["translation_placeholders"] == {"run_id": "run-7"}


async def test_an_unreachable_engine_is_engine_unavailable(
    ws: Client, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.get(
        f"{DEFAULT_ENGINE_URL}/api/v1/settings", exc=aiohttp.ClientConnectionError("refused")
    )

    failure = await error(ws, type="homeiq/settings")

    assert failure["code"] == "engine_unavailable"
    assert failure["message"] == exception_message(
        "engine_unreachable", error="Cannot connect: GET /api/v1/settings: refused"
    )


async def test_a_refused_token_is_unauthorized_and_starts_reauth(
    hass: HomeAssistant, ws: Client, aioclient_mock: AiohttpClientMocker
) -> None:
    envelope = error_envelope("unauthorized", "Missing or invalid bearer token")
    aioclient_mock.get(
        f"{DEFAULT_ENGINE_URL}/api/v1/deployment/automations",
        status=401,
        json=envelope,
        headers=JSON,
    )

    failure = await error(ws, type="homeiq/automations")
    await hass.async_block_till_done()

    assert failure["code"] == "unauthorized"
    assert failure["message"] == exception_message("invalid_auth")
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"


MINIMAL: dict[str, dict[str, Any]] = {
    "homeiq/suggestion/approve": {"suggestion_id": "s"},
    "homeiq/suggestion/reject": {"suggestion_id": "s"},
    "homeiq/validate": {"automation": {}},
    "homeiq/ask": {"text": "hello"},
    "homeiq/refine": {"query_id": "q", "answers": {}},
    "homeiq/automation/versions": {"automation_id": "a"},
    "homeiq/automation/rollback": {"automation_id": "a"},
    "homeiq/automation/disable": {"automation_id": "a"},
    "homeiq/automation/enable": {"automation_id": "a"},
    "homeiq/automation/delete": {"automation_id": "a"},
}
TYPES = [
    "homeiq/engines",
    "homeiq/suggestions",
    "homeiq/suggestion/approve",
    "homeiq/suggestion/reject",
    "homeiq/validate",
    "homeiq/ask",
    "homeiq/refine",
    "homeiq/automations",
    "homeiq/automation/versions",
    "homeiq/automation/rollback",
    "homeiq/automation/disable",
    "homeiq/automation/enable",
    "homeiq/automation/delete",
    "homeiq/patterns",
    "homeiq/analysis/status",
    "homeiq/analysis/run",
    "homeiq/settings",
]


@pytest.fixture
async def read_only_ws(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> Client:
    """A websocket of a user who is no administrator, with one loaded HomeIQ entry."""
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    aioclient_mock.mock_calls.clear()
    return await hass_ws_client(hass, hass_read_only_access_token)


@pytest.mark.parametrize("command_type", TYPES)
async def test_every_command_is_for_admins_only(
    read_only_ws: Client, aioclient_mock: AiohttpClientMocker, command_type: str
) -> None:
    failure = await error(read_only_ws, type=command_type, **MINIMAL.get(command_type, {}))

    assert failure["code"] == "unauthorized"
    assert not aioclient_mock.mock_calls


async def test_without_a_loaded_entry_commands_say_so(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_ws_client(hass)

    failure = await error(client, type="homeiq/settings")

    assert failure["code"] == "entry_not_found"
    assert failure["message"] == exception_message("no_entry_loaded")
    assert await result(client, type="homeiq/engines") == {"engines": []}


async def test_an_unknown_or_unloaded_entry_is_not_found(
    hass: HomeAssistant,
    ws: Client,
    config_entry: MockConfigEntry,
) -> None:
    failure = await error(ws, type="homeiq/settings", entry_id="no-such-entry")
    assert failure["code"] == "entry_not_found"
    assert failure["message"] == exception_message("entry_not_found", entry_id="no-such-entry")

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.NOT_LOADED

    failure = await error(ws, type="homeiq/settings", entry_id=config_entry.entry_id)
    assert failure["code"] == "entry_not_found"
    assert failure["message"] == exception_message("entry_not_loaded", title="HomeIQ")
    assert await result(ws, type="homeiq/engines") == {"engines": []}


OTHER_URL = "http://engine-2.lan:8025"


async def test_with_two_entries_the_entry_must_be_named(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    other = MockConfigEntry(
        domain=DOMAIN,
        title="Cellar engine",
        unique_id="f" * 32,
        data={CONF_URL: OTHER_URL, CONF_API_TOKEN: "other-token-0123456789"},
    )
    serve_engine(aioclient_mock, url=OTHER_URL, instance_id="f" * 32)
    await setup_integration(hass, other)
    aioclient_mock.get(f"{DEFAULT_ENGINE_URL}/api/v1/settings", json=SETTINGS, headers=JSON)
    cellar = {**SETTINGS, "language": "de"}
    aioclient_mock.get(f"{OTHER_URL}/api/v1/settings", json=cellar, headers=JSON)
    client = await hass_ws_client(hass)

    failure = await error(client, type="homeiq/settings")
    assert failure["code"] == "entry_required"
    assert failure["message"] == exception_message("entry_required")

    assert await result(client, type="homeiq/settings", entry_id=other.entry_id) == cellar
    assert await result(client, type="homeiq/settings", entry_id=config_entry.entry_id) == (
        SETTINGS
    )
    engines = await result(client, type="homeiq/engines")
    assert {(e["entry_id"], e["title"]) for e in engines["engines"]} == {
        (config_entry.entry_id, "HomeIQ"),
        (other.entry_id, "Cellar engine"),
    }
    assert INSTANCE_ID not in json.dumps(engines)
