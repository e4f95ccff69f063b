"""The engine on a real PostgreSQL server: an analysis run, the README's example, bad URLs.

The store's own tests run on both backends through the `database_url` fixture; these are the
PostgreSQL-only ones: the analysis worker's synchronous driver (psycopg2), the engine process
with `DATABASE_URL` as the README writes it, and a server that refuses the engine.
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from engine.errors import SettingsError
from engine.settings import Settings
from engine.store.lifecycle import open_database
from tests.environments import engine_python

from . import postgres as postgres_module
from .conftest import AUTH, TOKEN, Client
from .postgres import PostgresServer
from .process import REPO, EngineProcess, free_port

DEADLINE_S = 120
WRONG_PASSWORD = "wrong-pw-do-not-leak"


@pytest.fixture
def pg_url(postgres: PostgresServer) -> Iterator[str]:
    """The asyncpg URL of a fresh database on the session's server."""
    with postgres.database() as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, pg_url: str) -> Settings:
    """The app's store is PostgreSQL."""
    return Settings(data_dir=tmp_path, api_token=TOKEN, database_url=pg_url)


async def _ended(client: Client, run_id: str) -> dict[str, Any]:
    """Poll a run until it is neither queued nor running."""
    async with asyncio.timeout(DEADLINE_S):
        while True:
            response = await client.get(f"/api/v1/analysis/runs/{run_id}", headers=AUTH)
            assert response.status == 200, await response.text()
            run: dict[str, Any] = await response.json()
            if run["status"] not in ("queued", "running"):
                return run
            await asyncio.sleep(0.05)  # poll interval, bounded by the deadline


async def test_an_analysis_run_on_postgresql_finds_and_serves_patterns(client: Client) -> None:
    body = {"home_type": "family_house", "days": 14, "seed": 1, "load": True}
    loaded = await client.post("/api/v1/synthetic/home", json=body, headers=AUTH)
    assert loaded.status == 200, await loaded.text()
    events = (await loaded.json())["events"]
    response = await client.post("/api/v1/analysis/run", json={"days": 14}, headers=AUTH)
    assert response.status == 202, await response.text()
    run = await _ended(client, (await response.json())["run_id"])
    assert run["status"] == "succeeded", run
    # The worker read every event through psycopg2, and its results were stored.
    assert run["stats"]["events"] == events > 1000
    assert run["stats"]["patterns"] > 0
    listed = await client.get("/api/v1/patterns?limit=200", headers=AUTH)
    patterns = (await listed.json())["patterns"]
    assert len(patterns) == run["stats"]["patterns"]
    assert {"time_of_day", "co_occurrence"} <= {p["type"] for p in patterns}
    scores = [p["score"] for p in patterns]
    assert scores == sorted(scores, reverse=True)


def test_the_readmes_postgresql_example_serves(
    postgres: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    # As the README writes it: postgresql+asyncpg://user:pass@host/homeiq (here a port too).
    engine = EngineProcess(tmp_path / "data", {"DATABASE_URL": pg_url, "HOMEIQ_API_TOKEN": TOKEN})
    event = {"entity_id": "light.kitchen", "state": "on", "time": "2026-01-05T07:00:00+00:00"}
    with engine:
        imported = httpx.post(
            f"{engine.base_url}/api/v1/events/import",
            json={"events": [event]},
            headers=AUTH,
            timeout=30,
        )
        assert imported.status_code == 200, imported.text
        listed = httpx.get(f"{engine.base_url}/api/v1/events", headers=AUTH, timeout=30)
        assert [e["state"] for e in listed.json()["events"]] == ["on"]
        assert engine.stop() == 0
    output = engine.stdout + engine.stderr
    assert postgres.password not in output
    assert quote(postgres.password, safe="") not in output
    assert f"postgresql+asyncpg://{postgres.user}:***@" in output
    assert "Traceback" not in output


def _refusing_url(postgres: PostgresServer, case: str) -> str:
    return {
        "wrong password": postgres.url("postgres", password=WRONG_PASSWORD),
        "no such database": postgres.url("no_such_database"),
        "nothing listening": postgres.url("postgres").replace(
            f":{postgres.port}/", f":{free_port()}/"
        ),
    }[case]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong password", "password authentication failed"),
        ("no such database", 'database "no_such_database" does not exist'),
        ("nothing listening", "ConnectionRefusedError"),
    ],
)
async def test_a_database_that_refuses_the_engine_is_a_settings_error(
    postgres: PostgresServer, tmp_path: Path, case: str, message: str
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=_refusing_url(postgres, case))
    with pytest.raises(SettingsError, match=r"^DATABASE_URL cannot be opened") as caught:
        await open_database(settings)
    assert message in str(caught.value)
    assert WRONG_PASSWORD not in str(caught.value)
    assert postgres.password not in str(caught.value)


def test_a_wrong_password_stops_the_engine_with_exit_2(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    engine = EngineProcess(
        tmp_path / "data", {"DATABASE_URL": _refusing_url(postgres, "wrong password")}
    )
    with pytest.raises(RuntimeError, match="configuration error: DATABASE_URL cannot be opened"):
        engine.start()
    assert engine.process is not None
    assert engine.process.wait() == 2
    output = engine.stdout + engine.stderr
    assert "password authentication failed" in output
    assert WRONG_PASSWORD not in output
    assert "Traceback" not in output


def test_an_engine_without_asyncpg_names_the_missing_package(tmp_path: Path) -> None:
    # An install that left the driver out: the README's example stops with exit 2.
    without_asyncpg = (
        "import sys; sys.modules['asyncpg'] = None; from engine.cli import main; sys.exit(main())"
    )
    engine = EngineProcess(
        tmp_path / "data",
        {"DATABASE_URL": "postgresql+asyncpg://homeiq:db-url-password@db.local/homeiq"},
        command=[str(engine_python()), "-c", without_asyncpg],
    )
    with pytest.raises(RuntimeError, match=r"DATABASE_URL postgresql\+asyncpg needs .*: asyncpg"):
        engine.start()
    assert engine.process is not None
    assert engine.process.wait() == 2
    output = engine.stdout + engine.stderr
    assert "db-url-password" not in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_a_missing_postgresql_fails_in_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(postgres_module, "DEBIAN_BINARIES", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match=r"run \./scripts/setup"):
        postgres_module.require_binaries()


def test_the_drivers_are_dependencies_pinned_for_the_images() -> None:
    # Both Dockerfiles install the engine with locks/engine.txt, so what the lock pins ships.
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    required = {re.split(r"[<>=\[ ]", line, maxsplit=1)[0] for line in project["dependencies"]}
    pinned = {
        line.split("==")[0]
        for line in (REPO / "locks" / "engine.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert {"asyncpg", "psycopg2-binary"} <= required & pinned
