"""What the exclude and min_score settings do to analyses, generation and the suggestion list."""

from __future__ import annotations

from typing import Any, cast

from tests.engine.test_analysis_api import _all, _analyse, _get, _load_home
from tests.engine.test_suggestions_api import HABITS, HOME, _post, _seeded

from .conftest import AUTH, Client


async def _patch(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.patch("/api/v1/settings", json=body, headers=AUTH)
    assert response.status == 200, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def _listed(client: Client, query: str = "") -> list[str]:
    """Return the source ids of every suggestion the list shows, best first."""
    items = await _all(client, f"/api/v1/suggestions{query}", "suggestions")
    return [item["source_id"] for item in items]


async def test_excluded_entities_pending_suggestions_are_hidden_until_included(
    client: Client,
) -> None:
    await _seeded(client, *HABITS)
    made = await _post(client, "/api/v1/suggestions/generate", {})
    assert [s["source_id"] for s in made["suggestions"]] == ["p-light", "p-heater", "p-lock"]
    heater = made["suggestions"][1]
    await _post(client, f"/api/v1/suggestions/{heater['id']}/reject", {})

    await _patch(client, {"exclude": {"entities": ["light.hall", "switch.heater"]}})
    # The pending light is hidden; the rejected heater is no pending suggestion, so it shows.
    assert await _listed(client) == ["p-heater", "p-lock"]
    assert await _listed(client, "?status=pending") == ["p-lock"]
    assert (await _get(client, "/api/v1/suggestions?status=pending"))["total"] == 1
    # Asked for by id, it is still there.
    light = made["suggestions"][0]
    assert (await _get(client, f"/api/v1/suggestions/{light['id']}"))["status"] == "pending"

    await _patch(client, {"exclude": {"entities": []}})
    assert await _listed(client) == ["p-light", "p-heater", "p-lock"]


async def test_an_excluded_area_hides_its_entities_suggestions(client: Client) -> None:
    await _seeded(client, *HABITS)
    await _post(client, "/api/v1/suggestions/generate", {})
    await _patch(client, {"exclude": {"areas": ["hall"]}})
    # Every entity of the test home is in the hall.
    assert await _listed(client) == []
    await _patch(client, {"exclude": {"areas": ["garage"], "labels": ["guest"]}})
    assert await _listed(client) == ["p-light", "p-heater", "p-lock"]


async def test_generation_leaves_excluded_entities_out_and_makes_them_once_included(
    client: Client,
) -> None:
    await _seeded(client, *HABITS)
    await _patch(client, {"exclude": {"entities": ["lock.front"]}})
    made = await _post(client, "/api/v1/suggestions/generate", {})
    assert [s["source_id"] for s in made["suggestions"]] == ["p-light", "p-heater"]
    await _patch(client, {"exclude": {"entities": []}})
    made = await _post(client, "/api/v1/suggestions/generate", {})
    assert [s["source_id"] for s in made["suggestions"]] == ["p-lock"]


async def test_min_score_is_the_default_of_the_list_and_of_generation(client: Client) -> None:
    await _seeded(client, *HABITS)
    await _patch(client, {"min_score": 0.8})
    made = await _post(client, "/api/v1/suggestions/generate", {})
    assert [s["source_id"] for s in made["suggestions"]] == ["p-light"]
    # A request's own min_score wins, for generation and for the list.
    made = await _post(client, "/api/v1/suggestions/generate", {"min_score": 0})
    assert [s["source_id"] for s in made["suggestions"]] == ["p-heater", "p-lock"]
    assert await _listed(client) == ["p-light"]
    assert (await _get(client, "/api/v1/suggestions"))["total"] == 1
    assert await _listed(client, "?min_score=0.65") == ["p-light", "p-heater"]
    await _patch(client, {"min_score": 0})
    assert await _listed(client) == ["p-light", "p-heater", "p-lock"]


async def test_a_bad_min_score_for_generation_is_400(client: Client) -> None:
    for value in (1.5, -1, "0.5", True):
        response = await client.post(
            "/api/v1/suggestions/generate", json={"min_score": value}, headers=AUTH
        )
        assert response.status == 400
        assert (await response.json())["error"]["details"]["field"] == "min_score"


async def _patterns(client: Client) -> list[dict[str, Any]]:
    page = await _get(client, "/api/v1/patterns?limit=500")
    assert page["next_cursor"] is None
    return page["patterns"]  # type: ignore[no-any-return]


def _involved(patterns: list[dict[str, Any]]) -> set[str]:
    return {entity_id for pattern in patterns for entity_id in pattern["entities"]}


async def test_exclusions_are_left_out_of_the_next_analysis(client: Client) -> None:
    await _load_home(client, days=14)
    first = await _analyse(client, {"days": 14})
    before = await _patterns(client)
    entities = (await _get(client, "/api/v1/entities?limit=500"))["entities"]
    area_of = {entity["entity_id"]: entity["area_id"] for entity in entities}
    excluded_entity = before[0]["entities"][0]
    # An area of another pattern's entities, so both ways of excluding are tested.
    area = next(
        area_of[entity_id]
        for pattern in before
        for entity_id in pattern["entities"]
        if area_of.get(entity_id) not in (None, area_of.get(excluded_entity))
    )
    in_area = {entity_id for entity_id, area_id in area_of.items() if area_id == area}
    assert in_area & _involved(before)

    await _patch(client, {"exclude": {"entities": [excluded_entity], "areas": [area]}})
    # Until the next analysis, the last one's findings stay as they were.
    assert len(await _patterns(client)) == len(before)
    second = await _analyse(client, {"days": 14})
    after = await _patterns(client)
    assert after
    assert not _involved(after) & ({excluded_entity} | in_area)
    assert second["stats"]["entities"] < first["stats"]["entities"]
    assert second["stats"]["events"] < first["stats"]["events"]


def _entities() -> list[dict[str, Any]]:
    """The test home's entities (HOME mixes value types, so its items are objects to mypy)."""
    return cast(list[dict[str, Any]], HOME["entities"])


async def test_an_excluded_label_hides_the_suggestions_of_entities_that_carry_it(
    client: Client,
) -> None:
    await _seeded(client, *HABITS)
    labelled = {
        **HOME,
        "entities": [
            {**entity, "labels": ["guest_room"]}
            if entity["entity_id"] == "switch.heater"
            else entity
            for entity in _entities()
        ],
    }
    response = await client.post("/api/v1/home/import", json=labelled, headers=AUTH)
    assert response.status == 200, await response.text()
    heater = await _get(client, "/api/v1/entities?domain=switch")
    assert [entity["labels"] for entity in heater["entities"]] == [["guest_room"]]
    await _post(client, "/api/v1/suggestions/generate", {})
    await _patch(client, {"exclude": {"labels": ["guest_room"]}})
    assert await _listed(client) == ["p-light", "p-lock"]
    await _patch(client, {"exclude": {"labels": []}})
    assert await _listed(client) == ["p-light", "p-heater", "p-lock"]


async def test_labels_are_bounded_strings(client: Client) -> None:
    for labels in (["x" * 256], [""], [7], ["a"] * 101):
        body = {**HOME, "entities": [{**_entities()[0], "labels": labels}]}
        response = await client.post("/api/v1/home/import", json=body, headers=AUTH)
        assert response.status == 400, labels
        assert (await response.json())["error"]["details"]["field"].startswith("entities")
