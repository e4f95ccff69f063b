"""Health routes: open, shaped as in API.md, and /health independent of the database."""

from __future__ import annotations

import asyncio
from typing import NoReturn

from engine import __version__
from engine.app import create_app
from engine.keys import DATABASE, INSTANCE_ID
from engine.settings import Settings

from .conftest import Client, ClientFactory


async def test_health_reports_version_and_instance(client: Client) -> None:
    response = await client.get("/health")
    assert response.status == 200
    body = await response.json()
    assert body == {
        "status": "ok",
        "version": __version__,
        "instance_id": client.app[INSTANCE_ID],
    }
    assert len(body["instance_id"]) == 32


async def test_live(client: Client) -> None:
    response = await client.get("/health/live")
    assert (response.status, await response.json()) == (200, {"status": "ok"})


async def test_ready_reports_each_check(client: Client) -> None:
    response = await client.get("/health/ready")
    assert response.status == 200
    assert await response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "home_assistant": "not_configured", "llm": "disabled"},
    }


async def test_ready_names_configured_but_absent_dependencies(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    from dataclasses import replace  # noqa: PLC0415

    configured = replace(
        settings,
        ha_url="http://127.0.0.1:1",
        ha_token="ha-secret",
        openai_api_key="sk-x",
        # A closed local port: the LLM's readiness probe must not reach out to the internet.
        openai_base_url="http://127.0.0.1:1/v1",
    )
    client = await aiohttp_client(create_app(configured))
    body = await (await client.get("/health/ready")).json()
    assert body["checks"]["home_assistant"] == "disconnected"
    assert body["checks"]["llm"] == "error"
    # The database alone decides readiness: the engine serves its store without HA.
    assert body["status"] == "ready"


async def test_health_survives_a_broken_database_ready_does_not(client: Client) -> None:
    engine = client.app[DATABASE]

    def refuse() -> NoReturn:
        raise OSError("database is gone")

    # Every new connection fails from here on: /health must not notice, /health/ready must.
    # Start-up jobs (retention) may still hold a connection: one checked out during the
    # dispose would stay open in the old pool, its worker thread alive past the test.
    async with asyncio.timeout(10):
        while engine.sync_engine.pool.checkedout():  # type: ignore[attr-defined]  # noqa: ASYNC110 - polls the pool
            await asyncio.sleep(0.01)
    await engine.dispose()
    pool = engine.sync_engine.pool
    working = pool._creator
    pool._creator = refuse
    try:
        health = await client.get("/health")
        assert health.status == 200
        ready = await client.get("/health/ready")
        assert ready.status == 503
        body = await ready.json()
        assert body["status"] == "not_ready"
        assert body["checks"]["database"] == "error"
    finally:
        pool._creator = working  # the app writes on shutdown


async def test_instance_id_survives_restart(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    first = await aiohttp_client(create_app(settings))
    first_id = (await (await first.get("/health")).json())["instance_id"]
    await first.close()
    second = await aiohttp_client(create_app(settings))
    assert (await (await second.get("/health")).json())["instance_id"] == first_id
