"""Pattern detectors against the ground truth planted in synthetic homes.

Matching: a reported time_of_day matches a planted one with the same entity and state whose
time is within 15 minutes (day kinds compatible: equal, or either is "all"); a reported
co_occurrence matches a planted pair (a `co_occurrence` routine, or two consecutive steps of
a planted `chain`) with the same trigger and action (entity and state).

Derived ground truth. The generator records what it plants, not everything that follows
from it; its author warned of two kinds, and this file computes them rather than ignoring
them (each is counted separately and printed):
- people move through doors: persons, locks, door/garage sensors and motion/occupancy
  sensors change together when someone leaves or comes home, so a pair between two of them,
  or from one of them to a planted action, is physically implied; so is a time_of_day on
  one of them (the occupant's leave/return times are planted, the lock's are not);
- a planted interval has an end and a planted reaction inherits its trigger's time of day,
  so a time_of_day on an entity that a planted routine, pair or chain drives is implied.
Precision counts a report as correct when it matches planted or derived truth; recall is
measured against planted truth only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from engine.home.catalog import Catalog, CatalogSource, Entity, catalog_from_import
from engine.patterns.arrays import ORIGIN_MANUAL, EventArrays
from engine.patterns.detect import SUGGESTION_THRESHOLD, DetectedPattern, DetectionResult, detect
from engine.training.synthetic import SyntheticHome, generate_home

HOMES = (
    ("studio_apartment", 1),
    ("family_house", 1),
    ("shared_flat", 2),
    ("home_office", 3),
    ("family_house", 4),
)
TIME_TOLERANCE_MIN = 15.0
DOOR_CLASSES = frozenset({"door", "garage_door", "garage", "motion", "occupancy", "presence"})


@dataclass(frozen=True)
class Analysed:
    """One synthetic home and what the detectors made of it."""

    home: SyntheticHome
    catalog: Catalog
    result: DetectionResult
    seconds: float


@pytest.fixture(scope="module")
def analysed() -> list[Analysed]:
    """Generate and analyse every home once for the whole module."""
    out = []
    for home_type, seed in HOMES:
        home = generate_home(home_type, days=30, seed=seed)
        catalog = catalog_from_import(home.catalog, CatalogSource.SYNTHETIC)
        started = time.perf_counter()
        result = detect(
            EventArrays.from_api_events(home.events), catalog, time_zone=catalog.time_zone
        )
        out.append(Analysed(home, catalog, result, time.perf_counter() - started))
    return out


def _minutes(hhmm: str) -> float:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _close(a: str, b: str) -> bool:
    diff = abs(_minutes(a) - _minutes(b)) % 1440
    return min(diff, 1440 - diff) <= TIME_TOLERANCE_MIN


def _days_fit(a: str, b: str) -> bool:
    return a == b or "all" in (a, b)


def _planted_pairs(routines: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    pairs = set()
    for r in routines:
        if r["kind"] == "co_occurrence":
            t, a = r["trigger"], r["action"]
            pairs.add((t["entity_id"], t["state"], a["entity_id"], a["state"]))
        elif r["kind"] == "chain":
            for t, a in zip(r["chain"], r["chain"][1:], strict=False):
                pairs.add((t["entity_id"], t["state"], a["entity_id"], a["state"]))
    return pairs


def _moves_with_people(entity: Entity | None) -> bool:
    if entity is None:
        return False
    if entity.domain in ("person", "device_tracker", "lock"):
        return True
    return entity.domain in ("binary_sensor", "cover") and entity.device_class in DOOR_CLASSES


@dataclass
class Scores:
    """Counts behind recall and precision for one home."""

    tod_planted: int = 0
    tod_found: int = 0
    pair_planted: int = 0
    pair_found: int = 0
    reported: int = 0
    correct_planted: int = 0
    correct_derived: int = 0
    max_time_error: float = 0.0

    @property
    def recall(self) -> float:
        """Return recall over planted time_of_day routines and pairs."""
        return (self.tod_found + self.pair_found) / max(1, self.tod_planted + self.pair_planted)

    @property
    def precision(self) -> float:
        """Return the share of reports that match planted or derived truth."""
        return (self.correct_planted + self.correct_derived) / max(1, self.reported)


def _score(item: Analysed, *, min_score: float = 0.0) -> Scores:
    routines = item.home.routines
    by_id = {e.entity_id: e for e in item.catalog.entities}
    patterns = [p for p in item.result.patterns if p.score >= min_score]
    tods = [p.details for p in patterns if p.type == "time_of_day"]
    reported_pairs = {
        (
            d["trigger"]["entity_id"],
            d["trigger"]["state"],
            d["action"]["entity_id"],
            d["action"]["state"],
        )
        for d in (p.details for p in patterns if p.type == "co_occurrence")
    }
    planted_tod = [r for r in routines if r["kind"] == "time_of_day"]
    planted_pairs = _planted_pairs(routines)
    s = Scores(tod_planted=len(planted_tod), pair_planted=len(planted_pairs))
    for r in planted_tod:
        hits = [
            d
            for d in tods
            if (d["entity_id"], d["state"]) == (r["entity_id"], r["state"])
            and _close(d["time"], r["time"])
            and _days_fit(d["days"], r["days"])
        ]
        if hits:
            s.tod_found += 1
            error = min(abs(_minutes(d["time"]) - _minutes(r["time"])) for d in hits)
            s.max_time_error = max(s.max_time_error, error)
    s.pair_found = len(planted_pairs & reported_pairs)
    driven = {r["entity_id"] for r in planted_tod} | {p[0] for p in planted_pairs}
    driven |= {p[2] for p in planted_pairs}
    planted_actions = {(p[2], p[3]) for p in planted_pairs}
    for d in tods:
        s.reported += 1
        if any(
            (d["entity_id"], d["state"]) == (r["entity_id"], r["state"])
            and _close(d["time"], r["time"])
            for r in planted_tod
        ):
            s.correct_planted += 1
        elif d["entity_id"] in driven or _moves_with_people(by_id.get(d["entity_id"])):
            s.correct_derived += 1
    for trigger, t_state, action, a_state in reported_pairs:
        s.reported += 1
        if (trigger, t_state, action, a_state) in planted_pairs:
            s.correct_planted += 1
        elif _moves_with_people(by_id.get(trigger)) and (
            (action, a_state) in planted_actions or _moves_with_people(by_id.get(action))
        ):
            s.correct_derived += 1
    return s


def test_recall_and_precision_against_planted_truth(analysed: list[Analysed]) -> None:
    """Planted habits are found, reports are real, times are close; figures are printed."""
    total = Scores()
    for item in analysed:
        s = _score(item)
        print(
            f"{item.home.home_type} seed {item.home.seed}: recall {s.recall:.3f} "
            f"(tod {s.tod_found}/{s.tod_planted}, pairs {s.pair_found}/{s.pair_planted}), "
            f"precision {s.precision:.3f} ({s.correct_planted} planted + {s.correct_derived} "
            f"derived of {s.reported}), worst time error {s.max_time_error:.0f} min, "
            f"detect {item.seconds:.2f} s"
        )
        for name in ("tod_planted", "tod_found", "pair_planted", "pair_found", "reported"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
        total.correct_planted += s.correct_planted
        total.correct_derived += s.correct_derived
        assert s.max_time_error <= TIME_TOLERANCE_MIN
    print(f"overall: recall {total.recall:.3f}, precision {total.precision:.3f}")
    # Floors just below the figures measured now (0.851 / 0.840), guarding against
    # regressions; the 0.9 targets are not met yet and are held by the xfail test below.
    assert total.recall >= 0.84
    assert total.precision >= 0.83


def _overall(analysed: list[Analysed]) -> tuple[float, float]:
    found = planted = correct = reported = 0
    for item in analysed:
        s = _score(item)
        found += s.tod_found + s.pair_found
        planted += s.tod_planted + s.pair_planted
        correct += s.correct_planted + s.correct_derived
        reported += s.reported
    return found / max(1, planted), correct / max(1, reported)


@pytest.mark.xfail(strict=True, reason="targets not met yet: recall 0.851, precision 0.840")
def test_recall_and_precision_reach_targets(analysed: list[Analysed]) -> None:
    """The brief's targets: recall and precision of at least 0.9."""
    recall, precision = _overall(analysed)
    assert recall >= 0.9
    assert precision >= 0.9


def test_every_synergy_link_is_a_reported_pair(analysed: list[Analysed]) -> None:
    """Chains are built only from reported co-occurrences, and stay few."""
    for item in analysed:
        pairs = {
            (
                p.details["trigger"]["entity_id"],
                p.details["trigger"]["state"],
                p.details["action"]["entity_id"],
                p.details["action"]["state"],
            )
            for p in item.result.patterns
            if p.type == "co_occurrence"
        }
        for synergy in item.result.synergies:
            assert 2 <= synergy.depth <= 4
            for a, b in zip(synergy.chain, synergy.chain[1:], strict=False):
                assert (a["entity_id"], a["state"], b["entity_id"], b["state"]) in pairs
        assert len(item.result.synergies) <= 2 * len(pairs) + 1


def test_automation_changes_and_power_sensors_never_pair(analysed: list[Analysed]) -> None:
    """No pattern involves a continuous sensor; anomalies stay few."""
    for item in analysed:
        units = {e.entity_id for e in item.catalog.entities if e.unit_of_measurement}
        for pattern in item.result.patterns:
            assert not units & set(pattern.entities), pattern.description
        anomalies = [p for p in item.result.patterns if p.type == "anomaly"]
        assert len(anomalies) <= 20


def _noise_home(seed: int = 7) -> tuple[EventArrays, Catalog]:
    rng = np.random.default_rng(seed)
    n_entities, days = 40, 30
    start_us = 1_764_975_600_000_000  # 2025-12-06 00:00 Europe/Berlin
    entity_ids = [f"light.noise_{i}" for i in range(n_entities)]
    parts = []
    for code in range(n_entities):
        count = int(rng.integers(30, 300))
        times = np.sort(rng.integers(start_us, start_us + days * 86_400_000_000, count))
        parts.append((np.full(count, code), times, np.arange(count) % 2))
    entity = np.concatenate([p[0] for p in parts]).astype(np.int32)
    times = np.concatenate([p[1] for p in parts]).astype(np.int64)
    state = np.concatenate([p[2] for p in parts]).astype(np.int32)
    origin = np.full(len(times), ORIGIN_MANUAL, dtype=np.int8)
    events = EventArrays.from_columns(entity, times, state, origin, entity_ids, ["on", "off"])
    catalog = catalog_from_import(
        {
            "time_zone": "Europe/Berlin",
            "floors": [],
            "areas": [],
            "devices": [],
            "entities": [{"entity_id": e, "name": e.split(".")[1]} for e in entity_ids],
        },
        CatalogSource.SYNTHETIC,
    )
    return events, catalog


def test_pure_noise_home_suggests_nothing() -> None:
    """Random on/off events with no routine give no pattern worth suggesting."""
    events, catalog = _noise_home()
    result = detect(events, catalog, time_zone="Europe/Berlin")
    strong: list[DetectedPattern] = [p for p in result.patterns if p.score >= SUGGESTION_THRESHOLD]
    assert strong == []
    assert [s for s in result.synergies if s.score >= SUGGESTION_THRESHOLD] == []
