"""The occupants' days: when each wakes, leaves, comes back, eats and sleeps.

Anchors are drawn per occupant and day from their archetype (weekday or weekend and
holiday means, with jitter), then changed by what happens: a day at home, a weekend
outing, a lunch walk, a trip the whole household takes. Habits hang off these anchors.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from engine.training.synthetic.intervals import Tag
from engine.training.synthetic.model import Layout, Occupant
from engine.training.synthetic.timebase import TimeBase

ANCHOR_ORDER = (
    "wake", "leave", "work_start", "lunch", "lunch_end", "return", "work_end", "dinner",
    "evening", "sleep",
)  # fmt: skip
_WORK_ANCHORS = ("work_start", "lunch", "lunch_end", "work_end")
_EVENING_ANCHORS = ("dinner", "evening", "sleep")


class Draws:
    """Buffered draws from one numpy Generator: scalar draws in Python stay cheap."""

    def __init__(self, rng: np.random.Generator, size: int = 4096) -> None:
        self.rng = rng
        self._size = size
        self._normal = rng.standard_normal(size)
        self._uniform = rng.random(size)
        self._n = 0
        self._u = 0

    def normal(self) -> float:
        """Return a standard normal draw."""
        if self._n == self._size:
            self._normal = self.rng.standard_normal(self._size)
            self._n = 0
        value = float(self._normal[self._n])
        self._n += 1
        return value

    def uniform(self, low: float = 0.0, high: float = 1.0) -> float:
        """Return a uniform draw in [low, high)."""
        if self._u == self._size:
            self._uniform = self.rng.random(self._size)
            self._u = 0
        value = float(self._uniform[self._u])
        self._u += 1
        return low + (high - low) * value

    def chance(self, probability: float) -> bool:
        """Return True with the given probability."""
        return self.uniform() < probability

    def lognormal(self, median: float, sigma: float) -> float:
        """Return a lognormal draw with the given median."""
        return median * math.exp(sigma * self.normal()) if sigma > 0 else median

    def clipped(self, limit: float = 2.5) -> float:
        """Return a standard normal draw clipped to +-limit (no absurd outliers)."""
        return max(-limit, min(limit, self.normal()))

    def index(self, cumulative: list[float]) -> int:
        """Return an index drawn with the weights whose running sum is given."""
        return bisect_right(cumulative, self.uniform(0.0, cumulative[-1]))

    def count(self, mean: float) -> int:
        """Return a Poisson count."""
        return int(self.rng.poisson(mean))


@dataclass
class DayPlan:
    """One occupant's marks (UTC microseconds) on one local date, and their tags."""

    marks: dict[str, int] = field(default_factory=dict)
    tags: dict[str, tuple[Tag, ...]] = field(default_factory=dict)
    # Left and came back at the usual working-day times (the commute is a planted habit).
    regular_commute: bool = False


@dataclass(frozen=True)
class _Household:
    """What the household shares on a day: its status and joint plans (local minutes)."""

    workday: bool
    status: str
    joint_outing: bool
    outing: tuple[float, float]
    trip: tuple[float, float]


class DayPlanner:
    """Draws every occupant's anchors for every day of the window."""

    def __init__(self, layout: Layout, tb: TimeBase, draws: Draws) -> None:
        self.layout = layout
        self.tb = tb
        self.d = draws
        self.role_index = {occupant.role: i for i, occupant in enumerate(layout.occupants)}

    def trips(self) -> list[str]:
        """Return each day's status: normal, or part of a trip the whole household takes."""
        days = self.tb.day_count
        status = ["normal"] * days
        for _ in range(self.d.count(days / 40.0) if days >= 10 else 0):
            length = 2 + int(self.d.uniform(0, 3))
            first = 1 + int(self.d.uniform(0, max(1, days - length - 2)))
            if any(s != "normal" for s in status[max(0, first - 1) : first + length + 2]):
                continue
            status[first] = "trip_leave"
            for day in range(first + 1, first + length):
                status[day] = "trip_away"
            status[first + length] = "trip_return"
        return status

    def plan(self, status: list[str]) -> list[list[DayPlan]]:
        """Return [occupant][day] plans with every anchor as UTC microseconds."""
        d = self.d
        occupants = self.layout.occupants
        plans = [[DayPlan() for _ in self.tb.dates] for _ in occupants]
        cook = self.role_index.get(self.layout.cook or "")
        for day in range(self.tb.day_count):
            workday = bool(self.tb.workday[day])
            joint = self.layout.joint_outings and not workday and status[day] == "normal"
            household = _Household(
                workday,
                status[day],
                joint and d.chance(occupants[0].outings),
                (840.0 + 90.0 * d.clipped(), max(45.0, 180.0 + 60.0 * d.clipped())),
                (570.0 + 30.0 * d.clipped(), 1020.0 + 60.0 * d.clipped()),
            )
            day_minutes: list[dict[str, float]] = []
            for index, occupant in enumerate(occupants):
                minutes, regular = self._occupant_day(occupant, household, day_minutes)
                day_minutes.append(minutes)
                plans[index][day].regular_commute = regular
            # The family eats together, when the cook cooks.
            if cook is not None and "dinner" in day_minutes[cook]:
                for minutes in day_minutes:
                    if "dinner" in minutes:
                        minutes["dinner"] = day_minutes[cook]["dinner"]
            for index, minutes in enumerate(day_minutes):
                plans[index][day].marks = {
                    name: self.tb.local_day_us(day, value) for name, value in minutes.items()
                }
        return plans

    def _occupant_day(
        self, occupant: Occupant, household: _Household, earlier: list[dict[str, float]]
    ) -> tuple[dict[str, float], bool]:
        """Return one occupant's anchor minutes for a day, and whether the commute is regular."""
        minutes = self._drawn(occupant, household.workday)
        regular = household.workday and "leave" in minutes
        if household.workday and household.status == "normal":
            regular = self._home_or_office(occupant, minutes) and regular
        leader = self.role_index.get(occupant.leave_with or "")
        if leader is not None and "leave" in minutes and "leave" in earlier[leader]:
            minutes["leave"] = earlier[leader]["leave"]
        if household.status != "normal":
            return _trip_day(minutes, household), False
        if not household.workday and "wake" in minutes:
            self._outing(occupant, minutes, household)
        if household.workday and "lunch" in minutes and self.d.chance(occupant.lunch_walk):
            minutes["walk_leave"] = minutes["lunch"] + self.d.uniform(5, 10)
            minutes["walk_return"] = minutes["walk_leave"] + self.d.uniform(20, 35)
        _in_order(minutes)
        return minutes, regular

    def _drawn(self, occupant: Occupant, workday: bool) -> dict[str, float]:
        """Return the occupant's anchors for the kind of day, each with its jitter."""
        minutes: dict[str, float] = {}
        for name in ANCHOR_ORDER:
            anchor = occupant.anchor(name)
            mean = anchor.mean(workday) if anchor else None
            if anchor is not None and mean is not None:
                minutes[name] = mean + anchor.sd(workday) * self.d.clipped()
        return minutes

    def _home_or_office(self, occupant: Occupant, minutes: dict[str, float]) -> bool:
        """Change a working day: ill or working from home, or the remote worker commutes."""
        if "leave" in minutes and self.d.chance(occupant.home_day):
            del minutes["leave"], minutes["return"]
            return False
        if "work_start" in minutes and self.d.chance(occupant.home_day):
            for name in _WORK_ANCHORS:
                del minutes[name]
            minutes["leave"] = 470.0 + 7.0 * self.d.clipped()
            minutes["return"] = 1080.0 + 20.0 * self.d.clipped()
        return True

    def _outing(self, occupant: Occupant, minutes: dict[str, float], household: _Household) -> None:
        """Go out on a weekend or holiday afternoon (together, or each on their own)."""
        if self.layout.joint_outings:
            away = household.joint_outing
            start, length = household.outing
        else:
            away = self.d.chance(occupant.outings)
            start = 840.0 + 90.0 * self.d.clipped()
            length = max(45.0, 180.0 + 60.0 * self.d.clipped())
        latest = minutes.get("dinner", minutes.get("sleep", 1380.0)) - 30.0
        if away and minutes["wake"] + 60.0 < start and start + length < latest:
            minutes["leave"], minutes["return"] = start, start + length


def _trip_day(minutes: dict[str, float], household: _Household) -> dict[str, float]:
    """Return the anchors of a trip day: leave in the morning, away, or back for dinner."""
    if household.status == "trip_leave":
        kept = {"wake": minutes["wake"]} if "wake" in minutes else {}
        kept["leave"] = household.trip[0]
        return kept
    if household.status == "trip_return":
        kept = {name: minutes[name] for name in _EVENING_ANCHORS if name in minutes}
        kept["return"] = household.trip[1]
        return kept
    return {}


def _in_order(minutes: dict[str, float]) -> None:
    """Keep anchors at least ten minutes apart, in their natural order."""
    previous = None
    for name in ANCHOR_ORDER:
        if name in minutes:
            if previous is not None and minutes[name] < previous + 10.0:
                minutes[name] = previous + 10.0
            previous = minutes[name]
