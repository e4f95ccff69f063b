"""Pattern detection figures: a month of a 200-entity, million-event home."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import numpy.typing as npt

from engine.home.catalog import CatalogSource, catalog_from_import
from engine.patterns.arrays import I32, I64, EventArrays
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
