"""Fixtures for the engine's unit and API tiers: a real app over a temp SQLite file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.app import create_app
from engine.settings import Settings
from tests.engine.standalone import load_integration_api

# test_homeiq_client.py tests the integration's API client here, where Home Assistant is not
# installed: make `custom_components.homeiq.api` importable without the package's __init__.
load_integration_api()

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
Client = TestClient[web.Request, web.Application]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: its own data directory and a known token."""
    return Settings(data_dir=tmp_path, api_token=TOKEN)


@pytest.fixture
async def client(aiohttp_client: ClientFactory, settings: Settings) -> Client:
    """A test client over a started app."""
    return await aiohttp_client(create_app(settings))
