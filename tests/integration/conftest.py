"""Fixtures for the integration tier (pytest-homeassistant-custom-component).

The engine is stood in for by `aioclient_mock`: a real engine inside phcc's event loop leaves
its scheduler task and database threads to phcc's cleanup checks, which run before the
engine's own shutdown. The client itself is tested against a real engine in
tests/engine/test_homeiq_client.py.

This tier runs in Home Assistant's test environment (.venv-ha), without the engine's
libraries: what the engine makes for Home Assistant to check comes from engine_output().
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)

from custom_components.homeiq.const import DEFAULT_ENGINE_URL, DOMAIN
from custom_components.homeiq.coordinator import HomeIQCoordinator
from engine import __version__
from tests.environments import REPO, engine_python

TOKEN = "test-token-0123456789abcdef"
INSTANCE_ID = "0123456789abcdef0123456789abcdef"
JSON = {"Content-Type": "application/json"}
STATS = {
    "cache": {"hits": 0, "misses": 0, "hit_rate": 0.0, "entries": 0},
    "queries": {"count": 0, "p50_ms": None, "p95_ms": None},
    "events_total": 0,
    "memory_rss_mb": 80.0,
    "uptime_s": 1.0,
}
UNAUTHORIZED = {"error": {"code": "unauthorized", "message": "Missing or invalid bearer token"}}
STRINGS: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "custom_components" / DOMAIN / "strings.json").read_text()
)
ENGINE_OUTPUT_DEADLINE_S = 240.0


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/homeiq in every test."""


@pytest.fixture
async def core_integration(hass: HomeAssistant) -> None:
    """Set up Home Assistant's own integration, as every running instance has it.

    HomeIQ's conversation agent depends on `conversation`, whose built-in agent reads the
    exposed entities that `homeassistant` keeps.
    """
    assert await async_setup_component(hass, "homeassistant", {})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test with a `hass` the core integration, before its other fixtures use it."""
    for item in items:
        names: list[str] | None = getattr(item, "fixturenames", None)
        info = getattr(item, "_fixtureinfo", None)
        if names is None or info is None or "hass" not in names or "core_integration" in names:
            continue
        first = next(
            index
            for index, name in enumerate(names)
            if name == "hass" or _needs_hass(name, info.name2fixturedefs, set())
        )
        names.insert(first, "core_integration")


def _needs_hass(name: str, definitions: Mapping[str, Sequence[Any]], seen: set[str]) -> bool:
    """Return whether a fixture uses `hass`, directly or through other fixtures."""
    if name in seen or name not in definitions:
        return False
    seen.add(name)
    arguments = definitions[name][-1].argnames
    return "hass" in arguments or any(_needs_hass(arg, definitions, seen) for arg in arguments)


def engine_output(what: str) -> Any:
    """What tests/integration/engine_output.py prints, run by the engine's environment."""
    command = [str(engine_python()), "-m", "tests.integration.engine_output", what]
    done = subprocess.run(
        command,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=ENGINE_OUTPUT_DEADLINE_S,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr}")
    return json.loads(done.stdout)


def suggestion(number: int, **changes: Any) -> dict[str, Any]:
    """A pending suggestion as the engine answers it (API.md's Suggestion)."""
    suggestion_id = f"sugg{number:016d}"
    automation = {
        "id": f"homeiq_{suggestion_id}",
        "alias": f"Suggestion {number}",
        "description": "",
        "mode": "single",
        "triggers": [{"trigger": "time", "at": "07:00:00"}],
        "conditions": [],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": ["light.kitchen"]}}],
    }
    return {
        "id": suggestion_id,
        "source": "pattern",
        "source_id": f"pattern-{number}",
        "title": f"Turn on the kitchen light at 07:0{number % 10}",
        "description": f"On {10 + number} of 21 days the kitchen light turned on near 07:00.",
        "score": round(0.9 - number / 100, 3),
        "status": "pending",
        "automation": automation,
        "yaml": "alias: ...\n",
        "validation": {
            "valid": True,
            "errors": [],
            "warnings": [],
            "safety": {"score": 100, "issues": []},
        },
        "requires_confirmation": False,
        "created_at": "2026-11-20T07:00:00+00:00",
        "updated_at": "2026-11-20T07:00:00+00:00",
        **changes,
    }


def analysis_run(run_id: str, status: str = "succeeded", **changes: Any) -> dict[str, Any]:
    """An analysis run as the engine answers it."""
    finished = status in {"succeeded", "failed"}
    return {
        "run_id": run_id,
        "status": status,
        "progress": 1.0 if finished else 0.5,
        "started_at": "2026-11-21T03:00:00+00:00",
        "finished_at": "2026-11-21T03:00:07+00:00" if finished else None,
        "stats": {
            "events": 1200,
            "entities": 30,
            "patterns": 12,
            "synergies": 3,
            "duration_s": 7.0,
        },
        **changes,
    }


def handshake_error(status: int) -> aiohttp.WSServerHandshakeError:
    """The error aiohttp raises when the engine answers a WebSocket upgrade with `status`."""
    return aiohttp.WSServerHandshakeError(request_info=None, history=(), status=status)  # type: ignore[arg-type]


def serve_engine(
    mock: AiohttpClientMocker,
    *,
    url: str = DEFAULT_ENGINE_URL,
    instance_id: str = INSTANCE_ID,
    version: str = __version__,
    authorized: bool = True,
    suggestions: list[dict[str, Any]] | None = None,
    patterns_total: int = 12,
    runs: list[dict[str, Any]] | None = None,
    pending_total: int | None = None,
    stream_status: int = 404,
    generates: list[dict[str, Any]] | None = None,
    events_total: int = 0,
) -> None:
    """Answer as the engine does (see API.md); the push stream is refused, so HA polls."""
    mock.clear_requests()
    health = {"status": "ok", "version": version, "instance_id": instance_id}
    mock.get(f"{url}/health", json=health, headers=JSON)
    if not authorized:
        for path in ("stats", "suggestions", "patterns", "analysis/runs"):
            mock.get(f"{url}/api/v1/{path}", json=UNAUTHORIZED, status=401, headers=JSON)
        mock.get(f"{url}/api/v1/stream", exc=handshake_error(401))
        return
    pending = [suggestion(n) for n in range(3)] if suggestions is None else suggestions
    mock.get(f"{url}/api/v1/stats", json={**STATS, "events_total": events_total}, headers=JSON)
    total = len(pending) if pending_total is None else pending_total
    page = {"suggestions": pending, "next_cursor": None, "total": total}
    mock.get(f"{url}/api/v1/suggestions", json=page, headers=JSON)
    patterns: dict[str, Any] = {"patterns": [], "next_cursor": None, "total": patterns_total}
    mock.get(f"{url}/api/v1/patterns", json=patterns, headers=JSON)
    history = [analysis_run("run-1")] if runs is None else runs
    mock.get(
        f"{url}/api/v1/analysis/runs", json={"runs": history, "next_cursor": None}, headers=JSON
    )
    # aioclient_mock cannot upgrade to a WebSocket: the stream is refused as a reverse proxy
    # without WebSocket support refuses it, so Home Assistant polls. Push is tested against
    # a real engine in test_push.py.
    mock.get(f"{url}/api/v1/stream", exc=handshake_error(stream_status))
    if generates is not None:
        made = {"generated": len(generates), "suggestions": generates}
        mock.post(f"{url}/api/v1/suggestions/generate", json=made, headers=JSON)


@pytest.fixture
def engine(aioclient_mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """A healthy engine of the current version at the default URL."""
    serve_engine(aioclient_mock)
    return aioclient_mock


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """A config entry for the engine, not yet added to Home Assistant."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="HomeIQ",
        unique_id=INSTANCE_ID,
        data={CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: TOKEN},
    )


def error_envelope(code: str, message: str, **details: Any) -> dict[str, Any]:
    """The body of an engine error answer (API.md's envelope)."""
    return {"error": {"code": code, "message": message, "details": details}}


def answer_error(
    mock: AiohttpClientMocker, path: str, status: int, code: str, message: str, **details: Any
) -> None:
    """Have the engine answer a POST to `path` with an error envelope."""
    body = error_envelope(code, message, **details)
    mock.post(f"{DEFAULT_ENGINE_URL}{path}", status=status, json=body, headers=JSON)


def sent(mock: AiohttpClientMocker, method: str, path: str) -> list[tuple[Any, Any]]:
    """The (JSON body, headers) of each request the engine received for `method path`."""
    return [
        (data, headers)
        for sent_method, url, data, headers in mock.mock_calls
        if sent_method.upper() == method and url.path == path
    ]


def exception_message(key: str, **placeholders: str) -> str:
    """The English message Home Assistant renders for one of strings.json's exceptions."""
    message: str = STRINGS["exceptions"][key]["message"]
    # Home Assistant drops the sentence's final period before filling in the placeholders.
    return message.rstrip(".").format(**placeholders)


async def setup_integration(hass: HomeAssistant, entry: MockConfigEntry) -> HomeIQCoordinator:
    """Add the entry, set it up against the mocked engine and return its coordinator."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    coordinator: HomeIQCoordinator = entry.runtime_data
    return coordinator
