"""Fixtures for the engine's unit and API tiers: a real app over a temp SQLite file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.app import create_app
from engine.query.workers import close_shared_pool
from engine.settings import Settings
from tests.engine.postgres import PostgresServer, require_binaries, running_server
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
async def client(settings: Settings, aiohttp_client: ClientFactory) -> Client:
    """A test client over a started app."""
    # Settings first: a database they point to (database_url) outlives the app on it.
    return await aiohttp_client(create_app(settings))


@pytest.fixture(scope="session", autouse=True)
def parsing_workers() -> Iterator[None]:
    """Stop the parsing workers the session's engines shared, before the leak check."""
    yield
    close_shared_pool()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session, started on first use."""
    with running_server(require_binaries()) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, once on each backend the store supports.

    Ask for it before `aiohttp_client`: fixtures end in reverse order, and the database is
    dropped at the end, so an app on it must close first.
    """
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    with server.database() as url:
        yield url
