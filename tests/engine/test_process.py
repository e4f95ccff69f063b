"""The engine as a real process: start-up output, SIGTERM and SIGKILL during writes."""

from __future__ import annotations

import signal
import sqlite3
import stat
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from .process import REPO, EngineProcess, free_port

TOKEN = "process-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVENTS_PER_REQUEST = 100_000
BATCH = 1000


def _events(count: int) -> list[dict[str, str]]:
    return [
        {
            "entity_id": f"sensor.kill_{i % 50}",
            "state": str(i),
            "time": f"2026-01-01T00:00:00.{i:06d}+00:00",
        }
        for i in range(count)
    ]


def _count(database: Path) -> int:
    """Count events over a connection of our own (WAL: sees what is committed)."""
    try:
        with sqlite3.connect(database, timeout=5) as connection:
            return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _wait_for_commits(database: Path, at_least: int, deadline_s: float = 30.0) -> int:
    """Poll until some batches are committed; return the count seen."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        seen = _count(database)
        if seen >= at_least:
            return seen
        time.sleep(0.002)
    raise TimeoutError(f"fewer than {at_least} events committed in {deadline_s} s")


def _post_in_background(url: str, body: dict[str, Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def post() -> None:
        try:
            outcome.append(httpx.post(url, json=body, headers=AUTH, timeout=60))
        except httpx.HTTPError as err:
            outcome.append(err)

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread, outcome


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_sigkill_during_a_batch_write_keeps_every_committed_batch(data_dir: Path) -> None:
    database = data_dir / "homeiq.db"
    with EngineProcess(data_dir, {"HOMEIQ_API_TOKEN": TOKEN}) as engine:
        thread, _ = _post_in_background(
            f"{engine.base_url}/api/v1/events/import", {"events": _events(EVENTS_PER_REQUEST)}
        )
        seen_before_kill = _wait_for_commits(database, 3 * BATCH)
        engine.stop(signal.SIGKILL)
        thread.join(timeout=30)

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = _count(database)
    # Killed mid-import (or the test proves nothing), holding whole batches only.
    assert seen_before_kill <= stored < EVENTS_PER_REQUEST
    assert stored % BATCH == 0

    # The engine opens the same file again and reports what it holds.
    with EngineProcess(data_dir, {"HOMEIQ_API_TOKEN": TOKEN}) as engine:
        ready = httpx.get(f"{engine.base_url}/health/ready")
        assert ready.json()["checks"]["database"] == "ok"
        stats = httpx.get(f"{engine.base_url}/api/v1/stats", headers=AUTH).json()
        assert stats["events_total"] == stored
        # Re-sending the whole import completes it: committed batches count as duplicates.
        body = httpx.post(
            f"{engine.base_url}/api/v1/events/import",
            json={"events": _events(EVENTS_PER_REQUEST)},
            headers=AUTH,
            timeout=60,
        ).json()
        assert body == {"imported": EVENTS_PER_REQUEST - stored, "duplicates": stored}


def test_sigterm_lets_an_in_flight_write_finish(data_dir: Path) -> None:
    database = data_dir / "homeiq.db"
    with EngineProcess(data_dir, {"HOMEIQ_API_TOKEN": TOKEN}) as engine:
        thread, outcome = _post_in_background(
            f"{engine.base_url}/api/v1/events/import", {"events": _events(EVENTS_PER_REQUEST)}
        )
        seen_before_term = _wait_for_commits(database, BATCH)
        assert engine.stop(signal.SIGTERM) == 0
        thread.join(timeout=30)

    assert seen_before_term < EVENTS_PER_REQUEST, "the import ended before SIGTERM"
    response = outcome[0]
    assert isinstance(response, httpx.Response), response
    assert response.json() == {"imported": EVENTS_PER_REQUEST, "duplicates": 0}
    assert _count(database) == EVENTS_PER_REQUEST


def test_scripts_run_prints_where_and_which_token(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    engine = EngineProcess(data_dir, command=[str(REPO / "scripts" / "run")])
    with engine:
        token_file = data_dir / "api_token"
        token = token_file.read_text().strip()
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert httpx.get(f"{engine.base_url}/api/v1/stats").status_code == 401
        assert (
            httpx.get(
                f"{engine.base_url}/api/v1/stats", headers={"Authorization": f"Bearer {token}"}
            ).status_code
            == 200
        )
        assert engine.stop(signal.SIGTERM) == 0
    assert engine.stdout.count(token) == 1
    assert f"listening on http://127.0.0.1:{engine.port}" in engine.stderr
    assert "sqlite+aiosqlite:///" in engine.stderr
    assert str(token_file) in engine.stderr
    assert token not in engine.stderr

    # Started again, it keeps the token and does not print it.
    with engine:
        assert engine.stop(signal.SIGTERM) == 0
    assert engine.stdout.count(token) == 1


def test_secrets_never_reach_the_output(data_dir: Path) -> None:
    secrets = {
        "HOMEIQ_API_TOKEN": "api-secret-0123456789",
        "HA_URL": "http://127.0.0.1:9",
        "HA_TOKEN": "ha-secret-0123456789",
        "OPENAI_API_KEY": "sk-secret-0123456789",
        "HOMEIQ_LOG_LEVEL": "DEBUG",
    }
    with EngineProcess(data_dir, secrets) as engine:
        base = engine.base_url
        for headers in ({}, {"Authorization": "Bearer api-secret-0123456789"}):
            for path in ("/health/ready", "/api/v1/stats", "/api/v1/nowhere"):
                response = httpx.get(f"{base}{path}", headers=headers)
                for key in ("HOMEIQ_API_TOKEN", "HA_TOKEN", "OPENAI_API_KEY"):
                    assert secrets[key] not in response.text
        engine.stop(signal.SIGTERM)
    output = engine.stdout + engine.stderr
    assert "listening on" in output
    for key in ("HOMEIQ_API_TOKEN", "HA_TOKEN", "OPENAI_API_KEY"):
        assert secrets[key] not in output


def test_bad_settings_exit_with_a_clear_message(data_dir: Path) -> None:
    engine = EngineProcess(data_dir, {"HOMEIQ_PORT": "not-a-port"})
    with pytest.raises(RuntimeError, match="HOMEIQ_PORT must be an integer"):
        engine.start()
    assert engine.process is not None
    assert engine.process.wait() == 2


def _wait_for_output(engine: EngineProcess, text: str, deadline_s: float = 30.0) -> str:
    """Poll the engine's log until it contains a text; return the log."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if text in (output := engine.stderr):
            return output
        time.sleep(0.05)
    raise TimeoutError(f"{text!r} not logged in {deadline_s} s: {engine.stderr}")


def test_passwords_in_urls_are_hidden_in_the_logs(data_dir: Path) -> None:
    ha_port, influx_port = free_port(), free_port()  # nobody listens: connections fail
    env = {
        "HOMEIQ_API_TOKEN": TOKEN,
        "HA_URL": f"http://127.0.0.1:{ha_port}",
        "HA_TOKEN": "ha-secret-0123456789",
        "INFLUXDB_URL": f"http://reader:influx-url-password@127.0.0.1:{influx_port}",
        "INFLUXDB_DATABASE": "home_assistant",
    }
    with EngineProcess(data_dir, env) as engine:
        _wait_for_output(engine, f"Cannot reach Home Assistant at http://127.0.0.1:{ha_port}")
        assert engine.stop(signal.SIGTERM) == 0
    output = engine.stdout + engine.stderr
    assert "influx-url-password" not in output
    # At start-up the engine says where it reads from, with the passwords hidden.
    listening = next(line for line in output.splitlines() if "listening on" in line)
    assert f"http://reader:***@127.0.0.1:{influx_port}" in listening


def test_a_user_and_password_in_ha_url_are_refused_without_showing_them(data_dir: Path) -> None:
    # The bearer token takes the Authorization header: URL credentials could never work.
    env = {"HA_URL": "http://homeiq:ha-url-password@127.0.0.1:8123", "HA_TOKEN": "t" * 20}
    engine = EngineProcess(data_dir, env)
    with pytest.raises(RuntimeError, match="HA_URL must not carry a user or password") as err:
        engine.start()
    assert "ha-url-password" not in str(err.value)
    assert engine.process is not None
    assert engine.process.returncode == 2


@pytest.mark.parametrize(
    ("url", "message"),
    [
        # The README's example, with no server by that name (tests/engine/test_postgresql.py
        # runs it against a real one).
        (
            "postgresql+asyncpg://homeiq:db-url-password@db.invalid/homeiq",
            "DATABASE_URL cannot be opened \\(postgresql\\+asyncpg://homeiq:\\*\\*\\*@db.invalid",
        ),
        ("mysql+aiomysql://homeiq:db-url-password@db.local/homeiq", "DATABASE_URL must use"),
        ("postgresql://homeiq:db-url-password@db.local/homeiq", "DATABASE_URL must use"),
        ("postgresql+asyncpg://homeiq:db-url-password@db.local:port/homeiq", "not a valid"),
    ],
)
def test_an_unusable_database_url_exits_with_a_clear_message(
    data_dir: Path, url: str, message: str
) -> None:
    engine = EngineProcess(data_dir, {"DATABASE_URL": url})
    with pytest.raises(RuntimeError, match=message):
        engine.start()
    assert engine.process is not None
    assert engine.process.wait() == 2
    output = engine.stdout + engine.stderr
    assert "db-url-password" not in output
    assert "Traceback" not in output
