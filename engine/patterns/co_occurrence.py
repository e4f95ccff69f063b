"""Co-occurrence: A reaching state a is followed, within seconds to minutes, by B reaching b."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.patterns.arrays import I64, Bool
from engine.patterns.stats import wilson_lower

US = 1_000_000
MAX_WINDOW_S = 180
WINDOWS_S = (15, 30, 60, 120, 180)
MIN_SUPPORT_DAYS = 5
MIN_CONFIDENCE = 0.2
# The Wilson lower bound must stay this far above the action's own chance of happening in
# the window: this is what drops "light + something that is on anyway" coincidences.
MIN_LIFT = 10.0
MIN_LOWER = 0.1


@dataclass(frozen=True)
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


def _base_rate(times: I64, window_us: int, span_us: int) -> float:
    """Return the share of moments followed within the window by one of these times."""
    if len(times) == 0 or span_us <= 0:
        return 0.0
    gaps = np.diff(times)
    covered = window_us + int(np.minimum(gaps, window_us).sum())
    return min(1.0, covered / span_us)


def detect_co_occurrence(  # noqa: PLR0917, PLR0915 - one vectorised pass over aligned columns
    entity: I64,
    state: I64,
    time_us: I64,
    day: I64,
    trigger: Bool,
    action: Bool,
    device: I64,
) -> list[Pair]:
    """Return the significant pairs among habit events (all arrays aligned, time-sorted)."""
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
    # Only the first change of each action key after each trigger event counts.
    combined = trig_of.astype(np.int64) * n_keys + key[follow]
    _, first = np.unique(combined, return_index=True)
    trig_of, follow = trig_of[first], follow[first]
    pair = key[trig_of].astype(np.int64) * n_keys + key[follow]
    delay = time_us[follow] - time_us[trig_of]
    pair_day = day[trig_of]
    pair_time = time_us[trig_of]
    triggers_per_key = np.bincount(key[trig], minlength=n_keys)
    unique_pairs, pair_index = np.unique(pair, return_inverse=True)
    days_per_pair = np.bincount(
        np.unique(pair_index.astype(np.int64) << 32 | (pair_day - pair_day.min())) >> 32,
        minlength=len(unique_pairs),
    )
    candidates = np.flatnonzero(days_per_pair >= MIN_SUPPORT_DAYS)
    order = np.lexsort((delay, pair_index))
    pair_sorted, delay_sorted, day_sorted = pair_index[order], delay[order], pair_day[order]
    time_sorted = pair_time[order]
    starts = np.searchsorted(pair_sorted, np.arange(len(unique_pairs)))
    ends = np.r_[starts[1:], len(pair_sorted)]
    key_times: dict[int, I64] = {}
    found: list[Pair] = []
    for c in map(int, candidates):
        trig_key, act_key = divmod(int(unique_pairs[c]), n_keys)
        n_trig = int(triggers_per_key[trig_key])
        delays = delay_sorted[starts[c] : ends[c]]
        days_c = day_sorted[starts[c] : ends[c]]
        times_c = time_sorted[starts[c] : ends[c]]
        if len(delays) / n_trig < MIN_CONFIDENCE:
            continue
        # The smallest window that holds nine in ten of the observed delays.
        p90 = float(delays[int(0.9 * (len(delays) - 1))]) / US
        window_s = next(w for w in WINDOWS_S if w >= p90)
        inside = delays <= window_s * US
        hit_count = int(inside.sum())
        support_days = len(np.unique(days_c[inside]))
        if act_key not in key_times:
            key_times[act_key] = time_us[key == act_key]
        base = _base_rate(key_times[act_key], window_s * US, span_us)
        confidence = hit_count / n_trig
        lower = wilson_lower(hit_count, n_trig)
        lift = confidence / base if base > 0 else float("inf")
        if (
            support_days < MIN_SUPPORT_DAYS
            or confidence < MIN_CONFIDENCE
            or lower < MIN_LOWER
            or lower < MIN_LIFT * base
        ):
            continue
        trig_code, act_code = int(keys[trig_key]), int(keys[act_key])
        found.append(
            Pair(
                (trig_code >> 32, trig_code & 0xFFFFFFFF),
                (act_code >> 32, act_code & 0xFFFFFFFF),
                window_s,
                n_trig,
                hit_count,
                support_days,
                confidence,
                lower,
                min(lift, 1000.0),
                float(np.median(delays[inside])) / US,
                lower * min(1.0, support_days / 14),
                int(times_c[inside].min()),
                int(times_c[inside].max()),
            )
        )
    return _drop_echoes(found)


def _drop_echoes(pairs: list[Pair]) -> list[Pair]:
    """Return pairs without the weaker direction of A->B / B->A (one caused the other)."""
    by_link = {(p.trigger, p.action): p for p in pairs}
    kept = []
    for p in pairs:
        back = by_link.get((p.action, p.trigger))
        if back is not None and (back.lower, back.support_days) > (p.lower, p.support_days):
            continue
        kept.append(p)
    return kept
