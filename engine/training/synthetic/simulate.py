"""Living in a synthetic home: habits, presence, automations, anomalies as intervals.

Everything a person, an automation or a device does becomes an interval of some entity's
active state (see intervals.py); numeric sensor chatter is added later, vectorised, by
chatter.py. Planted habits carry tags, so the ground truth can say on how many days each
one really shows in the events.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.sun import sun_times
from engine.training.synthetic.days import DayPlan, DayPlanner, Draws
from engine.training.synthetic.intervals import (
    PRIORITY_ANOMALY,
    PRIORITY_BACKGROUND,
    PRIORITY_PLANTED,
    Cause,
    Interval,
    Tag,
    resolve,
)
from engine.training.synthetic.model import (
    HABIT_EARLIEST_MIN,
    HABIT_LATEST_MIN,
    ORIGIN_AUTOMATION,
    ORIGIN_MANUAL,
    ORIGIN_SYSTEM,
    Anchor,
    ChainSpec,
    Habit,
    Layout,
    Occupant,
    SimEntity,
    step_mark,
)
from engine.training.synthetic.timebase import US, TimeBase

MINUTE_US = 60 * US
HOUR_US = 3600 * US
DAY_US = 86_400 * US
# Seconds a device takes from its transient state to the final one (covers, vacuums).
_TRAVEL_S = {"cover": (15.0, 30.0), "vacuum": (60.0, 240.0)}
# Intervals of one entity closer than this merge: no off and on in the same instant.
_MIN_GAP_US = 1 * US
_END_ORIGINS = {"automation": ORIGIN_AUTOMATION, "system": ORIGIN_SYSTEM}

_Tagger = Callable[[str], tuple[Tag, ...]]
Causes = tuple[Cause, ...]
_COMMUTE_MARKS = ("leave", "return")


def _no_tags(what: str) -> tuple[Tag, ...]:
    """Tag nothing (an absence still open when the window ends)."""
    del what
    return ()


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


@dataclass(frozen=True)
class _ChainRun:
    """One day's run of a chain: its step times, tagged unless it was a sloppy day."""

    spec: ChainSpec
    occupant: int
    day: int
    times: list[int]


def within_day(mean: float, spread: float) -> bool:
    """Return whether a habit stays inside one local day (its weekday/weekend kind is clear)."""
    return mean - 3.0 * spread >= HABIT_EARLIEST_MIN and mean + 3.0 * spread <= HABIT_LATEST_MIN


def hhmm(minutes: float) -> str:
    """Return local minutes since midnight as HH:MM."""
    total = round(minutes) % 1440
    return f"{total // 60:02d}:{total % 60:02d}"


class Simulation:
    """Plans a home's days and turns them into resolved intervals per entity."""

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

    def run(self) -> None:
        """Plan every day and resolve every entity's intervals."""
        self._presence()
        self._lock()
        self._heating()
        self._chains()
        self._habits()
        self._automations()
        self._background()
        self._anomalies()
        self.merged = {
            entity_id: resolve(items, self._gap(entity_id))
            for entity_id, items in self.intervals.items()
        }
        self._reactions()
        self._derived_sensors()
        # Only what the events show counts: a window may start or end in the middle of a day.
        first, last = self.tb.start_us, self.tb.end_us
        for items in self.merged.values():
            for item in items:
                tags = (*item.start_tags,) if first <= item.start < last else ()
                if first <= item.end < last:
                    tags += item.end_tags
                for record, day, step in tags:
                    self.records[record].hit(day, step)

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

    # Presence ---------------------------------------------------------------------------

    def _presence(self) -> None:
        """Away spans, person entities (geofence), and the front door at every departure."""
        ids = self._presence_records()
        door_times: set[int] = set()
        for index, occupant in enumerate(self.occupants):
            home = True
            opened: tuple[int, _Tagger, Causes] | None = None
            for moment, leaving, day, name in self._moves(index):
                if leaving != home:
                    continue
                home = not leaving
                tagger = self._presence_tagger(ids, index, day, name)
                causes = self._causes(index, day, name)
                # Children leaving with a parent go through the door the parent opened.
                joins = leaving and occupant.leave_with is not None
                if not (joins and moment in door_times):
                    self._door(moment, door_times, tagger, causes)
                if leaving:
                    opened = (moment, tagger, causes)
                elif opened is not None:
                    self._away_span(index, opened, (moment, tagger, causes))
                    opened = None
            if opened is not None:
                self._away_span(index, opened, (self.tb.end_us + DAY_US, _no_tags, ()))
            self._away_starts[index] = [start for start, _ in self.away[index]]

    def _moves(self, index: int) -> list[tuple[int, bool, int, str]]:
        """Return an occupant's departures and arrivals: (time, leaving, day, mark), sorted."""
        moves = []
        for day, plan in enumerate(self.plans[index]):
            for name, leaving in (
                ("leave", True), ("return", False), ("walk_leave", True), ("walk_return", False)
            ):  # fmt: skip
                if name in plan.marks:
                    moves.append((plan.marks[name], leaving, day, name))
        return sorted(moves)

    def _door(self, moment: int, door_times: set[int], tagger: _Tagger, causes: Causes) -> None:
        """Open the front door for a few seconds (once for people leaving together)."""
        door = self.layout.role("front_door")
        if door is None or moment in door_times:
            return
        door_times.add(moment)
        self.add(
            door,
            Interval(
                moment,
                moment + round(self.d.uniform(5, 20) * US),
                ORIGIN_SYSTEM,
                ORIGIN_SYSTEM,
                PRIORITY_PLANTED,
                person_start=True,
                person_end=True,
                start_tags=tagger("door"),
                start_causes=causes,
                end_causes=causes,
            ),
        )

    def _presence_records(self) -> dict[tuple[int, str, str], int]:
        """Create the ground truth of regular commutes; return record ids by (who, mark, what)."""
        ids: dict[tuple[int, str, str], int] = {}
        door = self.layout.role("front_door")
        for index, occupant in enumerate(self.occupants):
            for name, geofence, state in (("leave", 4.0, "not_home"), ("return", -1.5, "home")):
                anchor = occupant.anchor(name)
                mean = anchor.weekday if anchor else None
                if anchor is None or mean is None or not within_day(mean, anchor.weekday_sd):
                    continue
                base = {"kind": "time_of_day", "days": "weekdays", "occupant": occupant.role}
                if door is not None and not (name == "leave" and occupant.leave_with):
                    ids[(index, name, "door")] = self._record(
                        {
                            **base,
                            "entity_id": door,
                            "state": "on",
                            "time": hhmm(mean),
                            "origin": "system",
                            "spread_minutes": round(float(anchor.weekday_sd), 1),
                        }
                    )
                if occupant.person is not None:
                    ids[(index, name, "person")] = self._record(
                        {
                            **base,
                            "entity_id": occupant.person,
                            "state": state,
                            "time": hhmm(mean + geofence),
                            "origin": "system",
                            "spread_minutes": round(math.hypot(anchor.weekday_sd, 1.2), 1),
                        }
                    )
        return ids

    def _presence_tagger(
        self, ids: dict[tuple[int, str, str], int], index: int, day: int, name: str
    ) -> _Tagger:
        """Return a function giving the tags of a commute's door or person transition."""
        regular = self.plans[index][day].regular_commute and name in ("leave", "return")

        def tagger(what: str) -> tuple[Tag, ...]:
            record = ids.get((index, name, what))
            return ((record, day, 0),) if regular and record is not None else ()

        return tagger

    def _away_span(
        self, index: int, opened: tuple[int, _Tagger, Causes], closed: tuple[int, _Tagger, Causes]
    ) -> None:
        """Record an occupant's absence and, with a person entity, its geofence changes."""
        (leave, leave_tagger, leave_causes), (back, back_tagger, back_causes) = opened, closed
        self.away[index].append((leave, back))
        self._away_causes[index].append((leave_causes, back_causes))
        person = self.occupants[index].person
        if person is None:
            return
        start = leave + round(self.d.uniform(2.0, 6.0) * MINUTE_US)
        end = back - round(self.d.uniform(0.5, 2.5) * MINUTE_US)
        if end - start < 2 * MINUTE_US:
            return
        self.add(
            person,
            Interval(
                start,
                end,
                ORIGIN_SYSTEM,
                ORIGIN_SYSTEM,
                PRIORITY_PLANTED,
                start_tags=leave_tagger("person"),
                end_tags=back_tagger("person"),
                start_causes=leave_causes,
                end_causes=back_causes,
            ),
        )

    def _lock(self) -> None:
        """Unlock for the first to leave or arrive; lock behind the last, and at night."""
        unlocked, causes = self._unlocked_and_empty()
        lock = self.layout.role("lock")
        if lock is not None:
            for (start, origin_start, end, origin_end), (why_start, why_end) in zip(
                unlocked, causes, strict=True
            ):
                self.add(
                    lock,
                    Interval(
                        start,
                        end,
                        origin_start,
                        origin_end,
                        PRIORITY_PLANTED,
                        start_causes=why_start,
                        end_causes=why_end,
                    ),
                )

    def _unlocked_and_empty(
        self,
    ) -> tuple[list[tuple[int, int, int, int]], list[tuple[Causes, Causes]]]:
        """Return the unlocked spans (start, origin, end, origin), their causes; note empties."""
        d = self.d
        # The departure or arrival behind each step, for the ground truth only.
        why: dict[tuple[int, int], Causes] = {}
        for spans, span_causes in zip(self.away, self._away_causes, strict=True):
            for (start, end), (leave_causes, back_causes) in zip(spans, span_causes, strict=True):
                why[(start, -1)] = why.get((start, -1), ()) + leave_causes
                why[(end, 1)] = why.get((end, 1), ()) + back_causes
        since_causes: Causes = ()
        causes: list[tuple[Causes, Causes]] = []
        nights = [self.tb.local_day_us(day, 1365.0) for day in range(self.tb.day_count)]
        steps = sorted(
            [(moment, delta) for spans in self.away for start, end in spans
             for moment, delta in ((start, -1), (end, 1))]
            + [(night, 0) for night in nights]
        )  # fmt: skip
        count = len(self.occupants)
        since: tuple[int, int] | None = None
        unlocked: list[tuple[int, int, int, int]] = []
        empty_since: int | None = None
        for moment, delta in steps:
            by_hand = ORIGIN_MANUAL if d.chance(0.5) else ORIGIN_SYSTEM
            if delta == 0:
                # The night automation locks what is still unlocked while people are home.
                if since is not None and count > 0:
                    latency = round(d.uniform(0.2, 1.5) * US)
                    unlocked.append((*since, moment + latency, ORIGIN_AUTOMATION))
                    causes.append((since_causes, ()))
                    since = None
                continue
            before, count = count, count + delta
            if since is None and (delta < 0 or before == 0):
                since = (moment - round(d.uniform(5, 15) * US), by_hand)
                since_causes = why.get((moment, delta), ())
            if delta < 0 and count == 0:
                empty_since = moment
                if since is not None:
                    unlocked.append((*since, moment + round(d.uniform(20, 60) * US), by_hand))
                    causes.append((since_causes, why.get((moment, delta), ())))
                since = None
            elif before == 0 and empty_since is not None:
                self.empty.append((empty_since, moment))
                empty_since = None
        if since is not None:
            unlocked.append((*since, self.tb.end_us + DAY_US, ORIGIN_AUTOMATION))
            causes.append((since_causes, ()))
        if empty_since is not None:
            self.empty.append((empty_since, self.tb.end_us + DAY_US))
        return unlocked, causes

    def _heating(self) -> None:
        """In the heating season an automation turns the thermostats off while nobody is home."""
        if not self.heating:
            return
        for entity in self.layout.entities:
            if entity.kind != "climate":
                continue
            for start, end in self.empty:
                if end - start < 30 * MINUTE_US:
                    continue
                self.add(
                    entity.entity_id,
                    Interval(
                        start + round(self.d.uniform(240, 360) * US),
                        end - round(self.d.uniform(30, 120) * US),
                        ORIGIN_AUTOMATION,
                        ORIGIN_AUTOMATION,
                        PRIORITY_PLANTED,
                    ),
                )

    # Chains and habits ------------------------------------------------------------------

    def _chains(self) -> None:
        """Place every chain's steps: all marks first, since habits may end at them."""
        runs: list[_ChainRun] = []
        for spec in self.layout.chains:
            record = self._record(self._chain_routine(spec))
            self.records[record].steps = len(spec.steps)
            for day in range(self.tb.day_count):
                run = self._chain_run(spec, record, day)
                if run is not None:
                    runs.append(run)
        for run in runs:
            plan = self.plans[run.occupant][run.day]
            for step, moment in zip(run.spec.steps, run.times, strict=True):
                entity = self.entities[step.entity]
                if step.state != entity.active:
                    continue  # an "off" step ends an interval some habit started
                end_tags: tuple[Tag, ...] = ()
                causes = self._causes(run.occupant, run.day, step_mark(run.spec.name, step.entity))
                end_causes = causes
                if step.end is None:
                    end = moment + round(self.d.lognormal(*step.duration) * MINUTE_US)
                elif step.end[0] in plan.marks:
                    end = plan.marks[step.end[0]] + round(step.end[1] * MINUTE_US)
                    end_tags = plan.tags.get(step.end[0], ()) if step.end[1] == 0 else ()
                    end_causes = self._causes(run.occupant, run.day, step.end[0])
                else:
                    continue
                tags = plan.tags.get(step_mark(run.spec.name, step.entity), ())
                self._person_interval(
                    entity,
                    moment,
                    end,
                    PRIORITY_PLANTED,
                    start_tags=tags,
                    end_tags=end_tags,
                    causes=(causes, end_causes),
                )

    def _chain_run(self, spec: ChainSpec, record: int, day: int) -> _ChainRun | None:
        """Return one day's run of a chain and set its marks, or None when it does not run."""
        workday = bool(self.tb.workday[day])
        if (spec.days == "weekdays" and not workday) or (spec.days == "weekends" and workday):
            return None
        occupant = self.role_index[spec.occupant]
        plan = self.plans[occupant][day]
        # A sloppy day: the steps still happen (people still go to bed), minutes apart.
        sloppy = self.d.chance(spec.skip)
        if spec.start is not None:
            mark = plan.marks.get(spec.start[0])
            if mark is None:
                return None
            moment = mark + round((spec.start[1] + 0.5 * self.d.clipped()) * MINUTE_US)
        else:
            moment = self.tb.local_day_us(day, self.d.uniform(*spec.window))
            wake, sleep = plan.marks.get("wake"), plan.marks.get("sleep")
            if sloppy or wake is None or sleep is None or not wake < moment < sleep:
                return None
        if not self.is_home(occupant, moment):
            return None
        times = [moment]
        for step in spec.steps[1:]:
            delay = self.d.uniform(60, 900) if sloppy else self.d.lognormal(step.delay_s, 0.3)
            times.append(times[-1] + round(delay * US))
        # Every step is a consequence of this run, and of the mark the run started at.
        source = f"chain:{spec.name}"
        causes: Causes = ((source, self._occurrence("chain", spec.name, day)),)
        if spec.start is None:
            self.untimed.add(source)
        else:
            causes += tuple(
                (source, occurrence) for _, occurrence in self._causes(occupant, day, spec.start[0])
            )
        for position, (step, step_time) in enumerate(zip(spec.steps, times, strict=True)):
            name = step_mark(spec.name, step.entity)
            self._step_causes[(occupant, day, name)] = causes
            plan.marks[name] = step_time
            if not sloppy:
                plan.tags[name] = ((record, day, position),)
        return _ChainRun(spec, occupant, day, times)

    def _chain_routine(self, spec: ChainSpec) -> dict[str, Any]:
        routine: dict[str, Any] = {
            "kind": "chain",
            "name": spec.name,
            "chain": [{"entity_id": step.entity, "state": step.state} for step in spec.steps],
            "delays_s": [step.delay_s for step in spec.steps[1:]],
            "occupant": spec.occupant,
            "days": spec.days,
        }
        if spec.start is not None:
            routine["after"] = spec.start[0]
        else:
            routine["window"] = [hhmm(spec.window[0]), hhmm(spec.window[1])]
        return routine

    def _habits(self) -> None:
        for habit in self.layout.habits:
            occupant = self.role_index[habit.occupant]
            entity = self.entities[habit.entity]
            records = self._habit_records(habit, self.occupants[occupant], entity)
            for day in range(self.tb.day_count):
                ids = records.get(bool(self.tb.workday[day]))
                if ids is not None and not self.d.chance(habit.skip):
                    self._habit_day(habit, entity, occupant, day, ids)

    def _habit_day(
        self, habit: Habit, entity: SimEntity, occupant: int, day: int, ids: tuple[int, int | None]
    ) -> None:
        """Plant one day's occurrence of a habit, if its marks exist and its person is home."""
        d = self.d
        plan = self.plans[occupant][day]
        start_mark = plan.marks.get(habit.start[0])
        if start_mark is None:
            return
        start = start_mark + round((habit.start[1] + habit.sd * d.clipped()) * MINUTE_US)
        end_tags: tuple[Tag, ...] = ()
        causes = self._causes(occupant, day, habit.start[0])
        end_causes = causes if habit.end is None else self._causes(occupant, day, habit.end[0])
        if habit.end is None:
            end = start + round(d.lognormal(*habit.duration) * MINUTE_US)
            if habit.end_origin == "automation":
                end += round(d.uniform(0.1, 1.5) * US)
        elif habit.end[0] not in plan.marks:
            return
        elif habit.end[1] == 0:
            end = plan.marks[habit.end[0]]
            end_tags = plan.tags.get(habit.end[0], ())
        else:
            end = plan.marks[habit.end[0]] + round((habit.end[1] + 0.3 * d.clipped()) * MINUTE_US)
        # Just before arriving (the garage opener) the person counts as home already.
        home = self.is_home(occupant, start) or self.is_home(occupant, start_mark)
        if end <= start + 5 * US or not home:
            return
        start_id, end_id = ids
        if end_id is not None:
            end_tags = (*end_tags, (end_id, day, 0))
        self._person_interval(
            entity,
            start,
            end,
            PRIORITY_PLANTED,
            start_tags=((start_id, day, 0),),
            end_tags=end_tags,
            end_origin=habit.end_origin,
            causes=(causes, end_causes),
        )

    def _habit_records(
        self, habit: Habit, occupant: Occupant, entity: SimEntity
    ) -> dict[bool, tuple[int, int | None]]:
        """Return the record ids of a habit's start and end, by working day or not."""
        kinds = {"weekdays": (True,), "weekends": (False,), "all": (True, False)}[habit.days]
        means: dict[bool, tuple[float, float | None, float]] = {}
        for workday in kinds:
            start = self._mark_mean(occupant, habit.start, workday)
            anchor = self._anchor(occupant, habit.start[0])
            spread = math.hypot(anchor.sd(workday) if anchor else 0.0, habit.sd)
            if start is None or not within_day(start, spread):
                continue
            end = self._mark_mean(occupant, habit.end, workday) if habit.record_end else None
            means[workday] = (
                start,
                end if end is not None and within_day(end, spread) else None,
                spread,
            )
        # One routine for all days when weekday and weekend times agree (within 10 minutes).
        merged = len(means) == 2 and _close(means[True], means[False])
        if merged:
            means = {True: _combined(means[True], means[False])}
        from_device = entity.kind == "binary" or entity.physical > 0.5
        result: dict[bool, tuple[int, int | None]] = {}
        for workday, (start, end, spread) in means.items():
            base = {
                "kind": "time_of_day",
                "entity_id": entity.entity_id,
                "days": "all" if merged else ("weekdays" if workday else "weekends"),
                "occupant": occupant.role,
                "origin": "system" if from_device else "manual",
                "spread_minutes": round(spread, 1),
            }
            start_id = self._record({**base, "state": entity.active, "time": hhmm(start)})
            end_id = None
            if end is not None:
                end_id = self._record({**base, "state": entity.idle, "time": hhmm(end)})
            result[workday] = (start_id, end_id)
        if merged:
            result[False] = result[True]
        return result

    def _anchor(self, occupant: Occupant, name: str) -> Anchor | None:
        """Return the anchor an occupant's mark really follows (the family eats with the cook)."""
        anchor = occupant.anchor(name)
        cook = self.role_index.get(self.layout.cook or "")
        if name == "dinner" and anchor is not None and cook is not None:
            # The planner moves everybody's dinner to the cook's on days the cook has one.
            return self.occupants[cook].anchor(name) or anchor
        return anchor

    def _mark_mean(
        self, occupant: Occupant, mark: tuple[str, float] | None, workday: bool
    ) -> float | None:
        """Return the mean local minute of a mark (an anchor, or a chain's step)."""
        if mark is None:
            return None
        name, offset = mark
        if not name.startswith("chain:"):
            anchor = self._anchor(occupant, name)
            mean = anchor.mean(workday) if anchor else None
            return None if mean is None else mean + offset
        _, chain_name, entity_id = name.split(":")
        spec = next(c for c in self.layout.chains if c.name == chain_name)
        owner = self.occupants[self.role_index[spec.occupant]]
        base = self._mark_mean(owner, spec.start, workday)
        if base is None:
            return None
        position = next(i for i, step in enumerate(spec.steps) if step.entity == entity_id)
        delays = sum(step.delay_s for step in spec.steps[1 : position + 1])
        return base + delays / 60.0 + offset

    # Automations, background use, anomalies ----------------------------------------------

    def _automations(self) -> None:
        """Porch light at sunset, blinds down at dusk and up in the morning, the vacuum."""
        porch = self.layout.role("porch_light")
        if porch is not None:
            self._porch(porch)
        for entity in self.layout.entities:
            if entity.kind == "cover" and entity.device_class == "blind":
                self._blind(entity)
            elif entity.kind == "vacuum":
                self._vacuum(entity)

    def _porch(self, porch: str) -> None:
        """Turn the porch light on at sunset and off at 23:30."""
        for day in range(self.tb.day_count):
            on = self.sunset_us[day] + round(self.d.uniform(0.2, 2.0) * US)
            off = self.tb.local_day_us(day, 1410.0) + round(self.d.uniform(0.2, 1.5) * US)
            if off > on:
                causes = self._once(f"auto:{porch}", timed=True)
                self.add(
                    porch,
                    Interval(
                        on,
                        off,
                        ORIGIN_AUTOMATION,
                        ORIGIN_AUTOMATION,
                        PRIORITY_PLANTED,
                        start_causes=causes,
                        end_causes=causes,
                    ),
                )

    def _vacuum(self, vacuum: SimEntity) -> None:
        """Clean at 10:00 on working days, only while nobody is home for the whole run."""
        empty_starts = [start for start, _ in self.empty]
        for day in range(self.tb.day_count):
            if not self.tb.workday[day]:
                continue
            start = self.tb.local_day_us(day, 600.0) + round(self.d.uniform(0.2, 1.5) * US)
            index = bisect_right(empty_starts, start) - 1
            if index >= 0 and self.empty[index][1] > start + 80 * MINUTE_US:
                end = start + round(self.d.uniform(45, 75) * MINUTE_US)
                self._slow_interval(vacuum, start, end, ORIGIN_AUTOMATION, ORIGIN_SYSTEM)

    def _blind(self, blind: SimEntity) -> None:
        """Close a blind after sunset, open it after sunrise but not too early."""
        days = self.tb.day_count
        for day in range(-1, days):
            if day >= 0:
                close = self.sunset_us[day] + 15 * MINUTE_US
            else:
                close = self.sunset_us[0] + 15 * MINUTE_US - DAY_US
            morning = day + 1
            if morning < days:
                earliest = 435.0 if self.tb.workday[morning] else 510.0
                open_at = max(
                    self.sunrise_us[morning] + 10 * MINUTE_US,
                    self.tb.local_day_us(morning, earliest),
                )
            else:
                open_at = close + 12 * HOUR_US
            self._slow_interval(
                blind,
                close + round(self.d.uniform(0.2, 1.5) * US),
                open_at + round(self.d.uniform(0.2, 1.5) * US),
                ORIGIN_AUTOMATION,
                ORIGIN_AUTOMATION,
            )

    def _background(self) -> None:
        """Use outside habits: now and then, more after dark, only when at home and awake."""
        for index, occupant in enumerate(self.occupants):
            if not occupant.background:
                continue
            cumulative = [float(x) for x in np.cumsum([w for _, w, _, _ in occupant.background])]
            rate = 0.45 if occupant.archetype.startswith("child") else 0.75
            for day, plan in enumerate(self.plans[index]):
                first = plan.marks.get("wake", plan.marks.get("return"))
                if first is None:
                    continue
                last = plan.marks.get("sleep", first + 15 * HOUR_US)
                for _ in range(self.d.count(rate * 1.6 * max(0.0, (last - first) / HOUR_US))):
                    self._background_use(index, occupant, cumulative, day, (first, last))

    def _background_use(
        self,
        index: int,
        occupant: Occupant,
        cumulative: list[float],
        day: int,
        awake: tuple[int, int],
    ) -> None:
        """Maybe use one thing at a random moment (in daylight, less often)."""
        d = self.d
        first, last = awake
        moment = first + round(d.uniform() * (last - first))
        dark = moment < self.sunrise_us[day] or moment > self.sunset_us[day]
        if (not dark and d.chance(0.6)) or not self.is_home(index, moment):
            return
        entity_id, _, median, sigma = occupant.background[d.index(cumulative)]
        # Whatever it is, it is off by bedtime or before leaving the house.
        end = min(
            moment + round(d.lognormal(median, sigma) * MINUTE_US),
            last + round(d.uniform(0, 10) * MINUTE_US),
            self._next_departure(index, moment) - round(d.uniform(0.5, 2.0) * MINUTE_US),
        )
        if end > moment + 20 * US:
            causes = self._once("background")
            self._person_interval(
                self.entities[entity_id], moment, end, PRIORITY_BACKGROUND, causes=(causes, causes)
            )

    def _anomalies(self) -> None:
        """Inject unusual times, durations and frequencies (at least one of each kind)."""
        d = self.d
        kinds = ["unusual_time", "unusual_duration", "unusual_frequency"]
        kinds += [kinds[int(d.uniform(0, 3))] for _ in range(self.tb.day_count // 15)]
        used: set[tuple[str, int]] = set()
        for kind in kinds:
            for _ in range(30):
                day = int(d.uniform(0, self.tb.day_count))
                if self.status[day] != "normal":
                    continue
                entity_id, spans, observed = self._anomaly(kind, day)
                inside = self.tb.start_us <= spans[0][0] and spans[-1][1] < self.tb.end_us
                if (entity_id, day) in used or not inside:
                    continue
                used.add((entity_id, day))
                entity = self.entities[entity_id]
                causes = self._once("anomaly")
                for begin, finish in spans:
                    self._person_interval(
                        entity, begin, finish, PRIORITY_ANOMALY, causes=(causes, causes)
                    )
                self.anomalies.append(
                    {
                        "kind": "anomaly",
                        "entity_id": entity_id,
                        "state": entity.active,
                        "kind_detail": kind,
                        "at_us": spans[0][0],
                        "observed": observed,
                    }
                )
                break

    def _anomaly(self, kind: str, day: int) -> tuple[str, list[tuple[int, int]], dict[str, Any]]:
        """Return an anomaly's entity, its active spans, and what is unusual about it."""
        d = self.d
        lights = [
            e.entity_id
            for e in self.layout.entities
            if e.entity_id.startswith("light.")
            and e.entity_id != self.layout.role("porch_light")
            and e.entity_id not in self.layout.hands_off
        ]
        light = lights[int(d.uniform(0, len(lights)))]
        if kind == "unusual_time":
            habits = [
                h.entity
                for h in self.layout.habits
                if self.entities[h.entity].kind in ("toggle", "media")
            ]
            entity_id = habits[int(d.uniform(0, len(habits)))] if habits else light
            local = d.uniform(150, 240)
            start = self.tb.local_day_us(day, local)
            return (
                entity_id,
                [(start, start + round(d.uniform(8, 25) * MINUTE_US))],
                {"local_time": hhmm(local)},
            )
        if kind == "unusual_duration":
            door = self.layout.role("front_door")
            entity_id = door if door is not None and d.chance(0.6) else light
            length = d.uniform(40, 120) if entity_id == door else d.uniform(300, 540)
            start = self.tb.local_day_us(day, d.uniform(600, 840))
            return (
                entity_id,
                [(start, start + round(length * MINUTE_US))],
                {"duration_s": round(length * 60)},
            )
        start = moment = self.tb.local_day_us(day, d.uniform(900, 1200))
        spans = []
        for _ in range(int(d.uniform(12, 25))):
            on = moment + round(d.uniform(2, 10) * US)
            spans.append((moment, on))
            moment = on + round(d.uniform(3, 15) * US)
        return (
            light,
            spans,
            {"changes": 2 * len(spans), "within_s": round((spans[-1][1] - start) / US)},
        )

    # Reactions and derived sensors -------------------------------------------------------

    def _reactions(self) -> None:
        """Someone often follows a trigger (the front door opens: the hallway light goes on)."""
        d = self.d
        for reaction in self.layout.reactions:
            trigger = self.entities[reaction.trigger]
            action = self.entities[reaction.action]
            record = self._record(
                {
                    "kind": "co_occurrence",
                    "trigger": {"entity_id": reaction.trigger, "state": reaction.trigger_state},
                    "action": {"entity_id": reaction.action, "state": action.active},
                    "delay_s": reaction.delay_s,
                    "probability": reaction.probability,
                }
            )
            added: list[Interval] = []
            for item in self.merged.get(reaction.trigger, []):
                if reaction.trigger_state == trigger.active:
                    moment = item.start + item.travel_start
                    causes = item.start_causes
                else:
                    moment = item.end + item.travel_end
                    causes = item.end_causes
                if not self.tb.start_us <= moment < self.tb.end_us:
                    continue
                if not d.chance(reaction.probability):
                    continue
                start = moment + round(d.lognormal(reaction.delay_s, reaction.delay_sigma) * US)
                end = start + round(d.lognormal(*reaction.duration) * MINUTE_US)
                day = int(self.tb.day_index(np.array([start], dtype=np.int64))[0])
                # The reaction is a consequence of whatever made the trigger change.
                added.append(
                    self._person_interval(
                        action,
                        start,
                        end,
                        PRIORITY_PLANTED,
                        start_tags=((record, day, 0),),
                        causes=(causes, causes),
                    )
                )
            self.merged[action.entity_id] = resolve(
                self.merged.get(action.entity_id, []) + added, self._gap(action.entity_id)
            )

    def _derived_sensors(self) -> None:
        """Motion and presence sensors follow what people do in their areas."""
        by_area: dict[str, list[Interval]] = {}
        for entity_id, items in self.merged.items():
            area = self.entities[entity_id].home_area
            if area is not None:
                by_area.setdefault(area, []).extend(items)
        for entity in self.layout.entities:
            if entity.kind != "binary" or entity.device_class not in ("motion", "occupancy"):
                continue
            sources = sorted(
                by_area.get(entity.home_area or "", []), key=lambda i: (i.start, i.end)
            )
            if entity.device_class == "motion":
                derived = self._motion(sources)
            else:
                derived = [
                    Interval(
                        item.start - round(self.d.uniform(5, 20) * US),
                        item.end + round(self.d.uniform(30, 90) * US),
                        ORIGIN_SYSTEM,
                        ORIGIN_SYSTEM,
                        start_causes=item.start_causes,
                        end_causes=item.end_causes,
                    )
                    for item in sources
                    if item.person_start
                ]
            existing = self.merged.get(entity.entity_id, [])
            self.merged[entity.entity_id] = resolve(existing + derived, _MIN_GAP_US)

    def _motion(self, sources: list[Interval]) -> list[Interval]:
        """Return motion: when people act in the area, while they stay, and passing through."""
        d = self.d
        moments: list[int] = []
        # What made each moment's motion, for the ground truth only.
        why: list[Causes] = []
        for item in sources:
            if item.person_start:
                moments.append(item.start)
                why.append(item.start_causes)
                # Someone busy in the room (a shower, cooking) keeps re-triggering it.
                if item.end - item.start < 45 * MINUTE_US:
                    step = item.start + round(d.uniform(120, 300) * US)
                    while step < item.end:
                        moments.append(step)
                        why.append(item.start_causes)
                        step += round(d.uniform(120, 300) * US)
            if item.person_end:
                moments.append(item.end)
                why.append(item.end_causes)
        passing = self._passing(0.8)
        moments.extend(passing)
        why.extend(self._once("passing") for _ in passing)
        return [
            Interval(
                moment - round(d.uniform(0.5, 3.0) * US),
                moment + round(d.uniform(60, 120) * US),
                ORIGIN_SYSTEM,
                ORIGIN_SYSTEM,
                start_causes=causes,
                end_causes=causes,
            )
            for moment, causes in zip(moments, why, strict=True)
        ]

    def _passing(self, per_hour: float) -> list[int]:
        """Return moments someone walks through an area while anyone is at home."""
        d = self.d
        moments = []
        everyone = range(len(self.occupants))
        for day in range(self.tb.day_count):
            first = self.tb.local_day_us(day, 390.0)
            last = self.tb.local_day_us(day, 1350.0)
            for _ in range(d.count(per_hour * 16)):
                moment = first + round(d.uniform() * (last - first))
                if any(self.is_home(i, moment) for i in everyone):
                    moments.append(moment)
        return moments

    # Helpers ----------------------------------------------------------------------------

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
        return _MIN_GAP_US + (round(travel[1] * US) if travel else 0)

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


def _combined(
    a: tuple[float, float | None, float], b: tuple[float, float | None, float]
) -> tuple[float, float | None, float]:
    """Return one routine's mean times and spread covering both kinds of day."""
    end = None if a[1] is None or b[1] is None else (a[1] + b[1]) / 2
    return (a[0] + b[0]) / 2, end, max(a[2], b[2]) + abs(a[0] - b[0]) / 2


def _close(a: tuple[float, float | None, float], b: tuple[float, float | None, float]) -> bool:
    """Return whether weekday and weekend means are one habit (within 10 minutes)."""
    if (a[1] is None) != (b[1] is None):
        return False
    ends_close = a[1] is None or b[1] is None or abs(a[1] - b[1]) < 10
    return abs(a[0] - b[0]) < 10 and ends_close
