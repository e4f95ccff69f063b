"""GET/PATCH /api/v1/settings: defaults, every field and its refusals, restarts, schedule, LLM."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from engine.app import create_app
from engine.keys import DATABASE
from engine.patterns.keys import ANALYSIS_SCHEDULER
from engine.patterns.lifecycle import DAILY_ANALYSIS
from engine.scheduler import Scheduler
from engine.settings import Settings
from engine.store.database import create_database_engine
from engine.store.schema import preferences, queries
from tests.engine.test_analysis_api import _ended

from .conftest import AUTH, TOKEN, Client, ClientFactory

DEADLINE_S = 10
SECRET_KEY = "sk-homeiq-settings-secret-7d1e"
DEFAULTS = {
    "analysis_time": "03:00",
    "analysis_days": 30,
    "min_score": 0.0,
    "exclude": {"areas": [], "entities": [], "labels": []},
    "language": "en",
    "llm": {"backend": "off", "model": None, "ai_task_entity": None},
}


async def _settings(client: Client) -> dict[str, Any]:
    response = await client.get("/api/v1/settings", headers=AUTH)
    assert response.status == 200, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def _patch(client: Client, body: Any, status: int = 200) -> dict[str, Any]:
    response = await client.patch("/api/v1/settings", json=body, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()  # type: ignore[no-any-return]


async def test_defaults_come_from_the_environment(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    env = {
        "HOMEIQ_DATA_DIR": str(tmp_path),
        "HOMEIQ_API_TOKEN": TOKEN,
        "HOMEIQ_ANALYSIS_TIME": "off",
        "HOMEIQ_ANALYSIS_DAYS": "14",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "OPENAI_MODEL": "llama3",
    }
    client = await aiohttp_client(create_app(Settings.from_env(env)))
    assert await _settings(client) == {
        **DEFAULTS,
        "analysis_time": "off",
        "analysis_days": 14,
        "llm": {"backend": "openai", "model": "llama3", "ai_task_entity": None},
    }


async def test_a_fresh_engine_has_the_defaults(client: Client) -> None:
    assert await _settings(client) == DEFAULTS


@pytest.mark.parametrize(
    ("body", "changed"),
    [
        ({"analysis_time": "04:15"}, {"analysis_time": "04:15"}),
        ({"analysis_time": "00:00"}, {"analysis_time": "00:00"}),
        ({"analysis_time": "23:59"}, {"analysis_time": "23:59"}),
        ({"analysis_time": "off"}, {"analysis_time": "off"}),
        ({"analysis_days": 1}, {"analysis_days": 1}),
        ({"analysis_days": 365}, {"analysis_days": 365}),
        ({"min_score": 0.55}, {"min_score": 0.55}),
        ({"min_score": 1}, {"min_score": 1.0}),
        ({"min_score": 0}, {"min_score": 0.0}),
        (
            {"exclude": {"areas": ["garage", "garage", "cellar"]}},
            {"exclude": {"areas": ["garage", "cellar"], "entities": [], "labels": []}},
        ),
        (
            {"exclude": {"entities": ["light.hall"], "labels": ["guest"]}},
            {"exclude": {"areas": [], "entities": ["light.hall"], "labels": ["guest"]}},
        ),
        ({"language": "de"}, {"language": "de"}),
        # Written the way Home Assistant writes its language, kept as the grammar names it.
        ({"language": "DE"}, {"language": "de"}),
        ({"llm": {"backend": "off"}}, {}),
        ({}, {}),
    ],
)
async def test_every_field_can_be_changed(
    client: Client, body: dict[str, Any], changed: dict[str, Any]
) -> None:
    expected = {**DEFAULTS, **changed}
    assert await _patch(client, body) == expected
    assert await _settings(client) == expected


async def test_nested_objects_replace_only_the_keys_they_name(client: Client) -> None:
    await _patch(client, {"exclude": {"areas": ["garage"], "entities": ["light.hall"]}})
    answer = await _patch(client, {"exclude": {"entities": []}, "min_score": 0.3})
    assert answer["exclude"] == {"areas": ["garage"], "entities": [], "labels": []}
    assert answer["min_score"] == 0.3
    # Nothing else moved.
    assert {k: v for k, v in answer.items() if k not in ("exclude", "min_score")} == {
        k: v for k, v in DEFAULTS.items() if k not in ("exclude", "min_score")
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"analysis_time": "24:00"}, "analysis_time"),
        ({"analysis_time": "7:30"}, "analysis_time"),
        ({"analysis_time": "07:60"}, "analysis_time"),
        ({"analysis_time": "07:30:00"}, "analysis_time"),
        ({"analysis_time": "never"}, "analysis_time"),
        ({"analysis_time": 730}, "analysis_time"),
        ({"analysis_time": None}, "analysis_time"),
        ({"analysis_days": 0}, "analysis_days"),
        ({"analysis_days": 366}, "analysis_days"),
        ({"analysis_days": 7.5}, "analysis_days"),
        ({"analysis_days": "7"}, "analysis_days"),
        ({"analysis_days": True}, "analysis_days"),
        ({"min_score": -0.01}, "min_score"),
        ({"min_score": 1.01}, "min_score"),
        ({"min_score": "0.5"}, "min_score"),
        ({"min_score": True}, "min_score"),
        ({"exclude": []}, "exclude"),
        ({"exclude": {"rooms": []}}, "exclude.rooms"),
        ({"exclude": {"areas": "garage"}}, "exclude.areas"),
        ({"exclude": {"areas": [""]}}, "exclude.areas.0"),
        ({"exclude": {"areas": ["x" * 256]}}, "exclude.areas.0"),
        ({"exclude": {"areas": [7]}}, "exclude.areas.0"),
        ({"exclude": {"areas": [f"a{i}" for i in range(1001)]}}, "exclude.areas"),
        ({"exclude": {"entities": ["kitchen light"]}}, "exclude.entities.0"),
        ({"exclude": {"labels": [None]}}, "exclude.labels.0"),
        ({"language": "xx"}, "language"),
        ({"language": ""}, "language"),
        ({"language": 1}, "language"),
        ({"llm": "off"}, "llm"),
        ({"llm": {"backend": "claude"}}, "llm.backend"),
        ({"llm": {"api_key": "sk-x"}}, "llm.api_key"),
        ({"llm": {"model": ""}}, "llm.model"),
        ({"llm": {"model": "m" * 201}}, "llm.model"),
        ({"llm": {"ai_task_entity": "light.hall"}}, "llm.ai_task_entity"),
        # Their connections are not configured in this engine's environment.
        ({"llm": {"backend": "openai"}}, "llm.backend"),
        ({"llm": {"backend": "ha_ai_task"}}, "llm.backend"),
        ({"openai_api_key": "sk-x"}, "openai_api_key"),
        ({"unknown": 1}, "unknown"),
        ([], "body"),
    ],
)
async def test_every_field_is_refused_with_a_400_naming_it(
    client: Client, body: Any, field: str
) -> None:
    error = (await _patch(client, body, 400))["error"]
    assert error["code"] == "bad_request"
    assert error["details"]["field"] == field
    assert error["message"]
    assert await _settings(client) == DEFAULTS


async def test_an_empty_or_broken_body_is_400(client: Client) -> None:
    for data in (b"", b"{"):
        response = await client.patch("/api/v1/settings", data=data, headers=AUTH)
        assert response.status == 400
        assert (await response.json())["error"]["code"] == "bad_request"


async def test_changes_survive_a_restart_and_unchanged_fields_follow_the_environment(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    first = await aiohttp_client(create_app(settings))
    changed = await _patch(
        first,
        {
            "analysis_time": "05:45",
            "min_score": 0.4,
            "exclude": {"areas": ["garage"], "labels": ["guest"]},
            "language": "fr",
        },
    )
    await first.close()
    # The environment's default moved: a field nobody changed follows it, a changed one stays.
    second = await aiohttp_client(
        create_app(dataclasses.replace(settings, analysis_days=10, analysis_time=clock(2, 0)))
    )
    assert await _settings(second) == {**changed, "analysis_days": 10}


async def test_null_returns_a_model_to_the_environments_default(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await aiohttp_client(
        create_app(
            dataclasses.replace(
                settings, openai_base_url="http://127.0.0.1:9/v1", openai_model="llama3"
            )
        )
    )
    assert (await _patch(client, {"llm": {"model": "qwen2"}}))["llm"]["model"] == "qwen2"
    answer = await _patch(client, {"llm": {"model": None}})
    assert answer["llm"] == {"backend": "openai", "model": "llama3", "ai_task_entity": None}


async def test_secrets_are_never_part_of_the_settings(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    client = await aiohttp_client(
        create_app(
            dataclasses.replace(
                settings,
                openai_api_key=SECRET_KEY,
                openai_base_url="http://127.0.0.1:9/v1",
            )
        )
    )
    answers = [
        await client.get("/api/v1/settings", headers=AUTH),
        await client.patch("/api/v1/settings", json={"llm": {"backend": "off"}}, headers=AUTH),
        await client.patch("/api/v1/settings", json={"llm": {"backend": "openai"}}, headers=AUTH),
        await client.patch("/api/v1/settings", json={"llm": {"key": SECRET_KEY}}, headers=AUTH),
    ]
    for response in answers:
        text = await response.text()
        assert SECRET_KEY not in text
        assert TOKEN not in text
        assert "key" not in (await response.json()).get("llm", {})
    async with client.app[DATABASE].connect() as connection:
        stored = (await connection.execute(select(preferences))).all()
    assert stored
    assert SECRET_KEY not in repr(stored)


def _close(found: datetime | None, wanted: datetime | None) -> bool:
    if found is None or wanted is None:
        return found is wanted
    return abs(found - wanted) < timedelta(seconds=2)


async def _next_run(client: Client, wanted: datetime | None) -> datetime | None:
    """Return the daily analysis's next run once it is `wanted` (polled: the loop re-reads it)."""
    scheduler: Scheduler = client.app[ANALYSIS_SCHEDULER]
    async with asyncio.timeout(DEADLINE_S):
        while not _close(found := scheduler.next_run(DAILY_ANALYSIS), wanted):  # noqa: ASYNC110 - polls the scheduler
            await asyncio.sleep(0.01)
    return found


def _next_utc(hour: int, minute: int) -> datetime:
    """Return the next hour:minute in UTC (a fresh engine's home is in UTC)."""
    now = datetime.now(UTC)
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


async def test_a_new_analysis_time_reschedules_the_daily_analysis_at_once(client: Client) -> None:
    for hour, minute in ((3, 0), (4, 15), (22, 5)):
        if (hour, minute) != (3, 0):
            await _patch(client, {"analysis_time": f"{hour:02}:{minute:02}"})
        wanted = _next_utc(hour, minute)
        assert _close(await _next_run(client, wanted), wanted)
    await _patch(client, {"analysis_time": "off"})
    assert await _next_run(client, None) is None


async def test_a_reschedule_cuts_a_wait_short_and_the_job_runs_at_the_new_time() -> None:
    scheduler = Scheduler()
    at: list[clock | None] = [None]
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    scheduler.daily("test", lambda: at[0], lambda: "UTC", job)
    assert scheduler.next_run("test") is None
    soon = datetime.now(UTC) + timedelta(seconds=1)
    at[0] = soon.time()
    scheduler.reschedule("test")
    async with asyncio.timeout(DEADLINE_S):
        await ran.wait()
    assert datetime.now(UTC) >= soon - timedelta(milliseconds=5)
    await scheduler.close()


async def test_analysis_days_is_the_default_window_of_a_run(client: Client) -> None:
    await _patch(client, {"analysis_days": 9})
    response = await client.post("/api/v1/analysis/run", json={}, headers=AUTH)
    assert response.status == 202, await response.text()
    run = await _ended(client, f"/api/v1/analysis/runs/{(await response.json())['run_id']}")
    assert run["days"] == 9
    # A request's own days still wins.
    response = await client.post("/api/v1/analysis/run", json={"days": 3}, headers=AUTH)
    run = await _ended(client, f"/api/v1/analysis/runs/{(await response.json())['run_id']}")
    assert run["days"] == 3


async def _languages(client: Client) -> list[str]:
    async with client.app[DATABASE].connect() as connection:
        rows = await connection.execute(select(queries.c.language).order_by(queries.c.created_at))
        return [row.language for row in rows]


async def test_language_is_the_default_of_a_request_without_one(client: Client) -> None:
    await _patch(client, {"language": "de"})
    for body in ({"text": "schalte das Licht ein"}, {"text": "turn on", "language": "en"}):
        response = await client.post("/api/v1/query", json=body, headers=AUTH)
        assert response.status == 200, await response.text()
    assert await _languages(client) == ["de", "en"]


async def _ready_llm(client: Client) -> str:
    response = await client.get("/health/ready")
    return str((await response.json())["checks"]["llm"])


async def test_the_llm_backend_is_chosen_while_the_engine_runs(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    # An OpenAI-compatible endpoint that is configured but not there: asking it fails fast.
    client = await aiohttp_client(
        create_app(dataclasses.replace(settings, openai_base_url="http://127.0.0.1:9/v1"))
    )
    assert (await _settings(client))["llm"]["backend"] == "openai"
    assert await _ready_llm(client) == "error"
    await _patch(client, {"llm": {"backend": "off"}})
    assert await _ready_llm(client) == "disabled"
    text = {"text": "zorbulate the quux"}
    response = await client.post("/api/v1/query", json=text, headers=AUTH)
    answer = await response.json()
    assert answer["status"] == "unsupported"
    assert "language model" not in answer["message"]
    await _patch(client, {"llm": {"backend": "openai", "model": "llama3"}})
    response = await client.post("/api/v1/query", json=text, headers=AUTH)
    assert "The language model was unavailable" in (await response.json())["message"]
    assert await _ready_llm(client) == "error"


async def test_a_stored_choice_the_environment_no_longer_allows_keeps_its_default(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    with_model = dataclasses.replace(settings, openai_base_url="http://127.0.0.1:9/v1")
    first = await aiohttp_client(create_app(with_model))
    await _patch(first, {"llm": {"backend": "openai", "model": "qwen2"}, "min_score": 0.2})
    await first.close()
    # A row no engine writes (a newer engine's, or edited by hand) is ignored too.
    engine = create_database_engine(settings.resolved_database_url)
    async with engine.begin() as connection:
        await connection.execute(
            insert(preferences),
            [
                {"key": "language", "value": "xx", "updated_at": 1.0},
                {"key": "colour", "value": "blue", "updated_at": 1.0},
            ],
        )
    await engine.dispose()
    # Started again without the endpoint: the language model is off, the rest as changed.
    second = await aiohttp_client(create_app(settings))
    assert await _settings(second) == {**DEFAULTS, "min_score": 0.2}
    assert await _ready_llm(second) == "disabled"
