"""Time-of-day habits: an (entity, state) reached at about the same local time on most days."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from engine.patterns.arrays import F64, I64, Bool
from engine.patterns.stats import (
    binomial_tail,
    circular_distance,
    hhmm,
    wilson_lower,
)

DayKind = Literal["all", "weekdays", "weekends"]
BIN_MIN = 5
BINS = 1440 // BIN_MIN
# Candidate times are the bins with the most days having an event within this many minutes.
SEARCH_HALF_MIN = 25.0
MIN_SUPPORT_DAYS = 5
MIN_RATIO = 0.45
MAX_SPREAD_MIN = 45.0
MAX_PEAKS = 8
# A tried candidate's bins (this many either side) are not tried again.
TRIED_BINS = 2
# A candidate's time and spread are fitted to the events this many minutes either side of
# it (see _fit).
FIT_HALF_MIN = 150.0
FIT_STEPS = 25
# The fit stops once time and spread move less than this many minutes in a step.
FIT_SETTLED_MIN = 0.1
MIN_FIT_SPREAD = 1.0
# A habit's window reaches this many spreads either side of its time (98.8% of its days).
WINDOW_SD = 2.5
MIN_HALF_WINDOW = 10.0
MAX_HALF_WINDOW = 90.0
# The chance a habit must beat is the state's own density in a ring of this many minutes
# either side of its window, not over the whole day: an evening busy with everybody using
# the bathroom has the bathroom light on around 18:00 most days, and no habit. The ring
# starts a little off the window, whose edges the fit puts where events thin out (right
# next to them the density is low by selection), and its count is taken one standard
# error high. The support must then be unlikely at that chance (a binomial test over the
# days, strict because every (entity, state, kind of day) is tried at several times) and
# the Wilson lower bound of the day ratio must beat it. On homes of random events this
# leaves almost nothing.
RING_MIN = 120.0
RING_GAP_MIN = 30.0
RING_Z = 1.0
MAX_P = 1e-4
# Habits of two kinds of day this close describe the same moment; one of every day stands
# for both kinds only when it is this close to each.
MERGE_MIN = 30.0
AGREE_MIN = 10.0
# Another state of the same entity within this many minutes after a habit is its echo (the
# door closing seconds after it opened): the habit already says it.
ECHO_MIN = 5.0


def days_fit(a: str, b: str) -> bool:
    """Return whether two kinds of day overlap (equal, or one of them is every day)."""
    return a == b or "all" in (a, b)


@dataclass(frozen=True, eq=False)
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
    # Indices (into the detector's input columns) of the events that support the habit,
    # one per day: its evidence, and what explains it away when another cause does.
    hits: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def time(self) -> str:
        """Return the habit's time as HH:MM."""
        return hhmm(self.minute)


def _presence(day_index: I64, minute: F64, n_days: int) -> I64:
    """Return a (day, bin) matrix of ones where the day has an event in the bin."""
    present: I64 = np.zeros((n_days, BINS), dtype=np.int64)
    present[day_index, (minute // BIN_MIN).astype(np.int64) % BINS] = 1
    return present


def _day_counts(present: I64, reach_min: float) -> I64:
    """Return, per bin, how many distinct days have an event within reach_min of it."""
    half = int(reach_min // BIN_MIN)
    # Circular dilation by cumulative sums: a day counts for a bin if it has any event
    # within `half` bins of it, so each day adds at most one to each bin.
    wrapped = np.concatenate([present[:, -half:], present, present[:, :half]], axis=1)
    cumulative = np.cumsum(wrapped, axis=1)
    cumulative = np.concatenate([np.zeros((len(present), 1), dtype=np.int64), cumulative], 1)
    window = cumulative[:, 2 * half + 1 :] - cumulative[:, :BINS]
    counts: I64 = (window > 0).sum(axis=0).astype(np.int64)
    return counts


def _candidates(index: I64, minute: F64, alive: Bool, n_days: int) -> tuple[I64, I64, I64]:
    """Return the unexplained rows, and per bin their days near it and within a fit's reach."""
    rows = np.flatnonzero(alive)
    present = _presence(index[rows], minute[rows], n_days)
    near = _day_counts(present, SEARCH_HALF_MIN)
    return rows, near, _day_counts(present, MAX_HALF_WINDOW + SEARCH_HALF_MIN)


def _nearest_per_day(day_index: I64, minute: F64, centre: float, half: float) -> I64:
    """Return, per day with one, the index of its event nearest to centre within half."""
    distance = circular_distance(minute, centre)
    near = np.flatnonzero(distance <= half)
    order = near[np.lexsort((distance[near], day_index[near]))]
    _, first = np.unique(day_index[order], return_index=True)
    result: I64 = order[first]
    return result


def _fit(day_index: I64, minute: F64, n_days: int, start: float) -> tuple[float, float]:
    """Return (time, spread) of the habit nearest to start, fitted to the events around it."""
    # A mixture fitted by expectation-maximisation: on a share of days exactly one of the
    # day's events is the habit's (normal around its time), every other event is
    # background, even on each side of the habit at a density of its own (a wake-up light
    # has nothing before it and the day's comings and goings after it). Nearest or first
    # events per day would be dragged off the habit by such background; this weighs each
    # event by how much likelier the habit makes it than the background on its side does.
    offset = (minute - start + 720.0) % 1440.0 - 720.0
    inside = np.flatnonzero(np.abs(offset) <= FIT_HALF_MIN)
    # Sorted by offset, the events either side of the habit's time are two slices.
    order = inside[np.argsort(offset[inside], kind="stable")]
    x, days = offset[order], day_index[order]
    near = np.abs(x) <= SEARCH_HALF_MIN
    share = min(max(len(np.unique(days[near])) / n_days, 0.05), 0.95)
    mean, spread = 0.0, SEARCH_HALF_MIN / 2
    level = max(len(x) - share * n_days, 1.0) / (n_days * 2 * FIT_HALF_MIN)
    before = after = level
    for _ in range(FIT_STEPS):
        split = int(np.searchsorted(x, mean, side="right"))
        gap = x - mean
        ratio = np.exp(gap * gap * (-0.5 / (spread * spread)))
        ratio *= share / (spread * math.sqrt(2 * math.pi))
        ratio[:split] /= before
        ratio[split:] /= after
        # Per day: either no habit, or exactly one of its events is the habit's.
        per_day = np.bincount(days, ratio, minlength=n_days) + (1 - share)
        weight = ratio / per_day[days]
        total = float(weight.sum())
        if total < 1.0:
            break
        previous = (mean, spread)
        mean = float(weight @ x) / total
        gap = x - mean
        spread = max(math.sqrt(float(weight @ (gap * gap)) / total), MIN_FIT_SPREAD)
        if abs(mean - previous[0]) + abs(spread - previous[1]) < FIT_SETTLED_MIN:
            break
        share = min(total / n_days, 0.99)
        habit_before = float(weight[:split].sum())
        # A side with nothing on it still allows a little background (half an event).
        before = max(split - habit_before, 0.5) / max((FIT_HALF_MIN + mean) * n_days, 1.0)
        after = max(len(x) - split - (total - habit_before), 0.5) / max(
            (FIT_HALF_MIN - mean) * n_days, 1.0
        )
    return (start + mean) % 1440.0, spread


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
    # Several people can reach one state at close times (the family's front door): each
    # habit found takes away the one event per day it explains, so a neighbouring peak must
    # stand on events of its own, and the background is what no habit explains.
    alive = np.ones(len(day), dtype=bool)
    tried = np.zeros(BINS, dtype=bool)
    rows, counts, reach = _candidates(index, minute, alive, n)
    for _ in range(MAX_PEAKS):
        if len(rows) < MIN_SUPPORT_DAYS:
            break
        counts[tried] = 0
        peak = int(np.argmax(counts))
        if counts[peak] < MIN_SUPPORT_DAYS:
            break
        tried[np.arange(peak - TRIED_BINS, peak + TRIED_BINS + 1) % BINS] = True
        # Not even the widest window a fit near this peak could take holds enough days.
        if reach[peak] < max(MIN_SUPPORT_DAYS, MIN_RATIO * n):
            continue
        centre, spread = _fit(index[rows], minute[rows], n, (peak + 0.5) * BIN_MIN)
        half = min(max(WINDOW_SD * spread, MIN_HALF_WINDOW), MAX_HALF_WINDOW)
        near = rows[_nearest_per_day(index[rows], minute[rows], centre, half)]
        support = len(near)
        if support < MIN_SUPPORT_DAYS or support / n < MIN_RATIO or spread > MAX_SPREAD_MIN:
            continue
        distance = circular_distance(minute[rows], centre)
        outside = distance - half - RING_GAP_MIN
        ring = int(((outside > 0) & (outside <= RING_MIN)).sum())
        high = ring + RING_Z * math.sqrt(ring) + RING_Z * RING_Z / 2
        chance = 1 - math.exp(-high / (n * 2 * RING_MIN) * 2 * half)
        lower = wilson_lower(support, n)
        if lower < chance or binomial_tail(support, n, chance) > MAX_P:
            continue
        alive[near] = False
        rows, counts, reach = _candidates(index, minute, alive, n)
        # What the habit adds to chance, discounted for a loose time.
        excess = (lower - chance) / (1 - chance)
        score = excess * (1 - min(spread, MAX_SPREAD_MIN) / (2 * MAX_SPREAD_MIN))
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
                near,
            )
        )
    return found


def _distance(a: TimeOfDay, b: TimeOfDay) -> float:
    """Return minutes between two habits' times, the short way round midnight."""
    return float(circular_distance(np.array([a.minute]), b.minute)[0])


def _merge_kinds(found: list[TimeOfDay]) -> list[TimeOfDay]:
    """Return one description per moment: every day if that fits as well, else the split."""
    everyday = [item for item in found if item.days == "all"]
    split = [item for item in found if item.days != "all"]
    kept: list[TimeOfDay] = []
    used: set[int] = set()
    for item in everyday:
        near = [i for i, other in enumerate(split) if _distance(other, item) <= MERGE_MIN]
        best_split = max((split[i].score for i in near), default=0.0)
        # Every day only when the kinds of day agree on the time (weekday evenings at 20:50
        # and weekend ones at 21:50 are two habits, not one at 21:15).
        agree = all(_distance(split[i], item) <= AGREE_MIN for i in near)
        if agree and item.score >= best_split - 0.05:
            kept.append(item)
            used.update(near)
    kept.extend(other for i, other in enumerate(split) if i not in used)
    # An everyday habit near a kept split one (or the other way round) would say the same
    # thing twice; habits of one kind of day are apart already (each explains its own days).
    result: list[TimeOfDay] = []
    for item in sorted(kept, key=lambda x: -x.score):
        if any(
            other.days != item.days
            and "all" in (other.days, item.days)
            and _distance(other, item) <= MERGE_MIN
            for other in result
        ):
            continue
        result.append(item)
    return result


def _drop_echoes(found: list[TimeOfDay]) -> list[TimeOfDay]:
    """Return habits without another state of the same entity reached just after one."""
    by_entity: dict[int, list[TimeOfDay]] = {}
    for item in found:
        by_entity.setdefault(item.entity, []).append(item)
    return [
        item
        for item in found
        if not any(
            other.state != item.state
            and (other.days == item.days or "all" in (other.days, item.days))
            and 0 < (item.minute - other.minute) % 1440 <= ECHO_MIN
            for other in by_entity[item.entity]
        )
    ]


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
    if len(sel) == 0:
        return []
    key = entity[sel].astype(np.int64) << 32 | state[sel].astype(np.int64)
    order = np.argsort(key, kind="stable")
    sel, key = sel[order], key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
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
            found += [
                replace(item, hits=pick[item.hits])
                for item in detect_kind(
                    e, s, day[pick], minute[pick], time_us[pick], kind, kind_days
                )
            ]
        result += _merge_kinds(found)
    return _drop_echoes(result)
