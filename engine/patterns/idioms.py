"""Home Assistant's idioms in a pair: a motion or door light, when it is on and when it is off.

A person who lights a room when they walk in, and an automation that does it for them,
leave the same trace: the light turns on seconds after motion (only when it was off, and
perhaps only in the dark) and off a steady while after the motion stopped. Home Assistant
users write that as one automation (the motion-light blueprint: on at motion, off after
no motion for N minutes); this learns N and the condition from the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from engine.home.catalog import Entity
from engine.patterns.arrays import F64, I64, Bool
from engine.patterns.co_occurrence import Pair
from engine.patterns.timeline import StateTimeline

IdiomKind = Literal["motion_light", "door_light"]
LIT_DOMAINS = frozenset({"light", "switch", "fan", "input_boolean"})
US = 1_000_000
# The learned wait holds when this share of the light's offs come within its tolerance.
CONSISTENT_SHARE = 0.6
TOLERANCE_SHARE = 0.25
TOLERANCE_MIN_S = 30.0
MAX_OFF_AFTER_S = 30 * 60
# A condition is worth stating when the light follows this often under it and rarely
# without it (the daytime walk through the hallway leaves the light off).
MIN_CONDITIONAL_RATE = 0.6
MAX_OUTSIDE_RATE = 0.25
MIN_OPPORTUNITIES = 5
# Below this hit rate overall, a pair with no condition found is no automation anyone wants.
NO_CONDITION_RATE = 0.6
# A time window must hold this share of the hits and cover at most this many hours.
WINDOW_SHARE = 0.95
MAX_WINDOW_H = 18.0


@dataclass(frozen=True)
class Idiom:
    """What an automation of a light pair looks like."""

    kind: IdiomKind
    off_after_s: int | None
    condition: dict[str, Any] | None
    # Hits and opportunities under the condition (all of them without one).
    hits: int
    opportunities: int
    off_consistent: int


def _round_wait(seconds: float) -> int:
    """Return a wait as a person would set it: 5 s steps under a minute, then 30 s, then 1 min."""
    step = 5 if seconds < 60 else 30 if seconds < 600 else 60
    return max(step, int(round(seconds / step) * step))


def _consistent(values: F64) -> tuple[float, int]:
    """Return the median of some waits and how many lie within its tolerance."""
    if len(values) == 0:
        return 0.0, 0
    middle = float(np.median(values))
    tolerance = max(TOLERANCE_SHARE * middle, TOLERANCE_MIN_S)
    return middle, int((np.abs(values - middle) <= tolerance).sum())


@dataclass(frozen=True)
class IdiomContext:
    """What the idiom learner reads beyond the pair: states, sun, illuminance, clock."""

    timeline: StateTimeline
    states: list[str]
    numbers: F64  # each state code's value as a number (NaN when it is none)
    time_us: I64
    day: I64
    minute: F64
    dark: Bool | None  # per detector row, when the home's location is known
    # Illuminance sensors (entity codes) per area.
    lux: dict[str, list[int]]
    entity_ids: list[str]


def _off_waits(
    pair: Pair, kind: IdiomKind, hits_at: I64, trigger_at: I64, context: IdiomContext
) -> F64:
    """Return, per hit, how long after the cause the light went off (NaN when not so)."""
    timeline, states = context.timeline, context.states
    light = pair.action[0]
    sensor, _ = pair.trigger
    off_codes = [code for code, name in enumerate(states) if name == "off"]
    if not off_codes:
        return np.full(len(hits_at), np.nan)
    off_at = timeline.next_change(light, hits_at, off_codes[0])
    waits = np.full(len(hits_at), np.nan)
    found = off_at > 0
    if kind == "door_light":
        waits[found] = (off_at[found] - trigger_at[found]) / US
        return waits
    # Motion: the wait runs from the sensor's last clearing before the light went off, and
    # only counts when the sensor was clear then (someone switching off in a room with
    # motion is no timer).
    changes, sensor_states = timeline.changes(sensor)
    index = np.searchsorted(changes, off_at[found], side="left") - 1
    ok = index >= 0
    last_state = np.where(ok, sensor_states[np.maximum(index, 0)], -1)
    clear = ok & np.isin(last_state, off_codes)
    cleared_at = changes[np.maximum(index, 0)]
    values = np.where(clear, (off_at[found] - cleared_at) / US, np.nan)
    waits[np.flatnonzero(found)] = values
    return waits


def _sun_condition(
    opportunity: I64, hit: Bool, dark: Bool
) -> tuple[dict[str, Any], int, int] | None:
    """Return the sun condition when the light follows in the dark and not by day."""
    in_dark = dark[opportunity]
    dark_n, light_n = int(in_dark.sum()), int((~in_dark).sum())
    if dark_n < MIN_OPPORTUNITIES:
        return None
    dark_rate = float(hit[in_dark].mean())
    light_rate = float(hit[~in_dark].mean()) if light_n else 0.0
    if dark_rate >= MIN_CONDITIONAL_RATE and (light_n == 0 or light_rate <= MAX_OUTSIDE_RATE):
        if light_n == 0:
            return None
        condition = {"condition": "state", "entity_id": "sun.sun", "state": "below_horizon"}
        return condition, int(hit[in_dark].sum()), dark_n
    return None


def _lux_condition(
    opportunity: I64, hit: Bool, context: IdiomContext, sensors: list[int]
) -> tuple[dict[str, Any], int, int] | None:
    """Return an illuminance threshold below which the light follows, if one separates well."""
    times = context.time_us[opportunity]
    for sensor in sensors:
        values = context.numbers[np.maximum(context.timeline.before(sensor, times), 0)]
        known = ~np.isnan(values)
        if known.sum() < MIN_OPPORTUNITIES:
            continue
        hits_lux = values[known & hit]
        miss_lux = values[known & ~hit]
        if len(hits_lux) < MIN_OPPORTUNITIES or len(miss_lux) == 0:
            continue
        # The threshold just above nine in ten of the hits' readings.
        threshold = float(np.quantile(hits_lux, 0.9))
        below = known & (values <= threshold)
        rate = float(hit[below].mean())
        outside = float(hit[known & ~below].mean()) if (known & ~below).any() else 0.0
        if rate >= MIN_CONDITIONAL_RATE and outside <= MAX_OUTSIDE_RATE:
            condition = {
                "condition": "numeric_state",
                "entity_id": context.entity_ids[sensor],
                "below": round(threshold + max(1.0, 0.1 * threshold)),
            }
            return condition, int(hit[below].sum()), int(below.sum())
    return None


def _window_condition(
    opportunity: I64, hit: Bool, minute: F64
) -> tuple[dict[str, Any], int, int] | None:
    """Return a time window holding the hits when the light does not follow outside it."""
    hit_minutes = np.sort(minute[opportunity[hit]])
    if len(hit_minutes) < MIN_OPPORTUNITIES:
        return None
    keep = max(1, int(np.ceil(WINDOW_SHARE * len(hit_minutes))))
    # The shortest arc round the clock that holds `keep` of the hits.
    doubled = np.r_[hit_minutes, hit_minutes + 1440]
    spans = doubled[keep - 1 : keep - 1 + len(hit_minutes)] - doubled[: len(hit_minutes)]
    start_index = int(np.argmin(spans))
    if spans[start_index] > MAX_WINDOW_H * 60:
        return None
    start = float(hit_minutes[start_index]) // 15 * 15
    end = (start + float(spans[start_index]) + 15) // 15 * 15
    all_minutes = minute[opportunity]
    inside = ((all_minutes - start) % 1440) <= (end - start)
    rate = float(hit[inside].mean())
    outside = float(hit[~inside].mean()) if (~inside).any() else 0.0
    if (
        (~inside).sum() < MIN_OPPORTUNITIES
        or rate < MIN_CONDITIONAL_RATE
        or outside > MAX_OUTSIDE_RATE
    ):
        return None
    after, before = int(start) % 1440, int(end) % 1440
    condition = {
        "condition": "time",
        "after": f"{after // 60:02d}:{after % 60:02d}:00",
        "before": f"{before // 60:02d}:{before % 60:02d}:00",
    }
    return condition, int(hit[inside].sum()), int(inside.sum())


def learn_idiom(
    pair: Pair,
    kind: IdiomKind,
    opportunity: I64,
    context: IdiomContext,
    area: str | None,
) -> Idiom:
    """Return the idiom a light pair follows: its condition and its off timer."""
    hit = np.isin(opportunity, pair.hit_triggers)
    condition = None
    hits, opportunities = int(hit.sum()), len(opportunity)
    if opportunities and hits / opportunities < NO_CONDITION_RATE:
        found = None
        if context.dark is not None:
            found = _sun_condition(opportunity, hit, context.dark)
        if found is None and area is not None and context.lux.get(area):
            found = _lux_condition(opportunity, hit, context, context.lux[area])
        if found is None:
            found = _window_condition(opportunity, hit, context.minute)
        if found is not None:
            condition, hits, opportunities = found
    trigger_at = context.time_us[pair.hit_triggers]
    hits_at = context.time_us[pair.hit_actions]
    waits = _off_waits(pair, kind, hits_at, trigger_at, context)
    known = waits[~np.isnan(waits)]
    middle, consistent = _consistent(known)
    off_after = None
    if consistent >= CONSISTENT_SHARE * len(waits) and 0 < middle <= MAX_OFF_AFTER_S:
        off_after = _round_wait(middle)
    return Idiom(kind, off_after, condition, hits, opportunities, consistent)


def idiom_kind(
    trigger: Entity | None, action: Entity | None, people: bool, opening: bool
) -> IdiomKind | None:
    """Return which idiom a pair could be, from what its entities are."""
    if trigger is None or action is None or action.domain not in LIT_DOMAINS:
        return None
    if people:
        return "motion_light"
    if opening:
        return "door_light"
    return None
