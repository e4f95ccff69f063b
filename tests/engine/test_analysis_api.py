"""Analysis runs, patterns, synergies and feedback through the API, over a real SQLite file."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from sqlalchemy import insert, select

from engine.app import create_app
from engine.ha.automations import MirroredAutomation, save_automations
from engine.keys import DATABASE
from engine.patterns.keys import ANALYSIS, PATTERNS
from engine.settings import Settings
from engine.store.database import create_database_engine
from engine.store.run_rows import INTERRUPTED_BY_RESTART, INTERRUPTED_BY_STOP
from engine.store.schema import analysis_runs

from .conftest import AUTH, Client, ClientFactory

DEADLINE_S = 120


async def _get(client: Client, path: str, status: int = 200) -> Any:
    response = await client.get(path, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


async def _load_home(client: Client, days: int = 21) -> None:
    body = {"home_type": "family_house", "days": days, "seed": 1, "load": True}
    response = await client.post("/api/v1/synthetic/home", json=body, headers=AUTH)
    assert response.status == 200, await response.text()


async def _analyse(client: Client, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await client.post("/api/v1/analysis/run", json=body or {}, headers=AUTH)
    assert response.status == 202, await response.text()
    run_id = (await response.json())["run_id"]
    run = await _ended(client, f"/api/v1/analysis/runs/{run_id}")
    assert run["status"] == "succeeded", run
    return run


async def _ended(client: Client, path: str) -> dict[str, Any]:
    """Poll a run until it is neither queued nor running."""
    async with asyncio.timeout(DEADLINE_S):
        while (run := await _get(client, path))["status"] in ("queued", "running"):  # noqa: ASYNC110 - polls the API
            await asyncio.sleep(0.05)
    return run  # type: ignore[no-any-return]


async def _all(client: Client, path: str, key: str) -> list[dict[str, Any]]:
    """Walk every page of a listing with a small page size."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    separator = "&" if "?" in path else "?"
    while True:
        suffix = f"{separator}limit=7" + (f"&cursor={cursor}" if cursor else "")
        page = await _get(client, path + suffix)
        items += page[key]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_an_analysis_finds_patterns_and_serves_them(client: Client) -> None:
    await _load_home(client)
    response = await client.post("/api/v1/analysis/run", json={"days": 14}, headers=AUTH)
    assert response.status == 202
    first = await response.json()
    busy = await client.post("/api/v1/analysis/run", json={}, headers=AUTH)
    assert busy.status == 409
    assert (await busy.json())["error"]["details"]["run_id"] == first["run_id"]
    run = await _ended(client, f"/api/v1/analysis/runs/{first['run_id']}")
    assert run["status"] == "succeeded", run
    stats = run["stats"]
    assert run["progress"] == 1.0
    assert run["days"] == 14
    assert stats["events"] > 10_000
    assert stats["entities"] > 50
    assert stats["patterns"] > 0
    assert stats["duration_s"] > 0

    patterns = await _all(client, "/api/v1/patterns", "patterns")
    assert len(patterns) == stats["patterns"]
    assert len({p["id"] for p in patterns}) == len(patterns)
    scores = [p["score"] for p in patterns]
    assert scores == sorted(scores, reverse=True)
    listed = await _get(client, "/api/v1/patterns?limit=1")
    assert listed["total"] == len(patterns)
    top = patterns[0]
    assert await _get(client, f"/api/v1/patterns/{top['id']}") == top
    assert top["description"][0].isupper()
    assert any(ch.isdigit() for ch in top["description"])
    assert {"time_of_day", "co_occurrence"} <= {p["type"] for p in patterns}

    pairs = await _all(client, "/api/v1/patterns?type=co_occurrence", "patterns")
    assert pairs
    assert all(p["type"] == "co_occurrence" for p in pairs)
    entity = pairs[0]["entities"][0]
    involving = await _all(client, f"/api/v1/patterns?entity_id={entity}", "patterns")
    assert involving
    assert all(entity in p["entities"] for p in involving)
    assert {p["id"] for p in involving} == {p["id"] for p in patterns if entity in p["entities"]}
    confident = await _all(client, "/api/v1/patterns?min_confidence=0.8", "patterns")
    assert {p["id"] for p in confident} == {p["id"] for p in patterns if p["confidence"] >= 0.8}

    synergies = await _all(client, "/api/v1/synergies", "synergies")
    stats_answer = await _get(client, "/api/v1/synergies/stats")
    assert stats_answer["total"] == len(synergies) == stats["synergies"]
    assert sum(stats_answer["by_depth"].values()) == len(synergies)
    pair_steps = {
        (
            (p["details"]["trigger"]["entity_id"], p["details"]["trigger"]["state"]),
            (p["details"]["action"]["entity_id"], p["details"]["action"]["state"]),
        )
        for p in pairs
    }
    for synergy in synergies:
        steps = [(s["entity_id"], s["state"]) for s in synergy["chain"]]
        assert synergy["depth"] == len(steps)
        assert all((a, b) in pair_steps for a, b in itertools.pairwise(steps))
    for depth in (2, 3, 4):
        by_depth = await _all(client, f"/api/v1/synergies?depth={depth}", "synergies")
        assert len(by_depth) == stats_answer["by_depth"][str(depth)]
    if synergies:
        assert await _get(client, f"/api/v1/synergies/{synergies[0]['id']}") == synergies[0]

    # The same habits keep their ids from one analysis to the next.
    await _analyse(client, {"days": 14})
    again = await _all(client, "/api/v1/patterns", "patterns")
    habits = {p["id"] for p in patterns if p["type"] != "anomaly"}
    assert habits == {p["id"] for p in again if p["type"] != "anomaly"}

    runs = await _get(client, "/api/v1/analysis/runs")
    assert runs["total"] == 2
    assert [r["trigger"] for r in runs["runs"]] == ["api", "api"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/patterns?type=habit", "type"),
        ("/api/v1/patterns?min_confidence=2", "min_confidence"),
        ("/api/v1/patterns?min_confidence=high", "min_confidence"),
        ("/api/v1/patterns?limit=0", "limit"),
        ("/api/v1/patterns?cursor=garbage", "cursor"),
        ("/api/v1/synergies?depth=5", "depth"),
    ],
)
async def test_bad_query_parameters_are_400_and_named(
    client: Client, path: str, field: str
) -> None:
    answer = await _get(client, path, 400)
    assert answer["error"]["details"]["field"] == field


async def test_unknown_ids_are_404_and_stats_is_not_an_id(client: Client) -> None:
    await _get(client, "/api/v1/patterns/nope", 404)
    await _get(client, "/api/v1/synergies/nope", 404)
    await _get(client, "/api/v1/analysis/runs/nope", 404)
    assert await _get(client, "/api/v1/synergies/stats") == {
        "total": 0,
        "by_depth": {"2": 0, "3": 0, "4": 0},
        "mean_score": 0.0,
    }
    paths = [getattr(r, "canonical", "") for r in client.app.router.resources()]
    assert paths.index("/api/v1/synergies/stats") < paths.index("/api/v1/synergies/{id}")


@pytest.mark.parametrize("body", [{"days": 0}, {"days": "30"}, {"days": 366}, {"weeks": 2}])
async def test_bad_run_bodies_are_400(client: Client, body: dict[str, Any]) -> None:
    response = await client.post("/api/v1/analysis/run", json=body, headers=AUTH)
    assert response.status == 400, await response.text()


async def test_an_empty_engine_analyses_to_nothing(client: Client) -> None:
    run = await _analyse(client)
    assert run["stats"]["events"] == 0
    assert run["stats"]["patterns"] == 0
    assert (await _get(client, "/api/v1/patterns"))["patterns"] == []


async def test_feedback_reranks_and_rejected_patterns_stay_down(client: Client) -> None:
    await _load_home(client, days=14)
    await _analyse(client)
    service = client.app[PATTERNS]
    patterns = await _all(client, "/api/v1/patterns?type=time_of_day", "patterns")
    rejected, *others = patterns
    await service.record_feedback(rejected["id"], "reject")
    after = await _get(client, f"/api/v1/patterns/{rejected['id']}")
    assert after["suppressed"] is True
    assert after["score"] < rejected["score"]
    # Its type lost some trust: the other time-of-day habits score a little lower.
    assert (await _get(client, f"/api/v1/patterns/{others[0]['id']}"))["score"] <= others[0][
        "score"
    ]
    # A new analysis with the same evidence keeps it suppressed.
    await _analyse(client)
    assert (await _get(client, f"/api/v1/patterns/{rejected['id']}"))["suppressed"] is True
    # Approving it later lifts the suppression.
    await service.record_feedback(rejected["id"], "approve")
    assert (await _get(client, f"/api/v1/patterns/{rejected['id']}"))["suppressed"] is False


async def test_patterns_covered_by_an_existing_automation_are_marked(client: Client) -> None:
    await _load_home(client, days=14)
    await _analyse(client)
    pair = (await _get(client, "/api/v1/patterns?type=co_occurrence&limit=1"))["patterns"][0]
    trigger, action = pair["details"]["trigger"], pair["details"]["action"]
    config = {
        "id": "1700000000000",
        "alias": "Existing",
        "triggers": [{"trigger": "state", "entity_id": trigger["entity_id"], "to": "on"}],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": action["entity_id"]}}],
    }
    await save_automations(
        client.app[DATABASE],
        [MirroredAutomation("automation.existing", "1700000000000", config)],
    )
    await _analyse(client)
    covered = await _get(client, f"/api/v1/patterns/{pair['id']}")
    assert covered["covered_by"] == ["automation.existing"]
    uncovered = await _all(client, "/api/v1/patterns?type=time_of_day", "patterns")
    assert all(p["covered_by"] == [] for p in uncovered if p["entities"][0] != action["entity_id"])


async def test_suggestion_ranker_trains_on_feedback_and_ranks(client: Client) -> None:
    await _load_home(client, days=14)
    await _analyse(client)
    service = client.app[PATTERNS]
    too_early = await client.post("/api/v1/training/suggestion_ranker", json={}, headers=AUTH)
    assert too_early.status == 202
    run_id = (await too_early.json())["run_id"]
    run = await _ended(client, f"/api/v1/training/runs/{run_id}")
    assert run["status"] == "failed"
    assert "needs feedback on at least" in run["error"]

    # A household that takes what follows people (pairs, routines) and turns down
    # time-of-day habits (which the detector alone ranks first).
    patterns = await _all(client, "/api/v1/patterns", "patterns")
    liked_types = ("co_occurrence", "routine")
    sample = [p for p in patterns if p["type"] == "time_of_day"][:12]
    sample += [p for p in patterns if p["type"] in liked_types][::2][:12]
    for pattern in sample:
        liked = pattern["type"] in liked_types
        await service.store.record_feedback(pattern["id"], "approve" if liked else "reject")
    response = await client.post("/api/v1/training/suggestion_ranker", json={}, headers=AUTH)
    run_id = (await response.json())["run_id"]
    run = await _ended(client, f"/api/v1/training/runs/{run_id}")
    assert run["status"] == "succeeded", run
    assert run["metrics"]["samples"] == len(sample)
    scorer = await service.scorer()
    assert scorer.model is not None
    # The stored scores were ranked again with the model: unjudged habits come first.
    judged = {p["id"] for p in sample}
    before = [p["type"] in liked_types for p in patterns if p["id"] not in judged][:10]
    ranked = await _all(client, "/api/v1/patterns", "patterns")
    after = [p["type"] in liked_types for p in ranked if p["id"] not in judged][:10]
    assert sum(after) > sum(before), (before, after)
    assert sum(after) >= 7, after


async def test_a_run_left_running_by_a_crash_is_failed_at_start(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    first = await aiohttp_client(create_app(settings))
    await first.close()
    # What a killed engine leaves behind: a run row still marked running.
    engine = create_database_engine(settings.resolved_database_url)
    async with engine.begin() as connection:
        await connection.execute(
            insert(analysis_runs).values(
                run_id="crashed",
                status="running",
                progress=0.4,
                days=30,
                trigger="schedule",
                created_at=1.0,
            )
        )
    await engine.dispose()
    second = await aiohttp_client(create_app(settings))
    run = await _get(second, "/api/v1/analysis/runs/crashed")
    assert run["status"] == "failed"
    assert run["error"] == INTERRUPTED_BY_RESTART
    assert second.app[ANALYSIS].active is None


async def test_stopping_the_engine_fails_the_analysis_in_progress(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await aiohttp_client(create_app(settings))
    await _load_home(client, days=30)
    response = await client.post("/api/v1/analysis/run", json={}, headers=AUTH)
    run_id = (await response.json())["run_id"]
    async with asyncio.timeout(DEADLINE_S):
        while (await _get(client, f"/api/v1/analysis/runs/{run_id}"))["status"] == "queued":  # noqa: ASYNC110 - polls the API
            await asyncio.sleep(0.01)
    await client.close()
    engine = create_database_engine(settings.resolved_database_url)
    async with engine.connect() as connection:
        row = (
            await connection.execute(select(analysis_runs).where(analysis_runs.c.run_id == run_id))
        ).one()
    await engine.dispose()
    # Either it finished before the stop reached it, or it was cut off and says why.
    assert (row.status, row.error) in (("succeeded", None), ("failed", INTERRUPTED_BY_STOP))
