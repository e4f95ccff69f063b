"""HomeIQ's language-model API: registration, every tool, validation and refusals."""

from __future__ import annotations

from typing import Any

import pytest
import voluptuous as vol
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import llm
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)
from voluptuous_openapi import convert

from custom_components.homeiq.const import DEFAULT_ENGINE_URL, DOMAIN

from .conftest import JSON, answer_error, exception_message, sent, setup_integration, suggestion

CONTEXT = llm.LLMContext(
    platform="openai_conversation",
    context=Context(),
    user_prompt="make the kitchen light come on at 7 on weekdays",
    language="de",
    assistant="conversation",
    device_id=None,
)
DRAFT = suggestion(1, source="query", title="Every weekday at 7 turn on the kitchen light")
PATTERN = {
    "id": "p1",
    "type": "time_of_day",
    "entities": ["light.kitchen"],
    "description": "On 18 of 21 weekdays the kitchen light turned on around 07:00.",
    "confidence": 0.857,
    "support_days": 18,
    "observed_days": 21,
    "score": 0.8,
    "details": {},
    "first_seen": "2026-11-01T07:00:00+00:00",
    "last_seen": "2026-11-21T07:00:00+00:00",
}


def query(**changes: Any) -> dict[str, Any]:
    """A query answer of the engine: a ready automation unless changed."""
    return {
        "query_id": "q1",
        "text": "every weekday at 7 turn on the kitchen light",
        "status": "ready",
        "kind": "automation",
        "actions": [],
        "automation": DRAFT["automation"],
        "clarifications": [],
        "suggestions": [DRAFT],
        "latency_ms": 10.0,
        **changes,
    }


async def call(hass: HomeAssistant, tool: str, **args: Any) -> Any:
    """Call one HomeIQ tool as a conversation agent would."""
    instance = await llm.async_get_api(hass, DOMAIN, CONTEXT)
    return await instance.async_call_tool(llm.ToolInput(tool_name=tool, tool_args=args))


@pytest.fixture
async def loaded(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> AiohttpClientMocker:
    """The engine of a loaded entry."""
    await setup_integration(hass, config_entry)
    return engine


async def test_the_api_is_offered_beside_assist_with_its_tools(
    hass: HomeAssistant, loaded: AiohttpClientMocker
) -> None:
    apis = {api.id: api.name for api in llm.async_get_apis(hass)}
    assert apis[DOMAIN] == "HomeIQ"
    assert llm.LLM_API_ASSIST in apis
    instance = await llm.async_get_api(hass, DOMAIN, CONTEXT)
    assert "HomeIQDraftAutomation" in instance.api_prompt
    names = [tool.name for tool in instance.tools]
    assert names == [
        "HomeIQDraftAutomation",
        "HomeIQListSuggestions",
        "HomeIQExplainHabits",
        "HomeIQApproveSuggestion",
        "HomeIQRejectSuggestion",
    ]
    # Combinable with Assist: no tool name of its own is one of Assist's.
    assist = await llm.async_get_api(hass, llm.LLM_API_ASSIST, CONTEXT)
    assert not set(names) & {tool.name for tool in assist.tools}
    # Every schema converts to what a model is sent.
    for tool in instance.tools:
        assert convert(tool.parameters)["type"] == "object"
        assert tool.description


async def test_draft_makes_a_pending_suggestion_in_the_turn_s_language(
    hass: HomeAssistant, loaded: AiohttpClientMocker
) -> None:
    loaded.post(f"{DEFAULT_ENGINE_URL}/api/v1/query", json=query(), headers=JSON)
    result = await call(hass, "HomeIQDraftAutomation", request="werktags um 7 Küchenlicht an")
    assert result == {
        "status": "drafted",
        "suggestion_id": DRAFT["id"],
        "title": DRAFT["title"],
        "evidence": DRAFT["description"],
        "score": DRAFT["score"],
        "source": "query",
        "requires_confirmation": False,
    }
    [(body, _)] = sent(loaded, "POST", "/api/v1/query")
    assert body == {"text": "werktags um 7 Küchenlicht an", "language": "de"}
    assert not sent(loaded, "POST", f"/api/v1/suggestions/{DRAFT['id']}/approve")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            query(
                status="needs_clarification",
                suggestions=[],
                clarifications=[
                    {
                        "id": "target",
                        "question": "Which light do you mean?",
                        "options": [{"value": "light.a", "label": "A"}],
                    }
                ],
            ),
            {
                "status": "needs_clarification",
                "questions": [{"question": "Which light do you mean?", "options": ["A"]}],
            },
        ),
        (query(kind="command", suggestions=[]), {"status": "not_an_automation"}),
        (
            query(suggestions=[{**DRAFT, "status": "deployed"}]),
            {"status": "exists", "suggestion_status": "deployed", "suggestion_id": DRAFT["id"]},
        ),
        (
            query(status="unsupported", suggestions=[], message="Not understood."),
            {"status": "not_drafted", "message": "Not understood."},
        ),
    ],
)
async def test_draft_says_what_it_needs_or_why_not(
    hass: HomeAssistant,
    loaded: AiohttpClientMocker,
    answer: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    loaded.post(f"{DEFAULT_ENGINE_URL}/api/v1/query", json=answer, headers=JSON)
    result = await call(hass, "HomeIQDraftAutomation", request="every day at 7 turn on the light")
    assert expected.items() <= result.items()


async def test_list_gives_pending_suggestions_with_their_evidence(
    hass: HomeAssistant, loaded: AiohttpClientMocker
) -> None:
    result = await call(hass, "HomeIQListSuggestions", limit=2)
    assert result["total"] == 3
    first = result["suggestions"][0]
    assert first["evidence"] == "On 10 of 21 days the kitchen light turned on near 07:00."
    assert "yaml" not in first
    requests = [url for method, url, _, _ in loaded.mock_calls if url.path == "/api/v1/suggestions"]
    assert requests[-1].query == {"status": "pending", "limit": "2"}


async def test_explain_gives_the_habits_in_sentences(
    hass: HomeAssistant, loaded: AiohttpClientMocker
) -> None:
    loaded.clear_requests()
    page = {"patterns": [PATTERN], "next_cursor": None, "total": 1}
    loaded.get(f"{DEFAULT_ENGINE_URL}/api/v1/patterns", json=page, headers=JSON)
    result = await call(hass, "HomeIQExplainHabits", entity_id="light.kitchen")
    assert result == {
        "total": 1,
        "habits": [
            {
                "habit": PATTERN["description"],
                "type": "time_of_day",
                "entities": ["light.kitchen"],
                "confidence": 0.86,
                "days_seen": 18,
                "days_observed": 21,
            }
        ],
    }
    [(_method, url, _, _)] = loaded.mock_calls
    assert url.query == {"entity_id": "light.kitchen", "limit": "5"}


async def test_approve_deploys_a_pending_suggestion(
    hass: HomeAssistant, loaded: AiohttpClientMocker
) -> None:
    base = f"{DEFAULT_ENGINE_URL}/api/v1/suggestions/{DRAFT['id']}"
    loaded.get(base, json=DRAFT, headers=JSON)
    deployment = {
        "automation_id": DRAFT["automation"]["id"],
        "entity_id": "automation.kitchen_at_7",
        "version": 1,
        "status": "deployed",
        "deployed_at": "2026-11-21T07:00:00+00:00",
    }
    approval = {"suggestion": {**DRAFT, "status": "deployed"}, "deployment": deployment}
    loaded.post(f"{base}/approve", json=approval, headers=JSON)
    result = await call(hass, "HomeIQApproveSuggestion", suggestion_id=DRAFT["id"])
    assert result == {
        "approved": True,
        "title": DRAFT["title"],
        "deployed": True,
        "entity_id": "automation.kitchen_at_7",
    }
    [(body, _)] = sent(loaded, "POST", f"/api/v1/suggestions/{DRAFT['id']}/approve")
    assert body == {"deploy": True, "confirm": False}


async def test_approve_without_a_deployment(
    hass: HomeAssistant, loaded: AiohttpClientMocker
) -> None:
    base = f"{DEFAULT_ENGINE_URL}/api/v1/suggestions/{DRAFT['id']}"
    loaded.get(base, json=DRAFT, headers=JSON)
    loaded.post(f"{base}/approve", json={"suggestion": DRAFT, "deployment": None}, headers=JSON)
    result = await call(hass, "HomeIQApproveSuggestion", suggestion_id=DRAFT["id"])
    assert (result["deployed"], result["entity_id"]) == (False, None)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"requires_confirmation": True}, "requires_confirmation"),
        ({"status": "rejected"}, "not_pending"),
    ],
)
async def test_approve_refuses_sensitive_and_settled_suggestions(
    hass: HomeAssistant, loaded: AiohttpClientMocker, changes: dict[str, Any], reason: str
) -> None:
    base = f"{DEFAULT_ENGINE_URL}/api/v1/suggestions/{DRAFT['id']}"
    loaded.get(base, json={**DRAFT, **changes}, headers=JSON)
    result = await call(hass, "HomeIQApproveSuggestion", suggestion_id=DRAFT["id"])
    assert (result["approved"], result["reason"]) == (False, reason)
    assert not sent(loaded, "POST", f"/api/v1/suggestions/{DRAFT['id']}/approve")


async def test_reject_drops_a_suggestion_with_the_reason(
    hass: HomeAssistant, loaded: AiohttpClientMocker
) -> None:
    path = f"/api/v1/suggestions/{DRAFT['id']}/reject"
    rejected = {"suggestion": {**DRAFT, "status": "rejected"}}
    loaded.post(f"{DEFAULT_ENGINE_URL}{path}", json=rejected, headers=JSON)
    result = await call(
        hass, "HomeIQRejectSuggestion", suggestion_id=DRAFT["id"], reason="Too early"
    )
    assert result == {"rejected": True, "title": DRAFT["title"]}
    [(body, _)] = sent(loaded, "POST", path)
    assert body == {"reason": "Too early"}


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("HomeIQDraftAutomation", {}),
        ("HomeIQDraftAutomation", {"request": ""}),
        ("HomeIQListSuggestions", {"limit": 0}),
        ("HomeIQExplainHabits", {"entity_id": "not an entity"}),
        ("HomeIQApproveSuggestion", {"suggestion_id": ""}),
        ("HomeIQRejectSuggestion", {"suggestion_id": "s", "unknown": 1}),
    ],
)
async def test_arguments_are_validated(
    hass: HomeAssistant, loaded: AiohttpClientMocker, tool: str, args: dict[str, Any]
) -> None:
    with pytest.raises(vol.Invalid):
        await call(hass, tool, **args)


async def test_engine_errors_are_home_assistant_s(
    hass: HomeAssistant, loaded: AiohttpClientMocker
) -> None:
    answer_error(loaded, "/api/v1/suggestions/nope/reject", 404, "not_found", "No such one")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "HomeIQRejectSuggestion", suggestion_id="nope")
    assert err.value.translation_key == "not_found"


async def test_tools_need_a_loaded_engine(hass: HomeAssistant, loaded: AiohttpClientMocker) -> None:
    for entry in hass.config_entries.async_entries(DOMAIN):
        await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "HomeIQListSuggestions")
    assert err.value.translation_key == "no_entry_loaded"
    assert str(err.value) == exception_message("no_entry_loaded")
