"""Pattern detection figures: a month of a 200-entity home, about 1.07 million events."""

from __future__ import annotations

import statistics
import tempfile
import threading
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
# is how a busy home's event count reaches the 1.07 million.
SENSOR_COPIES = (3, 2)
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
        for shift in range(SENSOR_COPIES[copy]):
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
    """Print how long detection takes on a 200-entity, 1.07-million-event month, and its memory."""
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


class PeakResident:
    """The peak resident memory of another process while this context runs (Linux /proc)."""

    # The kernel's high-water mark (VmHWM) is reset on entry, so what the process used
    # before (importing the history) does not count; polling VmRSS backs it up where the
    # reset is not allowed.

    def __init__(self, pid: int, interval_s: float = 0.01) -> None:
        self._status = Path(f"/proc/{pid}/status")
        self._clear_refs = Path(f"/proc/{pid}/clear_refs")
        self._interval_s = interval_s
        self._sampled_kib = 0
        self._reset = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.peak_mb = 0.0

    def _field_kib(self, name: str) -> int:
        for line in self._status.read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
        return 0

    def _sample(self) -> None:
        while not self._done.wait(self._interval_s):
            self._sampled_kib = max(self._sampled_kib, self._field_kib("VmRSS"))

    def __enter__(self) -> PeakResident:
        try:
            self._clear_refs.write_text("5")  # 5: reset the peak resident set size
            self._reset = True
        except OSError:
            self._reset = False
        self._sampled_kib = self._field_kib("VmRSS")
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()
        peak_kib = max(self._sampled_kib, self._field_kib("VmRSS"))
        if self._reset:
            peak_kib = max(peak_kib, self._field_kib("VmHWM"))
        self.peak_mb = peak_kib / 1024


def bench_analysis_api() -> None:
    """Print an analysis run's duration and peak memory (engine + worker) through an engine."""
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
        resident_before = client.get("/api/v1/stats", headers=AUTH).json()["memory_rss_mb"]
        assert engine.process is not None
        durations: list[float] = []
        with PeakResident(engine.process.pid) as engine_peak:
            response = client.post("/api/v1/analysis/run", json={"days": 30}, headers=AUTH)
            run_id = response.json()["run_id"]
            while True:
                run = client.get(f"/api/v1/analysis/runs/{run_id}", headers=AUTH).json()
                if run["status"] not in ("queued", "running"):
                    break
                durations += health_latencies(client, 20)
        stats = run.get("stats") or {}
        synergy_stats = client.get("/api/v1/synergies/stats", headers=AUTH).json()
    if run["status"] != "succeeded":
        raise RuntimeError(f"the analysis failed: {run}")
    worker_mb = stats["peak_memory_mb"]
    print(
        f"analysis: {stats['events']:,} events of {stats['entities']} entities (30 days) "
        f"in {stats['duration_s']:.2f} s, peak memory engine {engine_peak.peak_mb:.0f} MB + "
        f"worker {worker_mb:.0f} MB = {engine_peak.peak_mb + worker_mb:.0f} MB "
        "(target: <= 10 s, <= 250 MB)"
    )
    print(
        f"analysis found {stats['patterns']} patterns, {stats['synergies']} synergies (by depth "
        f"{synergy_stats['by_depth']}); engine resident {resident_before:.0f} MB before the run"
    )
    print(
        f"health during analysis: GET /health median {statistics.median(durations):.3f} ms, "
        f"p95 {float(np.percentile(durations, 95)):.3f} ms over {len(durations)} requests "
        "(target: < 5 ms)"
    )
