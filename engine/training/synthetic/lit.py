"""A motion-lit home's lights: rooms people walk into, the lights that follow, sunset habits.

Runs after the ordinary simulation: people's days are known (wake, leave, return, dinner,
sleep), so visits to the motion-lit rooms, door openings and the sunset habit hang off them.
The motion sensors report the visits like real ones (sensing.py); the lights follow them
the way a motion-light automation does: on a few seconds after motion starts while the
light is off (if the room's condition holds), off a fixed time after the sensor last
cleared, unless motion returns first. Support counts the days a light really followed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.training.synthetic.chatter import Environment, daylight, daylight_lux
from engine.training.synthetic.days import Draws
from engine.training.synthetic.household import HOUR_US, MINUTE_US, hhmm
from engine.training.synthetic.intervals import PRIORITY_PLANTED, Interval, resolve
from engine.training.synthetic.model import ORIGIN_MANUAL, ORIGIN_SYSTEM, Layout
from engine.training.synthetic.motion_lit import (
    DoorKind,
    DoorLight,
    LitPlan,
    MotionLight,
    RoomKind,
    SunHabit,
    When,
)
from engine.training.synthetic.sensing import IntArray, motion_spans
from engine.training.synthetic.simulate import Simulation
from engine.training.synthetic.timebase import US

_MIN_GAP_US = 1


@dataclass(frozen=True)
class _Visits:
    """How people come into a kind of room: around marks of their day, and now and then."""

    # (mark, earliest and latest minutes after it, median seconds inside)
    marks: tuple[tuple[str, float, float, float], ...] = ()
    per_hour: float = 0.0
    # Median seconds of a visit now and then, and its lognormal sigma.
    length: tuple[float, float] = (30.0, 0.4)
    # Passed on the way out and in (the driver's, for the garage).
    moves: bool = False
    nights: bool = False


_VISITS: dict[RoomKind, _Visits] = {
    "hallway": _Visits(per_hour=0.5, length=(25.0, 0.4), moves=True),
    "landing": _Visits(
        (("wake", 1.0, 4.0, 20.0), ("sleep", -10.0, -2.0, 20.0)), 0.4, (20.0, 0.3), nights=True
    ),
    "bathroom": _Visits(
        (("wake", 2.0, 6.0, 720.0), ("sleep", -25.0, -12.0, 420.0)),
        0.2,
        (300.0, 0.5),
        nights=True,
    ),
    "toilet": _Visits(per_hour=0.3, length=(180.0, 0.4), nights=True),
    "kitchen": _Visits(
        (("wake", 15.0, 30.0, 1080.0), ("dinner", -45.0, -30.0, 2400.0)), 0.3, (300.0, 0.6)
    ),
    "garage": _Visits(per_hour=0.05, length=(420.0, 0.5), moves=True),
}
# Door openings: (mark, earliest and latest minutes after it, chance) and openings per hour.
_OPENINGS: dict[DoorKind, tuple[tuple[tuple[str, float, float, float], ...], float]] = {
    "closet": ((("wake", 5.0, 20.0, 0.8), ("sleep", -30.0, -10.0, 0.6)), 0.1),
    "pantry": ((("wake", 15.0, 30.0, 0.5), ("dinner", -40.0, -20.0, 0.7)), 0.15),
    "garage_entry": ((), 0.05),
}
_OPEN_S: dict[DoorKind, tuple[float, float]] = {
    "closet": (10.0, 90.0),
    "pantry": (5.0, 40.0),
    "garage_entry": (5.0, 15.0),
}


class LitPass:
    """Adds motion lights, door lights and the sunset habit to a simulated home."""

    def __init__(
        self,
        plan: LitPlan,
        layout: Layout,
        sim: Simulation,
        env: Environment,
        rng: np.random.Generator,
    ) -> None:
        self.plan = plan
        self.layout = layout
        self.sim = sim
        self.tb = sim.tb
        self.env = env
        self.rng = rng
        self.d = Draws(rng)
        self._nights = self._nights_up()

    def run(self) -> list[dict[str, Any]]:
        """Add every interval to the simulation; return the ground truth of what was added."""
        records = [self._motion_light(light) for light in self.plan.motion_lights]
        records += [self._door_light(light) for light in self.plan.door_lights]
        if self.plan.sun_habit is not None:
            records += self._sun_habit(self.plan.sun_habit)
        return records

    # People in rooms ----------------------------------------------------------------------

    def _awake(self, occupant: int, day: int) -> tuple[int, int] | None:
        marks = self.sim.plans[occupant][day].marks
        wake, sleep = marks.get("wake"), marks.get("sleep")
        return (wake, sleep) if wake is not None and sleep is not None else None

    def _random_moments(self, per_hour: float) -> list[tuple[int, int]]:
        """Return (occupant, moment) now and then while each is at home and awake."""
        found = []
        for index in range(len(self.sim.occupants)):
            for day in range(self.tb.day_count):
                awake = self._awake(index, day)
                if awake is None:
                    continue
                first, last = awake
                for _ in range(self.d.count(per_hour * (last - first) / HOUR_US)):
                    moment = first + round(self.d.uniform() * (last - first))
                    if self.sim.is_home(index, moment):
                        found.append((index, moment))
        return found

    def _nights_up(self) -> list[tuple[int, int, int]]:
        """Return (occupant, start, end) of getting up at night for the bathroom."""
        found = []
        for index in range(len(self.sim.occupants)):
            for day in range(self.tb.day_count - 1):
                sleep = self.sim.plans[index][day].marks.get("sleep")
                wake = self.sim.plans[index][day + 1].marks.get("wake")
                if sleep is None or wake is None or not self.d.chance(0.2):
                    continue
                first, last = sleep + HOUR_US, wake - 45 * MINUTE_US
                if last > first:
                    start = first + round(self.d.uniform() * (last - first))
                    found.append((index, start, start + round(self.d.uniform(2, 5) * MINUTE_US)))
        return found

    def _visits(self, room: RoomKind) -> list[tuple[int, int]]:
        """Return the (start, end) of every visit to a kind of room."""
        spec = _VISITS[room]
        d = self.d
        visits = []
        for index in range(len(self.sim.occupants)):
            for plan in self.sim.plans[index]:
                for mark, low, high, seconds in spec.marks:
                    if mark not in plan.marks:
                        continue
                    start = plan.marks[mark] + round(d.uniform(low, high) * MINUTE_US)
                    if self.sim.is_home(index, start):
                        visits.append((start, start + round(d.lognormal(seconds, 0.3) * US)))
            driver = self.sim.occupants[index].role == self.plan.driver
            if spec.moves and (room != "garage" or driver):
                for leave, back in self.sim.away[index]:
                    visits.append((leave - round(d.uniform(20, 90) * US), leave + 2 * US))
                    visits.append((back, back + round(d.uniform(15, 60) * US)))
        for _, moment in self._random_moments(spec.per_hour):
            visits.append((moment, moment + round(d.lognormal(*spec.length) * US)))
        if spec.nights:
            for _, start, end in self._nights:
                if room == "landing":
                    visits += [(start - 20 * US, start), (end, end + 20 * US)]
                elif room == self._night_room():
                    visits.append((start, end))
        return visits

    def _night_room(self) -> RoomKind | None:
        """Return where people go at night: a motion-lit toilet, else the bathroom if lit."""
        rooms = {light.room for light in self.plan.motion_lights}
        for room in ("toilet", "bathroom"):
            if room in rooms:
                return room
        return None

    def _moments(self, visits: list[tuple[int, int]]) -> tuple[IntArray, IntArray]:
        """Return movements inside visits (walking in and out, moving about) and edge flags."""
        rng = self.rng
        if not visits:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        starts = np.array([start for start, _ in visits], dtype=np.int64)
        ends = np.maximum(np.array([end for _, end in visits], dtype=np.int64), starts + US)
        enter = starts + np.round(rng.uniform(0.3, 2.0, len(starts)) * US).astype(np.int64)
        leave = ends - np.round(rng.uniform(0.0, 2.0, len(ends)) * US).astype(np.int64)
        # Someone busy in a room moves every 20 seconds or so.
        counts = ((ends - starts) // (20 * US)).astype(np.int64)
        first = np.repeat(starts, counts)
        length = np.repeat(ends - starts, counts)
        inside = first + (rng.random(len(first)) * length).astype(np.int64)
        times = np.concatenate([enter, leave, inside])
        flags = np.concatenate(
            [np.ones(2 * len(starts), dtype=np.int64), np.zeros(len(inside), dtype=np.int64)]
        )
        return times, flags

    # Motion lights ------------------------------------------------------------------------

    def _motion_light(self, light: MotionLight) -> dict[str, Any]:
        """Let a room's sensor report its visits and the light follow; return its truth."""
        rng = self.rng
        times, flags = self._moments(self._visits(light.room))
        seen = times[rng.random(len(times)) < np.where(flags == 1, 0.97, 0.85)]
        seen = seen + np.round(rng.uniform(0.1, 1.0, len(seen)) * US).astype(np.int64)
        false = rng.integers(
            self.tb.start_us, self.tb.end_us, int(rng.poisson(0.05 * self.tb.day_count))
        )
        starts, ends = motion_spans(
            np.sort(np.concatenate([seen, false])), round(light.timeout_s * US)
        )
        self.sim.merged[light.sensor] = [
            Interval(start, end, ORIGIN_SYSTEM, ORIGIN_SYSTEM)
            for start, end in zip(map(int, starts), map(int, ends), strict=True)
        ]
        allowed = self._holds(light.when, starts)
        origin = ORIGIN_SYSTEM if light.origin == "system" else ORIGIN_MANUAL
        items: list[Interval] = []
        days: set[int] = set()
        off_at = -1
        for start, end, ok in zip(
            map(int, starts), map(int, ends), map(bool, allowed), strict=True
        ):
            if items and start <= off_at:
                # Motion came back before the light went off: it stays on.
                off_at = end + self._off_after(light.off_after_s)
                items[-1].end = off_at
                continue
            if not ok or not self.d.chance(light.probability):
                continue
            on = start + round(min(10.0, max(1.0, self.d.lognormal(light.delay_s, 0.25))) * US)
            off_at = end + self._off_after(light.off_after_s)
            items.append(Interval(on, off_at, origin, origin, PRIORITY_PLANTED))
            if self.tb.start_us <= on < self.tb.end_us:
                days.add(self._day(on))
        self._merge(light.action, items)
        return _light_truth(light, light.sensor, "motion_light", len(days))

    def _off_after(self, seconds: float) -> int:
        """Return a controller's off delay: the set time, a little jitter, its latency."""
        jitter = 1.0 + 0.02 * self.d.clipped()
        return round((seconds * jitter + self.d.uniform(0.2, 1.5)) * US)

    def _day(self, moment: int) -> int:
        return int(self.tb.day_index(np.array([moment], dtype=np.int64))[0])

    def _holds(self, when: When, moments: IntArray) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Return whether a light's condition holds at each moment."""
        if when.kind == "sun_below_horizon":
            days = self.tb.day_index(moments)
            rise = np.array(self.sim.sunrise_us, dtype=np.int64)[days]
            set_ = np.array(self.sim.sunset_us, dtype=np.int64)[days]
            dark: np.ndarray[Any, np.dtype[np.bool_]] = (moments < rise) | (moments > set_)
            return dark
        if when.kind == "illuminance_below":
            lux = daylight_lux(
                when.peak_lx, daylight(self.sim, moments), self.env.cloud_at(moments)
            )
            below: np.ndarray[Any, np.dtype[np.bool_]] = lux < when.below_lx
            return below
        if when.kind == "time_window":
            minutes = self.tb.seconds_of_day(moments) / 60.0
            inside: np.ndarray[Any, np.dtype[np.bool_]] = (minutes >= when.after_min) | (
                minutes < when.before_min
            )
            return inside
        return np.ones(len(moments), dtype=bool)

    def _merge(self, entity_id: str, items: list[Interval]) -> None:
        """Add intervals to an entity's resolved ones (anything planted before still wins)."""
        self.sim.merged[entity_id] = resolve(
            self.sim.merged.get(entity_id, []) + items, _MIN_GAP_US
        )

    # Door lights ---------------------------------------------------------------------------

    def _openings(self, light: DoorLight) -> list[int]:
        """Return when a door opens (and add its open spans, unless it is the front door)."""
        if light.door_kind == "front":
            return [item.start for item in self.sim.merged.get(light.door, [])]
        d = self.d
        marks, per_hour = _OPENINGS[light.door_kind]
        moments = [moment for _, moment in self._random_moments(per_hour)]
        for index in range(len(self.sim.occupants)):
            for plan in self.sim.plans[index]:
                for mark, low, high, chance in marks:
                    if mark in plan.marks and d.chance(chance):
                        moment = plan.marks[mark] + round(d.uniform(low, high) * MINUTE_US)
                        if self.sim.is_home(index, moment):
                            moments.append(moment)
            if (
                light.door_kind == "garage_entry"
                and self.sim.occupants[index].role == self.plan.driver
            ):
                for leave, back in self.sim.away[index]:
                    moments += [
                        leave - round(d.uniform(10, 30) * US),
                        back + round(d.uniform(30, 90) * US),
                    ]
        moments.sort()
        low, high = _OPEN_S[light.door_kind]
        self._merge(
            light.door,
            [
                Interval(
                    moment, moment + round(d.uniform(low, high) * US), ORIGIN_SYSTEM, ORIGIN_SYSTEM
                )
                for moment in moments
            ],
        )
        return [item.start for item in self.sim.merged[light.door]]

    def _door_light(self, light: DoorLight) -> dict[str, Any]:
        """Let a door's openings switch its light for some minutes; return its truth."""
        openings = np.array(self._openings(light), dtype=np.int64)
        allowed = self._holds(light.when, openings)
        origin = ORIGIN_SYSTEM if light.origin == "system" else ORIGIN_MANUAL
        items: list[Interval] = []
        days: set[int] = set()
        off_at = -1
        for moment, ok in zip(map(int, openings), map(bool, allowed), strict=True):
            if items and moment <= off_at:
                # Opened again while lit: the timer starts over.
                off_at = moment + self._off_after(light.off_after_s)
                items[-1].end = off_at
                continue
            if not ok or not self.d.chance(light.probability):
                continue
            on = moment + round(min(10.0, max(0.5, self.d.lognormal(light.delay_s, 0.25))) * US)
            off_at = moment + self._off_after(light.off_after_s)
            items.append(Interval(on, off_at, origin, origin, PRIORITY_PLANTED))
            if self.tb.start_us <= on < self.tb.end_us:
                days.add(self._day(on))
        self._merge(light.action, items)
        return _light_truth(light, light.door, "door_light", len(days))

    # The sunset habit ----------------------------------------------------------------------

    def _sun_habit(self, habit: SunHabit) -> list[dict[str, Any]]:
        """Switch something at sunset plus an offset when its person is home and awake."""
        d = self.d
        index = next(i for i, o in enumerate(self.sim.occupants) if o.role == habit.occupant)
        entity = self.layout.by_id[habit.entity]
        items: list[Interval] = []
        days: set[int] = set()
        for day in range(self.tb.day_count):
            awake = self._awake(index, day)
            moment = self.sim.sunset_us[day] + round(
                (habit.offset_min + habit.sd_min * d.clipped()) * MINUTE_US
            )
            if awake is None or d.chance(habit.skip):
                continue
            wake, sleep = awake
            if not (wake < moment < sleep - 30 * MINUTE_US and self.sim.is_home(index, moment)):
                continue
            end = self._until(index, day, sleep, until_morning=habit.until_morning)
            if end > moment + 10 * MINUTE_US:
                items.append(self._by_hand(entity.physical, moment, end))
                if self.tb.start_us <= moment < self.tb.end_us:
                    days.add(day)
        self._merge(habit.entity, items)
        local = [
            float(self.tb.seconds_of_day(np.array([moment], dtype=np.int64))[0]) / 60.0
            for moment in self.sim.sunset_us
        ]
        mean = float(np.mean(local)) + habit.offset_min
        spread = math.hypot(habit.sd_min, float(np.std(local)))
        if len(days) < 0.5 * self.tb.day_count or spread >= 45.0:
            return []
        return [
            {
                "kind": "time_of_day",
                "entity_id": habit.entity,
                "state": entity.active,
                "time": hhmm(mean),
                "spread_minutes": round(spread, 1),
                "days": "all",
                "occupant": habit.occupant,
                "origin": "system" if entity.physical > 0.5 else "manual",
                "sun": "sunset",
                "offset_minutes": round(habit.offset_min),
                "support_days": len(days),
            }
        ]

    def _until(self, index: int, day: int, sleep: int, *, until_morning: bool) -> int:
        """Return when the sunset habit ends: at bedtime, or (curtains) the next morning."""
        d = self.d
        if not until_morning:
            return sleep - round(d.uniform(5, 15) * MINUTE_US)
        if day + 1 < self.tb.day_count:
            marks = self.sim.plans[index][day + 1].marks
            morning = marks.get("wake", marks.get("return"))
            if morning is not None:
                return morning + round(d.uniform(5, 20) * MINUTE_US)
        return self.tb.local_day_us(day, 540.0 + 1440.0)

    def _by_hand(self, physical: float, start: int, end: int) -> Interval:
        """Return an interval a person makes (a wall switch reports origin system)."""
        d = self.d
        first = ORIGIN_SYSTEM if d.chance(physical) else ORIGIN_MANUAL
        last = ORIGIN_SYSTEM if d.chance(physical) else ORIGIN_MANUAL
        travel = round(d.uniform(15, 30) * US)
        return Interval(
            start,
            end,
            first,
            last,
            PRIORITY_PLANTED,
            person_start=True,
            person_end=True,
            travel_start=travel,
            travel_end=travel,
        )


def _condition(when: When) -> dict[str, Any]:
    """Return a light's condition as ground truth, with what it depends on."""
    extra: dict[str, Any] = {"condition": when.kind}
    if when.kind == "illuminance_below":
        extra["illuminance_entity_id"] = when.sensor
        extra["below_lx"] = when.below_lx
    elif when.kind == "time_window":
        extra["after"] = hhmm(when.after_min)
        extra["before"] = hhmm(when.before_min)
    return extra


def _light_truth(
    light: MotionLight | DoorLight, trigger: str, idiom: str, support_days: int
) -> dict[str, Any]:
    """Return the ground truth of a planted motion or door light."""
    return {
        "kind": "co_occurrence",
        "trigger": {"entity_id": trigger, "state": "on"},
        "action": {"entity_id": light.action, "state": "on"},
        "delay_s": light.delay_s,
        "probability": light.probability,
        "idiom": idiom,
        "off_after_s": round(light.off_after_s),
        **_condition(light.when),
        "origin": light.origin,
        "support_days": support_days,
    }
