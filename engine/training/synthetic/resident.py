"""The resident of a sensor-only home: their days as stays in rooms, and what the sensors show.

Every day is planned in local time as steps (from this minute on, the resident is busy in
the kitchen, sitting in the living room, asleep, or away); nights up, passes through the
hallway, visitors and deliveries are added on top. Stays become movements the sensors may
see (sensing.py), and those become each sensor's on spans. The routines planted on the way
(waking, breakfast, leaving for work...) are written down only when the sensors really show
them regularly enough: support is counted on what the sensors report, per planted day.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from engine.sun import sun_times
from engine.training.synthetic.days import DayPlanner, Draws
from engine.training.synthetic.household import hhmm
from engine.training.synthetic.intervals import Interval, resolve
from engine.training.synthetic.model import ORIGIN_SYSTEM, Anchor
from engine.training.synthetic.regular import Timing, regular
from engine.training.synthetic.sensing import (
    EMPTY_MINUTES,
    MINUTE_US,
    QUIET_MINUTES,
    Activity,
    IntArray,
    Window,
    arrivals,
    departures,
    first_activities,
    last_activities,
    matched,
    motion_spans,
    union_spans,
)
from engine.training.synthetic.sensor_only import Offset, ResidentHome, Sensor
from engine.training.synthetic.timebase import US, TimeBase

Doing = Literal["busy", "settled", "asleep"]
RoutineKind = Literal["first_activity", "last_activity", "departure", "arrival"]

OCCUPANT = "resident"
# Median seconds between movements of someone busy in a kind of room.
_BUSY_GAP_S = {"hallway": 6.0, "kitchen": 25.0, "bathroom": 40.0, "toilet": 30.0}
_BUSY_GAP_DEFAULT_S = 30.0
# Visitors keep the living room moving.
_COMPANY_GAP_S = 45.0
_MIN_GAP_US = 1
# A moment pushed later than this by what came before (a long outing before lunch) is no
# occurrence of its routine that day.
_DELAYED_MIN = 10.0
# An implied regularity shows on at least this many days (as in implied.py).
_IMPLIED_MIN_DAYS = 3


@dataclass(frozen=True)
class _Step:
    """From `start` (UTC microseconds) on, the resident is in an area doing something."""

    start: int
    area: str | None
    doing: Doing
    # What the resident is doing it for ("breakfast"); empty when its time means nothing.
    label: str = ""


@dataclass(frozen=True)
class _Stay:
    """A stay in one area, and whether it starts and ends with walking in or out."""

    area: str
    start: int
    end: int
    doing: Doing
    enters: bool = True
    leaves: bool = True
    # Ends by settling down to sleep in the same room (a last movement).
    settles: bool = False
    gap_s: float = 0.0
    label: str = ""


@dataclass(frozen=True)
class _RoutineSpec:
    """A planted moment that may be a routine: its kind, room, and how its time is made."""

    name: str
    kind: RoutineKind
    room: str
    anchor: str
    offset: str = ""
    sign: float = 1.0


_ROUTINES = (
    _RoutineSpec("wake", "first_activity", "bedroom", "wake"),
    _RoutineSpec("morning_bathroom", "first_activity", "bathroom", "wake", "bathroom_after_wake"),
    _RoutineSpec("breakfast", "first_activity", "kitchen", "wake", "breakfast_after_wake"),
    _RoutineSpec("departure", "departure", "hallway", "leave"),
    _RoutineSpec("arrival", "arrival", "hallway", "return"),
    _RoutineSpec("office", "first_activity", "office", "office"),
    _RoutineSpec("lunch", "first_activity", "kitchen", "lunch"),
    _RoutineSpec("nap", "first_activity", "bedroom", "nap"),
    _RoutineSpec("walk_departure", "departure", "hallway", "walk"),
    _RoutineSpec("walk_arrival", "arrival", "hallway", "walk", "walk_length"),
    _RoutineSpec("dinner", "first_activity", "kitchen", "dinner"),
    _RoutineSpec("evening", "first_activity", "living", "evening"),
    _RoutineSpec(
        "bedtime_living", "last_activity", "living", "sleep", "leave_living_before_sleep", -1.0
    ),
    _RoutineSpec("lights_out", "last_activity", "bedroom", "sleep", "reading_in_bed"),
)
# How far a sensor-seen moment may be from the planted one: (before, after) in seconds.
_TOLERANCE_S: dict[RoutineKind, tuple[float, float]] = {
    "first_activity": (60.0, 300.0),
    "last_activity": (600.0, 60.0),
    "departure": (10.0, 60.0),
    "arrival": (10.0, 60.0),
}


class _Day:
    """Collects one day's steps in local minutes, each at least a moment after the last."""

    def __init__(self, sim: ResidentSimulation, day: int) -> None:
        self.sim = sim
        self.day = day
        self.steps: list[tuple[float, str | None, Doing, str]] = []
        # What the steps started from here on are for (labels the implied truth).
        self.context = ""

    @property
    def last(self) -> float:
        """Return the minute of the latest step (-inf before the first)."""
        return self.steps[-1][0] if self.steps else -math.inf

    def go(self, minute: float, area: str | None, doing: Doing, label: str | None = None) -> float:
        """Start a step at a minute (or just after the previous one); return its minute."""
        minute = max(minute, self.last + 0.2)
        if self.steps and self.steps[-1][1:3] == (area, doing):
            return minute
        # Asleep, the movements a sensor sees come at random: their times mean nothing.
        if doing == "asleep":
            label = ""
        self.steps.append((minute, area, doing, self.context if label is None else label))
        return minute

    def mark(self, name: str, minute: float, planned: float) -> None:
        """Remember when a planted routine's moment happened, unless something delayed it."""
        if minute - planned <= _DELAYED_MIN:
            moment = self.sim.tb.local_day_us(self.day, minute)
            self.sim.planted[name].append((moment, bool(self.sim.tb.workday[self.day])))

    def stay(self, area: str, start: float, end: float) -> float:
        """Sit in an area until `end`, with short trips to the bathroom or kitchen."""
        if end <= max(start, self.last):
            return max(start, self.last)
        sim = self.sim
        d = sim.d
        minute = self.go(start, area, "settled")
        trips = [
            (rate, room)
            for rate, room in (
                (sim.p.bathroom_per_hour, sim.bathroom_for_trip()),
                (sim.p.snacks_per_hour, sim.home.rooms["kitchen"]),
            )
            if room != area
        ]
        total = sum(rate for rate, _ in trips)
        if total <= 0:
            return end
        moment = minute + 60.0 / total * -math.log(max(d.uniform(), 1e-9))
        while moment < end - 8.0:
            pick = d.uniform(0.0, total)
            room = trips[0][1] if pick < trips[0][0] else trips[-1][1]
            back = self.go(moment, room, "busy", "") + d.uniform(1.5, 5.0)
            self.go(back, area, "settled", "")
            moment = back + 60.0 / total * -math.log(max(d.uniform(), 1e-9))
        return end


class ResidentSimulation:
    """Plans the resident's days and turns them into sensor spans and measured routines."""

    def __init__(self, home: ResidentHome, tb: TimeBase, rng: np.random.Generator) -> None:
        self.home = home
        self.tb = tb
        self.rng = rng
        self.d = Draws(rng)
        self.p = home.profile
        self.window = Window(tb.start_us, tb.end_us)
        self.merged: dict[str, list[Interval]] = {}
        self.away: list[list[tuple[int, int]]] = [[]]
        # Each planted routine's moments, and whether they were planted on a working day.
        self.planted: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        self.spans: dict[str, tuple[IntArray, IntArray]] = {}
        rise, set_ = sun_times(
            tb.dates, home.layout.location["latitude"], home.layout.location["longitude"]
        )
        self.sunrise_us = [round(float(x) * US) for x in rise]
        self.sunset_us = [round(float(x) * US) for x in set_]
        self.status = DayPlanner(home.layout, tb, self.d).trips()
        self._steps: list[_Step] = []
        self._own: list[_Stay] = []
        self._extra: list[_Stay] = []
        self._door_opens: dict[str, list[int]] = defaultdict(list)

    # Plans ------------------------------------------------------------------------------

    def run(self) -> None:
        """Live every day, then let the sensors report it."""
        # Asleep since the evening before the first day.
        self._steps.append(
            _Step(self.tb.local_day_us(0, -180.0), self.home.rooms["bedroom"], "asleep")
        )
        for day in range(self.tb.day_count):
            self._day(day)
        self._nights_up()
        self._hallway_passes()
        self._away_spans()
        self._company()
        stays = self._stays()
        self._sense(stays)

    def bathroom_for_trip(self) -> str:
        """Return the bathroom or, now and then, the toilet."""
        toilet = self.home.room("toilet")
        if toilet is not None and self.d.chance(0.5):
            return toilet
        return self.home.rooms["bathroom"]

    def _anchors(self, workday: bool) -> dict[str, float]:
        """Return the day's drawn anchors, without the ones skipped today."""
        minutes = {}
        for name, anchor in self.p.anchors.items():
            mean = anchor.mean(workday)
            if mean is not None:
                minutes[name] = mean + anchor.sd(workday) * self.d.clipped()
        for name, chance in self.p.skips.items():
            if name in minutes and self.d.chance(chance):
                minutes[f"skip:{name}"] = 1.0
        return minutes

    def _offset(self, offset: Offset) -> float:
        return offset.mean + offset.sd * self.d.clipped()

    def _day(self, day: int) -> None:
        """Plan one local day, from waking (or coming back from a trip) to falling asleep."""
        status = self.status[day]
        if status == "trip_away":
            return
        rooms = self.home.rooms
        d = self.d
        workday = bool(self.tb.workday[day])
        m = self._anchors(workday)
        plan = _Day(self, day)
        if status == "trip_return":
            now = self._arrive(plan, 1020.0 + 60.0 * d.clipped(), None)
            plan.context = ""
            self._evening(plan, m, now, rooms["bedroom"])
            self._flush(plan)
            return
        commute = status == "normal" and workday and "leave" in m
        commute = commute and not d.chance(self.p.home_day)
        now = self._morning(plan, m, m["leave"] - 5.0 if commute else None)
        if status == "trip_leave":
            self._leave(plan, now, 570.0 + 30.0 * d.clipped(), None)
            self._flush(plan)
            return
        if commute:
            now = self._leave(plan, now, m["leave"], "departure")
            now = self._arrive(plan, m["return"], "arrival")
            plan.context = "after_work"
            now = plan.go(now, rooms["bedroom"], "busy") + d.uniform(2.0, 8.0)
            if d.chance(0.4):
                now = plan.go(now, rooms["kitchen"], "busy") + d.uniform(3.0, 8.0)
            room = rooms.get(self.p.before_dinner, rooms["living"])
        else:
            now, room = self._home_day(plan, m, now, workday)
        self._evening(plan, m, now, room)
        self._flush(plan)

    def _morning(self, plan: _Day, m: dict[str, float], deadline: float | None) -> float:
        """Get up, bathroom, maybe dress, breakfast; return when the morning is done."""
        rooms = self.home.rooms
        d = self.d
        plan.context = "wake"
        wake = plan.go(m["wake"], rooms["bedroom"], "busy")
        plan.mark("wake", wake, m["wake"])
        plan.context = "morning_bathroom"
        bathroom = wake + self._offset(self.p.bathroom_after_wake)
        now = plan.go(bathroom, rooms["bathroom"], "busy")
        plan.mark("morning_bathroom", now, bathroom)
        now += d.lognormal(12.0, 0.3)
        breakfast = wake + self._offset(self.p.breakfast_after_wake)
        plan.context = "dressing"
        if d.chance(0.5) and now + 8.0 < breakfast:
            now = plan.go(now, rooms["bedroom"], "busy") + d.uniform(3.0, 8.0)
        plan.context = "before_breakfast"
        late = deadline is not None and max(now, breakfast) + 10.0 > deadline
        # Running late for work: no breakfast, or a quick one.
        if "skip:breakfast" in m or (late and d.chance(0.5)):
            return now
        if breakfast > now + 1.0:
            plan.stay(rooms["living"] if d.chance(0.5) else rooms["bedroom"], now, breakfast)
        plan.context = "breakfast"
        now = plan.go(breakfast, rooms["kitchen"], "busy")
        plan.mark("breakfast", now, breakfast)
        now += d.uniform(3.0, 6.0) if late else d.lognormal(14.0, 0.3)
        eat = self.home.room(self.p.eat_at)
        if not late and eat is not None and eat != rooms["kitchen"] and d.chance(0.6):
            now = plan.go(now, eat, "settled") + d.uniform(8.0, 18.0)
        return now

    def _leave(self, plan: _Day, now: float, leave: float, name: str | None) -> float:
        """Get ready, pass the hallway and leave through the front door."""
        rooms = self.home.rooms
        d = self.d
        plan.context = name or ""
        ready = leave - d.uniform(1.0, 3.0)
        if d.chance(0.5) and now + 6.0 < ready:
            now = plan.go(now, rooms["bathroom"], "busy") + d.uniform(2.0, 5.0)
        plan.stay(rooms["living"] if d.chance(0.5) else rooms["bedroom"], now, ready)
        plan.go(ready, rooms["hallway"], "busy")
        door = plan.go(leave, None, "busy")
        if name is not None:
            plan.mark(name, door, leave)
        return door

    def _arrive(self, plan: _Day, back: float, name: str | None) -> float:
        """Come in through the front door; return when the hallway is left."""
        plan.context = name or ""
        door = plan.go(back, self.home.rooms["hallway"], "busy")
        if name is not None:
            plan.mark(name, door, back)
        return door + self.d.uniform(1.0, 3.0)

    def _home_day(
        self, plan: _Day, m: dict[str, float], now: float, workday: bool
    ) -> tuple[float, str]:
        """Spend a day at home (office hours, lunch, a nap, an outing); return time and room."""
        rooms = self.home.rooms
        d = self.d
        office = self.home.room("office")
        working = workday and "office" in m and office is not None
        options = [rooms["living"], rooms["living"], rooms["bedroom"]]
        if office is not None:
            options.append(office)
        base = options[int(d.uniform(0, len(options)))]
        agenda: list[tuple[float, str]] = []
        if working:
            agenda += [(m["office"], "office"), (1020.0 + 30.0 * d.clipped(), "office_end")]
        agenda += [
            (m[name], name)
            for name in ("lunch", "nap", "walk")
            if name in m and f"skip:{name}" not in m
        ]
        # A walk is the day's outing.
        if not working and "walk" not in m and d.chance(self.p.outing):
            agenda.append((d.uniform(600.0, 960.0), "outing"))
        room = base
        plan.context = ""
        for minute, what in sorted(agenda):
            plan.stay(room, now, minute)
            plan.context = what
            if what == "office" and office is not None:
                now = plan.go(minute, office, "settled")
                plan.mark("office", now, minute)
                room = office
            elif what == "office_end":
                room = base if base != office else rooms["living"]
                now = plan.go(minute, room, "settled")
            else:
                now = self._at_home(plan, m, minute, what, now)
        return now, room

    def _at_home(
        self, plan: _Day, m: dict[str, float], minute: float, what: str, now: float
    ) -> float:
        """Have lunch, a nap or an outing at a minute; return when it is over."""
        rooms = self.home.rooms
        d = self.d
        if what == "lunch":
            now = plan.go(minute, rooms["kitchen"], "busy")
            plan.mark("lunch", now, minute)
            now += d.lognormal(22.0, 0.3)
            eat = self.home.room(self.p.eat_at)
            if eat is not None and eat != rooms["kitchen"]:
                now = plan.go(now, eat, "settled") + d.uniform(10.0, 25.0)
        elif what == "nap":
            now = plan.go(minute, rooms["bedroom"], "settled")
            plan.mark("nap", now, minute)
            now = plan.go(now + d.uniform(3.0, 8.0), rooms["bedroom"], "asleep")
            now = plan.go(now + d.uniform(20.0, 50.0), rooms["bedroom"], "busy") + 1.0
        elif what == "walk":
            door = self._leave(plan, now, minute, "walk_departure")
            back = door + self._offset(self.p.walk_length)
            now = self._arrive(plan, back, "walk_arrival")
        else:
            back = minute + max(45.0, d.lognormal(150.0, 0.4))
            if back < m.get("dinner", 1080.0) - 30.0:
                self._leave(plan, now, minute, None)
                now = self._arrive(plan, back, None)
        return now

    def _evening(self, plan: _Day, m: dict[str, float], now: float, room: str) -> None:
        """Dinner, maybe going out, the evening in the living room, bathroom, bed."""
        rooms = self.home.rooms
        d = self.d
        if "dinner" in m and "skip:dinner" not in m:
            plan.stay(room, now, m["dinner"])
            plan.context = "dinner"
            now = plan.go(m["dinner"], rooms["kitchen"], "busy")
            plan.mark("dinner", now, m["dinner"])
            now += d.lognormal(30.0, 0.3)
            eat = self.home.room(self.p.eat_at)
            if eat is not None and eat != rooms["kitchen"]:
                now = plan.go(now, eat, "settled") + d.uniform(15.0, 30.0)
                if d.chance(0.6):
                    now = plan.go(now, rooms["kitchen"], "busy") + d.uniform(5.0, 12.0)
            else:
                now += d.uniform(15.0, 25.0)
        sleep = m["sleep"]
        leave_living = sleep - self._offset(self.p.leave_living_before_sleep)
        plan.context = "after_dinner"
        if d.chance(self.p.evening_out) and now + 200.0 < leave_living:
            out = self._leave(plan, now, now + d.uniform(5.0, 30.0), None)
            now = self._arrive(plan, out + max(60.0, d.lognormal(150.0, 0.3)), None)
            plan.context = ""
        elsewhere = rooms.get(self.p.before_dinner, rooms["bedroom"])
        if elsewhere == rooms["living"]:
            elsewhere = rooms["bedroom"]
        evening = m.get("evening")
        if evening is not None and "skip:evening" not in m and evening < leave_living - 10.0:
            plan.stay(elsewhere, now, evening)
            plan.context = "evening"
            now = plan.go(evening, rooms["living"], "settled")
            plan.mark("evening", now, evening)
            plan.stay(rooms["living"], now, leave_living)
            in_living = True
        else:
            plan.stay(elsewhere, now, leave_living)
            in_living = plan.steps[-1][1] == rooms["living"]
        plan.context = "before_bed"
        now = plan.go(leave_living, rooms["bathroom"], "busy")
        if in_living:
            plan.mark("bedtime_living", now, leave_living)
        plan.context = "bed"
        bed = plan.go(max(sleep, now + 3.0), rooms["bedroom"], "settled")
        reading = max(0.5, self._offset(self.p.reading_in_bed))
        lights_out = plan.go(bed + reading, rooms["bedroom"], "asleep")
        plan.mark("lights_out", lights_out, sleep + reading)

    def _flush(self, plan: _Day) -> None:
        """Append a planned day's steps as UTC steps."""
        for minute, area, doing, label in plan.steps:
            self._steps.append(_Step(self.tb.local_day_us(plan.day, minute), area, doing, label))

    # Additions across days ----------------------------------------------------------------

    def _nights_up(self) -> None:
        """Now and then get up at night: bathroom, sometimes a glass of water in the kitchen."""
        d = self.d
        rooms = self.home.rooms
        steps: list[_Step] = []
        for index, step in enumerate(self._steps):
            steps.append(step)
            if step.doing != "asleep" or index + 1 >= len(self._steps):
                continue
            wake = self._steps[index + 1].start
            first, last = step.start + 60 * MINUTE_US, wake - 45 * MINUTE_US
            if last <= first or not d.chance(self.p.night_up):
                continue
            for _ in range(2 if d.chance(0.25) else 1):
                moment = first + round(d.uniform() * (last - first))
                if moment <= steps[-1].start:
                    continue
                steps.append(_Step(moment, rooms["bedroom"], "busy"))
                moment += round(d.uniform(20, 60) * US)
                steps.append(_Step(moment, self.bathroom_for_trip(), "busy"))
                moment += round(d.uniform(2, 6) * MINUTE_US)
                if d.chance(0.25):
                    steps.append(_Step(moment, rooms["kitchen"], "busy"))
                    moment += round(d.uniform(1, 3) * MINUTE_US)
                steps.append(_Step(moment, rooms["bedroom"], "asleep"))
        self._steps = steps

    def _hallway_passes(self) -> None:
        """Pass the hallway now and then between rooms: seconds in it before arriving."""
        hallway = self.home.rooms["hallway"]
        d = self.d
        steps: list[_Step] = [self._steps[0]]
        for step in self._steps[1:]:
            previous = steps[-1]
            if (
                previous.area is not None
                and step.area is not None
                and hallway not in (previous.area, step.area)
                and previous.area != step.area
                and d.chance(self.p.hall_pass)
            ):
                passing = round(d.uniform(5, 20) * US)
                if step.start - passing > previous.start + US:
                    steps.append(_Step(step.start - passing, hallway, "busy", step.label))
            steps.append(step)
        self._steps = steps

    def _away_spans(self) -> None:
        """Note when the home is empty; the front door opens at every departure and return."""
        front = self.home.doors["front_door"]
        steps = self._steps
        for index, step in enumerate(steps):
            if step.area is not None:
                continue
            back = (
                steps[index + 1].start if index + 1 < len(steps) else self.tb.end_us + 86_400 * US
            )
            self.away[0].append((step.start, back))
            self._door_opens[front].append(step.start)
            if index + 1 < len(steps):
                self._door_opens[front].append(back)

    def _home_at(self, moment: int, until: int) -> bool:
        """Return whether the resident is at home for the whole of [moment, until]."""
        return not any(start < until and moment < end for start, end in self.away[0])

    def _company(self) -> None:
        """Visitors now and then (door, a busy living room, kitchen trips); deliveries."""
        d = self.d
        rooms = self.home.rooms
        front = self.home.doors["front_door"]
        for day in range(self.tb.day_count):
            if self.status[day] != "normal":
                continue
            workday = bool(self.tb.workday[day])
            if d.chance(self.p.visitors):
                local = d.uniform(1110.0, 1230.0) if workday else d.uniform(840.0, 1140.0)
                start = self.tb.local_day_us(day, local)
                end = start + round(max(45.0, d.lognormal(140.0, 0.35)) * MINUTE_US)
                if self._home_at(start, end):
                    self._visit(start, end)
            if d.chance(0.15):
                start = self.tb.local_day_us(day, d.uniform(600.0, 1140.0))
                end = start + round(d.uniform(40, 120) * US)
                if self._home_at(start, end):
                    self._extra.append(_Stay(rooms["hallway"], start, end, "busy"))
                    self._door_opens[front].append(start + round(d.uniform(10, 30) * US))

    def _visit(self, start: int, end: int) -> None:
        """Guests come in, keep the living room and kitchen busy, and leave again."""
        d = self.d
        rooms = self.home.rooms
        front = self.home.doors["front_door"]
        greet = round(d.uniform(60, 120) * US)
        self._extra.append(_Stay(rooms["hallway"], start, start + greet, "busy"))
        self._extra.append(_Stay(rooms["hallway"], end - greet, end, "busy"))
        self._door_opens[front] += [
            start + round(d.uniform(10, 40) * US),
            end - round(d.uniform(10, 40) * US),
        ]
        self._extra.append(
            _Stay(rooms["living"], start + greet, end - greet, "busy", gap_s=_COMPANY_GAP_S)
        )
        hours = (end - start) / (60 * MINUTE_US)
        for room, per_hour in ((rooms["kitchen"], 1.3), (self.bathroom_for_trip(), 0.5)):
            for _ in range(d.count(per_hour * hours)):
                moment = start + round(d.uniform() * (end - start))
                self._extra.append(
                    _Stay(room, moment, moment + round(d.uniform(2, 8) * MINUTE_US), "busy")
                )

    # Sensors -----------------------------------------------------------------------------

    def _stays(self) -> list[_Stay]:
        """Return every stay in a room, the resident's and the visitors'."""
        stays = []
        steps = self._steps
        end_of_time = self.tb.end_us + 86_400 * US
        for index, step in enumerate(steps):
            if step.area is None:
                continue
            before = steps[index - 1] if index else None
            after = steps[index + 1] if index + 1 < len(steps) else None
            stays.append(
                _Stay(
                    step.area,
                    step.start,
                    after.start if after is not None else end_of_time,
                    step.doing,
                    enters=before is None or before.area != step.area,
                    leaves=after is None or after.area != step.area,
                    settles=after is not None
                    and after.area == step.area
                    and after.doing == "asleep"
                    and step.doing != "asleep",
                    label=step.label,
                )
            )
        self._own = stays
        return stays + self._extra

    def _moments(self, stay: _Stay) -> tuple[IntArray, IntArray]:
        """Return the movements of a stay a sensor could see, and which walk in or out."""
        rng = self.rng
        length = stay.end - stay.start
        parts: list[IntArray] = []
        if stay.doing == "asleep":
            hours = length / (60 * MINUTE_US)
            count = int(rng.poisson(self.p.restless * hours))
            parts.append(stay.start + np.sort(rng.integers(0, max(1, length), count)))
        else:
            if stay.gap_s:
                gap = stay.gap_s
            elif stay.doing == "busy":
                gap = _BUSY_GAP_S.get(self._room_kind(stay.area), _BUSY_GAP_DEFAULT_S)
            else:
                gap = self.p.settled_gap_s
            sigma = 0.8 if stay.doing == "busy" else 0.7
            moment = stay.start
            while moment < stay.end:
                size = int(length / (gap * US) * 1.2) + 4
                steps = np.round(gap * US * np.exp(sigma * rng.standard_normal(size)))
                times = moment + np.cumsum(steps.astype(np.int64))
                parts.append(times[times < stay.end])
                moment = int(times[-1])
        inside = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        edges = []
        if stay.enters:
            edges.append(stay.start + round(float(rng.uniform(0.3, 2.0)) * US))
        if stay.leaves:
            edges.append(stay.end - round(float(rng.uniform(0.2, 3.0)) * US))
        if stay.settles:
            edges.append(stay.end - round(float(rng.uniform(0.0, 30.0)) * US))
        edge_times = np.array(edges, dtype=np.int64)
        times = np.concatenate([inside, edge_times])
        flags = np.concatenate(
            [np.zeros(len(inside), dtype=np.int64), np.ones(len(edges), dtype=np.int64)]
        )
        return times, flags

    def _room_kind(self, area: str) -> str:
        """Return which kind of room an area is ("kitchen")."""
        for kind, area_id in self.home.rooms.items():
            if area_id == area:
                return kind
        return ""

    def _sense(self, stays: list[_Stay]) -> None:
        """Turn the stays into every sensor's on spans and intervals."""
        by_area: dict[str, list[_Stay]] = defaultdict(list)
        for stay in stays:
            by_area[stay.area].append(stay)
        moments: dict[str, tuple[IntArray, IntArray]] = {}
        for area, items in by_area.items():
            parts = [self._moments(stay) for stay in items]
            moments[area] = (
                np.concatenate([times for times, _ in parts]),
                np.concatenate([flags for _, flags in parts]),
            )
        for sensor in self.home.sensors:
            if sensor.kind == "motion":
                spans = self._motion(sensor, moments.get(sensor.area))
            elif sensor.kind == "occupancy":
                spans = self._presence(sensor, by_area.get(sensor.area, []))
            else:
                spans = self._door(sensor, by_area.get(sensor.area, []))
            self.spans[sensor.entity_id] = spans
            self.merged[sensor.entity_id] = [
                Interval(start, end, ORIGIN_SYSTEM, ORIGIN_SYSTEM)
                for start, end in zip(map(int, spans[0]), map(int, spans[1]), strict=True)
            ]

    def _motion(
        self, sensor: Sensor, seen: tuple[IntArray, IntArray] | None
    ) -> tuple[IntArray, IntArray]:
        """Return a motion sensor's spans: what it sees, plus spurious detections."""
        rng = self.rng
        parts = []
        if seen is not None:
            times, flags = seen
            chance = np.where(flags == 1, sensor.edge, sensor.inside)
            picked = times[rng.random(len(times)) < chance]
            latency = np.round(rng.uniform(0.1, 1.2, len(picked)) * US).astype(np.int64)
            parts.append(picked + latency)
        count = int(rng.poisson(sensor.false_per_day * self.tb.day_count))
        parts.append(rng.integers(self.tb.start_us, self.tb.end_us, count))
        moments = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        return motion_spans(moments, round(sensor.timeout_s * US))

    def _presence(self, sensor: Sensor, stays: list[_Stay]) -> tuple[IntArray, IntArray]:
        """Return a presence sensor's spans: on while someone is there, with dropouts."""
        d = self.d
        hold = round(sensor.timeout_s * US)
        starts = np.array([s.start + round(d.uniform(1, 3) * US) for s in stays], dtype=np.int64)
        ends = np.array([s.end + hold for s in stays], dtype=np.int64)
        # A person asleep under a presence sensor keeps it on too; a stay only counts once.
        merged_starts, merged_ends = union_spans(starts, ends)
        on: list[int] = []
        off: list[int] = []
        for start, end in zip(map(int, merged_starts), map(int, merged_ends), strict=True):
            hours = (end - start) / (60 * MINUTE_US)
            cuts = sorted(
                start + round(d.uniform() * (end - start))
                for _ in range(d.count(sensor.dropouts_per_hour * hours))
            )
            current = start
            for cut in cuts:
                back = cut + round(d.uniform(3, 30) * US)
                if cut > current + US and back < end - US:
                    on.append(current)
                    off.append(cut)
                    current = back
            on.append(current)
            off.append(end)
        return np.array(on, dtype=np.int64), np.array(off, dtype=np.int64)

    def _door(self, sensor: Sensor, stays: list[_Stay]) -> tuple[IntArray, IntArray]:
        """Return a door contact's open spans (front, back, bathroom or fridge door)."""
        d = self.d
        opens: list[tuple[int, int]] = []
        if sensor.role == "front_door":
            opens += [
                (moment, moment + round(d.uniform(4, 20) * US))
                for moment in self._door_opens[sensor.entity_id]
            ]
        for stay in stays:
            length = stay.end - stay.start
            if sensor.role == "bathroom_door":
                # Kept closed: opened to go in and to come out.
                if stay.enters:
                    opens.append((stay.start, stay.start + round(d.uniform(2, 6) * US)))
                if stay.leaves and length > 20 * US:
                    out = stay.end - round(d.uniform(4, 10) * US)
                    opens.append((out, out + round(d.uniform(2, 4) * US)))
            elif sensor.role == "fridge_door" and stay.doing == "busy":
                for _ in range(d.count(0.5 + length / (8 * MINUTE_US))):
                    moment = stay.start + round(d.uniform() * length)
                    opens.append((moment, moment + round(d.uniform(4, 45) * US)))
            elif sensor.role == "back_door" and length > 5 * MINUTE_US and d.chance(0.08):
                moment = stay.start + round(d.uniform() * (length - 4 * MINUTE_US))
                opens.append((moment, moment + round(d.uniform(10, 180) * US)))
        items = resolve(
            [Interval(start, end, ORIGIN_SYSTEM, ORIGIN_SYSTEM) for start, end in opens],
            _MIN_GAP_US,
        )
        return (
            np.array([item.start for item in items], dtype=np.int64),
            np.array([item.end for item in items], dtype=np.int64),
        )

    # Ground truth ------------------------------------------------------------------------

    def routines(self) -> list[dict[str, Any]]:
        """Return the planted routines the sensors show regularly enough, with their support."""
        by_area: dict[str, list[tuple[IntArray, IntArray]]] = defaultdict(list)
        for sensor in self.home.sensors:
            by_area[sensor.area].append(self.spans[sensor.entity_id])
        home = Activity.of(list(self.spans.values()), self.window)
        front = self.home.doors["front_door"]
        door_ons = self.spans[front][0]
        door_ons = door_ons[(door_ons >= self.window.start) & (door_ons < self.window.end)]
        quiet = QUIET_MINUTES * MINUTE_US
        empty = EMPTY_MINUTES * MINUTE_US
        days = {True: int(self.tb.workday.sum()), False: int((~self.tb.workday).sum())}
        records: list[dict[str, Any]] = []
        for spec in _ROUTINES:
            area = self.home.room(spec.room)
            planted = sorted(self.planted.get(spec.name, []))
            timings = self._timings(spec)
            if area is None or not planted or not timings:
                continue
            if spec.kind == "departure":
                found = departures(door_ons, home.ons, self.window, empty)
            elif spec.kind == "arrival":
                found = arrivals(door_ons, home.ons, self.window, empty)
            else:
                activity = Activity.of(by_area[area], self.window)
                if spec.kind == "first_activity":
                    found = first_activities(activity, self.window, quiet)
                else:
                    found = last_activities(activity, self.window, quiet)
            early, late = _TOLERANCE_S[spec.kind]
            shown: dict[bool, set[int]] = {}
            for kind in (True, False):
                moments = np.array([m for m, work in planted if work == kind], dtype=np.int64)
                hit = matched(moments, found, round(early * US), round(late * US))
                # A day is the local date of what the sensors show (a bedtime may pass
                # midnight); a weekend's late night on a Monday belongs to neither kind.
                shown[kind] = {
                    day
                    for day in map(int, self.tb.day_index(hit))
                    if bool(self.tb.workday[day]) == kind
                }
            support = {kind: len(shown[kind]) for kind in (True, False)}
            for found_routine in regular(timings, support, days):
                door = spec.kind in ("departure", "arrival")
                records.append(
                    {
                        "kind": "routine",
                        "routine_kind": spec.kind,
                        "area_id": area,
                        "entity_id": front if door else self._sole_sensor(area),
                        "state": "on",
                        "time": hhmm(found_routine.mean),
                        "spread_minutes": found_routine.spread,
                        "days": found_routine.days,
                        "quiet_minutes": EMPTY_MINUTES if door else QUIET_MINUTES,
                        "occupant": OCCUPANT,
                        "name": spec.name,
                        "support_days": found_routine.support,
                    }
                )
        return records

    def implied(self) -> list[dict[str, Any]]:
        """Return what the sensors show regularly because of the resident's plan."""
        # Every first and last activity, departure and arrival is traced to the stay it
        # belongs to; stays planned for a purpose at a meaningful time (breakfast, the
        # hallway on the way to it, bed) make a time per area, purpose and kind of day.
        # Snack trips, nights up, visitors and spurious detections have no such time.
        found: dict[tuple[str, str, str, bool], list[tuple[int, float, str]]] = defaultdict(list)
        # The front door opens as the resident's absence begins.
        leaving = {step.start: step.label for step in self._steps if step.area is None}
        for kind, area, moments in self._found_activities():
            stays = sorted((s for s in self._own if s.area == area), key=lambda s: s.start)
            starts = [s.start for s in stays]
            times = np.array([moment for moment, _ in moments], dtype=np.int64)
            day_of = map(int, self.tb.day_index(times))
            minute_of = map(float, self.tb.seconds_of_day(times) / 60.0)
            for (moment, entity_id), day, minute in zip(moments, day_of, minute_of, strict=True):
                if kind == "departure":
                    label = leaving.get(moment, "")
                else:
                    label = _label_at(stays, starts, moment)
                if label:
                    key = (kind, area, label, bool(self.tb.workday[day]))
                    found[key].append((day, minute, entity_id))
        records = []
        for (kind, area, label, workday), rows in sorted(found.items()):
            days = {day for day, _, _ in rows}
            if len(days) < _IMPLIED_MIN_DAYS:
                continue
            mean, spread = _circular([minute for _, minute, _ in rows])
            entities = [entity_id for _, _, entity_id in rows]
            records.append(
                {
                    "kind": "time_of_day",
                    "entity_id": max(sorted(set(entities)), key=entities.count),
                    "state": "on",
                    "time": hhmm(mean),
                    "days": "weekdays" if workday else "weekends",
                    "spread_minutes": round(spread, 1),
                    "support_days": len(days),
                    "source": f"{kind}:{label}",
                    "area_id": area,
                }
            )
        return records

    def _found_activities(self) -> list[tuple[str, str, list[tuple[int, str]]]]:
        """Return (kind, area, [(moment, sensor)]) of every activity the sensors show."""
        quiet = QUIET_MINUTES * MINUTE_US
        empty = EMPTY_MINUTES * MINUTE_US
        result = []
        for area in sorted({sensor.area for sensor in self.home.sensors}):
            sensors = [s for s in self.home.sensors if s.area == area]
            activity = Activity.of([self.spans[s.entity_id] for s in sensors], self.window)
            owner = _owners([(s.entity_id, self.spans[s.entity_id][0]) for s in sensors])
            for kind, moments in (
                ("first_activity", first_activities(activity, self.window, quiet)),
                ("last_activity", last_activities(activity, self.window, quiet)),
            ):
                result.append((kind, area, [(int(m), owner[int(m)]) for m in moments]))
        front = self.home.doors["front_door"]
        door_ons = self.spans[front][0]
        door_ons = door_ons[(door_ons >= self.window.start) & (door_ons < self.window.end)]
        home = Activity.of(list(self.spans.values()), self.window)
        hallway = self.home.rooms["hallway"]
        for kind, moments in (
            ("departure", departures(door_ons, home.ons, self.window, empty)),
            ("arrival", arrivals(door_ons, home.ons, self.window, empty)),
        ):
            result.append((kind, hallway, [(int(m), front) for m in moments]))
        return result

    def _timings(self, spec: _RoutineSpec) -> dict[bool, Timing]:
        """Return the planted mean and spread of a routine per kind of day."""
        anchor: Anchor | None = self.p.anchors.get(spec.anchor)
        if anchor is None:
            return {}
        offset = getattr(self.p, spec.offset) if spec.offset else Offset(0.0, 0.0)
        timings = {}
        for workday in (True, False):
            mean = anchor.mean(workday)
            if mean is not None:
                timings[workday] = Timing(
                    mean + spec.sign * offset.mean, math.hypot(anchor.sd(workday), offset.sd)
                )
        return timings

    def _sole_sensor(self, area: str) -> str | None:
        """Return an area's motion or presence sensor when it has exactly one."""
        sensors = [s.entity_id for s in self.home.sensors if s.area == area and s.kind != "door"]
        return sensors[0] if len(sensors) == 1 else None


def _label_at(stays: list[_Stay], starts: list[int], moment: int) -> str:
    """Return the label of the resident's stay a sensor-seen moment belongs to."""
    index = bisect_right(starts, moment) - 1
    if index < 0:
        return ""
    stay = stays[index]
    return stay.label if moment <= stay.end + 5 * US else ""


def _owners(sensors: list[tuple[str, IntArray]]) -> dict[int, str]:
    """Return which sensor turned on at each on moment (the first listed on a tie)."""
    owners: dict[int, str] = {}
    for entity_id, ons in sensors:
        for moment in map(int, ons):
            owners.setdefault(moment, entity_id)
    return owners


def _circular(minutes: list[float]) -> tuple[float, float]:
    """Return the circular mean and spread (minutes) of local times of day."""
    angles = np.array(minutes) * (2 * math.pi / 1440)
    s, c = float(np.sin(angles).mean()), float(np.cos(angles).mean())
    mean = (math.atan2(s, c) * 1440 / (2 * math.pi)) % 1440
    resultant = max(min(1.0, math.hypot(s, c)), 1e-12)
    return mean, math.sqrt(-2 * math.log(resultant)) * 1440 / (2 * math.pi)
