"""Findings as the API shows them: sentences with their counts, details, and evidence."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from engine.home.catalog import Catalog
from engine.home.event_input import from_epoch_us
from engine.home.phrases import event_phrase
from engine.patterns.anomalies import Anomaly
from engine.patterns.arrays import F64, I64, EventArrays
from engine.patterns.co_occurrence import Pair
from engine.patterns.details import (
    AnomalyDetails,
    CoOccurrenceDetails,
    PatternType,
    RoutineDetails,
    Step,
    Sun,
    TimeOfDayDetails,
    Trigger,
)
from engine.patterns.evidence import Calendar, DayKind, day_number
from engine.patterns.explain import RoutineLink
from engine.patterns.findings import ANOMALY_SCORE_CAP, DetectedPattern, DetectedSynergy
from engine.patterns.idioms import Idiom
from engine.patterns.routines import Routine
from engine.patterns.rules import EntityRules
from engine.patterns.stats import circular_mean_sd, hhmm, wilson_lower
from engine.patterns.synergies import Chain
from engine.patterns.time_of_day import TimeOfDay

US = 1_000_000
_DAY_WORDS = {"all": "days", "weekdays": "weekdays", "weekends": "weekend days"}
_QUIET_WORDS = {60: "a quiet hour"}


@dataclass(frozen=True)
class Columns:
    """The detectors' aligned columns, for evidence and first/last seen."""

    time_us: I64
    day: I64
    minute: F64


class Namer:
    """Entity, area and state names for sentences and details."""

    def __init__(self, events: EventArrays, rules: EntityRules, catalog: Catalog) -> None:
        self.ids = events.entity_ids
        self.states = events.states
        self.rules = rules
        self.areas = {area.area_id: area.name for area in catalog.areas}

    def step(self, entity: int, state: int) -> dict[str, str]:
        """Return {"entity_id","state"}."""
        return {"entity_id": self.ids[entity], "state": self.states[state]}

    def typed_step(self, entity: int, state: int) -> Step:
        """Return the step of an entity code reaching a state code."""
        return Step(self.ids[entity], self.states[state])

    def area(self, area_id: str | None) -> str | None:
        """Return an area's name."""
        return None if area_id is None else self.areas.get(area_id, area_id)

    def says(self, entity: int, state: int, tense: str = "past") -> str:
        """Return e.g. "Front door opened", "motion was detected in the Hallway"."""
        known = self.rules.entities[entity] if entity < len(self.rules.entities) else None
        subject = known if known is not None else self.ids[entity]
        return event_phrase(
            subject,
            self.states[state],
            tense="past" if tense == "past" else "present",
            area=self.area(self.rules.area[entity]),
        )


def _seen(columns: Columns, rows: I64) -> tuple[Any, Any]:
    times = columns.time_us[rows]
    return from_epoch_us(int(times.min())), from_epoch_us(int(times.max()))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def time_of_day(  # noqa: PLR0917 - the habit and what its sentence needs
    item: TimeOfDay,
    name: Namer,
    calendar: Calendar,
    columns: Columns,
    sun: dict[str, Any] | None,
    off_after_min: float | None,
) -> DetectedPattern:
    """Return the API shape of a time-of-day habit."""
    days = _DAY_WORDS[item.days]
    at = hhmm(circular_mean_sd(columns.minute[item.hits])[0]) if sun is not None else item.time
    when = f"around {at} (±{round(item.spread)} min)"
    if sun is not None:
        offset = round(sun["offset_minutes"])
        side = "after" if offset >= 0 else "before"
        when = f"{abs(offset)} min {side} {sun['event']}, around {at} (±{round(item.spread)} min)"
    text = (
        f"On {item.support} of {item.observed} {days} {name.says(item.entity, item.state)} {when}"
    )
    details = TimeOfDayDetails(
        name.ids[item.entity],
        name.states[item.state],
        at,
        round(item.spread, 1),
        item.days,
        Sun(sun["event"], sun["offset_minutes"]) if sun is not None else None,
        round(off_after_min * 60) if off_after_min is not None else None,
    )
    if off_after_min is not None:
        text += f", and changed back about {round(off_after_min)} min later"
    first, last = _seen(columns, item.hits)
    return DetectedPattern(
        PatternType.TIME_OF_DAY,
        [name.ids[item.entity]],
        text + ".",
        round(item.support / item.observed, 3),
        item.support,
        item.observed,
        round(item.score, 3),
        details,
        first,
        last,
        calendar.evidence(item.days, columns.day[item.hits], columns.minute[item.hits]),
    )


def _routine_clause(routine: Routine, name: Namer) -> str:
    """Return what a routine's moment is, as a clause."""
    stream = routine.stream
    entity = name.rules.entities[routine.entity]
    who = entity.name if entity is not None and entity.name else name.ids[routine.entity]
    quiet = _QUIET_WORDS.get(stream.quiet_min or 0, f"{stream.quiet_min} quiet minutes")
    where = name.area(stream.area_id)
    if stream.kind == "arrival":
        if stream.area_id is None and stream.entity is not None:
            return f"{who} came home"
        return f"someone came home to an empty home through the {who}"
    if stream.kind == "departure":
        if stream.area_id is None and stream.entity is not None:
            return f"{who} left home"
        return f"someone left the home empty through the {who}"
    first = stream.kind == "first_activity"
    if (stream.entity is not None and where is None) or (
        stream.entity is not None and name.rules.opening[stream.entity]
    ):
        said = name.says(routine.entity, routine.state)
        return (
            f"{said} for the first time after {quiet}"
            if first
            else f"{said} for the last time that day"
        )
    return (
        f"the first activity in the {where} after {quiet} was"
        if first
        else f"the day's last activity in the {where} was"
    )


def routine_details(routine: Routine, name: Namer) -> RoutineDetails:
    """Return a routine's details (API.md), with the sensors that make it."""
    stream, habit = routine.stream, routine.habit
    rules = name.rules
    if stream.entity is not None:
        sensors = [name.ids[stream.entity]]
    elif stream.area_id is not None:
        sensors = [
            name.ids[code]
            for code in map(int, np.flatnonzero(rules.people | rules.opening))
            if rules.area[code] == stream.area_id
        ]
    else:
        sensors = [name.ids[routine.entity]]
    sensors += [
        name.ids[code]
        for area in routine.then
        for code in map(int, np.flatnonzero(rules.people | rules.opening))
        if rules.area[code] == area
    ]
    return RoutineDetails(
        stream.kind,
        stream.area_id,
        name.ids[stream.entity] if stream.entity is not None else None,
        name.states[routine.state],
        habit.time,
        round(habit.spread, 1),
        habit.days,
        tuple(sensors),
        stream.quiet_min,
        tuple(routine.then),
    )


def routine(item: Routine, name: Namer, calendar: Calendar, columns: Columns) -> DetectedPattern:
    """Return the API shape of a routine."""
    habit = item.habit
    details = routine_details(item, name)
    clause = _routine_clause(item, name)
    text = (
        f"On {habit.support} of {habit.observed} {_DAY_WORDS[habit.days]} {clause} "
        f"around {habit.time} (±{round(habit.spread)} min)"
    )
    if item.then:
        rooms = [f"the {name.area(area)}" for area in item.then]
        text += ", with " + (
            rooms[0] if len(rooms) == 1 else ", ".join(rooms[:-1]) + " and " + rooms[-1]
        )
        text += " within minutes"
    text += "."
    first, last = _seen(columns, habit.hits)
    return DetectedPattern(
        PatternType.ROUTINE,
        list(details.sensors),
        text,
        round(habit.support / habit.observed, 3),
        habit.support,
        habit.observed,
        round(habit.score, 3),
        details,
        first,
        last,
        calendar.evidence(habit.days, columns.day[habit.hits], columns.minute[habit.hits]),
    )


def _pair_evidence(
    calendar: Calendar, columns: Columns, triggers: I64, actions: I64
) -> dict[str, Any]:
    delays = (columns.time_us[actions] - columns.time_us[triggers]) / US
    return calendar.evidence(
        "all", columns.day[triggers], columns.minute[triggers], delays.astype(np.float64)
    )


def _idiom_clause(idiom: Idiom, pair: Pair, name: Namer) -> str:
    """Return how the light's idiom reads after the pair's sentence."""
    parts = []
    condition = idiom.condition or {}
    if condition.get("entity_id") == "sun.sun":
        parts.append(f"in the dark ({idiom.hits} of {idiom.opportunities} times)")
    elif condition.get("condition") == "numeric_state":
        parts.append(f"when the room was dark ({idiom.hits} of {idiom.opportunities} times)")
    elif condition.get("condition") == "time":
        parts.append(
            f"between {condition['after'][:5]} and {condition['before'][:5]} "
            f"({idiom.hits} of {idiom.opportunities} times)"
        )
    if idiom.off_after_s is not None:
        wait = idiom.off_after_s
        amount = f"{wait // 60} min" if wait >= 60 and wait % 60 == 0 else f"{wait} s"
        after = "motion stopped" if idiom.kind == "motion_light" else "it opened"
        light = name.rules.names[pair.action[0]]
        parts.append(
            f"and {light} turned off {amount} after {after} "
            f"({idiom.off_consistent} of {pair.hits} times)"
        )
    return (" " + ", ".join(parts)) if parts else ""


def pair(  # noqa: PLR0917 - the pair and what its sentence needs
    item: Pair,
    name: Namer,
    observed_days: int,
    calendar: Calendar,
    columns: Columns,
    idiom: Idiom | None,
) -> DetectedPattern:
    """Return the API shape of a co-occurrence pair."""
    (te, ts), (ae, as_) = item.trigger, item.action
    text = (
        f"On {item.support_days} of {observed_days} days {name.says(ae, as_)} within "
        f"{item.window_s} s after {name.says(te, ts)} ({item.hits} of {item.triggers} times "
        f"it could, {item.lift:.0f}x its usual rate)"
    )
    details = CoOccurrenceDetails(
        Trigger(name.ids[te], name.states[ts]),
        name.typed_step(ae, as_),
        item.window_s,
        round(item.median_delay_s, 1),
        round(item.lift, 2),
    )
    confidence, score = item.confidence, item.score
    if idiom is not None:
        details = replace(
            details,
            idiom=idiom.kind,
            off_after_s=idiom.off_after_s,
            condition=idiom.condition,
        )
        if idiom.condition is not None:
            # Under its condition the light follows reliably: that is what an automation
            # with the condition would do, and what it scores.
            confidence = idiom.hits / max(idiom.opportunities, 1)
            lower = wilson_lower(idiom.hits, idiom.opportunities)
            score = max(score, lower * min(1.0, item.support_days / 14))
        text += _idiom_clause(idiom, item, name)
    first, last = _seen(columns, item.hit_triggers)
    return DetectedPattern(
        PatternType.CO_OCCURRENCE,
        [name.ids[te], name.ids[ae]],
        text + ".",
        round(confidence, 3),
        item.support_days,
        observed_days,
        round(score, 3),
        details,
        first,
        last,
        _pair_evidence(calendar, columns, item.hit_triggers, item.hit_actions),
    )


def routine_link(
    link: RoutineLink, name: Namer, observed_days: int, calendar: Calendar, columns: Columns
) -> DetectedPattern:
    """Return the API shape of an action that follows a routine's moment."""
    habit, routine_ = link.habit, link.routine
    clause = _routine_clause(routine_, name).removesuffix(" was")
    support = len(np.unique(columns.day[link.actions]))
    days = _DAY_WORDS[habit.days]
    text = (
        f"On {support} of {routine_.habit.observed} {days} {name.says(habit.entity, habit.state)} "
        f"within {link.window_s} s after {clause} ({len(link.actions)} of "
        f"{routine_.habit.support} times; {clause} is around {routine_.habit.time})."
    )
    trigger = Trigger(
        name.ids[routine_.entity], name.states[routine_.state], routine_details(routine_, name)
    )
    delays = (columns.time_us[link.actions] - columns.time_us[link.triggers]) / US
    first, last = _seen(columns, link.actions)
    return DetectedPattern(
        PatternType.CO_OCCURRENCE,
        [name.ids[routine_.entity], name.ids[habit.entity]],
        text,
        round(link.confidence, 3),
        support,
        observed_days,
        round(link.score, 3),
        CoOccurrenceDetails(
            trigger,
            name.typed_step(habit.entity, habit.state),
            link.window_s,
            round(float(np.median(delays)), 1),
            None,
        ),
        first,
        last,
        _pair_evidence(calendar, columns, link.triggers, link.actions),
    )


def anomaly(
    item: Anomaly, name: Namer, observed_days: int, zone: ZoneInfo, calendar: Calendar
) -> DetectedPattern:
    """Return the API shape of an anomaly."""
    at = from_epoch_us(item.at_us).astimezone(zone)
    what = {
        "unusual_time": f"at {item.observed.get('local_time')}, a time it never does otherwise",
        "unusual_duration": f"and stayed so for {item.observed.get('duration_s', 0) // 60} min, "
        f"far beyond its usual {item.expected.get('p95_duration_s', 0) // 60} min",
        "unusual_frequency": f"{item.observed.get('changes')} times within "
        f"{item.observed.get('within_s')} s, far beyond its usual "
        f"{item.expected.get('usual_busiest_changes')} on most days",
    }[item.kind]
    local_day = day_number(at.date())
    minute = at.hour * 60 + at.minute + at.second / 60
    return DetectedPattern(
        PatternType.ANOMALY,
        [name.ids[item.entity]],
        f"On {at.date().isoformat()} {name.says(item.entity, item.state)} {what}.",
        round(item.severity, 3),
        1,
        observed_days,
        round(min(item.severity, 1.0) * ANOMALY_SCORE_CAP, 3),
        AnomalyDetails(
            name.ids[item.entity],
            name.states[item.state],
            item.kind,
            item.observed,
            item.expected,
            at.isoformat(),
        ),
        at,
        at,
        calendar.evidence(
            "all", np.array([local_day], dtype=np.int64), np.array([minute], dtype=np.float64)
        ),
    )


def synergy(item: Chain, name: Namer, calendar: Calendar, columns: Columns) -> DetectedSynergy:
    """Return the API shape of a chain."""
    steps = " then ".join(name.says(e, s) for e, s in item.steps)
    rows = np.searchsorted(columns.time_us, item.run_starts)
    rows = np.minimum(rows, len(columns.time_us) - 1)
    kind: DayKind = "all"
    return DetectedSynergy(
        len(item.steps),
        [name.step(e, s) for e, s in item.steps],
        round(item.confidence, 3),
        item.support_days,
        round(item.score, 3),
        _sentence(f"On {item.support_days} days: {steps} ({item.runs} of {item.starts} times)."),
        calendar.evidence(kind, columns.day[rows], columns.minute[rows]),
    )
