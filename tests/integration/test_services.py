"""The homeiq.* actions: what the engine receives, what they return, how they fail."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import voluptuous as vol
import yaml
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)

from custom_components.homeiq.const import DEFAULT_ENGINE_URL, DOMAIN
from custom_components.homeiq.services import HANDLERS, SCHEMAS
from tests.environments import REPO, engine_python

from .conftest import (
    JSON,
    STRINGS,
    TOKEN,
    answer_error,
    error_envelope,
    exception_message,
    sent,
    serve_engine,
    setup_integration,
    suggestion,
)

SERVICES_YAML = Path(__file__).parents[2] / "custom_components" / DOMAIN / "services.yaml"
SUGGESTION_ID = "sugg0000000000000001"
APPROVE_PATH = f"/api/v1/suggestions/{SUGGESTION_ID}/approve"

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
DEPLOYMENT = {
    "automation_id": f"homeiq_{SUGGESTION_ID}",
    "entity_id": "automation.suggestion_1",
    "version": 1,
    "status": "deployed",
    "suggestion_id": SUGGESTION_ID,
    "deployed_at": "2026-11-22T08:00:00+00:00",
}
APPROVAL = {"suggestion": suggestion(1, status="deployed"), "deployment": DEPLOYMENT}
REJECTION = {"suggestion": suggestion(1, status="rejected", reason="Not at weekends")}
ACCEPTED = {"run_id": "run-7", "status": "queued"}
GENERATED = {"generated": 1, "suggestions": [suggestion(5)]}


# service, call data, engine path, body the engine receives, its answer, whether it refreshes
CALLS: list[tuple[str, dict[str, Any], str, dict[str, Any], dict[str, Any], bool]] = [
    (
        "ask",
        {"text": "turn off the kitchen lights", "language": "de", "area_id": "kitchen"},
        "/api/v1/query",
        {
            "text": "turn off the kitchen lights",
            "language": "de",
            "context": {"area_id": "kitchen"},
        },
        QUERY,
        True,
    ),
    (
        "refine",
        {"query_id": "q-1", "answers": {"area": "kitchen"}, "text": "the kitchen one"},
        "/api/v1/query/q-1/refine",
        {"answers": {"area": "kitchen"}, "text": "the kitchen one"},
        QUERY,
        True,
    ),
    (
        "refine",
        {"query_id": "q-1", "answers": {"area": "kitchen"}},
        "/api/v1/query/q-1/refine",
        {"answers": {"area": "kitchen"}},
        QUERY,
        True,
    ),
    (
        "approve",
        {"suggestion_id": SUGGESTION_ID},
        APPROVE_PATH,
        {"deploy": True, "confirm": False},
        APPROVAL,
        True,
    ),
    (
        "approve",
        {"suggestion_id": SUGGESTION_ID, "deploy": False, "confirm": True},
        APPROVE_PATH,
        {"deploy": False, "confirm": True},
        {"suggestion": suggestion(1, status="approved"), "deployment": None},
        True,
    ),
    (
        "reject",
        {"suggestion_id": SUGGESTION_ID, "reason": "Not at weekends"},
        f"/api/v1/suggestions/{SUGGESTION_ID}/reject",
        {"reason": "Not at weekends"},
        REJECTION,
        True,
    ),
    (
        "reject",
        {"suggestion_id": SUGGESTION_ID},
        f"/api/v1/suggestions/{SUGGESTION_ID}/reject",
        {},
        REJECTION,
        True,
    ),
    ("run_analysis", {"days": 30}, "/api/v1/analysis/run", {"days": 30}, ACCEPTED, False),
    ("run_analysis", {}, "/api/v1/analysis/run", {}, ACCEPTED, False),
    (
        "generate_suggestions",
        {"limit": 20},
        "/api/v1/suggestions/generate",
        {"limit": 20},
        GENERATED,
        True,
    ),
    ("generate_suggestions", {}, "/api/v1/suggestions/generate", {}, GENERATED, True),
    (
        "rollback",
        {"automation_id": "homeiq_abc", "version": 2},
        "/api/v1/deployment/homeiq_abc/rollback",
        {"version": 2},
        {**DEPLOYMENT, "automation_id": "homeiq_abc", "version": 3},
        False,
    ),
    (
        "rollback",
        {"automation_id": "homeiq_abc"},
        "/api/v1/deployment/homeiq_abc/rollback",
        {},
        {**DEPLOYMENT, "automation_id": "homeiq_abc", "version": 3},
        False,
    ),
    (
        "train",
        {"training_type": "suggestion_ranker", "params": {"epochs": 5}},
        "/api/v1/training/suggestion_ranker",
        {"params": {"epochs": 5}},
        ACCEPTED,
        False,
    ),
    (
        "train",
        {"training_type": "home_type_classifier"},
        "/api/v1/training/home_type_classifier",
        {},
        ACCEPTED,
        False,
    ),
]


@pytest.mark.parametrize(
    "call", CALLS, ids=[f"{call[0]}-{index}" for index, call in enumerate(CALLS)]
)
async def test_each_action_sends_its_request_and_returns_the_answer(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    call: tuple[str, dict[str, Any], str, dict[str, Any], dict[str, Any], bool],
) -> None:
    service, data, path, body, answer, refreshes = call
    await setup_integration(hass, config_entry)
    engine.mock_calls.clear()
    status = 202 if service in {"run_analysis", "train"} else 200
    engine.post(f"{DEFAULT_ENGINE_URL}{path}", status=status, json=answer, headers=JSON)

    response = await hass.services.async_call(
        DOMAIN,
        service,
        {"config_entry_id": config_entry.entry_id, **data},
        blocking=True,
        return_response=True,
    )

    assert response == {**answer, **_message(service, answer)}
    [(sent_body, headers)] = sent(engine, "POST", path)
    assert sent_body == body
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/json"
    # Actions that change what the entities show refresh them at once.
    assert len(sent(engine, "GET", "/api/v1/suggestions")) == (1 if refreshes else 0)


def _message(service: str, answer: dict[str, Any]) -> dict[str, str]:
    """The one-line message an action adds to the engine's answer, if it adds one."""
    if service in {"ask", "refine"}:
        return {"message": "Understood: light.turn_off (light.kitchen)"}
    if service == "approve" and answer["deployment"] is not None:
        return {"message": "Deployed 'Suggestion 1' as automation.suggestion_1"}
    if service == "approve":
        return {"message": "Approved 'Suggestion 1' without deploying it"}
    return {}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {
                "status": "needs_clarification",
                "kind": "automation",
                "clarifications": [
                    {"id": "area", "question": "Which light?", "options": []},
                    {"id": "time", "question": "At what time?", "options": []},
                ],
            },
            "Which light? At what time?",
        ),
        (
            {"kind": "automation", "suggestions": [suggestion(3, title="Kitchen light at 7")]},
            "Suggested 'Kitchen light at 7': approve it to deploy it",
        ),
        (
            {"status": "unsupported", "kind": None, "message": "I did not understand 'blorp'."},
            "I did not understand 'blorp'.",
        ),
    ],
    ids=["clarification", "automation", "the engine's own sentence"],
)
async def test_ask_answers_a_one_line_message(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    query: dict[str, Any],
    message: str,
) -> None:
    await setup_integration(hass, config_entry)
    engine.post(f"{DEFAULT_ENGINE_URL}/api/v1/query", json={**QUERY, **query}, headers=JSON)
    response = await hass.services.async_call(
        DOMAIN,
        "ask",
        {"config_entry_id": config_entry.entry_id, "text": "turn on the light at 7"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["message"] == message


def test_the_language_field_offers_only_the_engines_languages() -> None:
    """The form as it opens sends no language: the action then uses Home Assistant's."""
    field = yaml.safe_load(SERVICES_YAML.read_text())["ask"]["fields"]["language"]
    assert not field.get("required")
    assert "default" not in field
    # A select: the language selector fills in its first language as the form opens.
    select = field["selector"]["select"]
    offered = [option["value"] for option in select["options"]]
    script = (
        "import json; from engine.query.intents import supported_languages; "
        "print(json.dumps(supported_languages()))"
    )
    done = subprocess.run(
        [str(engine_python()), "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert sorted(offered) == sorted(json.loads(done.stdout))
    assert all(option["label"] for option in select["options"])


async def test_ask_defaults_to_home_assistants_language(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    hass.config.language = "de"
    engine.post(f"{DEFAULT_ENGINE_URL}/api/v1/query", json=QUERY, headers=JSON)
    await hass.services.async_call(
        DOMAIN,
        "ask",
        {"config_entry_id": config_entry.entry_id, "text": "Licht in der Küche aus"},
        blocking=True,
        return_response=True,
    )
    [(body, _headers)] = sent(engine, "POST", "/api/v1/query")
    assert body == {"text": "Licht in der Küche aus", "language": "de"}


async def test_an_action_may_be_called_without_a_response(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    engine.post(
        f"{DEFAULT_ENGINE_URL}/api/v1/analysis/run", status=202, json=ACCEPTED, headers=JSON
    )
    response = await hass.services.async_call(
        DOMAIN, "run_analysis", {"config_entry_id": config_entry.entry_id}, blocking=True
    )
    assert response is None
    assert len(sent(engine, "POST", "/api/v1/analysis/run")) == 1


async def test_each_call_goes_to_the_engine_of_its_entry(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    other_url, other_token = "http://engine.lan:8025", "other-token-0123456789"
    serve_engine(aioclient_mock, url=other_url, instance_id="other-instance")
    other_engine = list(aioclient_mock._mocks)
    serve_engine(aioclient_mock)
    aioclient_mock._mocks.extend(other_engine)
    other = MockConfigEntry(
        domain=DOMAIN,
        title="HomeIQ upstairs",
        unique_id="other-instance",
        data={CONF_URL: other_url, CONF_API_TOKEN: other_token},
    )
    await setup_integration(hass, config_entry)
    await setup_integration(hass, other)
    aioclient_mock.post(f"{other_url}/api/v1/analysis/run", status=202, json=ACCEPTED, headers=JSON)
    aioclient_mock.mock_calls.clear()

    await hass.services.async_call(
        DOMAIN, "run_analysis", {"config_entry_id": other.entry_id}, blocking=True
    )
    [(method, url, _body, headers)] = aioclient_mock.mock_calls
    assert (method, str(url)) == ("POST", f"{other_url}/api/v1/analysis/run")
    assert headers["Authorization"] == f"Bearer {other_token}"


# status, answer (or exception), raised class, translation key, placeholders
ERRORS: list[tuple[int, Any, type[HomeAssistantError], str, dict[str, str]]] = [
    (
        404,
        error_envelope("not_found", "No suggestion sugg0000000000000001."),
        ServiceValidationError,
        "not_found",
        {"message": "No suggestion sugg0000000000000001."},
    ),
    (
        422,
        error_envelope("unprocessable", "The automation controls a lock; confirm it."),
        ServiceValidationError,
        "unprocessable",
        {"message": "The automation controls a lock; confirm it."},
    ),
    (
        400,
        error_envelope("bad_request", "deploy must be a boolean."),
        ServiceValidationError,
        "bad_request",
        {"message": "deploy must be a boolean."},
    ),
    (
        413,
        error_envelope("payload_too_large", "The body is larger than 1 MiB."),
        ServiceValidationError,
        "bad_request",
        {"message": "The body is larger than 1 MiB."},
    ),
    (
        409,
        error_envelope("conflict", "The suggestion is already approved."),
        HomeAssistantError,
        "conflict",
        {"message": "The suggestion is already approved."},
    ),
    (
        503,
        error_envelope("ha_unavailable", "Home Assistant is not connected."),
        HomeAssistantError,
        "engine_unavailable",
        {"message": "Home Assistant is not connected."},
    ),
    (
        503,
        error_envelope("llm_unavailable", "The language model is not configured."),
        HomeAssistantError,
        "engine_unavailable",
        {"message": "The language model is not configured."},
    ),
    (
        401,
        error_envelope("unauthorized", "Missing or invalid bearer token"),
        HomeAssistantError,
        "invalid_auth",
        {},
    ),
    (
        500,
        error_envelope("internal", "Internal error."),
        HomeAssistantError,
        "engine_error",
        {"error": "internal (500): Internal error."},
    ),
    (
        502,
        "<html>Bad gateway</html>",
        HomeAssistantError,
        "engine_unreachable",
        {"error": f"The engine is unreachable behind a proxy: POST {APPROVE_PATH}"},
    ),
    (
        500,
        "<html>Internal Server Error</html>",
        HomeAssistantError,
        "engine_error",
        {"error": f"Error 500 without an error envelope: POST {APPROVE_PATH}"},
    ),
    (
        200,
        "<html>Not the engine</html>",
        HomeAssistantError,
        "engine_error",
        {"error": f"Not a JSON object: POST {APPROVE_PATH} (200)"},
    ),
    (
        0,
        aiohttp.ClientConnectionError("Connection reset by peer"),
        HomeAssistantError,
        "engine_unreachable",
        {"error": f"Cannot connect: POST {APPROVE_PATH}: Connection reset by peer"},
    ),
    (
        0,
        TimeoutError(),
        HomeAssistantError,
        "engine_unreachable",
        {"error": f"Timed out: POST {APPROVE_PATH}"},
    ),
]


@pytest.mark.parametrize(
    "error", ERRORS, ids=[f"{e[0]}-{e[3]}-{index}" for index, e in enumerate(ERRORS)]
)
async def test_engine_errors_become_translated_home_assistant_errors(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    error: tuple[int, Any, type[HomeAssistantError], str, dict[str, str]],
) -> None:
    status, answer, error_class, key, placeholders = error
    await setup_integration(hass, config_entry)
    engine.mock_calls.clear()
    url = f"{DEFAULT_ENGINE_URL}{APPROVE_PATH}"
    if isinstance(answer, BaseException):
        engine.post(url, exc=answer)
    elif isinstance(answer, dict):
        engine.post(url, status=status, json=answer, headers=JSON)
    else:
        engine.post(url, status=status, text=answer, headers={"Content-Type": "text/html"})

    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "approve",
            {"config_entry_id": config_entry.entry_id, "suggestion_id": SUGGESTION_ID},
            blocking=True,
            return_response=True,
        )

    assert type(raised.value) is error_class
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == key
    assert (raised.value.translation_placeholders or {}) == placeholders
    assert str(raised.value) == exception_message(key, **placeholders)
    # Sent once (a POST is not retried), and nothing was refreshed after the failure.
    assert len(sent(engine, "POST", APPROVE_PATH)) == 1
    assert sent(engine, "GET", "/api/v1/suggestions") == []


async def test_a_conflict_reads_as_strings_json_says(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    answer_error(
        engine,
        "/api/v1/analysis/run",
        409,
        "conflict",
        "An analysis run is in progress.",
        run_id="run-6",
    )
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "run_analysis",
            {"config_entry_id": config_entry.entry_id, "days": 7},
            blocking=True,
            return_response=True,
        )
    assert str(raised.value) == (
        "The HomeIQ engine cannot do this now: An analysis run is in progress."
    )


async def test_an_unknown_entry_is_a_validation_error(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    engine.mock_calls.clear()
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "run_analysis",
            {"config_entry_id": "no-such-entry"},
            blocking=True,
            return_response=True,
        )
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "entry_not_found"
    assert raised.value.translation_placeholders == {"entry_id": "no-such-entry"}
    assert str(raised.value) == "No HomeIQ config entry with id no-such-entry"
    assert engine.mock_calls == []


async def test_an_entry_of_another_integration_is_not_found(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    other = MockConfigEntry(domain="light", title="Not HomeIQ")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "run_analysis",
            {"config_entry_id": other.entry_id},
            blocking=True,
            return_response=True,
        )
    assert raised.value.translation_key == "entry_not_found"
    assert str(raised.value) == exception_message("entry_not_found", entry_id=other.entry_id)


async def test_an_unloaded_entry_is_a_validation_error(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    engine.mock_calls.clear()
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "approve",
            {"config_entry_id": config_entry.entry_id, "suggestion_id": SUGGESTION_ID},
            blocking=True,
            return_response=True,
        )
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "entry_not_loaded"
    assert raised.value.translation_placeholders == {"title": "HomeIQ"}
    assert str(raised.value) == (
        "The HomeIQ entry HomeIQ is not loaded; check that its engine is running"
    )
    assert engine.mock_calls == []


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("ask", {"text": ""}),
        ("ask", {"text": "x" * 1001}),
        ("ask", {}),
        ("refine", {"query_id": "q-1", "answers": "kitchen"}),
        ("refine", {"query_id": "q-1", "answers": {"area": "kitchen"}, "text": ""}),
        ("approve", {}),
        ("reject", {"suggestion_id": SUGGESTION_ID, "reason": ""}),
        ("run_analysis", {"days": 0}),
        ("run_analysis", {"days": 366}),
        ("run_analysis", {"days": "a week"}),
        ("generate_suggestions", {"limit": 0}),
        ("generate_suggestions", {"limit": 501}),
        ("rollback", {"automation_id": "homeiq_abc", "version": 0}),
        ("rollback", {}),
        ("train", {"training_type": "weather_model"}),
        ("train", {"training_type": "suggestion_ranker", "params": "fast"}),
        ("train", {"training_type": "suggestion_ranker", "unknown_field": 1}),
    ],
)
async def test_invalid_calls_fail_before_any_request(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
) -> None:
    await setup_integration(hass, config_entry)
    engine.mock_calls.clear()
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(
            DOMAIN,
            service,
            {"config_entry_id": config_entry.entry_id, **data},
            blocking=True,
            return_response=True,
        )
    assert engine.mock_calls == []


async def test_the_entry_id_is_required(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    engine.mock_calls.clear()
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(
            DOMAIN, "ask", {"text": "hello"}, blocking=True, return_response=True
        )
    assert engine.mock_calls == []


async def test_the_actions_are_registered_and_documented(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    described = yaml.safe_load(SERVICES_YAML.read_text())
    assert set(hass.services.async_services_for_domain(DOMAIN)) == set(HANDLERS)
    assert set(described) == set(HANDLERS) == set(STRINGS["services"]) == set(SCHEMAS)
    for name, schema in SCHEMAS.items():
        fields = {str(key) for key in schema.schema}
        assert set(described[name]["fields"]) == fields, name
        assert set(STRINGS["services"][name]["fields"]) == fields, name
        required = {str(key) for key in schema.schema if isinstance(key, vol.Required)}
        assert {
            field for field, spec in described[name]["fields"].items() if spec.get("required")
        } == required, name
