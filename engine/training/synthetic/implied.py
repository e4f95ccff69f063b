"""The implied ground truth: what follows physically from the planted routines.

The planted routines are what the generator sets out to do; their consequences are real
regularities of the events too: the front door closes seconds after it opens, the lock
turns and the hallway light goes on when someone leaves, a light turned on at a habitual
time goes off at a habitual time, a wake-up's lights follow each other. Every transition
carries its causes (intervals.Cause), so these are listed from what was generated, not
guessed: a time of day per (entity, state, routine, kind of day) with a meaningful time,
and a pair for every two transitions of one occurrence (one person's departure on one day)
that follow each other within the longest window pairs are looked for in.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from engine.training.synthetic.household import hhmm
from engine.training.synthetic.model import Layout
from engine.training.synthetic.simulate import Simulation
from engine.training.synthetic.timebase import US, TimeBase

# Pairs further apart than this are not consequences anyone would pair.
PAIR_WINDOW_US = 180 * US
# Relations seen on fewer days are listed nowhere: no detector could see them either.
MIN_DAYS = 3


def implied_truth(layout: Layout, sim: Simulation, tb: TimeBase) -> list[dict[str, Any]]:
    """Return the implied time-of-day and co-occurrence relations, with their support."""
    entity_ids: list[str] = []
    states: list[str] = []
    times: list[int] = []
    causes: list[tuple[tuple[str, int], ...]] = []
    for entity in layout.entities:
        for item in sim.merged.get(entity.entity_id, []):
            for moment, state, why in (
                (item.start + item.travel_start, entity.active, item.start_causes),
                (item.end + item.travel_end, entity.idle, item.end_causes),
            ):
                if why and tb.start_us <= moment < tb.end_us:
                    entity_ids.append(entity.entity_id)
                    states.append(state)
                    times.append(moment)
                    causes.append(why)
    if not times:
        return []
    moments = np.array(times, dtype=np.int64)
    index = tb.day_index(moments)
    days = [int(day) for day in index]
    minutes = [float(second) / 60.0 for second in tb.seconds_of_day(moments)]
    workday = [bool(work) for work in tb.workday[index]]
    return _times_of_day(entity_ids, states, minutes, days, workday, causes, sim.untimed) + (
        _pairs(entity_ids, states, times, days, causes)
    )


def _times_of_day(  # noqa: PLR0917 - parallel columns of the transitions
    entity_ids: list[str],
    states: list[str],
    minutes: list[float],
    days: list[int],
    workday: list[bool],
    causes: list[tuple[tuple[str, int], ...]],
    untimed: set[str],
) -> list[dict[str, Any]]:
    """Return a time of day per (entity, state, timed routine, kind of day)."""
    groups: dict[tuple[str, str, str, bool], list[int]] = defaultdict(list)
    for row, why in enumerate(causes):
        for source in {source for source, _ in why if source not in untimed}:
            groups[(entity_ids[row], states[row], source, workday[row])].append(row)
    result: list[dict[str, Any]] = []
    for (entity_id, state, source, work), rows in sorted(groups.items()):
        support = len({days[row] for row in rows})
        if support < MIN_DAYS:
            continue
        angles = np.array([minutes[row] for row in rows]) * (2 * math.pi / 1440)
        s, c = float(np.sin(angles).mean()), float(np.cos(angles).mean())
        mean = (math.atan2(s, c) * 1440 / (2 * math.pi)) % 1440
        spread = math.sqrt(-2 * math.log(max(min(1.0, math.hypot(s, c)), 1e-12)))
        result.append(
            {
                "kind": "time_of_day",
                "entity_id": entity_id,
                "state": state,
                "time": hhmm(mean),
                "days": "weekdays" if work else "weekends",
                "spread_minutes": round(spread * 1440 / (2 * math.pi), 1),
                "support_days": support,
                "source": source,
            }
        )
    return result


def _pairs(
    entity_ids: list[str],
    states: list[str],
    times: list[int],
    days: list[int],
    causes: list[tuple[tuple[str, int], ...]],
) -> list[dict[str, Any]]:
    """Return every (trigger, action) two transitions of one occurrence make, by support."""
    by_occurrence: dict[int, set[int]] = defaultdict(set)
    for row, why in enumerate(causes):
        for _, occurrence in why:
            by_occurrence[occurrence].add(row)
    found: dict[tuple[str, str, str, str], tuple[set[int], list[int]]] = {}
    for rows in by_occurrence.values():
        ordered = sorted(rows, key=lambda row: times[row])
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                delay = times[second] - times[first]
                if delay > PAIR_WINDOW_US:
                    break
                if delay <= 0 or entity_ids[first] == entity_ids[second]:
                    continue
                key = (entity_ids[first], states[first], entity_ids[second], states[second])
                seen, delays = found.setdefault(key, (set(), []))
                seen.add(days[first])
                delays.append(delay)
    result: list[dict[str, Any]] = []
    for (trigger, trigger_state, action, action_state), (seen, delays) in sorted(found.items()):
        if len(seen) < MIN_DAYS:
            continue
        result.append(
            {
                "kind": "co_occurrence",
                "trigger": {"entity_id": trigger, "state": trigger_state},
                "action": {"entity_id": action, "state": action_state},
                "support_days": len(seen),
                "median_delay_s": round(float(np.median(delays)) / US, 1),
            }
        )
    return result
