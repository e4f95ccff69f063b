"""Co-occurrence: A reaching state a is followed, within seconds to minutes, by B reaching b."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.patterns.arrays import F64, I64, Bool
from engine.patterns.stats import binomial_tail, circular_distance, circular_mean_sd, wilson_lower
from engine.patterns.timeline import StateTimeline

US = 1_000_000
MAX_WINDOW_S = 180
WINDOWS_S = (15, 30, 60, 120, 180)
MIN_SUPPORT_DAYS = 5
# A trigger that happens all day (the living room light) is followed by a planted action
# only on the occasions the habit runs (coming home), so confidence alone would drop real
# pairs; what guards against coincidence is the base rate: the Wilson lower bound must
# stay this far above the action's own chance of happening in the window, which drops
# "light + something that is on anyway", and so many hits must be most unlikely at that
# chance (a binomial test, strict because every pair of keys is tried).
MIN_CONFIDENCE = 0.1
MIN_LOWER = 0.05
MIN_LIFT = 10.0
MAX_P = 1e-6
# A pair and its reverse whose hits are this close in time of day are one thing seen both
# ways round; farther apart they are two routines (up A then B, to bed B then A).
ECHO_APART_MIN = 120.0
# A pair whose hits are mostly (this share) hits of a more immediate pair says nothing that
# one does not, provided that one predicts its hits nearly as well (this share of the
# confidence): see _covers.
COVERED_SHARE = 0.8
# The pair must beat the action's own rate at the clock times of its triggers this many
# times over (and be unlikely at it).
MIN_LOCAL_LIFT = 3.0
COVER_CONFIDENCE = 0.8


@dataclass(frozen=True, eq=False)
class Pair:
    """Trigger (entity, state) followed by action (entity, state)."""

    trigger: tuple[int, int]
    action: tuple[int, int]
    window_s: int
    triggers: int
    hits: int
    support_days: int
    confidence: float
    lower: float
    lift: float
    median_delay_s: float
    score: float
    first_us: int
    last_us: int
    # The hits' mean local time of day, to tell an echo from a routine the other way round.
    minute: float
    # Event indices of the hits' triggers and of the actions that followed them, in the
    # triggers' time order (aligned), to tell redundant pairs and to show the evidence.
    hit_triggers: I64
    hit_actions: I64


def _base_rate(times: I64, window_us: int, span_us: int) -> float:
    """Return the share of moments followed within the window by one of these times."""
    if len(times) == 0 or span_us <= 0:
        return 0.0
    gaps = np.diff(times)
    covered = window_us + int(np.minimum(gaps, window_us).sum())
    return min(1.0, covered / span_us)


def _clock_rate(day: I64, minute: F64, window_s: int) -> F64:
    """Return, per minute of day, the share of days the action follows within the window."""
    days = np.unique(day)
    width = -(-window_s // 60) + 1
    present = np.zeros((len(days), 1440 + width), dtype=np.int32)
    at = minute.astype(np.int64) % 1440
    present[np.searchsorted(days, day), at] = 1
    # Round midnight: minutes just after it count for the minutes just before.
    present[:, 1440:] = present[:, :width]
    cumulative = np.concatenate(
        [np.zeros((len(days), 1), dtype=np.int64), np.cumsum(present, axis=1)], axis=1
    )
    within = cumulative[:, width : width + 1440] - cumulative[:, :1440]
    result: F64 = (within > 0).mean(axis=0).astype(np.float64)
    return result


def _key_rows(key: I64, rows: I64) -> dict[int, I64]:
    """Return the rows of each key, in their (time) order."""
    order = np.argsort(key[rows], kind="stable")
    sorted_rows = rows[order]
    keys, starts = np.unique(key[sorted_rows], return_index=True)
    ends = np.r_[starts[1:], len(sorted_rows)]
    return {int(k): sorted_rows[a:b] for k, a, b in zip(keys, starts, ends, strict=True)}


def detect_co_occurrence(  # noqa: PLR0917, PLR0915 - one vectorised pass over aligned columns
    entity: I64,
    state: I64,
    time_us: I64,
    day: I64,
    minute: F64,
    trigger: Bool,
    action: Bool,
    device: I64,
    people: Bool,
    timeline: StateTimeline,
    dark: Bool | None = None,
    lit: Bool | None = None,
) -> list[Pair]:
    """Return the significant pairs among habit events (all arrays aligned, time-sorted).

    A trigger counts only as an opportunity: when the action's entity is not in the action's
    state already (motion in a lit room cannot be followed by the light turning on), and
    the base rate is the action's chance while it is not in that state.
    """
    n = len(time_us)
    if n == 0:
        return []
    key_codes = entity << 32 | state
    keys, key = np.unique(key_codes, return_inverse=True)
    n_keys = len(keys)
    window_us = MAX_WINDOW_S * US
    span_us = int(time_us[-1] - time_us[0]) or 1
    trig = np.flatnonzero(trigger)
    lo = np.searchsorted(time_us, time_us[trig], side="right")
    hi = np.searchsorted(time_us, time_us[trig] + window_us, side="right")
    counts = hi - lo
    total = int(counts.sum())
    # Expand every (trigger event, later event in its window) without a Python loop.
    trig_of = np.repeat(trig, counts)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    follow = np.repeat(lo, counts) + (np.arange(total) - offsets)
    ok = (
        action[follow]
        & (entity[follow] != entity[trig_of])
        & ((device[follow] < 0) | (device[follow] != device[trig_of]))
    )
    trig_of, follow = trig_of[ok], follow[ok]
    if len(trig_of) == 0:
        # No action followed any trigger (e.g. a new home with a handful of events).
        return []
    # Only the first change of each action key after each trigger event counts.
    combined = trig_of.astype(np.int64) * n_keys + key[follow]
    _, first = np.unique(combined, return_index=True)
    trig_of, follow = trig_of[first], follow[first]
    pair = key[trig_of].astype(np.int64) * n_keys + key[follow]
    delay = time_us[follow] - time_us[trig_of]
    pair_day = day[trig_of]
    pair_time = time_us[trig_of]
    pair_minute = minute[trig_of]
    trigger_rows = _key_rows(key, trig)
    unique_pairs, pair_index = np.unique(pair, return_inverse=True)
    days_per_pair = np.bincount(
        np.unique(pair_index.astype(np.int64) << 32 | (pair_day - pair_day.min())) >> 32,
        minlength=len(unique_pairs),
    )
    candidates = np.flatnonzero(days_per_pair >= MIN_SUPPORT_DAYS)
    order = np.lexsort((delay, pair_index))
    pair_sorted, delay_sorted, day_sorted = pair_index[order], delay[order], pair_day[order]
    time_sorted = pair_time[order]
    minute_sorted = pair_minute[order]
    trigger_sorted, follow_sorted = trig_of[order], follow[order]
    starts = np.searchsorted(pair_sorted, np.arange(len(unique_pairs)))
    ends = np.r_[starts[1:], len(pair_sorted)]
    judge = _Judge(
        key, trigger_sorted, follow_sorted, delay_sorted, day_sorted, time_sorted,
        minute_sorted, time_us, day, minute, span_us,
    )  # fmt: skip
    found: list[Pair] = []
    for c in map(int, candidates):
        trig_key, act_key = divmod(int(unique_pairs[c]), n_keys)
        trig_code, act_code = int(keys[trig_key]), int(keys[act_key])
        act_entity, act_state = act_code >> 32, act_code & 0xFFFFFFFF
        rows_of_trigger = trigger_rows[trig_key]
        before = timeline.before(act_entity, time_us[rows_of_trigger])
        opportunities = rows_of_trigger[before != act_state]
        elsewhere = span_us - timeline.time_in(
            act_entity, act_state, int(time_us[0]), int(time_us[-1])
        )
        candidate = _Candidate(
            slice(starts[c], ends[c]),
            act_key,
            (trig_code >> 32, trig_code & 0xFFFFFFFF),
            (act_entity, act_state),
            elsewhere,
        )
        found_pair = judge(candidate, opportunities)
        # A light that follows only in the dark (the porch light when the door opens at
        # night) holds among the dark opportunities; the idiom learner states the condition.
        if found_pair is None and dark is not None and lit is not None and lit[act_entity]:
            found_pair = judge(candidate, opportunities[dark[opportunities]])
        if found_pair is not None:
            found.append(found_pair)
    sensors = {int(e) for e in np.unique(entity[people])}
    return _drop_covered(_drop_echoes(found), sensors)


@dataclass(frozen=True)
class _Candidate:
    """A (trigger, action) pair of keys that happened on enough days to be judged."""

    span: slice  # its rows in the pair-sorted columns
    action_key: int
    trigger: tuple[int, int]
    action: tuple[int, int]
    elsewhere_us: int  # how long the action's entity was not in the action's state


class _Judge:
    """Measures candidate pairs over a set of opportunities and keeps the significant ones."""

    def __init__(  # noqa: PLR0917 - the pair-sorted columns and the event columns
        self,
        key: I64,
        triggers: I64,
        follows: I64,
        delays: I64,
        days: I64,
        times: I64,
        minutes: F64,
        time_us: I64,
        day: I64,
        minute: F64,
        span_us: int,
    ) -> None:
        self._key, self._triggers, self._follows = key, triggers, follows
        self._delays, self._days, self._times, self._minutes = delays, days, times, minutes
        self._time_us, self._day, self._minute, self._span_us = time_us, day, minute, span_us
        self._key_times: dict[int, I64] = {}
        self._rates: dict[tuple[int, int], F64] = {}

    def __call__(self, candidate: _Candidate, chances: I64) -> Pair | None:
        """Return the pair measured over these opportunities, if it holds there."""
        span, act_key = candidate.span, candidate.action_key
        n_trig = len(chances)
        usable = np.isin(self._triggers[span], chances)
        delays = self._delays[span][usable]
        if n_trig == 0 or len(delays) / n_trig < MIN_CONFIDENCE:
            return None
        # The smallest window that holds nine in ten of the observed delays.
        p90 = float(delays[int(0.9 * (len(delays) - 1))]) / US
        window_s = next(w for w in WINDOWS_S if w >= p90)
        inside = delays <= window_s * US
        hit_count = int(inside.sum())
        support_days = len(np.unique(self._days[span][usable][inside]))
        if act_key not in self._key_times:
            self._key_times[act_key] = self._time_us[self._key == act_key]
        base = _base_rate(
            self._key_times[act_key], window_s * US, max(candidate.elsewhere_us, window_s * US)
        )
        # Two habits of the same hour (two children waking at 06:25) follow each other by
        # the clock, not by cause: the chance to beat is how often the action follows the
        # same clock time on any day, averaged over the opportunities.
        if (act_key, window_s) not in self._rates:
            rows = self._key == act_key
            self._rates[act_key, window_s] = _clock_rate(
                self._day[rows], self._minute[rows], window_s
            )
        at = self._minute[chances].astype(np.int64) % 1440
        local = max(base, float(self._rates[act_key, window_s][at].mean()))
        confidence = hit_count / n_trig
        lower = wilson_lower(hit_count, n_trig)
        if (
            support_days < MIN_SUPPORT_DAYS
            or confidence < MIN_CONFIDENCE
            or lower < MIN_LOWER
            or lower < MIN_LIFT * base
            or lower < MIN_LOCAL_LIFT * local
            or binomial_tail(hit_count, n_trig, local) > MAX_P
        ):
            return None
        times = self._times[span][usable][inside]
        return Pair(
            candidate.trigger,
            candidate.action,
            window_s,
            n_trig,
            hit_count,
            support_days,
            confidence,
            lower,
            min(confidence / base if base > 0 else float("inf"), 1000.0),
            float(np.median(delays[inside])) / US,
            lower * min(1.0, support_days / 14),
            int(times.min()),
            int(times.max()),
            circular_mean_sd(self._minutes[span][usable][inside])[0],
            *_aligned(self._triggers[span][usable][inside], self._follows[span][usable][inside]),
        )


def _drop_echoes(pairs: list[Pair]) -> list[Pair]:
    """Return pairs without the weaker direction of A->B / B->A at the same time of day."""
    by_link = {(p.trigger, p.action): p for p in pairs}
    kept = []
    for p in pairs:
        back = by_link.get((p.action, p.trigger))
        if (
            back is not None
            and (back.lower, back.support_days) > (p.lower, p.support_days)
            and float(circular_distance(np.array([p.minute]), back.minute)[0]) <= ECHO_APART_MIN
        ):
            continue
        kept.append(p)
    return kept


def _aligned(triggers: I64, actions: I64) -> tuple[I64, I64]:
    """Return hit triggers and their actions, both in the triggers' order."""
    order = np.argsort(triggers, kind="stable")
    return triggers[order], actions[order]


def _share(part: I64, whole: I64) -> float:
    """Return the share of part's event indices that are in whole."""
    # Two triggers can share one action (the first change after each), so not unique.
    return float(np.isin(part, whole).mean()) if len(part) else 1.0


def _covers(strong: Pair, weak: Pair, sensors: set[int]) -> bool:
    """Return whether a more immediate pair already explains another one's hits."""
    # A motion or presence sensor sees the person walk up to whatever they switch: it
    # comes first, but it says someone is there, not what they did.
    if strong.trigger[0] in sensors and weak.trigger[0] not in sensors:
        return False
    # Of two explanations of the same hits, the nearer in time is the cause (the door, not
    # the lock turned seconds before it; the landing light, not the bedroom light before),
    # unless it predicts them much worse (a motion sensor that fires all day long).
    if (strong.median_delay_s, -strong.score) >= (weak.median_delay_s, -weak.score):
        return False
    if strong.confidence < COVER_CONFIDENCE * weak.confidence:
        return False
    if strong.action == weak.action:
        # The same changes of the action, seen after another trigger.
        return _share(weak.hit_actions, strong.hit_actions) >= COVERED_SHARE
    # The same trigger events, then the action's entity changing again later (the hallway
    # light turning off after it turned on because the door opened).
    return (
        strong.trigger == weak.trigger
        and strong.action[0] == weak.action[0]
        and _share(weak.hit_triggers, strong.hit_triggers) >= COVERED_SHARE
    )


def _drop_covered(pairs: list[Pair], sensors: set[int]) -> list[Pair]:
    """Return pairs without those another pair fully explains, in their order."""
    return [p for p in pairs if not any(_covers(q, p, sensors) for q in pairs if q is not p)]
