"""When a planted moment is regular enough to be written down as a routine, and for which days.

A person reading the log calls something a routine when it shows on at least about half the
days of its kind, within a spread well under an hour. Working days and weekends are one
routine when their times agree within 20 minutes; otherwise each kind that qualifies is a
routine of its own. Moments that can cross midnight only qualify for all days at once: the
kind of day they belong to is not clear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from engine.training.synthetic.model import HABIT_EARLIEST_MIN, HABIT_LATEST_MIN

DayLabel = Literal["all", "weekdays", "weekends"]

MIN_SHARE = 0.5
MAX_SPREAD_MIN = 45.0
SAME_WITHIN_MIN = 20.0
# Daily draws are clipped at 2.5 standard deviations, so a moment whose mean is this many
# spreads inside the day never leaves it.
_SPREADS_INSIDE = 2.5


@dataclass(frozen=True)
class Timing:
    """The planted mean (local minutes, may pass 1440) and spread of a moment on a kind of day."""

    mean: float
    spread: float


@dataclass(frozen=True)
class Regular:
    """A routine worth recording: its days, planted time and spread, and its support."""

    days: DayLabel
    mean: float
    spread: float
    support: int


def _inside_day(timing: Timing) -> bool:
    """Return whether a moment stays inside one local day (its kind of day is clear)."""
    return (
        timing.mean - _SPREADS_INSIDE * timing.spread >= HABIT_EARLIEST_MIN
        and timing.mean + _SPREADS_INSIDE * timing.spread <= HABIT_LATEST_MIN
    )


def circular_gap(a: float, b: float) -> float:
    """Return the distance in minutes between two local times of day."""
    diff = abs(a - b) % 1440.0
    return min(diff, 1440.0 - diff)


def regular(
    timings: dict[bool, Timing], support: dict[bool, int], days: dict[bool, int]
) -> list[Regular]:
    """Return the routines a moment makes, keyed by working day (True) or not (False)."""
    both = [True, False]
    if all(kind in timings for kind in both):
        work, rest = timings[True], timings[False]
        if circular_gap(work.mean, rest.mean) <= SAME_WITHIN_MIN:
            total = days[True] + days[False]
            shown = support[True] + support[False]
            # The mean of all days, weighted by how many there are of each kind.
            rest_mean = work.mean + _signed(rest.mean - work.mean)
            mean = (work.mean * days[True] + rest_mean * days[False]) / max(1, total)
            spread = max(work.spread, rest.spread) + circular_gap(work.mean, rest.mean) / 2
            if total and shown >= MIN_SHARE * total and spread < MAX_SPREAD_MIN:
                return [Regular("all", mean % 1440.0, round(spread, 1), shown)]
            return []
    found = []
    for kind in both:
        timing = timings.get(kind)
        if timing is None or not days[kind] or not _inside_day(timing):
            continue
        if support[kind] >= MIN_SHARE * days[kind] and timing.spread < MAX_SPREAD_MIN:
            label: DayLabel = "weekdays" if kind else "weekends"
            found.append(Regular(label, timing.mean, round(timing.spread, 1), support[kind]))
    return found


def _signed(diff: float) -> float:
    """Return a difference of times of day folded into (-720, 720]."""
    folded = math.fmod(diff, 1440.0)
    if folded > 720.0:
        folded -= 1440.0
    elif folded <= -720.0:
        folded += 1440.0
    return folded
