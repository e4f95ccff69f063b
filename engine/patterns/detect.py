"""detect: every detector over one home's history, as API-shaped patterns and synergies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from engine.home.catalog import Catalog
from engine.home.event_input import from_epoch_us
from engine.patterns.anomalies import Anomaly, detect_anomalies
from engine.patterns.arrays import DAY_US, I64, EventArrays, local_clock
from engine.patterns.co_occurrence import Pair, detect_co_occurrence
from engine.patterns.holidays import is_day_off
from engine.patterns.rules import EntityRules, habit_mask, timed_states
from engine.patterns.synergies import Chain, build_chains
from engine.patterns.time_of_day import TimeOfDay, detect_time_of_day

# Patterns and synergies scoring at least this are worth suggesting as automations.
SUGGESTION_THRESHOLD = 0.5
# Anomalies inform; they never make an automation on their own, so they score below it.
ANOMALY_SCORE_CAP = 0.45
_DAY_WORDS = {"all": "days", "weekdays": "weekdays", "weekends": "weekend days"}


@dataclass(frozen=True)
class DetectedPattern:
    """A pattern as the API shows it, minus its id."""

    type: str
    entities: list[str]
    description: str
    confidence: float
    support_days: int
    observed_days: int
    score: float
    details: dict[str, Any]
    first_seen: datetime
    last_seen: datetime
    # What a picture of the pattern needs, in the home's local time (API.md "evidence"):
    # {"days": [{"date": "YYYY-MM-DD", "times": ["HH:MM:SS", ...], "delays_s"?: [...]}]}.
    evidence: dict[str, Any] = field(default_factory=lambda: {"days": []})


@dataclass(frozen=True)
class DetectedSynergy:
    """A synergy as the API shows it, minus its id."""

    depth: int
    chain: list[dict[str, str]]
    confidence: float
    support_days: int
    score: float
    description: str
    # The chain's runs per observed day, as a pattern's evidence (API.md).
    evidence: dict[str, Any] = field(default_factory=lambda: {"days": []})


@dataclass(frozen=True)
class DetectionResult:
    """Everything one analysis found."""

    patterns: list[DetectedPattern] = field(default_factory=list)
    synergies: list[DetectedSynergy] = field(default_factory=list)


def _did(state: str) -> str:
    """Return what reaching a state reads as in a sentence."""
    verbs = {
        "on": "turned on",
        "off": "turned off",
        "open": "opened",
        "closed": "closed",
        "playing": "started playing",
        "locked": "was locked",
        "unlocked": "was unlocked",
        "home": "came home",
        "not_home": "left home",
    }
    return verbs.get(state, f"changed to {state}")


class _Namer:
    """Entity and state names for sentences and details."""

    def __init__(self, events: EventArrays, rules: EntityRules) -> None:
        self.ids = events.entity_ids
        self.states = events.states
        self.names = rules.names

    def step(self, entity: int, state: int) -> dict[str, str]:
        """Return {"entity_id","state"}."""
        return {"entity_id": self.ids[entity], "state": self.states[state]}

    def says(self, entity: int, state: int) -> str:
        """Return e.g. "Hallway ceiling turned on"."""
        return f"{self.names[entity]} {_did(self.states[state])}"


def _time_of_day(item: TimeOfDay, name: _Namer) -> DetectedPattern:
    """Return the API shape of a time-of-day habit."""
    days = _DAY_WORDS[item.days]
    return DetectedPattern(
        "time_of_day",
        [name.ids[item.entity]],
        f"On {item.support} of {item.observed} {days} {name.says(item.entity, item.state)} "
        f"around {item.time} (±{round(item.spread)} min).",
        round(item.support / item.observed, 3),
        item.support,
        item.observed,
        round(item.score, 3),
        {
            **name.step(item.entity, item.state),
            "time": item.time,
            "spread_minutes": round(item.spread, 1),
            "days": item.days,
        },
        from_epoch_us(item.first_us),
        from_epoch_us(item.last_us),
    )


def _pair(item: Pair, name: _Namer, observed_days: int) -> DetectedPattern:
    """Return the API shape of a co-occurrence pair."""
    (te, ts), (ae, as_) = item.trigger, item.action
    return DetectedPattern(
        "co_occurrence",
        [name.ids[te], name.ids[ae]],
        f"On {item.support_days} of {observed_days} days {name.says(ae, as_)} within "
        f"{item.window_s} s after {name.says(te, ts)} ({item.hits} of {item.triggers} times, "
        f"{item.lift:.0f}x its usual rate).",
        round(item.confidence, 3),
        item.support_days,
        observed_days,
        round(item.score, 3),
        {
            "trigger": name.step(te, ts),
            "action": name.step(ae, as_),
            "window_s": item.window_s,
            "median_delay_s": round(item.median_delay_s, 1),
            "lift": round(item.lift, 2),
        },
        from_epoch_us(item.first_us),
        from_epoch_us(item.last_us),
    )


def _anomaly(item: Anomaly, name: _Namer, observed_days: int, zone: ZoneInfo) -> DetectedPattern:
    """Return the API shape of an anomaly."""
    at = from_epoch_us(item.at_us).astimezone(zone)
    what = {
        "unusual_time": f"at {item.observed.get('local_time')}, a time it never does otherwise",
        "unusual_duration": f"and stayed so for {item.observed.get('duration_s', 0) // 60} min, "
        f"far beyond its usual {item.expected.get('p95_duration_s', 0) // 60} min",
        "unusual_frequency": f"{item.observed.get('changes')} times within "
        f"{item.observed.get('within_s')} s, far beyond its usual "
        f"{item.expected.get('p99_changes')}",
    }[item.kind]
    return DetectedPattern(
        "anomaly",
        [name.ids[item.entity]],
        f"On {at.date().isoformat()} {name.says(item.entity, item.state)} {what}.",
        round(item.severity, 3),
        1,
        observed_days,
        round(min(item.severity, 1.0) * ANOMALY_SCORE_CAP, 3),
        {
            **name.step(item.entity, item.state),
            "kind": item.kind,
            "observed": item.observed,
            "expected": item.expected,
            "at": at.isoformat(),
        },
        at,
        at,
    )


def _synergy(item: Chain, name: _Namer) -> DetectedSynergy:
    """Return the API shape of a chain."""
    steps = " then ".join(name.says(e, s) for e, s in item.steps)
    return DetectedSynergy(
        len(item.steps),
        [name.step(e, s) for e, s in item.steps],
        round(item.confidence, 3),
        item.support_days,
        round(item.score, 3),
        f"On {item.support_days} days: {steps} ({item.runs} of {item.starts} times).",
    )


def detect(events: EventArrays, catalog: Catalog, *, time_zone: str) -> DetectionResult:
    """Return the patterns and synergies of a home's history."""
    rules = EntityRules.build(events, catalog)
    keep = np.flatnonzero(habit_mask(events, rules))
    if len(keep) == 0:
        return DetectionResult()
    entity = events.entity[keep].astype(np.int64)
    state = events.state[keep].astype(np.int64)
    time_us = events.time_us[keep]
    day, minute = local_clock(time_us, time_zone)
    observed_days = int(day.max() - day.min() + 1)
    namer = _Namer(events, rules)
    # Motion and presence sensors follow people: triggers, but not habits of their own.
    own = (rules.trigger | rules.act) & ~rules.people
    day_off = is_day_off(day, time_zone)
    timed = own[entity] & timed_states(events)[state]
    habits = detect_time_of_day(entity, state, time_us, day, minute, day_off, timed)
    device_codes: dict[str, int] = {}
    device = np.array(
        [-1 if d is None else device_codes.setdefault(d, len(device_codes)) for d in rules.device],
        dtype=np.int64,
    )[entity]
    pairs = detect_co_occurrence(
        entity,
        state,
        time_us,
        day,
        minute,
        rules.trigger[entity],
        rules.act[entity],
        device,
        rules.people[entity],
    )
    key = entity << 32 | state
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]

    def times(step: tuple[int, int]) -> I64:
        """Return the times of one (entity, state), sorted."""
        code = step[0] << 32 | step[1]
        lo, hi = np.searchsorted(sorted_key, [code, code + 1])
        result: I64 = time_us[order[lo:hi]]
        return result

    chains = build_chains(pairs, times, DAY_US)
    candidates = np.flatnonzero(own)
    anomalies = detect_anomalies(entity, state, time_us, day, minute, candidates, events.states)
    zone = ZoneInfo(time_zone)
    patterns = [_time_of_day(item, namer) for item in habits]
    patterns += [_pair(item, namer, observed_days) for item in pairs]
    patterns += [_anomaly(item, namer, observed_days, zone) for item in anomalies]
    patterns.sort(key=lambda p: -p.score)
    synergies = sorted((_synergy(c, namer) for c in chains), key=lambda s: -s.score)
    return DetectionResult(patterns, synergies)
