"""Time-of-day habits: an (entity, state) reached at about the same local time on most days."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.patterns.arrays import F64, I64, Bool
from engine.patterns.stats import (
    binomial_tail,
    circular_distance,
    circular_mean_sd,
    hhmm,
    wilson_lower,
)

DayKind = Literal["all", "weekdays", "weekends"]
BIN_MIN = 5
BINS = 1440 // BIN_MIN
# Days count as supporting a candidate time when the state is reached within this many
# minutes of it: wide enough for a habit with a 30-minute spread.
NEAR_MIN = 45.0
MIN_SUPPORT_DAYS = 5
MIN_RATIO = 0.4
MAX_SPREAD_MIN = 45.0
MAX_PEAKS = 8
# A tried candidate's bins (this many either side) are not tried again.
TRIED_BINS = 2
# A habit explains its support days' events within this many spreads of its time.
EXPLAINED_SD = 2.0
# The support must be unlikely (p below MAX_P, a binomial test over the days) even were
# chance this many times likelier than the even-spread estimate, and the Wilson lower bound
# of the day ratio must beat chance itself.
CHANCE_FACTOR = 1.0
MAX_P = 1e-3


@dataclass(frozen=True)
class TimeOfDay:
    """One habit: the state reached around `minute` on `support` of `observed` days."""

    entity: int
    state: int
    days: DayKind
    minute: float
    spread: float
    support: int
    observed: int
    lower: float
    score: float
    first_us: int
    last_us: int

    @property
    def time(self) -> str:
        """Return the habit's time as HH:MM."""
        return hhmm(self.minute)


def _day_counts(day_index: I64, minute: F64, n_days: int) -> I64:
    """Return, per bin, how many distinct days have an event within NEAR_MIN / 2 of it."""
    present = np.zeros((n_days, BINS), dtype=np.int32)
    present[day_index, (minute // BIN_MIN).astype(np.int64)] = 1
    half = int(NEAR_MIN // BIN_MIN) // 2 + 1
    # Circular dilation by cumulative sums: a day counts for a bin if it has any event
    # within `half` bins of it, so each day adds at most one to each bin.
    wrapped = np.concatenate([present[:, -half:], present, present[:, :half]], axis=1)
    cumulative = np.cumsum(wrapped, axis=1)
    cumulative = np.concatenate([np.zeros((n_days, 1), dtype=cumulative.dtype), cumulative], 1)
    window = cumulative[:, 2 * half + 1 :] - cumulative[:, :BINS]
    counts: I64 = (window > 0).sum(axis=0).astype(np.int64)
    return counts


def _first_near(day: I64, minute: F64, centre: float) -> I64:
    """Return, per day, the index of its first event within NEAR_MIN of centre."""
    near = np.flatnonzero(circular_distance(minute, centre) <= NEAR_MIN)
    # Events arrive in time order, so the first of each day is its first occurrence.
    _, first = np.unique(day[near], return_index=True)
    result: I64 = near[first]
    return result


def detect_kind(  # noqa: PLR0917 - one call site, arrays aligned by position
    entity: int,
    state: int,
    day: I64,
    minute: F64,
    time_us: I64,
    kind: DayKind,
    kind_days: I64,
) -> list[TimeOfDay]:
    """Return habits of one (entity, state) on one kind of day (events already of that kind)."""
    n = len(kind_days)
    if n < MIN_SUPPORT_DAYS or len(day) < MIN_SUPPORT_DAYS:
        return []
    index = np.searchsorted(kind_days, day)
    found: list[TimeOfDay] = []
    # Chance of a day having this state within a window that wide, were its unexplained
    # events spread evenly over the day at their own rate: the base rate a habit must beat.
    # Several people can reach one state at close times (the family's front door): each
    # candidate takes away the events it explains, so a neighbouring peak must stand on
    # events of its own rather than on the ones already counted.
    alive = np.ones(len(day), dtype=bool)
    tried = np.zeros(BINS, dtype=bool)
    for _ in range(MAX_PEAKS):
        rows = np.flatnonzero(alive)
        if len(rows) < MIN_SUPPORT_DAYS:
            break
        counts = _day_counts(index[rows], minute[rows], n)
        counts[tried] = 0
        peak = int(np.argmax(counts))
        if counts[peak] < MIN_SUPPORT_DAYS:
            break
        tried[np.arange(peak - TRIED_BINS, peak + TRIED_BINS + 1) % BINS] = True
        centre = (peak + 0.5) * BIN_MIN
        for _ in range(2):
            near = rows[_first_near(day[rows], minute[rows], centre)]
            centre, spread = circular_mean_sd(minute[near])
        explained = (
            alive
            & np.isin(day, day[near])
            & (circular_distance(minute, centre) <= max(EXPLAINED_SD * spread, BIN_MIN))
        )
        alive &= ~explained
        # Events already explained by habits are no background: a door that five people
        # use on schedule is busy, but not at random.
        rate = int(alive.sum()) / n
        support = len(near)
        ratio = support / n
        lower = wilson_lower(support, n)
        # The window a habit this tight really occupies (at most the window its support
        # days were counted in), not the search window.
        chance = 1 - math.exp(-rate * 2 * min(2 * spread + 5, NEAR_MIN) / 1440)
        if (
            support < MIN_SUPPORT_DAYS
            or ratio < MIN_RATIO
            or spread > MAX_SPREAD_MIN
            or lower < chance
            or binomial_tail(support, n, CHANCE_FACTOR * chance) > MAX_P
        ):
            continue
        score = lower * (1 - min(spread, 45.0) / 90)
        found.append(
            TimeOfDay(
                entity,
                state,
                kind,
                centre,
                spread,
                support,
                n,
                lower,
                score,
                int(time_us[near].min()),
                int(time_us[near].max()),
            )
        )
    return found


def _merge_kinds(found: list[TimeOfDay]) -> list[TimeOfDay]:
    """Return one description per moment: every day if that fits as well, else the split."""
    everyday = [item for item in found if item.days == "all"]
    split = [item for item in found if item.days != "all"]
    kept: list[TimeOfDay] = []
    used: set[int] = set()
    for item in everyday:
        near = [
            i
            for i, other in enumerate(split)
            if float(circular_distance(np.array([other.minute]), item.minute)[0]) <= 30
        ]
        best_split = max((split[i].score for i in near), default=0.0)
        if item.score >= best_split - 0.05:
            kept.append(item)
            used.update(near)
    kept.extend(other for i, other in enumerate(split) if i not in used)
    # A split habit near a kept everyday one would say the same thing twice.
    result: list[TimeOfDay] = []
    for item in sorted(kept, key=lambda x: -x.score):
        if any(
            other.days in ("all", item.days)
            and float(circular_distance(np.array([other.minute]), item.minute)[0]) <= 30
            for other in result
        ):
            continue
        result.append(item)
    return result


def detect_time_of_day(  # noqa: PLR0917 - aligned event columns
    entity: I64,
    state: I64,
    time_us: I64,
    day: I64,
    minute: F64,
    weekend: Bool,
    candidates: Bool,
) -> list[TimeOfDay]:
    """Return time-of-day habits of every (entity, state) among candidate events."""
    all_days, first = np.unique(day, return_index=True)
    if len(all_days) == 0:
        return []
    # `weekend` marks each event's day off (weekend or holiday); every day has an event.
    day_weekend = weekend[first]
    kinds: dict[DayKind, I64] = {
        "all": all_days,
        "weekdays": all_days[~day_weekend],
        "weekends": all_days[day_weekend],
    }
    sel = np.flatnonzero(candidates)
    key = entity[sel].astype(np.int64) << 32 | state[sel].astype(np.int64)
    order = np.argsort(key, kind="stable")
    sel, key = sel[order], key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, int)
    ends = np.r_[starts[1:], len(key)]
    result: list[TimeOfDay] = []
    for start, end in zip(map(int, starts), map(int, ends), strict=True):
        if end - start < MIN_SUPPORT_DAYS:
            continue
        rows = sel[start:end]
        e, s = int(entity[rows[0]]), int(state[rows[0]])
        found: list[TimeOfDay] = []
        for kind, kind_days in kinds.items():
            pick = rows if kind == "all" else rows[weekend[rows] == (kind == "weekends")]
            found += detect_kind(e, s, day[pick], minute[pick], time_us[pick], kind, kind_days)
        result += _merge_kinds(found)
    return result
