"""Many requests that write at once against one app: none fails on a locked database.

On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse

from engine.settings import Settings

from .conftest import AUTH, TOKEN, Client


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Every test here runs on SQLite and on PostgreSQL."""
    return Settings(data_dir=tmp_path, api_token=TOKEN, database_url=database_url)


AREAS = ("kitchen", "bedroom", "office", "hall", "garage", "study", "attic", "porch")
HOME: dict[str, Any] = {
    "time_zone": "Europe/Berlin",
    "areas": [{"area_id": area, "name": area.title()} for area in AREAS],
    "entities": [
        entity
        for area in AREAS
        for entity in (
            {"entity_id": f"light.{area}", "name": f"{area.title()} light", "area_id": area},
            {
                "entity_id": f"binary_sensor.{area}_door",
                "name": f"{area.title()} door",
                "area_id": area,
                "device_class": "door",
            },
        )
    ],
}
ROUNDS = 2
# How long each slice of other work keeps the event loop busy: what fifty clients' parsing,
# validation and encoding do to the loop. A transaction's next statement waits behind it.
BUSY_SLICE_S = 0.03


def _events(round_: int, area: str) -> dict[str, Any]:
    """Return a small batch of distinct events for one area."""
    start = datetime.now(UTC) - timedelta(days=2, minutes=round_)
    return {
        "events": [
            {
                "entity_id": f"light.{area}",
                "state": "on" if second % 2 else "off",
                "time": (start + timedelta(seconds=second)).isoformat(),
            }
            for second in range(20)
        ]
    }


async def _write(client: Client, round_: int, area: str, job: int) -> ClientResponse:
    """Send one writing request; which one depends on `job`."""
    match job % 5:
        case 0:
            text = f"when the {area} door opens turn on the {area} light {round_}"
            return await client.post("/api/v1/query", json={"text": text}, headers=AUTH)
        case 1:
            text = f"turn off the {area} light number {round_}"
            return await client.post("/api/v1/query", json={"text": text}, headers=AUTH)
        case 2:
            return await client.post(
                "/api/v1/events/import", json=_events(round_, area), headers=AUTH
            )
        case 3:
            body = {"min_score": round(0.1 + 0.01 * (round_ + job % 7), 2)}
            return await client.patch("/api/v1/settings", json=body, headers=AUTH)
        case _:
            return await client.post("/api/v1/home/import", json=HOME, headers=AUTH)


async def _approve(client: Client, area: str, round_: int) -> list[ClientResponse]:
    """Ask for an automation, then approve it without deploying (two writes in a row)."""
    text = f"every weekday at {7 + round_ % 5} turn on the {area} light"
    asked = await client.post("/api/v1/query", json={"text": text}, headers=AUTH)
    answer = await asked.json()
    assert answer["suggestions"], answer
    approved = await client.post(
        f"/api/v1/suggestions/{answer['suggestions'][0]['id']}/approve",
        json={"deploy": False},
        headers=AUTH,
    )
    return [asked, approved]


async def _keep_the_loop_busy(stop: asyncio.Event) -> None:
    """Take the event loop in slices until told to stop, as other requests' work would."""
    while not stop.is_set():
        started = time.perf_counter()
        while time.perf_counter() - started < BUSY_SLICE_S:
            pass
        await asyncio.sleep(0)


async def test_concurrent_writing_requests_never_fail_on_a_locked_database(
    client: Client,
) -> None:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    jobs: list[Any] = []
    for round_ in range(ROUNDS):
        for index, area in enumerate(AREAS):
            jobs.append(_write(client, round_, area, index + round_))
            jobs.append(_approve(client, area, round_))
    stop = asyncio.Event()
    busy = [asyncio.create_task(_keep_the_loop_busy(stop)) for _ in range(1)]
    try:
        results = await asyncio.gather(*jobs)
    finally:
        stop.set()
        await asyncio.gather(*busy)
    responses = [
        r for result in results for r in (result if isinstance(result, list) else [result])
    ]
    failures = [
        (response.method, response.url.path, response.status, await response.text())
        for response in responses
        if response.status >= 500
    ]
    assert failures == []
    assert len(responses) >= 2 * ROUNDS * len(AREAS)
