"""Training runs: background, progress, cancel, versions, failures, restarts."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from engine.app import create_app
from engine.settings import Settings
from engine.store.database import create_database_engine
from engine.store.run_rows import INTERRUPTED_BY_RESTART, INTERRUPTED_BY_STOP
from engine.store.schema import training_runs
from engine.training.keys import TRAINING
from engine.training.registry import TRAINING_TYPES

from .conftest import AUTH, Client, ClientFactory

DEADLINE_S = 60


@pytest.fixture(autouse=True)
def steps_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(TRAINING_TYPES, "test_steps", "tests.engine.training_types:STEPS")


async def _start(client: Client, params: dict[str, Any] | None = None) -> str:
    body = {} if params is None else {"params": params}
    response = await client.post("/api/v1/training/test_steps", json=body, headers=AUTH)
    assert response.status == 202, await response.text()
    answer = await response.json()
    assert answer["status"] == "queued"
    return str(answer["run_id"])


async def _run(client: Client, run_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/training/runs/{run_id}", headers=AUTH)
    assert response.status == 200
    return await response.json()  # type: ignore[no-any-return]


async def _until(client: Client, run_id: str, statuses: set[str]) -> dict[str, Any]:
    async with asyncio.timeout(DEADLINE_S):
        while (run := await _run(client, run_id))["status"] not in statuses:  # noqa: ASYNC110 - polls the API
            await asyncio.sleep(0.05)
    return run


async def test_a_run_trains_and_stores_a_versioned_model(
    client: Client, settings: Settings
) -> None:
    first = await _until(client, await _start(client, {"steps": 3}), {"succeeded", "failed"})
    assert first["status"] == "succeeded", first
    assert first["metrics"] == {"steps": 3, "inputs": {}}
    assert first["model_version"] == 1
    assert first["progress"] == 1.0
    assert first["params"] == {"steps": 3, "step_s": 0.0, "outcome": "succeed"}
    assert first["started_at"] <= first["finished_at"]
    path = settings.data_dir / "models" / "test_steps" / "v1.model"
    assert path.read_bytes() == b"model-3"

    second = await _until(client, await _start(client, {"steps": 4}), {"succeeded"})
    assert second["model_version"] == 2
    listed = await (await client.get("/api/v1/models", headers=AUTH)).json()
    assert [(m["name"], m["version"], m["metrics"]) for m in listed["models"]] == [
        ("test_steps", 2, {"steps": 4, "inputs": {}})
    ]
    assert path.read_bytes() == b"model-3"  # old versions stay


async def test_inputs_gathered_by_the_engine_reach_the_worker(client: Client) -> None:
    runner = client.app[TRAINING]
    gathered: list[int] = []

    async def feedback_history() -> dict[str, Any]:
        gathered.append(1)
        return {"history": [{"action": "approve"}]}

    runner.provide_inputs("test_steps", feedback_history)
    run = await _until(client, await _start(client, {"steps": 1}), {"succeeded", "failed"})
    assert run["metrics"]["inputs"] == {"history": [{"action": "approve"}]}, run
    assert gathered == [1]

    async def broken() -> dict[str, Any]:
        raise RuntimeError("feedback store unreadable")

    runner.provide_inputs("test_steps", broken)
    failed = await _until(client, await _start(client, {"steps": 1}), {"succeeded", "failed"})
    assert failed["status"] == "failed"
    assert failed["error"] == "feedback store unreadable"


async def test_unknown_type_is_404_and_bad_params_are_400(client: Client) -> None:
    unknown = await client.post("/api/v1/training/no_such_model", json={}, headers=AUTH)
    assert unknown.status == 404
    assert (await unknown.json())["error"]["code"] == "not_found"
    for params, field in (
        ({"steps": 0}, "params.steps"),
        ({"steps": "many"}, "params.steps"),
        ({"outcome": "maybe"}, "params.outcome"),
        ({"colour": 1}, "params.colour"),
    ):
        response = await client.post(
            "/api/v1/training/test_steps", json={"params": params}, headers=AUTH
        )
        assert response.status == 400, params
        assert (await response.json())["error"]["details"]["field"] == field
    runs = await (await client.get("/api/v1/training/runs", headers=AUTH)).json()
    assert runs["total"] == 0


async def test_progress_and_cancel(client: Client) -> None:
    run_id = await _start(client, {"steps": 2000, "step_s": 0.005})
    async with asyncio.timeout(DEADLINE_S):
        while not (run := await _run(client, run_id))["progress"] > 0:  # noqa: ASYNC110 - polls the API
            await asyncio.sleep(0.05)
    assert run["status"] == "running"
    cancelled = await client.post(f"/api/v1/training/runs/{run_id}/cancel", headers=AUTH)
    assert cancelled.status == 200
    run = await _until(client, run_id, {"cancelled", "failed", "succeeded"})
    assert run["status"] == "cancelled"
    assert run["progress"] < 1
    again = await client.post(f"/api/v1/training/runs/{run_id}/cancel", headers=AUTH)
    assert again.status == 409


async def test_a_queued_run_can_be_cancelled_before_it_starts(client: Client) -> None:
    busy = await _start(client, {"steps": 400, "step_s": 0.005})
    waiting = await _start(client, {"steps": 1})
    response = await client.post(f"/api/v1/training/runs/{waiting}/cancel", headers=AUTH)
    assert (await response.json())["status"] == "cancelled"
    await client.post(f"/api/v1/training/runs/{busy}/cancel", headers=AUTH)
    await _until(client, busy, {"cancelled"})
    assert (await _run(client, waiting))["status"] == "cancelled"


@pytest.mark.parametrize(
    ("outcome", "error"),
    [("fail", "ValueError: planned failure"), ("die", "The training process died (exit code 3)")],
)
async def test_failures_are_recorded_with_their_reason(
    client: Client, outcome: str, error: str
) -> None:
    run = await _until(client, await _start(client, {"outcome": outcome}), {"failed", "succeeded"})
    assert run["status"] == "failed"
    assert run["error"] == error
    assert run["model_version"] is None


async def test_runs_are_listed_newest_first_in_pages(client: Client) -> None:
    ids = [await _start(client, {"steps": 1}) for _ in range(3)]
    for run_id in ids:
        await _until(client, run_id, {"succeeded"})
    first = await (
        await client.get("/api/v1/training/runs", params={"limit": "2"}, headers=AUTH)
    ).json()
    assert first["total"] == 3
    rest = await (
        await client.get(
            "/api/v1/training/runs",
            params={"limit": "2", "cursor": first["next_cursor"]},
            headers=AUTH,
        )
    ).json()
    assert rest["next_cursor"] is None
    assert [run["run_id"] for run in first["runs"] + rest["runs"]] == ids[::-1]


async def test_a_run_left_running_by_a_crash_is_failed_at_start(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    first = await aiohttp_client(create_app(settings))
    await first.close()
    # What a killed engine leaves behind: a run row still marked running.
    engine = create_database_engine(settings.resolved_database_url)
    async with engine.begin() as connection:
        await connection.execute(
            insert(training_runs).values(
                run_id="crashed",
                training_type="test_steps",
                status="running",
                progress=0.4,
                params={},
                created_at=time.time(),
                started_at=time.time(),
            )
        )
    await engine.dispose()
    second = await aiohttp_client(create_app(settings))
    run = await _run(second, "crashed")
    assert run["status"] == "failed"
    assert run["error"] == INTERRUPTED_BY_RESTART


async def test_stopping_the_engine_fails_the_run_in_progress(
    aiohttp_client: ClientFactory, settings: Settings, tmp_path: Path
) -> None:
    first = await aiohttp_client(create_app(settings))
    run_id = await _start(first, {"steps": 5000, "step_s": 0.01})
    await _until(first, run_id, {"running"})
    await first.close()
    second = await aiohttp_client(create_app(settings))
    run = await _run(second, run_id)
    assert run["status"] == "failed"
    assert run["error"] == INTERRUPTED_BY_STOP


async def test_home_type_classifier_trains_through_the_api(
    client: Client, settings: Settings
) -> None:
    params = {"homes_per_type": 3, "days": 3, "eval_homes_per_type": 2, "seed": 5}
    response = await client.post(
        "/api/v1/training/home_type_classifier", json={"params": params}, headers=AUTH
    )
    assert response.status == 202
    run = await _until(client, (await response.json())["run_id"], {"succeeded", "failed"})
    assert run["status"] == "succeeded", run
    assert run["metrics"]["eval_homes"] == 8
    assert 0 <= run["metrics"]["accuracy"] <= 1
    assert set(run["metrics"]["f1"]) == {
        "studio_apartment",
        "family_house",
        "shared_flat",
        "home_office",
    }
    model = settings.data_dir / "models" / "home_type_classifier" / "v1.model"
    assert model.stat().st_size > 0
    listed = await (await client.get("/api/v1/models", headers=AUTH)).json()
    assert [(m["name"], m["version"]) for m in listed["models"]] == [("home_type_classifier", 1)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"days": 1}, "params.days"),
        ({"homes_per_type": 1000}, "params.homes_per_type"),
        ({"seed": -3}, "params.seed"),
        ({"days": 7.5}, "params.days"),
    ],
)
async def test_home_type_classifier_names_a_bad_parameter(
    client: Client, params: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/v1/training/home_type_classifier", json={"params": params}, headers=AUTH
    )
    assert response.status == 400
    assert (await response.json())["error"]["details"]["field"] == field
