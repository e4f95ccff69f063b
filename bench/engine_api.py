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


def health_latencies(client: httpx.Client, requests: int) -> list[float]:
    """Return the latency of `requests` GET /health calls, in milliseconds."""
    durations = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/health")
        durations.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"/health answered {response.status_code}")
    return durations


def _summary(durations: list[float]) -> str:
    return (
        f"median {statistics.median(durations):.3f} ms, "
        f"p95 {float(np.percentile(durations, 95)):.3f} ms over {len(durations)} requests"
    )


def bench_health(client: httpx.Client, requests: int) -> None:
    """Print the median and p95 latency of GET /health (keep-alive, one at a time)."""
    health_latencies(client, 200)  # warm-up
    print(f"health: GET /health {_summary(health_latencies(client, requests))} (target: < 5 ms)")


def bench_health_during_training(client: httpx.Client) -> None:
    """Print /health latency while a home_type_classifier run trains, and the run's metrics."""
    response = client.post("/api/v1/training/home_type_classifier", json={}, headers=AUTH)
    run_id = response.json()["run_id"]
    durations: list[float] = []
    started = time.perf_counter()
    while True:
        run = client.get(f"/api/v1/training/runs/{run_id}", headers=AUTH).json()
        if run["status"] not in ("queued", "running"):
            break
        if run["status"] == "running":
            durations += health_latencies(client, 50)
        else:
            time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if not durations:
        raise RuntimeError(f"the training run ended before it could be measured: {run}")
    print(
        f"health during training: GET /health {_summary(durations)} while "
        f"home_type_classifier trained ({elapsed:.1f} s, {run['status']}) (target: < 5 ms)"
    )
    metrics = run.get("metrics") or {}
    if metrics:
        f1 = ", ".join(f"{name} {value:.3f}" for name, value in metrics.get("f1", {}).items())
        print(
            f"home_type_classifier: accuracy {metrics.get('accuracy', 0):.3f} on "
            f"{metrics.get('eval_homes')} held-out homes (target: >= 0.9); F1: {f1}"
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
        bench_health_during_training(client)
