"""Pattern detection figures: a month of a 200-entity, million-event home."""

from __future__ import annotations

import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import httpx
import numpy as np
import numpy.typing as npt
import orjson

from bench.engine_api import AUTH, REQUEST_EVENTS, engine_process, health_latencies
from engine.home.catalog import CatalogSource, catalog_from_import
from engine.home.event_input import from_epoch_us
from engine.patterns.arrays import I32, I64, ORIGIN_CODES, EventArrays
from engine.patterns.detect import detect
from engine.training.synthetic import generate_home

# Two family houses side by side (the second's ids suffixed) give about 200 entities; their
# continuous sensors then report this many times as often (copies shifted by seconds), which
# is how a busy home's event count reaches about a million.
SENSOR_COPIES = 3
TARGET_ENTITIES = 200


def _big_home() -> tuple[EventArrays, dict[str, object]]:
    """Return the combined events (as arrays) and catalog body."""
    entity_ids: list[str] = []
    states: dict[str, int] = {}
    columns: list[tuple[I32, I64, I32, npt.NDArray[np.int8]]] = []
    body: dict[str, object] = {}
    catalog_entities: list[dict[str, object]] = []
    devices: list[dict[str, object]] = []
    areas: list[dict[str, object]] = []
    for copy, seed in enumerate((0, 1)):
        home = generate_home("family_house", days=30, seed=seed)
        suffix = "" if copy == 0 else "_b"
        part = EventArrays.from_api_events(home.events)
        names = [eid + suffix for eid in part.entity_ids]
        offset = len(entity_ids)
        entity_ids += names
        state_map = np.array([states.setdefault(s, len(states)) for s in part.states])
        sensor = np.array([n.startswith("sensor.") for n in names])[part.entity]
        for shift in range(SENSOR_COPIES):
            pick = np.ones(len(part), dtype=bool) if shift == 0 else sensor
            columns.append(
                (
                    part.entity[pick] + offset,
                    part.time_us[pick] + shift * 7_000_000,
                    state_map[part.state[pick]],
                    part.origin[pick],
                )
            )
        for entity in home.catalog["entities"]:
            renamed = {**entity, "entity_id": entity["entity_id"] + suffix}
            if "device_id" in entity:
                renamed["device_id"] = entity["device_id"] + suffix
            catalog_entities.append(renamed)
        devices += [{**d, "device_id": d["device_id"] + suffix} for d in home.catalog["devices"]]
        areas = home.catalog["areas"] if copy == 0 else areas
        body = {**home.catalog}
    keep_ids = set(entity_ids[:TARGET_ENTITIES])
    entity = np.concatenate([c[0] for c in columns]).astype(np.int32)
    keep = entity < TARGET_ENTITIES
    events = EventArrays.from_columns(
        entity[keep],
        np.concatenate([c[1] for c in columns]).astype(np.int64)[keep],
        np.concatenate([c[2] for c in columns]).astype(np.int32)[keep],
        np.concatenate([c[3] for c in columns]).astype(np.int8)[keep],
        entity_ids,
        list(states),
    )
    body["entities"] = [
        {
            k: v
            for k, v in e.items()
            if not (k == "area_id" and v not in {a["area_id"] for a in areas})
        }
        for e in catalog_entities
        if e["entity_id"] in keep_ids
    ]
    body["devices"] = [{k: v for k, v in d.items() if k != "area_id"} for d in devices]
    return events, body


def bench_patterns() -> None:
    """Print how long detection takes on a 200-entity, million-event month, and its memory."""
    events, body = _big_home()
    catalog = catalog_from_import(body, CatalogSource.SYNTHETIC)
    tracemalloc.start()
    started = time.perf_counter()
    detect(events, catalog, time_zone=catalog.time_zone)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"patterns: analysed {len(events):,} events of a {len(catalog.entities)}-entity home "
        f"(30 days) in {elapsed:.2f} s, peak memory {peak / 1e6:.0f} MB "
        "(target: < 20 s, < 400 MB)"
    )


def _import_bodies(events: EventArrays) -> list[bytes]:
    """Return /api/v1/events/import bodies for the arrays, encoded before the clock starts."""
    labels = {code: label for label, code in ORIGIN_CODES.items()}
    times = [from_epoch_us(int(t)).isoformat() for t in events.time_us]
    bodies = []
    for start in range(0, len(events), REQUEST_EVENTS):
        stop = min(start + REQUEST_EVENTS, len(events))
        bodies.append(
            orjson.dumps(
                {
                    "events": [
                        {
                            "entity_id": events.entity_ids[events.entity[i]],
                            "state": events.states[events.state[i]],
                            "time": times[i],
                            "origin": labels[int(events.origin[i])],
                        }
                        for i in range(start, stop)
                    ]
                }
            )
        )
    return bodies


def bench_analysis_api() -> None:
    """Print an analysis run's duration and memory through a real engine, and /health meanwhile."""
    events, body = _big_home()
    bodies = _import_bodies(events)
    with (
        tempfile.TemporaryDirectory(prefix="homeiq-bench-") as directory,
        engine_process(Path(directory) / "data") as engine,
        httpx.Client(base_url=engine.base_url, timeout=300) as client,
    ):
        client.post("/api/v1/home/import", json=body, headers=AUTH).raise_for_status()
        headers = {**AUTH, "Content-Type": "application/json"}
        for chunk in bodies:
            client.post("/api/v1/events/import", content=chunk, headers=headers).raise_for_status()
        health_latencies(client, 200)  # warm-up
        response = client.post("/api/v1/analysis/run", json={"days": 30}, headers=AUTH)
        run_id = response.json()["run_id"]
        durations: list[float] = []
        while True:
            run = client.get(f"/api/v1/analysis/runs/{run_id}", headers=AUTH).json()
            if run["status"] not in ("queued", "running"):
                break
            durations += health_latencies(client, 20)
        stats = run.get("stats") or {}
        rss = client.get("/api/v1/stats", headers=AUTH).json()["memory_rss_mb"]
        synergy_stats = client.get("/api/v1/synergies/stats", headers=AUTH).json()
    if run["status"] != "succeeded":
        raise RuntimeError(f"the analysis failed: {run}")
    print(
        f"analysis: {stats['events']:,} events of {stats['entities']} entities (30 days) "
        f"analysed through the engine in {stats['duration_s']:.2f} s, worker peak memory "
        f"{stats['peak_memory_mb']:.0f} MB, engine resident {rss:.0f} MB; "
        f"{stats['patterns']} patterns, {stats['synergies']} synergies "
        f"(by depth {synergy_stats['by_depth']}) (target: < 20 s, < 400 MB)"
    )
    print(
        f"health during analysis: GET /health median {statistics.median(durations):.3f} ms, "
        f"p95 {float(np.percentile(durations, 95)):.3f} ms over {len(durations)} requests "
        "(target: < 5 ms)"
    )
