"""Engine API figures against a real engine process: /health latency, ingest, memory."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import orjson

from tests.engine.process import EngineProcess

TOKEN = "bench-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REQUEST_EVENTS = 50_000


@contextmanager
def engine_process(data_dir: Path) -> Iterator[EngineProcess]:
    """Run `python -m engine` with its own data directory, as a user would."""
    with EngineProcess(data_dir, {"HOMEIQ_API_TOKEN": TOKEN, "HOMEIQ_LOG_LEVEL": "WARNING"}) as e:
        yield e


def bench_health(client: httpx.Client, requests: int) -> None:
    """Print the median and p95 latency of GET /health (keep-alive, one at a time)."""
    for _ in range(200):  # warm-up
        client.get("/health")
    durations = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/health")
        durations.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"/health answered {response.status_code}")
    print(
        f"health: GET /health median {statistics.median(durations):.3f} ms, "
        f"p95 {float(np.percentile(durations, 95)):.3f} ms over {requests} requests "
        "(target: median < 5 ms)"
    )


def import_bodies(count: int, entities: int = 300) -> list[bytes]:
    """Return import requests for `count` distinct events, encoded before the clock starts."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    bodies = []
    for offset in range(0, count, REQUEST_EVENTS):
        events = [
            {
                "entity_id": f"light.bench_{i % entities}",
                "state": "on" if (i // entities) % 2 else "off",
                "time": (start + timedelta(seconds=i)).isoformat(),
                "origin": "manual",
            }
            for i in range(offset, min(offset + REQUEST_EVENTS, count))
        ]
        bodies.append(orjson.dumps({"events": events}))
    return bodies


def bench_ingest(client: httpx.Client, count: int) -> None:
    """Print sustained ingest through POST /api/v1/events/import, then the engine's memory."""
    bodies = import_bodies(count)
    headers = {**AUTH, "Content-Type": "application/json"}
    imported = 0
    started = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/events/import", content=body, headers=headers)
        imported += response.json()["imported"]
    elapsed = time.perf_counter() - started
    print(
        f"ingest: {imported:,} events via /api/v1/events/import ({REQUEST_EVENTS:,} a request) "
        f"in {elapsed:.1f} s = {imported / elapsed:,.0f} events/s into SQLite "
        "(target: >= 20,000 events/s)"
    )
    stats = client.get("/api/v1/stats", headers=AUTH).json()
    print(
        f"memory: engine resident {stats['memory_rss_mb']:.0f} MB after ingesting "
        f"{stats['events_total']:,} events (target: < 250 MB)"
    )


def run_api_benchmarks(*, health_requests: int, events: int) -> None:
    """Start an engine in a temporary data directory and measure it."""
    with (
        tempfile.TemporaryDirectory(prefix="homeiq-bench-") as directory,
        engine_process(Path(directory) / "data") as engine,
        httpx.Client(base_url=engine.base_url, timeout=300) as client,
    ):
        bench_health(client, health_requests)
        bench_ingest(client, events)
