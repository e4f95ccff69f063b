"""How well the detectors find what a synthetic home planted: recall and precision per type.

Shared by the quality tests (which assert on homes the detectors were never tuned on) and
`scripts/bench` (which prints the figures). Matching, per type:

- time_of_day: a planted clock habit of something people switch is found by a habit of the
  same entity, state and kind of day within 15 minutes (or 0.6 of its planted spread);
  also when the history shows it as a cause's effect instead (a pair or routine link with
  that action, on at least half its days), or when it is the "off" of a reported habit
  whose steady duration puts it there.
- routine: a planted routine (or a planted time of a door, window or person) is found by a
  routine of the same kind (arrival/first activity vs departure/last activity), whose area
  or sensors hold it, on compatible days, within 30 minutes.
- co_occurrence: a planted pair, or consecutive steps of a planted chain, by a pair of the
  same trigger and action.
- anomaly: a planted anomaly by an anomaly of the same entity on the same local day.

A report is correct when it matches a planted truth or a relation the generator records
as implied by what it planted (`SyntheticHome.implied`), shown on at least half the days
the report claims; a routine also when its sensors have an implied time there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from engine.patterns.details import (
    AnomalyDetails,
    CoOccurrenceDetails,
    PatternDetails,
    RoutineDetails,
    Step,
    TimeOfDayDetails,
)
from engine.patterns.findings import DetectedPattern, DetectionResult
from engine.patterns.time_of_day import days_fit
from engine.training.synthetic import SyntheticHome

# Homes the detectors are developed on, and homes they are judged on (never tuned on).
TUNING_HOMES: tuple[tuple[str, int], ...] = tuple(
    (home_type, seed)
    for home_type in ("studio_apartment", "family_house", "shared_flat", "home_office")
    for seed in (1, 2, 3, 4)
) + tuple((kind, seed) for kind in ("sensor_only", "motion_lit") for seed in range(1, 6))
TEST_HOMES: tuple[tuple[str, int], ...] = tuple(
    (home_type, seed)
    for home_type in ("studio_apartment", "family_house", "shared_flat", "home_office")
    for seed in (101, 102, 103)
) + tuple((kind, seed) for kind in ("sensor_only", "motion_lit") for seed in range(101, 106))
HABIT_TOLERANCE_MIN = 15.0
ROUTINE_TOLERANCE_MIN = 30.0
IMPLIED_SHARE = 0.5
# A planted habit loose by this many minutes is found within this share of them.
SPREAD_SHARE = 0.6
TYPES = ("time_of_day", "co_occurrence", "routine", "anomaly")
_SENSOR_DOMAINS = ("binary_sensor", "person", "device_tracker")
_STARTS = ("first_activity", "arrival")


def _minutes(hhmm: str) -> float:
    hours, minutes = hhmm.split(":")[:2]
    return int(hours) * 60 + int(minutes)


def apart(a: str, b: str) -> float:
    """Return minutes between two HH:MM times, the short way round midnight."""
    diff = abs(_minutes(a) - _minutes(b)) % 1440
    return min(diff, 1440 - diff)


def _sensor(entity_id: str) -> bool:
    return entity_id.split(".", 1)[0] in _SENSOR_DOMAINS


def _pair_key(trigger: Mapping[str, Any], action: Mapping[str, Any]) -> tuple[str, ...]:
    return (trigger["entity_id"], trigger["state"], action["entity_id"], action["state"])


def _found_key(details: CoOccurrenceDetails) -> tuple[str, ...]:
    trigger, action = details.trigger, details.action
    return (trigger.entity_id, trigger.state, action.entity_id, action.state)


def _details[DetailsT: PatternDetails](pattern: DetectedPattern, kind: type[DetailsT]) -> DetailsT:
    """Return a pattern's details, which its type says are of this kind."""
    if not isinstance(pattern.details, kind):
        raise TypeError(f"a {pattern.type} pattern with {type(pattern.details).__name__}")
    return pattern.details


@dataclass
class Counts:
    """Found of planted, and correct of reported, for one type."""

    planted: int = 0
    found: int = 0
    reported: int = 0
    correct: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Return found / planted (1 when nothing was planted)."""
        return self.found / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        """Return correct / reported (1 when nothing was reported)."""
        return self.correct / self.reported if self.reported else 1.0

    def add(self, other: Counts) -> None:
        """Add another home's counts."""
        self.planted += other.planted
        self.found += other.found
        self.reported += other.reported
        self.correct += other.correct
        self.missed += other.missed
        self.wrong += other.wrong


@dataclass
class Quality:
    """Counts per pattern type, and what a home planted and reported."""

    by_type: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in TYPES})
    chains_planted: int = 0
    chains_found: int = 0

    def add(self, other: Quality) -> None:
        """Add another home's quality."""
        for name in TYPES:
            self.by_type[name].add(other.by_type[name])
        self.chains_planted += other.chains_planted
        self.chains_found += other.chains_found

    def line(self) -> str:
        """Return the figures in one line."""
        parts = [
            f"{name} recall {c.recall:.2f} ({c.found}/{c.planted}) precision {c.precision:.2f} "
            f"({c.correct}/{c.reported})"
            for name, c in self.by_type.items()
        ]
        return "; ".join(parts) + f"; chains {self.chains_found}/{self.chains_planted}"


class _Truth:
    """A home's planted and implied truth, indexed for matching."""

    def __init__(self, home: SyntheticHome) -> None:
        self.routines = home.routines
        self.habits = [
            r for r in home.routines if r["kind"] == "time_of_day" and not _sensor(r["entity_id"])
        ]
        self.sensor_times = [
            r for r in home.routines if r["kind"] == "time_of_day" and _sensor(r["entity_id"])
        ]
        self.planted_routines = [r for r in home.routines if r["kind"] == "routine"]
        self.pairs: set[tuple[str, ...]] = set()
        self.chains: list[list[tuple[str, str]]] = []
        for r in home.routines:
            if r["kind"] == "co_occurrence":
                self.pairs.add(_pair_key(r["trigger"], r["action"]))
            elif r["kind"] == "chain":
                steps = [(s["entity_id"], s["state"]) for s in r["chain"]]
                self.chains.append(steps)
                for (te, ts), (ae, as_) in pairwise(steps):
                    self.pairs.add((te, ts, ae, as_))
        self.anomalies = [r for r in home.routines if r["kind"] == "anomaly"]
        self.implied_times = [r for r in home.implied if r["kind"] == "time_of_day"]
        self.implied_pairs = {
            _pair_key(r["trigger"], r["action"]): r["support_days"]
            for r in home.implied
            if r["kind"] == "co_occurrence"
        }


def _tolerance(truth: Mapping[str, Any], least: float) -> float:
    """Return how close a report must be: a loose habit's mean of a few days wanders more."""
    return max(least, SPREAD_SHARE * float(truth.get("spread_minutes") or 0.0))


def _habit_match(report: TimeOfDayDetails, truth: Mapping[str, Any]) -> bool:
    return (
        (report.entity_id, report.state) == (truth["entity_id"], truth["state"])
        and apart(report.time, truth["time"]) <= _tolerance(truth, HABIT_TOLERANCE_MIN)
        and days_fit(report.days, truth["days"])
    )


def _routine_sensors(details: RoutineDetails) -> set[str]:
    sensors = set(details.sensors)
    if details.entity_id:
        sensors.add(details.entity_id)
    return sensors


def _routine_match(details: RoutineDetails, truth: Mapping[str, Any]) -> bool:
    """Return whether a reported routine's details show a planted routine or sensor time."""
    if not days_fit(details.days, truth["days"]) or (
        apart(details.time, truth["time"]) > ROUTINE_TOLERANCE_MIN
    ):
        return False
    starts = details.kind in _STARTS
    sensors = _routine_sensors(details)
    if truth["kind"] == "routine":
        areas = {details.area_id, *details.then_area_ids}
        where = truth.get("area_id") in areas - {None} or truth.get("entity_id") in sensors
        return (truth["routine_kind"] in _STARTS) == starts and bool(where)
    # A planted time of a door, window or person: the routine of a scope that holds it, or
    # (a door) someone's arrival or departure at that moment.
    entity_id = str(truth["entity_id"])
    if entity_id not in sensors:
        return entity_id.startswith("binary_sensor.") and details.kind in (
            "arrival",
            "departure",
        )
    person = entity_id.startswith(("person.", "device_tracker."))
    return not person or (truth["state"] == "home") == starts


def score_home(home: SyntheticHome, result: DetectionResult) -> Quality:
    """Return recall and precision per type of one home's detection result."""
    truth = _Truth(home)
    quality = Quality()
    by_type: dict[str, list[DetectedPattern]] = {name: [] for name in TYPES}
    for pattern in result.patterns:
        by_type.setdefault(pattern.type, []).append(pattern)
    _habits(truth, by_type, quality.by_type["time_of_day"])
    _pairs(truth, by_type["co_occurrence"], quality.by_type["co_occurrence"])
    _routines(truth, by_type["routine"], quality.by_type["routine"])
    _anomalies(truth, by_type["anomaly"], quality.by_type["anomaly"])
    synergies = {tuple((s["entity_id"], s["state"]) for s in x.chain) for x in result.synergies}
    quality.chains_planted = len(truth.chains)
    # Depth-2 synergies are the pairs themselves, so every chain is one synergy.
    quality.chains_found = sum(tuple(chain) in synergies for chain in truth.chains)
    return quality


def _habits(truth: _Truth, by_type: dict[str, list[DetectedPattern]], counts: Counts) -> None:
    reports = [_details(p, TimeOfDayDetails) for p in by_type["time_of_day"]]
    effects = by_type["co_occurrence"]
    for habit in truth.habits:
        counts.planted += 1
        explained = any(
            _details(p, CoOccurrenceDetails).action == Step(habit["entity_id"], habit["state"])
            and p.support_days >= IMPLIED_SHARE * habit["support_days"]
            for p in effects
        )
        ended = any(
            d.entity_id == habit["entity_id"]
            and d.off_after_s
            and days_fit(d.days, habit["days"])
            and abs(_minutes(d.time) + d.off_after_s / 60 - _minutes(habit["time"]))
            <= HABIT_TOLERANCE_MIN
            for d in reports
        )
        if explained or ended or any(_habit_match(d, habit) for d in reports):
            counts.found += 1
        else:
            counts.missed.append(f"{habit['entity_id']} {habit['state']} {habit['time']}")
    for pattern in by_type["time_of_day"]:
        counts.reported += 1
        needed = IMPLIED_SHARE * pattern.support_days
        found = _details(pattern, TimeOfDayDetails)
        if any(_habit_match(found, h) for h in truth.habits) or any(
            _habit_match(found, r) and r["support_days"] >= needed for r in truth.implied_times
        ):
            counts.correct += 1
        else:
            counts.wrong.append(pattern.description)


def _pairs(truth: _Truth, reports: Iterable[DetectedPattern], counts: Counts) -> None:
    reports = list(reports)
    keys = {_found_key(_details(p, CoOccurrenceDetails)) for p in reports}
    counts.planted += len(truth.pairs)
    counts.found += len(truth.pairs & keys)
    counts.missed += [" ".join(key) for key in truth.pairs - keys]
    for pattern in reports:
        counts.reported += 1
        details = _details(pattern, CoOccurrenceDetails)
        key = _found_key(details)
        routine = details.trigger.routine
        if routine is not None:
            action = details.action
            correct = any(
                (r["entity_id"], r["state"]) == (action.entity_id, action.state)
                and apart(r["time"], routine.time) <= ROUTINE_TOLERANCE_MIN
                for r in [*truth.habits, *truth.implied_times]
            )
        else:
            correct = key in truth.pairs or (
                truth.implied_pairs.get(key, 0) >= IMPLIED_SHARE * pattern.support_days
            )
        if correct:
            counts.correct += 1
        else:
            counts.wrong.append(pattern.description)


def _routines(truth: _Truth, reports: Iterable[DetectedPattern], counts: Counts) -> None:
    reports = list(reports)
    planted = [*truth.planted_routines, *truth.sensor_times]
    for item in planted:
        counts.planted += 1
        if any(_routine_match(_details(p, RoutineDetails), item) for p in reports):
            counts.found += 1
        else:
            where = item.get("area_id") or item.get("entity_id")
            counts.missed.append(f"{item.get('routine_kind', item['kind'])} {where} {item['time']}")
    for pattern in reports:
        counts.reported += 1
        details = _details(pattern, RoutineDetails)
        needed = IMPLIED_SHARE * pattern.support_days
        implied = any(
            r["entity_id"] in _routine_sensors(details)
            and r["support_days"] >= needed
            and days_fit(details.days, r["days"])
            and apart(details.time, r["time"]) <= ROUTINE_TOLERANCE_MIN
            for r in truth.implied_times
        )
        if implied or any(_routine_match(details, item) for item in planted):
            counts.correct += 1
        else:
            counts.wrong.append(pattern.description)


def _anomalies(truth: _Truth, reports: Iterable[DetectedPattern], counts: Counts) -> None:
    reports = list(reports)

    def same(pattern: DetectedPattern, planted: Mapping[str, Any]) -> bool:
        return (
            _details(pattern, AnomalyDetails).entity_id == planted["entity_id"]
            and _details(pattern, AnomalyDetails).at[:10] == str(planted["at"])[:10]
        )

    for planted in truth.anomalies:
        counts.planted += 1
        if any(same(p, planted) for p in reports):
            counts.found += 1
        else:
            counts.missed.append(f"{planted['kind_detail']} {planted['entity_id']} {planted['at']}")
    for pattern in reports:
        counts.reported += 1
        if any(same(pattern, planted) for planted in truth.anomalies):
            counts.correct += 1
        else:
            counts.wrong.append(pattern.description)
