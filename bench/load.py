"""Figures under load: 50 clients sending distinct requests to a real engine, and a soak."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import numpy as np
import orjson

from bench.engine_api import AUTH, engine_process
from bench.query import NOT_UNDERSTOOD, TEMPLATES, home_body

CLIENTS = 50
DURATION_S = 20.0
HEALTH_INTERVAL_S = 0.05
SOAK_SAMPLE_S = 5.0
# Mixed load before the soak's first sample: the bounded caches (SQLite's page cache per
# pooled connection, the answers and YAML remembered) fill in about a minute and a half.
SOAK_WARM_UP_S = 120.0


@dataclass(slots=True)
class Tally:
    """What the clients saw: latencies in milliseconds and the failed requests."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    # Queries' own latency_ms: the engine's time, without the wait for the event loop.
    server_query_ms: list[float] = field(default_factory=list)


# Requests that say a number: each lap says new ones, so every request is new to the cache
# and still a sentence someone would say (a lap number tacked on the end made most of them
# sentences no one says, each a question back). Understood and not, as in bench/query.py.
# Each area says every sentence in turn (not every area one sentence, then the next): the
# 50 clients then send a mix at any moment, as independent clients would, rather than
# 50 of one kind at once (the same automation in 50 areas, then 50 of a cheap command),
# which made the load swing between the dearest and the cheapest request every second.
VARIED = (
    "set the {area} blinds to {percent}%",
    "dim the {area} lamp to {percent}%",
    "set the {area} thermostat to {degrees} degrees",
    "every weekday at {clock} turn on the {area} light",
    "at {clock} close the {area} blinds",
    "when the {area} door has been open for {minutes} minutes turn off the {area} lamp",
    "set the {area} vibe to {percent}",
    "make the {area} sing {minutes} songs",
    "in {minutes} minutes turn off the {area} fan",
    "order {minutes} pizzas for the {area}",
)


def sentences(areas: list[str]) -> Iterator[str]:
    """Yield requests in words, each new for the first 58 laps (a long soak repeats some)."""
    for area in areas:
        for template in TEMPLATES + NOT_UNDERSTOOD:
            yield template.format(area=area)
    for lap in itertools.count(1):
        values = {
            "percent": 41 + lap % 59,
            "degrees": f"{15 + lap % 120 / 10:g}",
            "clock": f"{5 + lap // 60 % 5}:{lap % 60:02d}",
            "minutes": 2 + lap % 58,
        }
        for area in areas:
            for template in VARIED:
                yield template.format(area=area, **values)


def requests(areas: list[str], entity_ids: list[str]) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Yield distinct requests forever: mostly queries, with reads of what the engine keeps."""
    said = sentences(areas)
    for n in itertools.count():
        match n % 5:
            case 0:
                yield "GET", "/api/v1/suggestions", {"limit": str(1 + n % 50)}
            case 1:
                yield "GET", "/api/v1/patterns", {"limit": str(1 + n % 50)}
            case 2:
                yield "GET", "/api/v1/events", {"entity_id": entity_ids[n % len(entity_ids)]}
            case _:
                yield "POST", "/api/v1/query", {"text": next(said)}


async def _client(
    http: aiohttp.ClientSession,
    work: Iterator[tuple[str, str, dict[str, str]]],
    until: float,
    tally: Tally,
) -> None:
    while time.perf_counter() < until:
        method, path, values = next(work)
        started = time.perf_counter()
        try:
            if method == "POST":
                response = await http.post(path, json=values, headers=AUTH)
            else:
                response = await http.get(path, params=values, headers=AUTH)
            async with response:
                body = await response.read()
        except aiohttp.ClientError as error:
            tally.errors.append(f"{method} {path}: {error!r}")
            continue
        tally.latencies.append((time.perf_counter() - started) * 1000)
        tally.by_path.setdefault(path, []).append(tally.latencies[-1])
        if response.status >= 400:
            tally.errors.append(f"{method} {path}: {response.status} {body[:200]!r}")
        elif path == "/api/v1/query":
            tally.server_query_ms.append(orjson.loads(body)["latency_ms"])


async def _health(http: aiohttp.ClientSession, until: float, tally: Tally) -> None:
    while time.perf_counter() < until:
        started = time.perf_counter()
        async with http.get("/health") as response:
            await response.read()
        tally.latencies.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            tally.errors.append(f"/health: {response.status}")
        await asyncio.sleep(HEALTH_INTERVAL_S)


def _tree_rss_mb(pid: int) -> float:
    """Return the resident memory of a process and all its children (Linux's /proc), in MB."""
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended meanwhile
        total_kb += next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
        )
    return total_kb / 1024


async def _rss(
    http: aiohttp.ClientSession, pid: int, until: float, samples: list[tuple[float, float]]
) -> None:
    """Sample the engine's own RSS (its stats) and with its parsing workers' (from /proc)."""
    while time.perf_counter() < until:
        async with http.get("/api/v1/stats", headers=AUTH) as response:
            own = (await response.json())["memory_rss_mb"]
        samples.append((own, _tree_rss_mb(pid)))
        await asyncio.sleep(SOAK_SAMPLE_S)


async def _load(
    base_url: str,
    work: Iterator[tuple[str, str, dict[str, str]]],
    seconds: float,
    *,
    rss: tuple[int, list[tuple[float, float]]] | None = None,
) -> tuple[Tally, Tally, float]:
    """Run the clients and the /health probe for `seconds`; return both tallies and the time."""
    # aiohttp's client: the clients share the engine's two cores, and httpx's took a
    # good part of one.
    timeout = aiohttp.ClientTimeout(total=60)
    async with (
        aiohttp.ClientSession(
            base_url, timeout=timeout, connector=aiohttp.TCPConnector(limit=CLIENTS)
        ) as http,
        aiohttp.ClientSession(base_url, timeout=timeout) as probe,
    ):
        tally, health = Tally(), Tally()
        started = time.perf_counter()
        until = started + seconds
        jobs = [_client(http, work, until, tally) for _ in range(CLIENTS)]
        jobs.append(_health(probe, until, health))
        if rss is not None:
            jobs.append(_rss(probe, rss[0], until, rss[1]))
        await asyncio.gather(*jobs)
        return tally, health, time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def bench_load(soak_minutes: float) -> None:
    """Print errors, throughput and latency under 50 clients, /health meanwhile, and the soak."""
    body = home_body()
    areas = [area["name"].lower() for area in body["areas"]]
    entity_ids = [entity["entity_id"] for entity in body["entities"]]
    work = requests(areas, entity_ids)
    with (
        tempfile.TemporaryDirectory(prefix="homeiq-bench-") as directory,
        engine_process(Path(directory) / "data") as engine,
    ):
        httpx.post(
            f"{engine.base_url}/api/v1/home/import", json=body, headers=AUTH, timeout=60
        ).raise_for_status()
        # Warm-up: answered once the workers have built their parsers for the new home.
        httpx.post(
            f"{engine.base_url}/api/v1/query",
            json={"text": "turn on the light"},
            headers=AUTH,
            timeout=60,
        ).raise_for_status()
        tally, health, elapsed = asyncio.run(_load(engine.base_url, work, DURATION_S))
        print(
            f"load: {CLIENTS} clients, distinct requests for {elapsed:.0f} s on a "
            f"{len(entity_ids)}-entity home: {len(tally.latencies)} requests, "
            f"{len(tally.errors)} errors (target: 0), "
            f"{len(tally.latencies) / elapsed:.0f} requests/s, "
            f"p50 {_percentile(tally.latencies, 50):.0f} ms, "
            f"p95 {_percentile(tally.latencies, 95):.0f} ms "
            f"(target: p95 <= 250 ms); /health p95 {_percentile(health.latencies, 95):.1f} ms "
            f"over {len(health.latencies)} probes (target: <= 20 ms)"
        )
        by_path = ", ".join(
            f"{path} p50 {_percentile(values, 50):.0f} ms p95 {_percentile(values, 95):.0f} ms"
            for path, values in sorted(tally.by_path.items())
        )
        print(
            f"load, by route: {by_path}; queries' own latency_ms p50 "
            f"{_percentile(tally.server_query_ms, 50):.0f} ms, "
            f"p95 {_percentile(tally.server_query_ms, 95):.0f} ms"
        )
        for error in tally.errors[:5] + health.errors[:5]:
            print(f"load: error: {error}")
        samples: list[tuple[float, float]] = []
        assert engine.process is not None
        soaking = (engine.process.pid, samples)
        if soak_minutes > 0:
            asyncio.run(_load(engine.base_url, work, SOAK_WARM_UP_S))
        soak, _, soaked = asyncio.run(_load(engine.base_url, work, soak_minutes * 60, rss=soaking))
    if not samples:
        return
    # The first sample is taken after the warm-up (the 20 s load above, then SOAK_WARM_UP_S).
    for label, index in (("engine RSS", 0), ("engine with its parsing workers", 1)):
        values = [sample[index] for sample in samples]
        first, peak = values[0], max(values)
        growth = (peak - first) / first
        print(
            f"soak: {soaked / 60:.1f} min of mixed load after {SOAK_WARM_UP_S / 60:.0f} min of "
            f"warm-up ({len(soak.latencies)} requests, "
            f"{len(soak.errors)} errors): {label} {first:.0f} MB after warm-up, "
            f"peak {peak:.0f} MB, "
            f"last {values[-1]:.0f} MB: {growth:+.1%} "
            f"({'within' if growth <= 0.10 else 'beyond'} 10%, target: within)"
        )
