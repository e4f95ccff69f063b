"""Fixtures for the integration tier (pytest-homeassistant-custom-component).

The engine is stood in for by `aioclient_mock`: a real engine inside phcc's event loop leaves
its scheduler task and database threads to phcc's cleanup checks, which run before the
engine's own shutdown. The client itself is tested against a real engine in
tests/engine/test_homeiq_client.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)

from custom_components.homeiq.const import DEFAULT_ENGINE_URL, DOMAIN
from engine import __version__

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


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/homeiq in every test."""


def serve_engine(
    mock: AiohttpClientMocker,
    *,
    url: str = DEFAULT_ENGINE_URL,
    instance_id: str = INSTANCE_ID,
    version: str = __version__,
    authorized: bool = True,
) -> None:
    """Answer as the engine does (see engine/api/health.py and the stats route)."""
    mock.clear_requests()
    health = {"status": "ok", "version": version, "instance_id": instance_id}
    mock.get(f"{url}/health", json=health, headers=JSON)
    stats: dict[str, Any] = STATS if authorized else UNAUTHORIZED
    mock.get(f"{url}/api/v1/stats", json=stats, status=200 if authorized else 401, headers=JSON)


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
