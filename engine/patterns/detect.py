"""detect: every detector over one home's history, as API-shaped patterns and synergies."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

import numpy as np

from engine.home.catalog import Catalog
from engine.patterns import describe, explain
from engine.patterns.anomalies import Anomaly, AnomalyContext, detect_anomalies, home_rhythm
from engine.patterns.arrays import DAY_US, F64, I64, Bool, EventArrays, local_clock
from engine.patterns.co_occurrence import Pair, detect_co_occurrence
from engine.patterns.describe import Columns, Namer
from engine.patterns.evidence import Calendar
from engine.patterns.findings import (
    ANOMALY_SCORE_CAP,
    SUGGESTION_THRESHOLD,
    DetectedPattern,
    DetectedSynergy,
    DetectionResult,
)
from engine.patterns.holidays import is_day_off
from engine.patterns.idioms import (
    LIT_DOMAINS,
    NO_CONDITION_RATE,
    Idiom,
    IdiomContext,
    idiom_kind,
    learn_idiom,
)
from engine.patterns.routines import DAY_STARTS_MIN, detect_routines
from engine.patterns.rules import EntityRules, habit_mask, timed_states
from engine.patterns.sun import SunDays
from engine.patterns.synergies import build_chains
from engine.patterns.time_of_day import TimeOfDay, detect_time_of_day
from engine.patterns.timeline import StateTimeline

__all__ = [
    "ANOMALY_SCORE_CAP",
    "SUGGESTION_THRESHOLD",
    "DetectedPattern",
    "DetectedSynergy",
    "DetectionResult",
    "detect",
]

# States an entity returns to when it is done (the end of an on-duration).
RETURN_STATES = frozenset({"off", "closed", "idle", "standby", "paused", "docked"})
# Contacts that are open for moments, unlike windows that air a room for hours.
DOOR_CLASSES = frozenset({"door", "garage_door", "opening"})
# Domains whose times may follow the sun rather than the clock (lights, blinds).
SUN_DOMAINS = frozenset({"light", "cover", "switch"})
# The sun's time must move at least this much over a habit's days to tell it from the
# clock, and its times measured from the sun must vary this much less than on the clock.
MIN_SUN_MOVE_MIN = 20.0
SUN_TIGHTER = 0.7


def _numbers(states: list[str]) -> F64:
    """Return each state string as a number (NaN when it is none)."""
    values = np.full(len(states), np.nan)
    for code, text in enumerate(states):
        try:
            values[code] = float(text)
        except ValueError:
            continue
    return values


def _sun_habits(  # noqa: PLR0917 - aligned event columns
    entity: I64,
    state: I64,
    time_us: I64,
    day: I64,
    minute: F64,
    day_off: Bool,
    timed: Bool,
    sun: SunDays,
    rules: EntityRules,
) -> list[tuple[TimeOfDay, str]]:
    """Return habits of lights and covers timed by sunrise or sunset, in sun-relative time."""
    domains = np.array(
        [e is not None and e.domain in SUN_DOMAINS for e in rules.entities], dtype=bool
    )
    candidates = timed & domains[entity]
    found: list[tuple[TimeOfDay, str]] = []
    for event in ("sunset", "sunrise"):
        anchor = sun.minutes(event, day)
        if float(anchor.max() - anchor.min()) < MIN_SUN_MOVE_MIN:
            continue
        # Minutes after the event, moved to noon so a habit never wraps round midnight.
        relative = (minute - anchor + 720.0) % 1440.0
        habits = detect_time_of_day(entity, state, time_us, day, relative, day_off, candidates)
        found += [(habit, event) for habit in habits]
    return found


def _prefer_sun(
    clock_habits: list[TimeOfDay],
    sun_habits: list[tuple[TimeOfDay, str]],
    minute: F64,
    day: I64,
    sun: SunDays,
) -> tuple[list[TimeOfDay], dict[TimeOfDay, dict[str, float | str]]]:
    """Return the habits with each one that tracks the sun in place of its clock twin.

    On its own days, a habit tracks the sun when its times follow sunrise or sunset: measured
    from the sun they vary clearly less than on the clock, and the sun moved enough on those
    days for the difference to show.
    """
    sun_of: dict[TimeOfDay, dict[str, float | str]] = {}
    habits = list(clock_habits)
    for habit, event in sorted(sun_habits, key=lambda item: item[0].spread):
        anchor = sun.minutes(event, day[habit.hits])
        if float(anchor.max() - anchor.min()) < MIN_SUN_MOVE_MIN:
            continue
        times = minute[habit.hits]
        centre = float(np.median(times))
        on_clock = float(np.std((times - centre + 720.0) % 1440.0 - 720.0))
        relative = times - anchor
        from_sun = float(np.std((relative - np.median(relative) + 720.0) % 1440.0 - 720.0))
        if from_sun > SUN_TIGHTER * on_clock:
            continue
        twins = [
            h
            for h in habits
            if (h.entity, h.state) == (habit.entity, habit.state)
            and (h.days == habit.days or "all" in (h.days, habit.days))
            and float(np.isin(habit.hits, h.hits).mean()) >= 0.5
        ]
        if any(h in sun_of for h in twins):
            continue
        habits = [h for h in habits if h not in twins] + [habit]
        sun_of[habit] = {"event": event, "offset_minutes": round(habit.minute - 720.0, 1)}
    return habits, sun_of


def _key_rows(key: I64) -> dict[int, I64]:
    """Return the rows of each (entity << 32 | state) key, in time order."""
    order = np.argsort(key, kind="stable")
    uniques, starts = np.unique(key[order], return_index=True)
    ends = np.r_[starts[1:], len(key)]
    return {int(k): np.sort(order[a:b]) for k, a, b in zip(uniques, starts, ends, strict=True)}


def _illuminance(rules: EntityRules) -> dict[str, list[int]]:
    """Return the illuminance sensors (entity codes) of each area."""
    lux: dict[str, list[int]] = {}
    for code, known in enumerate(rules.entities):
        if known is not None and known.device_class == "illuminance" and rules.area[code]:
            lux.setdefault(str(rules.area[code]), []).append(code)
    return lux


def _idioms(
    pairs: list[Pair], rules: EntityRules, context: IdiomContext, key_rows: dict[int, I64]
) -> dict[Pair, Idiom]:
    """Return the light idiom of each pair that is a motion or door light."""
    found: dict[Pair, Idiom] = {}
    on_codes = {code for code, name in enumerate(context.states) if name == "on"}
    for item in pairs:
        (te, ts), (ae, as_) = item.trigger, item.action
        if ts not in on_codes or as_ not in on_codes:
            continue
        kind = idiom_kind(
            rules.entities[te], rules.entities[ae], bool(rules.people[te]), bool(rules.opening[te])
        )
        if kind is None:
            continue
        triggers = key_rows.get(te << 32 | ts, np.zeros(0, dtype=np.int64))
        before = context.timeline.before(ae, context.time_us[triggers])
        opportunity = triggers[before != as_]
        found[item] = learn_idiom(item, kind, opportunity, context, rules.area[ae])
    return found


def _reliable(pair: Pair, idiom: Idiom) -> bool:
    """Return whether a light follows its trigger reliably (under its condition, if any)."""
    rate = idiom.hits / max(idiom.opportunities, 1)
    return (
        idiom.condition is not None
        or rate >= NO_CONDITION_RATE
        or pair.confidence >= NO_CONDITION_RATE
    )


def _times(key_rows: dict[int, I64], time_us: I64, step: tuple[int, int]) -> I64:
    """Return the times of one (entity, state), sorted."""
    rows = key_rows.get(step[0] << 32 | step[1])
    return time_us[rows] if rows is not None else np.zeros(0, dtype=np.int64)


def _anomalies(  # noqa: PLR0917 - aligned columns and what judges them
    entity: I64,
    state: I64,
    columns: Columns,
    rules: EntityRules,
    timeline: StateTimeline,
    states: list[str],
) -> list[Anomaly]:
    """Return the anomalies of what people switch and open (not of their motion)."""
    doors = np.array(
        [e is not None and e.device_class in DOOR_CLASSES for e in rules.entities], dtype=bool
    )
    return detect_anomalies(
        entity,
        state,
        columns.time_us,
        columns.day,
        columns.minute,
        np.flatnonzero((rules.act | rules.opening) & ~rules.people),
        states,
        AnomalyContext(timeline, home_rhythm(columns.day, columns.minute), doors & rules.opening),
    )


def _without_idiom_echoes(pairs: list[Pair], idioms: dict[Pair, Idiom]) -> list[Pair]:
    """Return pairs without the light's other changes after an idiom's trigger."""
    lit = {(p.trigger[0], p.action[0]) for p, idiom in idioms.items() if idiom is not None}
    return [p for p in pairs if p in idioms or (p.trigger[0], p.action[0]) not in lit]


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
    # A day of a household runs from early morning to early morning: Friday's bedtime at
    # 00:30 belongs to Friday (a weekday), not to Saturday.
    day = (day * 1440 + minute.astype(np.int64) - DAY_STARTS_MIN) // 1440
    observed_days = int(day.max() - day.min() + 1)
    day_off = is_day_off(day, time_zone)
    calendar = Calendar.build(day, day_off)
    columns = Columns(time_us, day, minute)
    timeline = StateTimeline.build(events)
    namer = Namer(events, rules, catalog)
    sun = (
        SunDays.build(catalog.location, int(day.min()), int(day.max()), time_zone)
        if catalog.location is not None
        else None
    )

    routines = detect_routines(
        entity, state, time_us, day, minute, day_off, rules, events.states, namer.areas
    )
    # Habits of the clock belong to what people switch; sensors of people make routines.
    timed = rules.act[entity] & timed_states(events)[state]
    habits = detect_time_of_day(entity, state, time_us, day, minute, day_off, timed)
    sun_of: dict[TimeOfDay, dict[str, float | str]] = {}
    if sun is not None:
        sun_habits = _sun_habits(entity, state, time_us, day, minute, day_off, timed, sun, rules)
        habits, sun_of = _prefer_sun(habits, sun_habits, minute, day, sun)

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
        timeline,
        sun.dark(day, time_us) if sun is not None else None,
        np.array([e is not None and e.domain in LIT_DOMAINS for e in rules.entities], dtype=bool),
    )
    pairs = explain.without_effect_triggers(pairs)
    key_rows = _key_rows(entity << 32 | state)
    context = IdiomContext(
        timeline,
        events.states,
        _numbers(events.states),
        time_us,
        day,
        minute,
        sun.dark(day, time_us) if sun is not None else None,
        _illuminance(rules),
        events.entity_ids,
    )
    idioms = _idioms(pairs, rules, context, key_rows)
    pairs = _without_idiom_echoes(pairs, idioms)
    lights = [pair for pair, idiom in idioms.items() if _reliable(pair, idiom)]
    pairs = explain.by_idiom_pairs(pairs, lights)

    habits, steady = explain.by_durations(
        habits,
        timeline,
        time_us,
        minute,
        [code for code, name in enumerate(events.states) if name in RETURN_STATES],
    )
    # The first activity in a room after a quiet spell is a more telling cause than any
    # single motion of the sensor there: a habit it explains becomes its link.
    habits, links = explain.by_routines(habits, routines, time_us, minute)
    links = explain.without_idiom_links(links, lights)
    habits = explain.by_idioms(
        explain.by_pairs(habits, pairs),
        idioms,
        {pair: idiom.off_after_s for pair, idiom in idioms.items()},
        timeline,
        time_us,
        [code for code, name in enumerate(events.states) if name == "off"],
    )

    chains = build_chains(pairs, partial(_times, key_rows, time_us), DAY_US, time_us)
    anomalies = _anomalies(entity, state, columns, rules, timeline, events.states)
    zone = ZoneInfo(time_zone)
    patterns = [
        describe.time_of_day(item, namer, calendar, columns, sun_of.get(item), steady.get(item))
        for item in habits
    ]
    patterns += [describe.routine(item, namer, calendar, columns) for item in routines]
    patterns += [
        describe.pair(item, namer, observed_days, calendar, columns, idioms.get(item))
        for item in pairs
    ]
    patterns += [
        describe.routine_link(item, namer, observed_days, calendar, columns) for item in links
    ]
    patterns += [describe.anomaly(item, namer, observed_days, zone, calendar) for item in anomalies]
    patterns.sort(key=lambda p: -p.score)
    synergies = sorted(
        (describe.synergy(c, namer, calendar, columns) for c in chains), key=lambda s: -s.score
    )
    return DetectionResult(patterns, synergies)
