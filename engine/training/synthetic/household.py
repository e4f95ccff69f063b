"""The simulated household's state and how it writes what happens: intervals and records.

The parts of the simulation (presence.py, schedules.py, devices.py, simulate.py) all add
to this: intervals per entity (intervals.py), the ground-truth records that count how many
days a planted routine shows, and the causes behind every transition.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.sun import sun_times
from engine.training.synthetic.days import DayPlan, DayPlanner, Draws
from engine.training.synthetic.intervals import PRIORITY_PLANTED, Cause, Interval, Tag
from engine.training.synthetic.model import (
    HABIT_EARLIEST_MIN,
    HABIT_LATEST_MIN,
    ORIGIN_AUTOMATION,
    ORIGIN_MANUAL,
    ORIGIN_SYSTEM,
    Layout,
    SimEntity,
)
from engine.training.synthetic.timebase import US, TimeBase

MINUTE_US = 60 * US
HOUR_US = 3600 * US
DAY_US = 86_400 * US
# Seconds a device takes from its transient state to the final one (covers, vacuums).
_TRAVEL_S = {"cover": (15.0, 30.0), "vacuum": (60.0, 240.0)}
# Intervals of one entity closer than this merge: no off and on in the same instant.
MIN_GAP_US = 1 * US
_END_ORIGINS = {"automation": ORIGIN_AUTOMATION, "system": ORIGIN_SYSTEM}
_COMMUTE_MARKS = ("leave", "return")

Causes = tuple[Cause, ...]


@dataclass
class Record:
    """One ground-truth routine and how its support is counted."""

    routine: dict[str, Any]
    steps: int = 1
    days: dict[int, set[int]] = field(default_factory=dict)

    def hit(self, day: int, step: int) -> None:
        """Note that step `step` of the routine survived on day `day`."""
        self.days.setdefault(day, set()).add(step)

    def support_days(self) -> int:
        """Return the days on which every step of the routine shows in the events."""
        return sum(1 for steps in self.days.values() if len(steps) == self.steps)


def within_day(mean: float, spread: float) -> bool:
    """Return whether a habit stays inside one local day (its weekday/weekend kind is clear)."""
    return mean - 3.0 * spread >= HABIT_EARLIEST_MIN and mean + 3.0 * spread <= HABIT_LATEST_MIN


def hhmm(minutes: float) -> str:
    """Return local minutes since midnight as HH:MM."""
    total = round(minutes) % 1440
    return f"{total // 60:02d}:{total % 60:02d}"


class Household:
    """A home's planned days and everything that happens in it, as intervals and records."""

    def __init__(
        self, layout: Layout, tb: TimeBase, rng: np.random.Generator, *, heating: bool
    ) -> None:
        self.layout = layout
        self.tb = tb
        self.d = Draws(rng)
        self.heating = heating
        self.entities = layout.by_id
        self.occupants = layout.occupants
        self.role_index = {occupant.role: i for i, occupant in enumerate(self.occupants)}
        self.intervals: dict[str, list[Interval]] = {}
        self.merged: dict[str, list[Interval]] = {}
        self.records: list[Record] = []
        self.anomalies: list[dict[str, Any]] = []
        self.away: list[list[tuple[int, int]]] = [[] for _ in self.occupants]
        self._away_starts: list[list[int]] = [[] for _ in self.occupants]
        self.empty: list[tuple[int, int]] = []
        # Why each transition happened, for the implied ground truth (intervals.Cause):
        # occurrence ids by key, the sources whose time of day means nothing (background
        # use, chains started at a random moment), the causes of chain steps' marks, and
        # of each absence's departure and return.
        self.occurrences: dict[tuple[Any, ...], int] = {}
        self.untimed: set[str] = set()
        self._step_causes: dict[tuple[int, int, str], Causes] = {}
        self._away_causes: list[list[tuple[Causes, Causes]]] = [[] for _ in self.occupants]
        rise, set_ = sun_times(tb.dates, layout.location["latitude"], layout.location["longitude"])
        self.sunrise_us = [round(float(x) * US) for x in rise]
        self.sunset_us = [round(float(x) * US) for x in set_]
        planner = DayPlanner(layout, tb, self.d)
        self.status = planner.trips()
        self.plans: list[list[DayPlan]] = planner.plan(self.status)

    def is_home(self, occupant: int, moment: int) -> bool:
        """Return whether an occupant is at home at a moment."""
        index = bisect_right(self._away_starts[occupant], moment) - 1
        return index < 0 or self.away[occupant][index][1] <= moment

    def move_causes(self, moment: int, *, leaving: bool) -> Causes:
        """Return the causes of the departures (or returns) of anyone at a moment."""
        causes: Causes = ()
        for spans, span_causes in zip(self.away, self._away_causes, strict=True):
            for (start, end), (leave_causes, back_causes) in zip(spans, span_causes, strict=True):
                if leaving and start == moment:
                    causes += leave_causes
                elif not leaving and end == moment:
                    causes += back_causes
        return causes

    def _next_departure(self, occupant: int, moment: int) -> int:
        """Return when an occupant next leaves the house after a moment (far away if never)."""
        index = bisect_right(self._away_starts[occupant], moment)
        starts = self._away_starts[occupant]
        return starts[index] if index < len(starts) else self.tb.end_us + DAY_US

    def add(self, entity_id: str, interval: Interval) -> None:
        """Add an interval to an entity."""
        self.intervals.setdefault(entity_id, []).append(interval)

    def _occurrence(self, *key: Any) -> int:
        """Return the id of one moment (ground truth only: pairs share an occurrence)."""
        return self.occurrences.setdefault(key, len(self.occurrences))

    def _once(self, source: str, *, timed: bool = False) -> Causes:
        """Return the causes of a moment of its own (background use, someone passing)."""
        if not timed:
            self.untimed.add(source)
        return ((source, self._occurrence("once", len(self.occurrences))),)

    def _causes(self, occupant: int, day: int, name: str) -> Causes:
        """Return the causes of an occupant's mark on a day: the mark's moment (or a step's)."""
        step = self._step_causes.get((occupant, day, name))
        if step is not None:
            return step
        plan = self.plans[occupant][day]
        moment = plan.marks.get(name)
        if moment is None:
            return ()
        source = f"mark:{self.occupants[occupant].role}:{name}"
        # Trips, outings and days at home move the commute: another routine, another time.
        if name in _COMMUTE_MARKS and not plan.regular_commute:
            source += ":other"
        # A mark shared by several occupants (the family's dinner, a child leaving with a
        # parent) is one moment: it is keyed by its name and time, not by whose it is.
        return ((source, self._occurrence("mark", name, moment)),)

    def _record(self, routine: dict[str, Any]) -> int:
        self.records.append(Record(routine))
        return len(self.records) - 1

    def _gap(self, entity_id: str) -> int:
        travel = _TRAVEL_S.get(self.entities[entity_id].kind)
        return MIN_GAP_US + (round(travel[1] * US) if travel else 0)

    def _person_interval(
        self,
        entity: SimEntity,
        start: int,
        end: int,
        priority: int,
        *,
        start_tags: tuple[Tag, ...] = (),
        end_tags: tuple[Tag, ...] = (),
        end_origin: str = "person",
        causes: tuple[Causes, Causes] = ((), ()),
    ) -> Interval:
        """Add an interval a person starts (a wall switch reports as system, an app as manual)."""
        d = self.d
        if entity.kind == "binary":
            by_start = by_end = ORIGIN_SYSTEM
        else:
            by_start = ORIGIN_SYSTEM if d.chance(entity.physical) else ORIGIN_MANUAL
            by_end = ORIGIN_SYSTEM if d.chance(entity.physical) else ORIGIN_MANUAL
        travel = _TRAVEL_S.get(entity.kind, (0.0, 0.0))
        interval = Interval(
            start,
            end,
            by_start,
            _END_ORIGINS.get(end_origin, by_end),
            priority,
            person_start=True,
            person_end=end_origin == "person",
            start_tags=start_tags,
            end_tags=end_tags,
            travel_start=round(d.uniform(*travel) * US),
            travel_end=round(d.uniform(*travel) * US),
            start_causes=causes[0],
            end_causes=causes[1],
        )
        self.add(entity.entity_id, interval)
        return interval

    def _slow_interval(
        self, entity: SimEntity, start: int, end: int, origin_start: int, origin_end: int
    ) -> None:
        """Add an automation's interval of a device with travel time (blind, vacuum)."""
        travel = _TRAVEL_S.get(entity.kind, (0.0, 0.0))
        causes = self._once(f"auto:{entity.entity_id}", timed=True)
        self.add(
            entity.entity_id,
            Interval(
                start,
                end,
                origin_start,
                origin_end,
                PRIORITY_PLANTED,
                travel_start=round(self.d.uniform(*travel) * US),
                travel_end=round(self.d.uniform(*travel) * US),
                start_causes=causes,
                end_causes=causes,
            ),
        )
