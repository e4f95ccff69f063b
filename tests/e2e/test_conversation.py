"""HomeIQ's Assist agent in a real Home Assistant against a real engine, in English and German."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.engines import add_entry, remove_entry
from tests.e2e.homeassistant import HomeAssistantProcess
from tests.e2e.openai_server import DRAFT_TOOL, OpenAIServer
from tests.e2e.polling import poll
from tests.engine.process import EngineProcess

TOKEN = "e2e-conversation-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AGENT = "conversation.homeiq_engine_assist"
KITCHEN = "light.e2e_kitchen_light"
HALL = "light.e2e_hall_light"
FRONT_DOOR = "lock.front_door"


def engine_api(engine: EngineProcess, method: str, path: str) -> Any:
    """Call the engine's API directly; return the JSON answer of a success."""
    response = httpx.request(method, f"{engine.base_url}{path}", headers=AUTH, timeout=20)
    assert response.status_code == 200, response.text
    return response.json()


def mirrored(engine: EngineProcess, entity_id: str, alias: str | None = None) -> bool:
    """Whether the engine's catalog has the entity (with the alias, if given)."""
    found = engine_api(engine, "GET", f"/api/v1/entities?q={entity_id.split('.')[1]}")["entities"]
    return any(
        entity["entity_id"] == entity_id and (alias is None or alias in (entity["aliases"] or []))
        for entity in found
    )


@pytest.fixture(scope="module")
def engine(
    home_assistant: HomeAssistantProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EngineProcess]:
    process = EngineProcess(
        tmp_path_factory.mktemp("conversation-engine") / "data",
        {
            "HOMEIQ_API_TOKEN": TOKEN,
            "HA_URL": home_assistant.base_url,
            "HA_TOKEN": home_assistant.token,
            "HOMEIQ_BACKFILL_DAYS": "1",
        },
    )
    with process:
        poll(
            lambda: all(mirrored(process, e) for e in (KITCHEN, HALL, FRONT_DOOR)),
            "the engine to mirror the kitchen and hall lights and the front door lock",
        )
        yield process


@pytest.fixture(scope="module")
def entry_id(home_assistant: HomeAssistantProcess, engine: EngineProcess) -> Iterator[str]:
    """The HomeIQ entry, made through the config flow as the UI does; its agent is up."""
    ha = home_assistant
    entry = add_entry(ha, engine, TOKEN)
    ha.wait_for_state(AGENT)
    yield entry
    remove_entry(ha, entry)
    ha.wait_for_no_state(AGENT)


class Conversation:
    """Turns of one conversation with an agent, through Home Assistant's REST API."""

    def __init__(self, ha: HomeAssistantProcess, language: str, agent: str = AGENT) -> None:
        self.ha = ha
        self.language = language
        self.agent = agent
        self.conversation_id: str | None = None

    def say(self, text: str) -> dict[str, Any]:
        """Send one turn; return the answer's response (conversation id kept for the next)."""
        body: dict[str, Any] = {"text": text, "language": self.language, "agent_id": self.agent}
        if self.conversation_id is not None:
            body["conversation_id"] = self.conversation_id
        answer = self.ha.rest("POST", "/api/conversation/process", body)
        self.conversation_id = answer["conversation_id"]
        response: dict[str, Any] = answer["response"]
        return response


def speech(response: dict[str, Any]) -> str:
    """What the agent said."""
    text: str = response["speech"]["plain"]["speech"]
    return text


def pending(engine: EngineProcess) -> dict[str, dict[str, Any]]:
    """The engine's pending suggestions by id."""
    page = engine_api(engine, "GET", "/api/v1/suggestions?status=pending&limit=500")
    return {s["id"]: s for s in page["suggestions"]}


def new_pending(engine: EngineProcess, before: dict[str, Any]) -> dict[str, Any]:
    """The one suggestion that is pending now and was not before."""
    [suggestion] = [s for key, s in pending(engine).items() if key not in before]
    return suggestion


def turn_on(ha: HomeAssistantProcess, entity_id: str) -> None:
    """Switch a light on and wait until it is."""
    ha.call_service("light", "turn_on", {"entity_id": entity_id})
    ha.wait_for_state(entity_id, "on")


def deployed_entity(engine: EngineProcess, suggestion: dict[str, Any]) -> str:
    """The entity id of the deployed automation of a suggestion."""
    listed = engine_api(engine, "GET", "/api/v1/deployment/automations")["automations"]
    [deployment] = [d for d in listed if d["automation_id"] == suggestion["automation"]["id"]]
    assert deployment["status"] == "deployed"
    entity_id: str = deployment["entity_id"]
    return entity_id


TEXT = "every weekday at 7 turn on the kitchen light"


def test_the_agent_is_offered_for_the_engine_s_languages(
    home_assistant: HomeAssistantProcess, entry_id: str
) -> None:
    for language in ("en", "de", "fr", "es", "nl"):
        listed = home_assistant.ws_command(
            {"type": "conversation/agent/list", "language": language}
        )
        [agent] = [a for a in listed["agents"] if a["id"] == AGENT]
        assert agent["name"] == "HomeIQ Engine Assist"
        assert language in agent["supported_languages"]
    # A language the engine reads no automations in is not offered (the frontend greys it).
    listed = home_assistant.ws_command({"type": "conversation/agent/list", "language": "it"})
    [agent] = [a for a in listed["agents"] if a["id"] == AGENT]
    assert agent["supported_languages"] == []


def test_a_request_is_drafted_and_deployed_by_voice(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, entry_id: str
) -> None:
    ha = home_assistant
    chat = Conversation(ha, "en")
    before = pending(engine)
    drafted = chat.say("every weekday at 7 turn on the kitchen light")
    assert speech(drafted).startswith("I drafted: Every weekday at 7 turn on the kitchen light")
    assert "Say 'deploy it'" in speech(drafted)
    suggestion = new_pending(engine, before)
    assert suggestion["automation"]["actions"] == [
        {"action": "light.turn_on", "target": {"entity_id": [KITCHEN]}, "data": {}}
    ]
    assert {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]} in suggestion[
        "automation"
    ]["conditions"]

    deployed = chat.say("deploy it")
    assert speech(deployed).startswith("Done: Every weekday at 7 turn on the kitchen light")
    automation = deployed_entity(engine, suggestion)
    state = ha.wait_for_state(automation, "on")
    assert state["attributes"]["id"] == suggestion["automation"]["id"]
    engine_api(engine, "DELETE", f"/api/v1/deployment/{suggestion['automation']['id']}")


def test_a_question_is_answered_by_one_of_its_options_and_a_no_drops_the_draft(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, entry_id: str
) -> None:
    chat = Conversation(home_assistant, "en")
    before = pending(engine)
    asked = chat.say("every day at 7 turn on the light")
    assert speech(asked).startswith("Which light do you mean?"), asked
    assert "E2E Hallway light" in speech(asked)
    assert pending(engine).keys() == before.keys()

    drafted = chat.say("the hallway one")
    assert speech(drafted).startswith("I drafted:"), drafted
    suggestion = new_pending(engine, before)
    assert suggestion["automation"]["triggers"] == [{"trigger": "time", "at": "07:00:00"}]
    assert suggestion["automation"]["actions"] == [
        {"action": "light.turn_on", "target": {"entity_id": [HALL]}, "data": {}}
    ]

    dropped = chat.say("no")
    assert speech(dropped).startswith("OK, I dropped")
    rejected = engine_api(engine, "GET", f"/api/v1/suggestions/{suggestion['id']}")
    assert rejected["status"] == "rejected"


def test_a_plain_command_is_carried_out_by_the_built_in_agent(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, entry_id: str
) -> None:
    ha = home_assistant
    turn_on(ha, KITCHEN)
    before = pending(engine)
    answer = Conversation(ha, "en").say("turn off the kitchen light")
    assert answer["response_type"] == "action_done", answer
    assert ha.wait_for_state(KITCHEN, "off")
    assert pending(engine).keys() == before.keys()


def test_a_security_sensitive_request_is_drafted_but_never_deployed_by_voice(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, entry_id: str
) -> None:
    chat = Conversation(home_assistant, "en")
    before = pending(engine)
    drafted = chat.say("unlock the front door every day at 7")
    if speech(drafted).startswith("Which"):
        # Other modules' locks may be called front door too: name this one.
        drafted = chat.say("Front door")
    assert speech(drafted).startswith("I drafted:"), drafted
    assert "confirm it in the HomeIQ panel" in speech(drafted)
    suggestion = new_pending(engine, before)
    assert suggestion["requires_confirmation"] is True
    assert suggestion["automation"]["actions"][0]["action"] == "lock.unlock"

    refused = chat.say("yes, deploy it")
    assert "confirm it in the HomeIQ panel" in speech(refused)
    assert engine_api(engine, "GET", f"/api/v1/suggestions/{suggestion['id']}")["status"] == (
        "pending"
    )
    listed = engine_api(engine, "GET", "/api/v1/deployment/automations")["automations"]
    assert all(d["automation_id"] != suggestion["automation"]["id"] for d in listed)
    engine_api(engine, "POST", f"/api/v1/suggestions/{suggestion['id']}/reject")


def test_the_same_flow_in_german(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, entry_id: str
) -> None:
    ha = home_assistant
    ha.update_entity(KITCHEN, aliases=["Küchenlicht"])
    poll(lambda: mirrored(engine, KITCHEN, "Küchenlicht"), "the engine to know the alias")
    chat = Conversation(ha, "de")
    before = pending(engine)
    drafted = chat.say("Schalte jeden Tag um 7 Uhr das Küchenlicht ein")
    assert speech(drafted).startswith("Ich habe entworfen: Schalte jeden Tag um 7 Uhr"), drafted
    suggestion = new_pending(engine, before)
    assert suggestion["automation"]["triggers"] == [{"trigger": "time", "at": "07:00:00"}]

    deployed = chat.say("Ja, aktivieren")
    assert speech(deployed).startswith("Erledigt:"), deployed
    ha.wait_for_state(deployed_entity(engine, suggestion), "on")
    engine_api(engine, "DELETE", f"/api/v1/deployment/{suggestion['automation']['id']}")

    asked = chat.say("Schalte jeden Tag um 8 Uhr das Licht ein")
    assert speech(asked).startswith("Welches Gerät meinst du"), asked
    before = pending(engine)
    drafted = chat.say("das Hallway Licht")
    assert speech(drafted).startswith("Ich habe entworfen:"), drafted
    suggestion = new_pending(engine, before)
    assert suggestion["automation"]["actions"] == [
        {"action": "light.turn_on", "target": {"entity_id": [HALL]}, "data": {}}
    ]
    assert speech(chat.say("Nein")).startswith("OK, ich habe")
    assert engine_api(engine, "GET", f"/api/v1/suggestions/{suggestion['id']}")["status"] == (
        "rejected"
    )

    turn_on(ha, KITCHEN)
    answer = Conversation(ha, "de").say("Schalte das Küchenlicht aus")
    assert answer["response_type"] == "action_done", answer
    assert ha.wait_for_state(KITCHEN, "off")


def test_a_language_model_drafts_through_the_homeiq_api(
    home_assistant: HomeAssistantProcess,
    engine: EngineProcess,
    entry_id: str,
    openai_server: OpenAIServer,
) -> None:
    ha = home_assistant
    form = ha.rest("POST", "/api/config/config_entries/flow", {"handler": "openai_conversation"})
    created = ha.rest(
        "POST", f"/api/config/config_entries/flow/{form['flow_id']}", {"api_key": "sk-e2e"}
    )
    assert created["type"] == "create_entry", created
    openai_entry = created["result"]["entry_id"]
    try:
        options = ha.rest(
            "POST", "/api/config/config_entries/options/flow", {"handler": openai_entry}
        )
        [api_field] = [f for f in options["data_schema"] if f["name"] == "llm_hass_api"]
        offered = {o["value"] for o in api_field["selector"]["select"]["options"]}
        assert {"assist", "homeiq"} <= offered
        chosen = ha.rest(
            "POST",
            f"/api/config/config_entries/options/flow/{options['flow_id']}",
            {
                "prompt": "You are a helpful assistant.",
                "llm_hass_api": "homeiq",
                "recommended": True,
            },
        )
        assert chosen["type"] == "create_entry", chosen
        # Its options' listener reloads the entry; this reload waits for that one's lock, so
        # the agent answers with the HomeIQ API from here on.
        ha.rest("POST", f"/api/config/config_entries/entry/{openai_entry}/reload")
        agent = ha.registry_entity_id("openai_conversation", openai_entry)
        before = pending(engine)
        sent_before = len(openai_server.requests)
        response = Conversation(ha, "en", agent).say("every day at 8 turn on the kitchen light")
        suggestion = new_pending(engine, before)
        assert speech(response) == (
            f"HomeIQ drafted '{suggestion['title']}'. Approve it in HomeIQ to switch it on."
        )
        assert suggestion["automation"]["actions"] == [
            {"action": "light.turn_on", "target": {"entity_id": [KITCHEN]}, "data": {}}
        ]
        first, second = openai_server.requests[sent_before:]
        assert DRAFT_TOOL in {tool["name"] for tool in first["tools"]}
        [result] = [i for i in second["input"] if i.get("type") == "function_call_output"]
        drafted = json.loads(result["output"])
        assert drafted["status"] == "drafted"
        assert drafted["suggestion_id"] == suggestion["id"]
        # Short and structured for a model: no YAML, no URLs, no tokens.
        assert "yaml" not in drafted
        assert TOKEN not in result["output"]
        assert "http" not in result["output"]
        engine_api(engine, "POST", f"/api/v1/suggestions/{suggestion['id']}/reject")
    finally:
        ha.rest("DELETE", f"/api/config/config_entries/entry/{openai_entry}")
