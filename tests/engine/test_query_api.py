"""Natural-language requests through the API: answers, questions, refine, cache, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from engine.keys import DATABASE, SETTINGS
from engine.query.parse import not_understood
from engine.query.retention import DAY_S, purge_queries
from engine.query.routes import MAX_TEXT
from engine.store.schema import queries

from .conftest import AUTH, Client

HOME: dict[str, Any] = {
    "time_zone": "Europe/Berlin",
    "areas": [
        {"area_id": "kitchen", "name": "Kitchen"},
        {"area_id": "bedroom", "name": "Bedroom"},
        {"area_id": "office", "name": "Office"},
        {"area_id": "hall", "name": "Hall"},
    ],
    "entities": [
        {"entity_id": "light.kitchen", "name": "Kitchen light", "area_id": "kitchen"},
        {"entity_id": "light.bedroom_lamp", "name": "Lamp", "area_id": "bedroom"},
        {"entity_id": "light.office_lamp", "name": "Lamp", "area_id": "office"},
        {"entity_id": "light.hall", "name": "Hall light", "area_id": "hall"},
        {
            "entity_id": "binary_sensor.front_door",
            "name": "Front door",
            "area_id": "hall",
            "device_class": "door",
        },
    ],
}


@pytest.fixture
async def home(client: Client) -> Client:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    return client


async def _ask(client: Client, text: str, status: int = 200, **extra: Any) -> Any:
    response = await client.post("/api/v1/query", json={"text": text, **extra}, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


async def _refine(client: Client, query_id: str, body: dict[str, Any], status: int = 200) -> Any:
    response = await client.post(f"/api/v1/query/{query_id}/refine", json=body, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


async def test_a_command_is_resolved_to_service_calls(home: Client) -> None:
    answer = await _ask(home, "turn on the kitchen light")
    assert answer["status"] == "ready"
    assert answer["kind"] == "command"
    assert answer["actions"] == [
        {"action": "light.turn_on", "target": {"entity_id": ["light.kitchen"]}, "data": {}}
    ]
    assert answer["automation"] is None
    assert answer["latency_ms"] > 0
    stored = await (await home.get(f"/api/v1/query/{answer['query_id']}", headers=AUTH)).json()
    assert stored["actions"] == answer["actions"]
    assert stored["text"] == "turn on the kitchen light"


async def test_an_automation_request_gets_a_config(home: Client) -> None:
    answer = await _ask(home, "every weekday at 7 turn on the kitchen light")
    assert answer["status"] == "ready", answer
    assert answer["kind"] == "automation"
    automation = answer["automation"]
    assert automation["triggers"] == [{"trigger": "time", "at": "07:00:00"}]
    assert automation["conditions"] == [
        {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]}
    ]
    assert automation["actions"][0]["target"] == {"entity_id": ["light.kitchen"]}
    # One suggestion for it, from the query, ready to approve.
    (suggestion,) = answer["suggestions"]
    assert (suggestion["source"], suggestion["source_id"]) == ("query", answer["query_id"])
    assert suggestion["status"] == "pending"
    assert suggestion["score"] == 1.0
    assert suggestion["automation"]["triggers"] == automation["triggers"]
    assert suggestion["automation"]["actions"] == automation["actions"]
    assert suggestion["validation"]["valid"] is True
    path = f"/api/v1/query/{answer['query_id']}/suggestions"
    listed = await (await home.get(path, headers=AUTH)).json()
    assert listed == {"suggestions": [suggestion]}
    # Asking again finds the same suggestion, not a second one.
    again = await _ask(home, "Every weekday at 7 turn on the kitchen light")
    assert [s["id"] for s in again["suggestions"]] == [suggestion["id"]]
    # What the suggestion became shows on the query.
    reject = f"/api/v1/suggestions/{suggestion['id']}/reject"
    assert (await home.post(reject, json={}, headers=AUTH)).status == 200
    listed = await (await home.get(path, headers=AUTH)).json()
    assert listed["suggestions"][0]["status"] == "rejected"
    stored = await (await home.get(f"/api/v1/query/{answer['query_id']}", headers=AUTH)).json()
    assert stored["suggestions"][0]["status"] == "rejected"


async def test_an_ambiguous_request_asks_and_refine_settles_it(home: Client) -> None:
    asked = await _ask(home, "turn on the lamp")
    assert asked["status"] == "needs_clarification"
    (question,) = asked["clarifications"]
    values = [option["value"] for option in question["options"]]
    assert {"light.bedroom_lamp", "light.office_lamp"} <= set(values)
    query_id = asked["query_id"]

    wrong = await _refine(home, query_id, {"answers": {question["id"]: "light.hall"}}, 400)
    assert wrong["error"]["details"]["field"] == f"answers.{question['id']}"
    unknown = await _refine(home, query_id, {"answers": {"nope": "light.hall"}}, 400)
    assert unknown["error"]["details"]["field"] == "answers.nope"

    settled = await _refine(home, query_id, {"answers": {question["id"]: "light.office_lamp"}})
    assert settled["query_id"] == query_id
    assert settled["status"] == "ready", settled
    assert settled["actions"][0]["target"] == {"entity_id": ["light.office_lamp"]}
    assert (await (await home.get(f"/api/v1/query/{query_id}", headers=AUTH)).json())[
        "status"
    ] == "ready"
    again = await _refine(home, query_id, {"answers": {question["id"]: "light.office_lamp"}}, 409)
    assert again["error"]["code"] == "conflict"


async def test_an_area_picked_for_words_no_area_has_is_applied(home: Client) -> None:
    # "the scullery" is no area here: the question offers the areas with lamps; the one
    # picked is where the lamp is turned on (it used to ask the same question again).
    asked = await _ask(home, "turn on the lamp in the scullery")
    assert asked["status"] == "needs_clarification", asked
    (question,) = asked["clarifications"]
    assert {"bedroom", "office"} <= {option["value"] for option in question["options"]}
    settled = await _refine(home, asked["query_id"], {"answers": {question["id"]: "office"}})
    assert settled["status"] == "ready", settled
    assert settled["actions"] == [
        {"action": "light.turn_on", "target": {"entity_id": ["light.office_lamp"]}, "data": {}}
    ]


@pytest.mark.parametrize(
    ("language", "text", "opening"),
    [
        ("en", "frobnicate the kitchen", "I did not understand"),
        ("de", "Frobniziere die Küche", "Das habe ich weder"),
        ("fr", "Frobnique la cuisine", "Je n'ai compris ni"),
        ("es", "Frobnica la cocina", "No he entendido ni"),
        ("nl", "Frobniseer de keuken", "Ik heb dat niet begrepen"),
    ],
)
async def test_a_request_nobody_understands_is_told_so_in_its_language(
    home: Client, language: str, text: str, opening: str
) -> None:
    answer = await _ask(home, text, language=language)
    assert answer["status"] == "unsupported"
    assert answer["message"] == not_understood(language)
    assert answer["message"].startswith(opening)


async def test_a_missing_time_is_asked_and_answered(home: Client) -> None:
    asked = await _ask(home, "every weekday turn on the kitchen light")
    assert asked["status"] == "needs_clarification"
    assert [c["id"] for c in asked["clarifications"]] == ["time"]
    settled = await _refine(home, asked["query_id"], {"answers": {"time": "07:00"}})
    assert settled["status"] == "ready", settled
    assert settled["automation"]["triggers"] == [{"trigger": "time", "at": "07:00:00"}]


async def test_what_should_happen_is_answered_by_one_of_its_options(home: Client) -> None:
    asked = await _ask(home, "when the front door opens")
    assert asked["status"] == "needs_clarification", asked
    question = next(c for c in asked["clarifications"] if c["id"] == "action")
    values = [option["value"] for option in question["options"]]
    # The hall's own light first: the door that opens is in the hall.
    assert values[0] == "turn on the Hall light"
    settled = await _refine(home, asked["query_id"], {"answers": {"action": values[0]}})
    assert settled["status"] == "ready", settled
    assert settled["automation"]["actions"] == [
        {"action": "light.turn_on", "target": {"entity_id": ["light.hall"]}, "data": {}}
    ]


async def test_nonsense_is_unsupported_with_a_message(home: Client) -> None:
    answer = await _ask(home, "the quick brown fox jumps over the lazy dog")
    assert answer["status"] == "unsupported"
    assert answer["kind"] is None
    assert answer["message"]


async def test_the_same_request_is_answered_from_the_cache(home: Client) -> None:
    before = (await (await home.get("/api/v1/stats", headers=AUTH)).json())["cache"]
    first = await _ask(home, "turn off the hall light")
    second = await _ask(home, "Turn off  the hall light")
    assert first["actions"] == second["actions"]
    assert first["query_id"] != second["query_id"]
    stats = await (await home.get("/api/v1/stats", headers=AUTH)).json()
    assert stats["cache"]["hits"] >= before["hits"] + 1
    assert stats["queries"]["count"] >= 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "turn on the light " * 600}, "text"),
        ({"text": 7}, "text"),
        ({"text": "turn on the kitchen light", "language": "xx"}, "language"),
        ({"text": "turn on the kitchen light", "words": "turn on"}, "words"),
        ({"language": "en"}, "text"),
    ],
)
async def test_bad_requests_are_400_and_named(
    home: Client, body: dict[str, Any], field: str
) -> None:
    response = await home.post("/api/v1/query", json=body, headers=AUTH)
    assert response.status == 400, await response.text()
    assert (await response.json())["error"]["details"]["field"] == field


async def test_unknown_queries_are_404(home: Client) -> None:
    for path in ("/api/v1/query/nope", "/api/v1/query/nope/suggestions"):
        response = await home.get(path, headers=AUTH)
        assert response.status == 404
    response = await home.post(
        "/api/v1/query/nope/refine", json={"answers": {"target": "x"}}, headers=AUTH
    )
    assert response.status == 404


# The home with states, as Home Assistant reports them (the catalog mirrors them).
STATES = {
    "light.kitchen": "on",
    "light.bedroom_lamp": "off",
    "light.office_lamp": "on",
    "light.hall": "off",
    "binary_sensor.front_door": "off",
}


@pytest.fixture
async def stateful(client: Client) -> Client:
    body = {
        **HOME,
        "entities": [
            {**entity, "state": STATES[entity["entity_id"]]} for entity in HOME["entities"]
        ],
    }
    response = await client.post("/api/v1/home/import", json=body, headers=AUTH)
    assert response.status == 200, await response.text()
    return client


@pytest.mark.parametrize(
    ("text", "message", "value"),
    [
        ("Is the kitchen light on?", "Yes, Kitchen light is on.", True),
        ("is the hall light on", "No, Hall light is off.", False),
        # A door contact that is off is closed, in the grammar's words.
        ("is the front door open", "No, Front door is closed.", False),
        ("how many lights are on", "2 of 4 lights are on.", 2),
    ],
)
async def test_a_question_is_answered_from_the_states(
    stateful: Client, text: str, message: str, value: Any
) -> None:
    answer = await _ask(stateful, text)
    assert (answer["status"], answer["kind"]) == ("ready", "question"), answer
    assert answer["actions"] == []
    assert answer["automation"] is None
    assert answer["clarifications"] == []
    assert answer["message"] == message
    assert answer["answer"]["value"] == value
    # Stored like any request.
    assert await (await stateful.get(f"/api/v1/query/{answer['query_id']}", headers=AUTH)).json()


async def test_an_answer_names_the_entities_it_read(stateful: Client) -> None:
    answer = await _ask(stateful, "which lights are on in the kitchen")
    assert answer["message"] == "Kitchen light is on."
    assert answer["answer"] == {
        "intent": "HassGetState",
        "entities": [
            {"entity_id": "light.kitchen", "name": "Kitchen light", "state": "on", "matched": True}
        ],
        "value": ["light.kitchen"],
    }
    # Commands carry no answer field.
    assert "answer" not in await _ask(stateful, "turn off the kitchen light")


async def test_an_ambiguous_question_asks_and_refine_answers_it(stateful: Client) -> None:
    asked = await _ask(stateful, "is the lamp on")
    assert (asked["status"], asked["kind"]) == ("needs_clarification", "question")
    (question,) = asked["clarifications"]
    assert {option["value"] for option in question["options"]} == {
        "light.bedroom_lamp",
        "light.office_lamp",
    }
    answered = await _refine(
        stateful, asked["query_id"], {"answers": {question["id"]: "light.office_lamp"}}
    )
    assert (answered["status"], answered["kind"]) == ("ready", "question"), answered
    assert answered["message"] == "Yes, Lamp is on."
    assert answered["answer"]["entities"][0]["entity_id"] == "light.office_lamp"


@pytest.mark.parametrize(
    "text",
    [
        "is the garage light on",
        "is the patio door locked",
        "what is the temperature in the kitchen",
        "what is the weather like",
        "are any fans on in the bedroom",
    ],
)
async def test_a_question_about_an_unknown_device_is_asked_about_or_refused(
    stateful: Client, text: str
) -> None:
    answer = await _ask(stateful, text)
    assert answer["kind"] == "question", answer
    assert answer["status"] in ("needs_clarification", "unsupported"), answer
    assert answer["message"]
    assert answer["actions"] == []
    assert "answer" not in answer
    if answer["status"] == "needs_clarification":
        assert answer["clarifications"][0]["options"]


async def test_the_answer_field_is_documented(client: Client) -> None:
    document = await (await client.get("/api/v1/openapi.json", headers=AUTH)).json()
    schema = document["paths"]["/api/v1/query"]["post"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert set(schema["properties"]["answer"]["required"]) == {"intent", "entities", "value"}


async def test_requests_older_than_the_retention_are_purged(home: Client) -> None:
    old = await _ask(home, "turn on the kitchen light")
    new = await _ask(home, "turn off the kitchen light")
    database, days = home.app[DATABASE], home.app[SETTINGS].retention_days
    async with database.begin() as connection:
        # Asked a day longer ago than events are kept.
        await connection.execute(
            update(queries)
            .where(queries.c.query_id == old["query_id"])
            .values(created_at=queries.c.created_at - (days + 1) * DAY_S)
        )
    assert await purge_queries(database, days) == 1
    response = await home.get(f"/api/v1/query/{old['query_id']}", headers=AUTH)
    assert response.status == 404
    kept = await (await home.get(f"/api/v1/query/{new['query_id']}", headers=AUTH)).json()
    assert kept["query_id"] == new["query_id"]
    assert await purge_queries(database, days) == 0


async def test_the_document_states_the_length_of_a_request(client: Client) -> None:
    document = await (await client.get("/api/v1/openapi.json", headers=AUTH)).json()
    for path in ("/api/v1/query", "/api/v1/query/{query_id}/refine"):
        body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        text = body["schema"]["properties"]["text"]
        assert (text["minLength"], text["maxLength"]) == (1, MAX_TEXT), path
    refused = await client.post("/api/v1/query", json={"text": "x" * 1001}, headers=AUTH)
    assert refused.status == 400
