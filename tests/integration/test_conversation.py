"""The HomeIQ Assist agent: every branch of a turn, with the engine answered by aioclient_mock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)

from custom_components.homeiq.const import DEFAULT_ENGINE_URL
from custom_components.homeiq.phrases import PHRASES, phrases_for

from .conftest import JSON, answer_error, sent, setup_integration, suggestion

AGENT = "conversation.homeiq_engine_assist"
QUERY_PATH = "/api/v1/query"
TEXT = "every weekday at 7 turn on the kitchen light"
DRAFT = suggestion(1, title="Every weekday at 7 turn on the kitchen light", source="query")
DEPLOYMENT = {
    "automation_id": DRAFT["automation"]["id"],
    "entity_id": "automation.every_weekday_at_7",
    "version": 1,
    "status": "deployed",
    "deployed_at": "2026-11-21T07:00:00+00:00",
}
OPTIONS = [
    {"value": "light.kitchen", "label": "Kitchen light (Kitchen)"},
    {"value": "light.hall", "label": "Hallway light (Hallway)"},
    {"value": "light.porch", "label": "Porch light"},
]


def query(**changes: Any) -> dict[str, Any]:
    """A query answer of the engine (API.md's Query): a ready automation unless changed."""
    return {
        "query_id": "q1",
        "text": TEXT,
        "status": "ready",
        "kind": "automation",
        "actions": [],
        "automation": DRAFT["automation"],
        "clarifications": [],
        "suggestions": [DRAFT],
        "latency_ms": 12.0,
        **changes,
    }


QUESTION = query(
    status="needs_clarification",
    suggestions=[],
    automation=None,
    clarifications=[{"id": "target", "question": "Which light do you mean?", "options": OPTIONS}],
)


def answers(mock: AiohttpClientMocker, path: str, body: dict[str, Any]) -> None:
    """Have the engine answer a POST to `path`."""
    mock.post(f"{DEFAULT_ENGINE_URL}{path}", json=body, headers=JSON)


class Chat:
    """One conversation with the HomeIQ agent."""

    def __init__(self, hass: HomeAssistant, language: str = "en") -> None:
        self.hass = hass
        self.language = language
        self.conversation_id: str | None = None

    async def say(self, text: str) -> conversation.ConversationResult:
        """One turn; the conversation id is kept for the next."""
        result = await conversation.async_converse(
            self.hass, text, self.conversation_id, Context(), self.language, agent_id=AGENT
        )
        self.conversation_id = result.conversation_id
        return result


def speech(result: conversation.ConversationResult) -> str:
    """What the agent said."""
    text: str = result.response.speech["plain"]["speech"]
    return text


@pytest.fixture
async def chat(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> Chat:
    """A conversation with the agent of a loaded entry."""
    await setup_integration(hass, config_entry)
    return Chat(hass)


async def test_the_agent_speaks_the_engine_s_automation_languages(
    hass: HomeAssistant, chat: Chat
) -> None:
    state = hass.states.get(AGENT)
    assert state is not None
    assert state.attributes["friendly_name"] == "HomeIQ Engine Assist"
    languages = conversation.async_get_conversation_languages(hass, AGENT)
    assert set(languages) == {"de", "en", "es", "fr", "nl"}
    assert phrases_for("de-CH") is PHRASES["de"]
    assert phrases_for("pt_BR") is PHRASES["en"]


async def test_a_request_is_drafted_and_a_yes_deploys_it(
    hass: HomeAssistant, chat: Chat, engine: AiohttpClientMocker
) -> None:
    answers(engine, QUERY_PATH, query())
    drafted = await chat.say(TEXT)
    assert speech(drafted) == (
        "I drafted: Every weekday at 7 turn on the kitchen light. Say 'deploy it' to switch it "
        "on, or open HomeIQ to review it."
    )
    assert drafted.continue_conversation is True
    [(body, _)] = sent(engine, "POST", QUERY_PATH)
    assert body == {"text": TEXT, "language": "en"}

    approve = f"/api/v1/suggestions/{DRAFT['id']}/approve"
    answers(
        engine, approve, {"suggestion": {**DRAFT, "status": "deployed"}, "deployment": DEPLOYMENT}
    )
    deployed = await chat.say("Deploy it!")
    assert speech(deployed) == "Done: Every weekday at 7 turn on the kitchen light is switched on."
    assert deployed.continue_conversation is False
    assert deployed.conversation_id == drafted.conversation_id
    [(body, _)] = sent(engine, "POST", approve)
    assert body == {"deploy": True, "confirm": False}


async def test_a_no_rejects_the_draft(chat: Chat, engine: AiohttpClientMocker) -> None:
    answers(engine, QUERY_PATH, query())
    await chat.say(TEXT)
    reject = f"/api/v1/suggestions/{DRAFT['id']}/reject"
    answers(engine, reject, {"suggestion": {**DRAFT, "status": "rejected"}})
    dropped = await chat.say("no, drop it")
    assert speech(dropped) == "OK, I dropped Every weekday at 7 turn on the kitchen light."
    [(body, _)] = sent(engine, "POST", reject)
    assert body == {"reason": "Declined by voice"}


async def test_a_sensitive_draft_is_never_deployed_by_voice(
    chat: Chat, engine: AiohttpClientMocker
) -> None:
    sensitive = {**DRAFT, "title": "Unlock the front door every day at 7"}
    sensitive["requires_confirmation"] = True
    answers(engine, QUERY_PATH, query(suggestions=[sensitive]))
    drafted = await chat.say("unlock the front door every day at 7")
    assert "confirm it in the HomeIQ panel" in speech(drafted)
    assert drafted.continue_conversation is False
    refused = await chat.say("yes")
    assert speech(refused) == (
        "Unlock the front door every day at 7 controls a security-sensitive device: confirm it "
        "in the HomeIQ panel."
    )
    assert not sent(engine, "POST", f"/api/v1/suggestions/{DRAFT['id']}/approve")


async def test_a_question_is_answered_by_one_of_its_options(
    chat: Chat, engine: AiohttpClientMocker
) -> None:
    answers(engine, QUERY_PATH, QUESTION)
    asked = await chat.say("every day at 7 turn on the light")
    assert speech(asked) == (
        "Which light do you mean? Kitchen light (Kitchen), Hallway light (Hallway) or Porch light?"
    )
    assert asked.continue_conversation is True
    answers(engine, "/api/v1/query/q1/refine", query())
    drafted = await chat.say("the hallway one")
    assert speech(drafted).startswith("I drafted: ")
    [(body, _)] = sent(engine, "POST", "/api/v1/query/q1/refine")
    assert body == {"answers": {"target": "light.hall"}}


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("Porch light", "light.porch"),
        ("light.kitchen", "light.kitchen"),
        ("the kitchn one", "light.kitchen"),
    ],
)
async def test_options_are_matched_leniently(
    chat: Chat, engine: AiohttpClientMocker, answer: str, value: str
) -> None:
    answers(engine, QUERY_PATH, QUESTION)
    await chat.say("every day at 7 turn on the light")
    answers(engine, "/api/v1/query/q1/refine", query())
    await chat.say(answer)
    [(body, _)] = sent(engine, "POST", "/api/v1/query/q1/refine")
    assert body == {"answers": {"target": value}}


async def test_a_free_answer_is_sent_as_said(chat: Chat, engine: AiohttpClientMocker) -> None:
    free = query(
        status="needs_clarification",
        suggestions=[],
        clarifications=[{"id": "time", "question": "At what time?", "options": []}],
    )
    answers(engine, QUERY_PATH, free)
    asked = await chat.say("every weekday turn on the kitchen light")
    assert speech(asked) == "At what time?"
    answers(engine, "/api/v1/query/q1/refine", query())
    await chat.say("07:00")
    [(body, _)] = sent(engine, "POST", "/api/v1/query/q1/refine")
    assert body == {"answers": {"time": "07:00"}}


async def test_a_no_to_a_question_drops_the_request(
    chat: Chat, engine: AiohttpClientMocker
) -> None:
    answers(engine, QUERY_PATH, QUESTION)
    await chat.say("every day at 7 turn on the light")
    dropped = await chat.say("never mind")
    assert speech(dropped) == "OK, I dropped that request."
    assert not sent(engine, "POST", "/api/v1/query/q1/refine")


async def test_a_refused_refine_is_said(chat: Chat, engine: AiohttpClientMocker) -> None:
    answers(engine, QUERY_PATH, QUESTION)
    await chat.say("every day at 7 turn on the light")
    answer_error(engine, "/api/v1/query/q1/refine", 404, "not_found", "Query q1 expired")
    failed = await chat.say("porch")
    assert failed.response.response_type is intent.IntentResponseType.ERROR
    assert speech(failed) == "HomeIQ could not do that: Query q1 expired"


@pytest.mark.parametrize(
    ("path", "said"),
    [("approve", "yes"), ("reject", "no")],
)
async def test_a_failed_deploy_or_drop_is_said(
    chat: Chat, engine: AiohttpClientMocker, path: str, said: str
) -> None:
    answers(engine, QUERY_PATH, query())
    await chat.say(TEXT)
    answer_error(
        engine, f"/api/v1/suggestions/{DRAFT['id']}/{path}", 422, "unprocessable", "Not valid"
    )
    failed = await chat.say(said)
    assert speech(failed) == "HomeIQ could not do that: Not valid"


async def test_an_unsupported_automation_says_the_engine_s_message(
    chat: Chat, engine: AiohttpClientMocker
) -> None:
    answers(
        engine,
        QUERY_PATH,
        query(status="unsupported", suggestions=[], message="Nothing here can do that."),
    )
    said = await chat.say("every day at 7 launch the rocket")
    assert speech(said) == "Nothing here can do that."


async def test_anything_else_goes_to_the_built_in_agent(
    hass: HomeAssistant, chat: Chat, engine: AiohttpClientMocker
) -> None:
    hass.states.async_set("light.kitchen", "on", {"friendly_name": "Kitchen light"})
    calls = async_mock_service(hass, "light", "turn_off")
    answers(engine, QUERY_PATH, query(kind="command", suggestions=[], automation=None))
    done = await chat.say("turn off the kitchen light")
    assert done.response.response_type is intent.IntentResponseType.ACTION_DONE
    assert [call.data["entity_id"] for call in calls] == [["light.kitchen"]]


async def test_an_unreachable_engine_leaves_commands_to_the_built_in_agent(
    hass: HomeAssistant, chat: Chat, engine: AiohttpClientMocker
) -> None:
    hass.states.async_set("light.kitchen", "on", {"friendly_name": "Kitchen light"})
    calls = async_mock_service(hass, "light", "turn_off")
    answer_error(engine, QUERY_PATH, 503, "ha_unavailable", "Home Assistant is away")
    done = await chat.say("turn off the kitchen light")
    assert done.response.response_type is intent.IntentResponseType.ACTION_DONE
    assert len(calls) == 1


async def test_a_new_request_after_a_draft_is_a_new_turn(
    hass: HomeAssistant, chat: Chat, engine: AiohttpClientMocker
) -> None:
    answers(engine, QUERY_PATH, query())
    await chat.say(TEXT)
    # Not a yes or a no: asked anew (the engine answers the same here), the draft stays.
    again = await chat.say("turn on the porch light")
    assert speech(again).startswith("I drafted: ")
    assert len(sent(engine, "POST", QUERY_PATH)) == 2
    longer = await chat.say("when I come home in the evening turn on the kitchen light")
    assert speech(longer).startswith("I drafted: ")
    assert len(sent(engine, "POST", QUERY_PATH)) == 3


async def test_an_unclear_option_is_a_new_request(chat: Chat, engine: AiohttpClientMocker) -> None:
    answers(engine, QUERY_PATH, QUESTION)
    await chat.say("every day at 7 turn on the light")
    again = await chat.say("light")
    assert speech(again).startswith("Which light do you mean?")
    assert len(sent(engine, "POST", QUERY_PATH)) == 2


async def test_a_follow_up_expires_with_the_conversation(
    chat: Chat, engine: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    answers(engine, QUERY_PATH, query())
    await chat.say(TEXT)
    freezer.tick(timedelta(minutes=6))
    late = await chat.say("yes")
    # No draft waits any more: "yes" is a request like any other (here: the engine's draft).
    assert speech(late).startswith("I drafted: ")
    assert not sent(engine, "POST", f"/api/v1/suggestions/{DRAFT['id']}/approve")


async def test_a_german_conversation_is_answered_in_german(
    hass: HomeAssistant, chat: Chat, engine: AiohttpClientMocker
) -> None:
    chat.language = "de"
    answers(engine, QUERY_PATH, query())
    drafted = await chat.say("Schalte werktags um 7 Uhr das Küchenlicht ein")
    assert speech(drafted).startswith("Ich habe entworfen: Every weekday")
    [(body, _)] = sent(engine, "POST", QUERY_PATH)
    assert body["language"] == "de"
    approve = f"/api/v1/suggestions/{DRAFT['id']}/approve"
    answers(engine, approve, {"suggestion": DRAFT, "deployment": None})
    deployed = await chat.say("Ja, aktivieren")
    assert speech(deployed).startswith("Erledigt: ")


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("deployed", "Every weekday at 7 turn on the kitchen light is already switched on."),
        ("approved", "Every weekday at 7 turn on the kitchen light is already switched on."),
        (
            "rejected",
            "You dropped Every weekday at 7 turn on the kitchen light before: open HomeIQ to "
            "review it.",
        ),
    ],
)
async def test_a_request_drafted_before_is_said_as_it_is_now(
    chat: Chat, engine: AiohttpClientMocker, status: str, said: str
) -> None:
    answers(engine, QUERY_PATH, query(suggestions=[{**DRAFT, "status": status}]))
    answer = await chat.say(TEXT)
    assert speech(answer) == said
    assert answer.continue_conversation is False
    # Nothing waits for a yes.
    await chat.say("yes")
    assert not sent(engine, "POST", f"/api/v1/suggestions/{DRAFT['id']}/approve")
