"""Engine API figures: /health latency and ingest throughput, over real TCP."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import numpy as np
from aiohttp import web

from engine.api.stats import memory_rss_mb
from engine.app import create_app
from engine.settings import Settings

TOKEN = "bench-token-0123456789abcdef"
IMPORT_CHUNK = 50_000


@asynccontextmanager
async def running_engine(data_dir: Path) -> AsyncIterator[str]:
    """Serve a real engine on a free loopback port; yield its base URL."""
    settings = Settings(data_dir=data_dir, api_token=TOKEN, port=0)
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def bench_health(session: aiohttp.ClientSession, base: str, requests: int) -> None:
    """Print the median and p95 latency of GET /health (keep-alive, one at a time)."""
    for _ in range(100):  # warm-up
        async with session.get(f"{base}/health") as response:
            await response.read()
    durations = []
    for _ in range(requests):
        started = time.perf_counter()
        async with session.get(f"{base}/health") as response:
            await response.read()
            assert response.status == 200
        durations.append((time.perf_counter() - started) * 1000)
    print(
        f"health: GET /health median {statistics.median(durations):.3f} ms, "
        f"p95 {float(np.percentile(durations, 95)):.3f} ms over {requests} requests "
        "(target: median < 5 ms)"
    )


def synthetic_events(count: int, entities: int = 200) -> list[dict[str, str]]:
    """Return `count` distinct on/off events over `entities` entities, one minute apart."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {
            "entity_id": f"light.bench_{i % entities}",
            "state": "on" if (i // entities) % 2 else "off",
            "time": (start + timedelta(seconds=i)).isoformat(),
            "origin": "manual",
        }
        for i in range(count)
    ]


async def bench_ingest(session: aiohttp.ClientSession, base: str, count: int) -> None:
    """Print sustained ingest through POST /api/v1/events/import into SQLite."""
    events = synthetic_events(count)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    started = time.perf_counter()
    imported = 0
    for offset in range(0, count, IMPORT_CHUNK):
        async with session.post(
            f"{base}/api/v1/events/import",
            json={"events": events[offset : offset + IMPORT_CHUNK]},
            headers=headers,
        ) as response:
            imported += (await response.json())["imported"]
    elapsed = time.perf_counter() - started
    print(
        f"ingest: {imported} events via /api/v1/events/import in {elapsed:.2f} s = "
        f"{imported / elapsed:,.0f} events/s (SQLite, batches of 1,000 per transaction)"
    )
    print(f"memory: resident {memory_rss_mb():.1f} MB after ingest (bench and engine)")


async def run_api_benchmarks(*, health_requests: int, events: int) -> None:
    """Start an engine in a temporary data directory and measure it."""
    with tempfile.TemporaryDirectory(prefix="homeiq-bench-") as directory:
        async with running_engine(Path(directory)) as base, aiohttp.ClientSession() as session:
            await bench_health(session, base, health_requests)
            await bench_ingest(session, base, events)
