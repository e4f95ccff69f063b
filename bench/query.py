"""Natural-language request figures: latency on a 500-entity home and the cache hit rate."""

from __future__ import annotations

import random
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.engine_api import AUTH, engine_process

ROOMS = (
    "Kitchen",
    "Living room",
    "Bedroom",
    "Bathroom",
    "Office",
    "Hall",
    "Dining room",
    "Guest room",
    "Kids room",
    "Laundry",
)
# (domain, name suffix, device class): ten devices per area, fifty areas, 500 entities.
DEVICES = (
    ("light", "light", None),
    ("light", "lamp", None),
    ("cover", "blinds", "blind"),
    ("climate", "thermostat", None),
    ("fan", "fan", None),
    ("media_player", "speaker", "speaker"),
    ("switch", "socket", "outlet"),
    ("binary_sensor", "door", "door"),
    ("binary_sensor", "motion", "motion"),
    ("sensor", "temperature", "temperature"),
)
TEMPLATES = (
    "turn on the {area} light",
    "turn off the lights in the {area}",
    "set the {area} blinds to 40%",
    "set the {area} thermostat to 21 degrees",
    "dim the {area} lamp to 30%",
    "turn on the {area} fan",
    "every weekday at 7 turn on the {area} light",
    "when the {area} door opens turn on the {area} lamp",
    "at sunset close the {area} blinds",
    "turn off the {area} socket",
    # Questions about the home, answered from the states.
    "is the {area} light on",
    "what is the temperature in the {area}",
)
# Requests the engine cannot act on: it must say so as fast as it answers the others.
NOT_UNDERSTOOD = (
    "make the {area} sing",
    "tell me a joke about penguins in the {area}",
    "defrost the freezer in the {area}",
    "turn on the moon lights in the {area}",
    "please order pizza for the {area}",
    "set the {area} vibe to chill",
    "turn the {area} toaster to maximum crunch and then call grandma",
    "when the {area} unicorn sneezes turn on the {area} light",
)
REQUESTS = 1000
# A household repeats itself: requests are drawn from a pool with a Zipf-like skew.
POOL = 150


def home_body() -> dict[str, Any]:
    """Return a 500-entity home: fifty areas on five floors, ten devices each."""
    floors = [{"floor_id": f"floor_{n}", "name": f"Floor {n}", "level": n} for n in range(5)]
    areas, entities = [], []
    for floor in range(5):
        for room in ROOMS:
            name = room if floor == 0 else f"{room} {floor + 1}"
            area_id = name.lower().replace(" ", "_")
            areas.append({"area_id": area_id, "name": name, "floor_id": f"floor_{floor}"})
            for domain, suffix, device_class in DEVICES:
                entity: dict[str, Any] = {
                    "entity_id": f"{domain}.{area_id}_{suffix}",
                    "name": f"{name} {suffix}",
                    "area_id": area_id,
                }
                if device_class:
                    entity["device_class"] = device_class
                if domain == "sensor":
                    entity["unit_of_measurement"] = "°C"
                entities.append(entity)
    return {"time_zone": "Europe/Berlin", "floors": floors, "areas": areas, "entities": entities}


def request_mix(body: dict[str, Any], seed: int = 7) -> list[str]:
    """Return the requests: a pool of varied sentences, drawn with repeats."""
    rng = random.Random(seed)
    names = [area["name"].lower() for area in body["areas"]]
    pool = [rng.choice(TEMPLATES).format(area=rng.choice(names)) for _ in range(POOL)]
    weights = [1 / (rank + 1) for rank in range(POOL)]
    return rng.choices(pool, weights=weights, k=REQUESTS)


def bench_queries() -> None:
    """Print server-side latency of the deterministic path and the cache hit rate."""
    body = home_body()
    requests = request_mix(body)
    with (
        tempfile.TemporaryDirectory(prefix="homeiq-bench-") as directory,
        engine_process(Path(directory) / "data") as engine,
        httpx.Client(base_url=engine.base_url, timeout=60) as client,
    ):
        client.post("/api/v1/home/import", json=body, headers=AUTH).raise_for_status()
        before = client.get("/api/v1/stats", headers=AUTH).json()["cache"]
        seen: set[str] = set()
        fresh: list[float] = []
        everything: list[float] = []
        statuses: dict[str, int] = {}
        for text in requests:
            answer = client.post("/api/v1/query", json={"text": text}, headers=AUTH).json()
            everything.append(answer["latency_ms"])
            if text not in seen:
                seen.add(text)
                fresh.append(answer["latency_ms"])
            statuses[answer["status"]] = statuses.get(answer["status"], 0) + 1
        after = client.get("/api/v1/stats", headers=AUTH).json()["cache"]
        refused = _first_answers(client, body, NOT_UNDERSTOOD)
        understood = _first_answers(client, body, TEMPLATES)
    hits = after["hits"] - before["hits"]
    misses = after["misses"] - before["misses"]
    print(
        f"query: {REQUESTS} requests ({len(seen)} distinct) on a {len(body['entities'])}-entity "
        f"home: p50 {statistics.median(everything):.2f} ms, "
        f"p95 {float(np.percentile(everything, 95)):.2f} ms; uncached (first time) p50 "
        f"{statistics.median(fresh):.2f} ms, p95 {float(np.percentile(fresh, 95)):.2f} ms "
        f"(target: p95 < 50 ms); cache hit rate {hits / max(1, hits + misses):.1%} "
        f"(target: > 80%); answers {statuses}"
    )
    for label, latencies in (("understood", understood), ("not understood", refused)):
        print(
            f"query, first answers, {label}: {len(latencies)} requests, p50 "
            f"{statistics.median(latencies):.2f} ms, p95 "
            f"{float(np.percentile(latencies, 95)):.2f} ms (target: p95 <= 20 ms)"
        )


def _first_answers(
    client: httpx.Client, body: dict[str, Any], templates: tuple[str, ...]
) -> list[float]:
    """Return the server-side latency of 200 sentences never asked before (no cache hit)."""
    names = [area["name"].lower() for area in body["areas"]]
    sentences = sorted({template.format(area=name) for template in templates for name in names})
    latencies = []
    for text in random.Random(11).sample(sentences, min(200, len(sentences))):
        answer = client.post("/api/v1/query", json={"text": text}, headers=AUTH).json()
        latencies.append(answer["latency_ms"])
    return latencies
