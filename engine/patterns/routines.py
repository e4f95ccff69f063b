"""Routines: a person's day seen through people-sensors (motion, doors, presence).

A busy room is active all day, so its raw events never stand out at one time of day; the
moments it wakes up after a quiet spell, or falls quiet, do. So do the moments the home
empties and fills again. Each such moment is an occurrence of a derived stream (one per
area, door or person and kind), and the time-of-day detector, with its significance test
against the stream's own density, finds the streams' regular times.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from engine.patterns.arrays import F64, I64, MINUTE_US, Bool
from engine.patterns.rules import EntityRules
from engine.patterns.time_of_day import TimeOfDay, days_fit, detect_time_of_day

RoutineKind = Literal["first_activity", "last_activity", "arrival", "departure"]
# A room is "quiet" after this long without activity: long enough that a meal, getting up
# or coming home starts anew, short enough that three meals are three onsets.
QUIET_MIN = 60
# The last activity that counts is the day's last in the room, before its night: the end
# of every meal says little, the last moment in the living room does. A day of activity
# runs from this local minute to the next day's.
DAY_STARTS_MIN = 240
# ...and the room then stays quiet this long (a night, or a day out).
NIGHT_MIN = 180
# The home is "empty" after this long without any activity inside, between two openings of
# an entrance door; openings this close to the quiet belong to it.
AWAY_MIN = 30
DOOR_SLACK_US = 3 * MINUTE_US
# States that say a person is somewhere or did something.
ACTIVE_STATES = frozenset({"on", "open", "opening", "detected", "home"})
HOME = "home"
# Doors and contacts inside the home (a bedroom door closing at night is no departure), by
# words of their entity id, name or area in a few languages Home Assistant homes use.
_INTERIOR_WORDS = (
    "bed", "bath", "toilet", "wc", "closet", "wardrobe", "pantry", "fridge", "freezer",
    "cabinet", "cupboard", "drawer", "mailbox", "letterbox", "window", "schlaf", "kinder",
    "chambre", "salle", "dormitorio", "bano", "baño", "slaap", "badkamer", "kast",
)  # fmt: skip
# Two routines whose occurrences are mostly the same events say the same thing.
SAME_EVENTS_SHARE = 0.7
# Activity that ends this soon after it started was one short burst (a window opened and
# closed): its start is the routine.
BURST_US = 15 * MINUTE_US
# Rooms whose routine comes this close to another room's, day after day, are one moment.
SAME_MOMENT_US = 20 * MINUTE_US


@dataclass(frozen=True)
class Stream:
    """One derived stream: which routine its occurrences would be."""

    kind: RoutineKind
    area_id: str | None
    entity: int | None
    quiet_min: int | None
    # Preference among streams whose routines share their events (lower wins).
    rank: int


@dataclass(frozen=True, eq=False)
class Routine:
    """A regular moment of a derived stream; `habit.hits` index the detector's columns."""

    stream: Stream
    habit: TimeOfDay
    # The entity whose events make the routine most often (its usual door or sensor), and
    # the state its events reach (on, home, not_home).
    entity: int
    state: int
    # Other areas' routines that are the same moment of the day (the person walks from
    # the bedroom through the hallway into the bathroom): their areas, in order.
    then: tuple[str, ...] = ()


def _interior(rules: EntityRules, code: int, area_names: dict[str, str]) -> bool:
    """Return whether a contact sensor is inside the home rather than an entrance."""
    entity = rules.entities[code]
    area = rules.area[code]
    text = " ".join(
        part
        for part in (
            rules.names[code],
            entity.entity_id if entity else "",
            area_names.get(area, area) if area else "",
        )
        if part
    ).lower()
    return any(word in text for word in _INTERIOR_WORDS)


def _quiet_onsets(rows: I64, time_us: I64, quiet_us: int) -> tuple[I64, I64]:
    """Return the rows that start activity after a quiet spell, and those that end one."""
    gaps = np.diff(time_us[rows])
    first: I64 = rows[1:][gaps >= quiet_us]
    last: I64 = rows[:-1][gaps >= quiet_us]
    return first, last


def _before_night(last: I64, rows: I64, day: I64) -> Bool:
    """Return which of the rows ending a quiet spell are the last of their activity day."""
    # `day` counts days from DAY_STARTS_MIN (see detect): the next activity is tomorrow's.
    position = np.searchsorted(rows, last)
    following = rows[np.minimum(position + 1, len(rows) - 1)]
    result: Bool = day[following] > day[last]
    return result


def _away_spans(
    inside: I64, doors: I64, time_us: I64, away_us: int, slack_us: int
) -> tuple[I64, I64]:
    """Return door events that leave the home empty, and those that end such a spell."""
    if len(inside) < 2 or len(doors) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    times = time_us[inside]
    gaps = np.diff(times)
    spell = np.flatnonzero(gaps >= away_us)
    starts, ends = times[spell], times[spell + 1]
    door_times = time_us[doors]
    # The last door opening at most `slack` before the spell starts (or at its start), and
    # the first one at most `slack` after it ends: the home was left and entered by a door.
    before = np.searchsorted(door_times, starts, side="right") - 1
    after = np.searchsorted(door_times, ends, side="left")
    ok = (before >= 0) & (after < len(door_times))
    before, after, starts, ends = before[ok], after[ok], starts[ok], ends[ok]
    ok = (starts - door_times[before] <= slack_us) & (door_times[after] - ends <= slack_us)
    departures: I64 = doors[before[ok]]
    arrivals: I64 = doors[after[ok]]
    return np.unique(departures), np.unique(arrivals)


def _streams(  # noqa: PLR0917 - one pass building every stream
    entity: I64,
    state_active: Bool,
    state_home: Bool,
    state: I64,
    columns: tuple[I64, I64],
    rules: EntityRules,
    area_names: dict[str, str],
) -> list[tuple[Stream, I64]]:
    """Return every derived stream with its occurrences (row indices, time-sorted)."""
    time_us, day = columns
    sensed = rules.people | rules.opening
    active = sensed[entity] & state_active[state]
    streams: list[tuple[Stream, I64]] = []
    quiet_us, night_us = QUIET_MIN * MINUTE_US, NIGHT_MIN * MINUTE_US
    by_area: dict[str | None, list[int]] = {}
    for code in map(int, np.flatnonzero(sensed)):
        by_area.setdefault(rules.area[code], []).append(code)
    for area, codes in by_area.items():
        # An area's sensors together are its activity (a door among them is part of it); a
        # sensor without an area is a scope of its own.
        groups: list[tuple[str | None, int | None, list[int]]] = (
            [(area, codes[0] if len(codes) == 1 else None, codes)] if area else []
        )
        groups += [(None, code, [code]) for code in codes if area is None]
        for group_area, single, members in groups:
            rows = np.flatnonzero(active & np.isin(entity, members))
            if len(rows) < 2:
                continue
            first, _ = _quiet_onsets(rows, time_us, quiet_us)
            _, last = _quiet_onsets(rows, time_us, night_us)
            last = last[_before_night(last, rows, day)]
            streams.append((Stream("first_activity", group_area, single, QUIET_MIN, 1), first))
            streams.append((Stream("last_activity", group_area, single, NIGHT_MIN, 1), last))
    entrances = [
        code
        for code in map(int, np.flatnonzero(rules.opening))
        if not _interior(rules, code, area_names)
    ]
    if entrances:
        inside = np.flatnonzero(sensed[entity] & (active | rules.opening[entity]))
        doors = np.flatnonzero(np.isin(entity, entrances) & state_active[state])
        leaving, coming = _away_spans(inside, doors, time_us, AWAY_MIN * MINUTE_US, DOOR_SLACK_US)
        streams.append((Stream("departure", None, None, AWAY_MIN, 0), leaving))
        streams.append((Stream("arrival", None, None, AWAY_MIN, 0), coming))
    for code in map(int, np.flatnonzero(rules.presence)):
        rows = np.flatnonzero(entity == code)
        if len(rows) < 2:
            continue
        home = state_home[state[rows]]
        # A change to home is an arrival; a change away from home is a departure.
        was_home = np.r_[False, home[:-1]]
        streams.append((Stream("arrival", None, code, None, 0), rows[home & ~was_home]))
        streams.append((Stream("departure", None, code, None, 0), rows[~home & was_home]))
    return streams


def detect_routines(  # noqa: PLR0917 - aligned event columns
    entity: I64,
    state: I64,
    time_us: I64,
    day: I64,
    minute: F64,
    day_off: Bool,
    rules: EntityRules,
    states: list[str],
    area_names: dict[str, str],
) -> list[Routine]:
    """Return the routines in people-sensor activity (columns time-sorted, habits only)."""
    state_active = np.array([s.lower() in ACTIVE_STATES for s in states], dtype=bool)
    state_home = np.array([s.lower() == HOME for s in states], dtype=bool)
    streams = _streams(entity, state_active, state_home, state, (time_us, day), rules, area_names)
    streams = [(stream, rows) for stream, rows in streams if len(rows) > 0]
    if not streams:
        return []
    rows = np.concatenate([r for _, r in streams])
    code = np.concatenate([np.full(len(r), i, dtype=np.int64) for i, (_, r) in enumerate(streams)])
    # Rows in time order (the detector's columns are), each tagged with its stream.
    order = np.argsort(rows, kind="stable")
    rows, code = rows[order], code[order]
    found = detect_time_of_day(
        code,
        np.zeros(len(rows), dtype=np.int64),
        time_us[rows],
        day[rows],
        minute[rows],
        day_off[rows],
        np.ones(len(rows), dtype=bool),
    )
    routines = []
    for habit in found:
        stream = streams[habit.entity][0]
        hits = rows[habit.hits]
        sources = entity[hits]
        main = stream.entity if stream.entity is not None else int(np.bincount(sources).argmax())
        reached = int(np.bincount(state[hits]).argmax())
        routines.append(Routine(stream, replace(habit, hits=hits), main, reached))
    return _distinct(routines, time_us)


# Arrivals start activity after a quiet spell and departures end it: the same moments.
_FAMILY: dict[RoutineKind, str] = {
    "first_activity": "start",
    "arrival": "start",
    "last_activity": "end",
    "departure": "end",
}


def _distinct(routines: list[Routine], time_us: I64) -> list[Routine]:
    """Return routines without those that repeat a preferred one's events or moments."""
    kept: list[Routine] = []
    for routine in sorted(routines, key=lambda r: (r.stream.rank, -r.habit.score)):
        mine = routine.habit.hits
        if any(
            _FAMILY[other.stream.kind] == _FAMILY[routine.stream.kind]
            and float(np.isin(mine, other.habit.hits).mean()) >= SAME_EVENTS_SHARE
            for other in kept
        ):
            continue
        kept.append(routine)
    # A short burst of activity starts and ends one quiet spell: its end says nothing new.
    starts = [r for r in kept if _FAMILY[r.stream.kind] == "start"]
    kept = [
        r
        for r in kept
        if _FAMILY[r.stream.kind] == "start"
        or not any(_burst_end(start, r, time_us) for start in starts if _same_scope(start, r))
    ]
    return _moments(kept, time_us)


def _moments(routines: list[Routine], time_us: I64) -> list[Routine]:
    """Return one routine per moment of the day: rooms passed through with it join it."""
    leaders: list[Routine] = []
    for routine in sorted(routines, key=lambda r: -r.habit.score):
        area = routine.stream.area_id
        if routine.stream.kind in ("arrival", "departure") or area is None:
            leaders.append(routine)
            continue
        for index, leader in enumerate(leaders):
            if (
                leader.stream.kind == routine.stream.kind
                and leader.stream.area_id not in (None, area)
                and area not in leader.then
                and days_fit(leader.habit.days, routine.habit.days)
                and _same_moment(leader, routine, time_us)
            ):
                leaders[index] = replace(leader, then=(*leader.then, area))
                break
        else:
            leaders.append(routine)
    return leaders


def _same_moment(a: Routine, b: Routine, time_us: I64) -> bool:
    """Return whether b's occurrences mostly come within minutes of a's, day by day."""
    mine = time_us[a.habit.hits]
    theirs = time_us[b.habit.hits]
    index = np.clip(np.searchsorted(mine, theirs), 1, max(len(mine) - 1, 1))
    nearest = np.minimum(
        np.abs(theirs - mine[np.minimum(index, len(mine) - 1)]), np.abs(theirs - mine[index - 1])
    )
    return bool((nearest <= SAME_MOMENT_US).sum() >= SAME_EVENTS_SHARE * len(theirs))


def _same_scope(a: Routine, b: Routine) -> bool:
    return (a.stream.area_id, a.stream.entity) == (b.stream.area_id, b.stream.entity)


def _burst_end(start: Routine, end: Routine, time_us: I64) -> bool:
    """Return whether a routine's ends mostly come minutes after another's starts."""
    starts = time_us[start.habit.hits]
    ends = time_us[end.habit.hits]
    index = np.searchsorted(starts, ends, side="right") - 1
    found = index >= 0
    gap = ends[found] - starts[np.maximum(index[found], 0)]
    close = (gap >= 0) & (gap <= BURST_US)
    return bool(close.sum() >= SAME_EVENTS_SHARE * len(ends))
