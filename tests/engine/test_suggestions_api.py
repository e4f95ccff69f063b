"""Suggestions through the API: generated from findings, listed, approved, rejected."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select

from engine.automation.keys import SUGGESTIONS
from engine.automation.suggestions import store as store_module
from engine.ha.automations import MirroredAutomation, save_automations
from engine.keys import CACHE, DATABASE
from engine.query.query_writer import AnsweredQuery, QueryWriter
from engine.store.schema import feedback, patterns
from tests.engine.test_analysis_api import _all, _analyse, _get, _load_home

from .conftest import AUTH, Client

HOME = {
    "time_zone": "Europe/Berlin",
    "floors": [],
    "areas": [{"area_id": "hall", "name": "Hall"}],
    "devices": [],
    "entities": [
        {"entity_id": "binary_sensor.door", "name": "Front door", "area_id": "hall"},
        {
            "entity_id": "light.hall",
            "name": "Hall light",
            "area_id": "hall",
            "attributes": {"supported_color_modes": ["brightness"]},
        },
        {"entity_id": "switch.heater", "name": "Heater", "area_id": "hall"},
        {"entity_id": "lock.front", "name": "Front lock", "area_id": "hall"},
    ],
}


def _pattern(pattern_id: str, entity_id: str, state: str, at: str, score: float) -> dict[str, Any]:
    now = time.time()
    return {
        "id": pattern_id,
        "type": "time_of_day",
        "entities": [entity_id],
        "description": f"On 18 of 21 days {entity_id} {state} around {at}.",
        "confidence": 0.86,
        "support_days": 18,
        "observed_days": 21,
        "score": score,
        "detector_score": score,
        "details": {"entity_id": entity_id, "state": state, "time": at, "days": "all"},
        "first_seen": now - 21 * 86400,
        "last_seen": now,
        "covered_by": [],
        "suppressed": False,
        "run_id": "test",
    }


async def _seeded(client: Client, *rows: dict[str, Any]) -> None:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    async with client.app[DATABASE].begin() as connection:
        await connection.execute(insert(patterns), list(rows))


async def _post(client: Client, path: str, body: Any, status: int = 200) -> Any:
    response = await client.post(path, json=body, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


HABITS = (
    _pattern("p-light", "light.hall", "on", "20:30", 0.9),
    _pattern("p-heater", "switch.heater", "on", "06:00", 0.7),
    _pattern("p-lock", "lock.front", "locked", "23:00", 0.6),
    # Below the threshold: found, but not worth suggesting.
    _pattern("p-weak", "switch.heater", "off", "09:00", 0.2),
)


async def test_generation_makes_each_suggestion_once_best_first(client: Client) -> None:
    await _seeded(client, *HABITS)
    made = await _post(client, "/api/v1/suggestions/generate", {"limit": 2})
    assert made["generated"] == 2
    light, heater = made["suggestions"]
    assert [light["source_id"], heater["source_id"]] == ["p-light", "p-heater"]
    assert light["status"] == "pending"
    assert light["source"] == "pattern"
    # Deployed, the automation keeps why it was suggested, with its counts.
    assert light["explanation"] in light["automation"]["description"]
    assert light["automation"]["description"].startswith(light["description"])
    assert light["score"] == 0.9
    assert light["title"] == "Turn on Hall light at 60% brightness every day at 20:30"
    assert light["explanation"] == HABITS[0]["description"]
    assert light["automation"]["triggers"] == [{"trigger": "time", "at": "20:30:00"}]
    assert light["automation"]["actions"][0]["data"] == {"brightness_pct": 60}
    assert light["yaml"].startswith(f"id: {light['automation']['id']}\nalias: ")
    assert light["validation"]["valid"] is True
    assert light["validation"]["safety"]["score"] == 100
    assert light["requires_confirmation"] is False
    # The rest, then nothing: what was made is never made again.
    rest = await _post(client, "/api/v1/suggestions/generate", {})
    assert [s["source_id"] for s in rest["suggestions"]] == ["p-lock"]
    assert rest["suggestions"][0]["requires_confirmation"] is True
    assert (await _post(client, "/api/v1/suggestions/generate", {}))["generated"] == 0
    listed = await _all(client, "/api/v1/suggestions", "suggestions")
    assert [s["source_id"] for s in listed] == ["p-light", "p-heater", "p-lock"]
    assert await _get(client, f"/api/v1/suggestions/{light['id']}") == light


async def test_generations_at_once_make_each_suggestion_once(client: Client) -> None:
    await _seeded(client, *HABITS)
    answers = await asyncio.gather(
        *(client.post("/api/v1/suggestions/generate", json={}, headers=AUTH) for _ in range(4))
    )
    assert [answer.status for answer in answers] == [200] * 4
    generated = [(await answer.json())["generated"] for answer in answers]
    assert sorted(generated) == [0, 0, 0, 3]
    assert (await _get(client, "/api/v1/suggestions"))["total"] == 3


async def test_requests_for_one_automation_at_once_make_one_suggestion(client: Client) -> None:
    # Requests in words make their suggestions side by side (no turn for each): the same
    # automation asked for at once, and while a generation runs, is stored once, and each
    # request gets the one suggestion.
    await _seeded(client, *HABITS)
    automation = {
        "alias": "Kitchen light at seven",
        "triggers": [{"trigger": "time", "at": "07:00:00"}],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": ["light.kitchen"]}}],
    }
    service = client.app[SUGGESTIONS]
    asking = (service.from_query(f"q{n}", "kitchen light at seven", automation) for n in range(6))
    made, _generated = await asyncio.gather(asyncio.gather(*asking), service.generate(10))
    asked = [suggestion["id"] for suggestion in made]
    assert len(set(asked)) == 1
    listed = await _all(client, "/api/v1/suggestions", "suggestions")
    assert sorted(s["source"] for s in listed) == ["pattern"] * 3 + ["query"]
    assert await _get(client, f"/api/v1/suggestions/{asked[0]}") == made[0]


async def test_asking_again_for_a_rejected_automation_gives_the_rejected_suggestion(
    client: Client,
) -> None:
    await _seeded(client, *HABITS[:1])
    automation = {
        "triggers": [{"trigger": "time", "at": "07:00:00"}],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": ["light.hall"]}}],
    }
    service = client.app[SUGGESTIONS]
    first = await service.from_query("q1", "hall light at seven", automation)
    await _post(client, f"/api/v1/suggestions/{first['id']}/reject", {})
    # Said again in other words (another alias): the same automation, decided already.
    again = await service.from_query("q2", "at 7 turn on the hall light", automation)
    assert again["id"] == first["id"]
    assert again["status"] == "rejected"
    listed = await _all(client, "/api/v1/suggestions", "suggestions")
    assert [s["id"] for s in listed] == [first["id"]]


async def test_an_automation_home_assistant_already_has_is_not_suggested(client: Client) -> None:
    await _seeded(client, *HABITS[:2])
    existing = {
        "id": "1",
        "alias": "Mine",
        "triggers": [{"trigger": "time", "at": "06:00:00"}],
        "actions": [{"action": "switch.turn_on", "target": {"entity_id": ["switch.heater"]}}],
    }
    await save_automations(
        client.app[DATABASE], [MirroredAutomation("automation.mine", "1", existing)]
    )
    made = await _post(client, "/api/v1/suggestions/generate", {})
    assert [s["source_id"] for s in made["suggestions"]] == ["p-light"]


async def test_filters_and_paging(client: Client) -> None:
    await _seeded(client, *HABITS)
    await _post(client, "/api/v1/suggestions/generate", {})
    high = await _get(client, "/api/v1/suggestions?min_score=0.65")
    assert [s["source_id"] for s in high["suggestions"]] == ["p-light", "p-heater"]
    assert high["total"] == 2
    page = await _get(client, "/api/v1/suggestions?limit=1")
    assert page["next_cursor"] is not None
    second = await _get(client, f"/api/v1/suggestions?limit=1&cursor={page['next_cursor']}")
    assert second["suggestions"][0]["source_id"] == "p-heater"
    assert (await _get(client, "/api/v1/suggestions?status=rejected"))["suggestions"] == []
    for bad in ("status=maybe", "min_score=2", "limit=0", "cursor=nonsense"):
        error = await _get(client, f"/api/v1/suggestions?{bad}", 400)
        assert error["error"]["code"] == "bad_request"
    assert (await _get(client, "/api/v1/suggestions/nope", 404))["error"]["code"] == "not_found"


async def test_a_listing_shows_again_only_what_changed(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _seeded(client, *HABITS)
    await _post(client, "/api/v1/suggestions/generate", {})
    shown: list[str] = []
    convert = store_module.suggestion_to_dict

    def counted(row: Any) -> Any:
        shown.append(row.source_id)
        return convert(row)

    monkeypatch.setattr(store_module, "suggestion_to_dict", counted)
    first = await _get(client, "/api/v1/suggestions")
    assert sorted(shown) == ["p-heater", "p-light", "p-lock"]
    shown.clear()
    # Nothing changed: the same page, and no row is read or converted again.
    assert await _get(client, "/api/v1/suggestions") == first
    assert shown == []
    heater = first["suggestions"][1]
    rejected = await _post(client, f"/api/v1/suggestions/{heater['id']}/reject", {})
    shown.clear()
    again = await _get(client, "/api/v1/suggestions")
    assert shown == ["p-heater"]
    assert again["suggestions"][1] == rejected["suggestion"]
    assert again["suggestions"][1]["status"] == "rejected"
    assert [s["status"] for s in again["suggestions"]] == ["pending", "rejected", "pending"]
    # What a caller does to a listed suggestion is not what the next listing shows.
    listed = await client.app[SUGGESTIONS].store.list(
        status=None, min_score=None, limit=10, after=None
    )
    listed[0][0]["title"] = "changed by a caller"
    assert (await _get(client, "/api/v1/suggestions")) == again


async def _feedback_actions(client: Client) -> list[tuple[str, str]]:
    async with client.app[DATABASE].connect() as connection:
        rows = (await connection.execute(select(feedback.c.pattern_id, feedback.c.action))).all()
    return [(row.pattern_id, row.action) for row in rows]


async def test_a_rejected_suggestion_is_learnt_from_and_never_made_again(client: Client) -> None:
    await _seeded(client, *HABITS[:2])
    made = await _post(client, "/api/v1/suggestions/generate", {})
    light = made["suggestions"][0]
    rejected = await _post(
        client, f"/api/v1/suggestions/{light['id']}/reject", {"reason": "too bright"}
    )
    assert rejected["suggestion"]["status"] == "rejected"
    assert rejected["suggestion"]["reason"] == "too bright"
    assert await _feedback_actions(client) == [("p-light", "reject")]
    # The habit is now suppressed, and its suggestion's fingerprint is kept.
    assert (await _get(client, "/api/v1/patterns/p-light"))["suppressed"] is True
    assert (await _post(client, "/api/v1/suggestions/generate", {}))["generated"] == 0
    # A verdict is final.
    for verb in ("reject", "approve"):
        error = await _post(client, f"/api/v1/suggestions/{light['id']}/{verb}", {}, 409)
        assert error["error"]["details"] == {"status": "rejected"}


async def test_approving_validates_asks_for_confirmation_and_keeps_edits(client: Client) -> None:
    await _seeded(client, *HABITS[:3])
    made = {
        s["source_id"]: s
        for s in (await _post(client, "/api/v1/suggestions/generate", {}))["suggestions"]
    }
    lock = made["p-lock"]
    refused = await _post(client, f"/api/v1/suggestions/{lock['id']}/approve", {}, 422)
    assert refused["error"]["code"] == "unprocessable"
    assert refused["error"]["details"]["confirm"] == ["confirm_lock"]
    assert (await _get(client, f"/api/v1/suggestions/{lock['id']}"))["status"] == "pending"
    approved = await _post(
        client,
        f"/api/v1/suggestions/{lock['id']}/approve",
        {"deploy": False, "confirm": True},
    )
    assert approved["suggestion"]["status"] == "approved"
    assert approved["deployment"] is None
    # An edit that breaks the automation is refused with what is wrong, and nothing changes.
    heater = made["p-heater"]
    broken = {
        **heater["automation"],
        "actions": [{"action": "switch.turn_on", "target": {"entity_id": "switch.nope"}}],
    }
    refused = await _post(
        client, f"/api/v1/suggestions/{heater['id']}/approve", {"automation": broken}, 422
    )
    errors = refused["error"]["details"]["validation"]["errors"]
    assert [e["code"] for e in errors] == ["unknown_entity"]
    assert await _get(client, f"/api/v1/suggestions/{heater['id']}") == heater
    # A good edit is kept, under the suggestion's own automation id (not one from elsewhere,
    # which would make it a new version of another automation).
    edited = {**heater["automation"], "id": made["p-light"]["automation"]["id"]}
    edited["triggers"] = [{"trigger": "time", "at": "06:15:00"}]
    approved = await _post(
        client,
        f"/api/v1/suggestions/{heater['id']}/approve",
        {"automation": edited, "deploy": False},
    )
    assert approved["suggestion"]["automation"] == {**edited, "id": heater["automation"]["id"]}
    assert ("p-heater", "approve") in await _feedback_actions(client)
    bad = await _post(client, f"/api/v1/suggestions/{heater['id']}/approve", {"deploy": "yes"}, 400)
    assert bad["error"]["code"] == "bad_request"


async def test_without_home_assistant_approval_stays_approved_not_deployed(
    client: Client,
) -> None:
    await _seeded(client, *HABITS[:1])
    light = (await _post(client, "/api/v1/suggestions/generate", {}))["suggestions"][0]
    error = await _post(client, f"/api/v1/suggestions/{light['id']}/approve", {}, 503)
    assert error["error"]["code"] == "ha_unavailable"
    assert (await _get(client, f"/api/v1/suggestions/{light['id']}"))["status"] == "approved"
    assert (await _get(client, "/api/v1/deployment/automations"))["automations"] == []
    # Deploying it by its id is the same approval, and answers the same.
    body = {"suggestion_id": light["id"]}
    error = await _post(client, "/api/v1/deployment/deploy", body, 503)
    assert error["error"]["code"] == "ha_unavailable"
    assert (await _get(client, f"/api/v1/suggestions/{light['id']}"))["status"] == "approved"
    missing = await _post(client, "/api/v1/deployment/deploy", {"suggestion_id": "nope"}, 404)
    assert missing["error"]["code"] == "not_found"


async def test_a_synthetic_homes_analysis_gives_valid_suggestions(client: Client) -> None:
    await _load_home(client)
    await _analyse(client)
    made = await _post(client, "/api/v1/suggestions/generate", {"limit": 50})
    assert made["generated"] >= 5
    scores = [s["score"] for s in made["suggestions"]]
    assert scores == sorted(scores, reverse=True)
    assert all(s["validation"]["valid"] for s in made["suggestions"])
    sources = {s["source"] for s in made["suggestions"]}
    assert "pattern" in sources
    ids = {s["automation"]["id"] for s in made["suggestions"]}
    assert len(ids) == len(made["suggestions"])


async def test_a_page_of_suggestions_is_read_from_the_ranking_index(client: Client) -> None:
    # Every suggestion asked for in words scores 1.0: on an index of the score alone,
    # each page sorted all of them by id, reading every row (9.6 ms a page at 8,000).
    service = client.app[SUGGESTIONS]
    for hour in range(6):
        automation = {
            "triggers": [{"trigger": "time", "at": f"0{hour}:00:00"}],
            "actions": [{"action": "light.turn_on", "target": {"entity_id": ["light.hall"]}}],
        }
        await service.from_query(f"q{hour}", f"hall light at {hour}", automation)
    statements: list[tuple[str, Any]] = []

    def executed(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("SELECT suggestions.id, suggestions.updated_at"):
            statements.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", executed)
    try:
        first = await _get(client, "/api/v1/suggestions?limit=2")
        await _get(client, f"/api/v1/suggestions?limit=2&cursor={first['next_cursor']}")
        await _get(client, "/api/v1/suggestions?status=pending&min_score=0.5&limit=2")
    finally:
        event.remove(Engine, "before_cursor_execute", executed)
    assert len(statements) == 3
    async with client.app[DATABASE].connect() as connection:
        for statement, parameters in statements:
            plan = " / ".join(
                row[-1]
                for row in await connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {statement}", parameters
                )
            )
            assert re.search(r"INDEX ix_suggestions_(status_)?rank\b", plan), plan
            assert "TEMP B-TREE" not in plan, plan


def _at(hour: int) -> dict[str, Any]:
    return {
        "triggers": [{"trigger": "time", "at": f"{hour:02d}:00:00"}],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": ["light.hall"]}}],
    }


async def test_listings_count_the_suggestions_once_then_keep_count(client: Client) -> None:
    # Counting reads a whole index: with a suggestion for every automation asked for,
    # the listings' counts grew to most of the engine's time under load. New ones are
    # counted in; any other change makes the next listing of each filter count again.
    service = client.app[SUGGESTIONS]
    await service.from_query("q0", "hall light at midnight", _at(0))
    counted: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "count(*)" in statement and "FROM suggestions" in statement:
            counted.append(statement)

    async def total(query: str = "") -> int:
        listed = await _get(client, f"/api/v1/suggestions{query}")
        return int(listed["total"])

    event.listen(Engine, "before_cursor_execute", executed)
    try:
        assert [await total(), await total(), len(counted)] == [1, 1, 1]
        assert [await total("?min_score=1.0"), await total("?status=rejected")] == [1, 0]
        # Stored on its own, and in a batch of answered requests: counted in, not again.
        await service.from_query("q1", "hall light at one", _at(1))
        writer = QueryWriter(client.app[DATABASE], client.app[CACHE], service.asked)
        drafted = service.asked.draft("q2", "hall light at two", _at(2))
        await writer.write(AnsweredQuery(_query_row("q2"), suggestion=drafted))
        assert len(counted) == 3
        assert [await total(), await total("?min_score=1.0"), await total("?status=rejected")] == [
            3,
            3,
            0,
        ]
        assert await total("?status=pending") == 3
        assert len(counted) == 4
        # A verdict: each filter is counted again.
        await service.reject(drafted.row["id"], None)
        assert [await total("?status=pending"), await total("?status=rejected")] == [2, 1]
        assert [await total(), len(counted)] == [3, 7]
    finally:
        event.remove(Engine, "before_cursor_execute", executed)


def _query_row(query_id: str) -> dict[str, Any]:
    now = time.time()
    return {
        "query_id": query_id,
        "text": f"request {query_id}",
        "language": "en",
        "area_id": None,
        "answer": {"status": "ready", "kind": "automation", "message": None},
        "created_at": now,
        "updated_at": now,
    }
