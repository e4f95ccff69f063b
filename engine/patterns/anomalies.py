"""Anomalies: an entity doing something unusual for itself (time, duration, frequency)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from engine.patterns.arrays import F64, I64, MINUTE_US, Bool
from engine.patterns.stats import hhmm
from engine.patterns.timeline import StateTimeline

Kind = Literal["unusual_time", "unusual_duration", "unusual_frequency"]
ACTIVE_STATES = frozenset({"on", "open", "playing", "unlocked"})
MIN_HISTORY_DAYS = 10
# unusual_time: no other day had this state within this many minutes of that time of day;
# one this far from anything usual is as striking as it gets.
QUIET_MIN = 120
TIME_FAR_MIN = 240.0
# ...and only when the home is active near that time on at most this share of days.
HOME_NEAR_MIN = 30
MAX_HOME_ACTIVE_SHARE = 0.35
BIN_MIN = 15
# unusual_duration: longer than this many times the entity's own 95th percentile (and hours).
DURATION_FACTOR = 4.0
MIN_UNUSUAL_DURATION_S = 2 * 3600
# A door is open for moments: half an hour open is unusual whatever its history says.
MIN_UNUSUAL_DOOR_S = 30 * 60
# unusual_frequency: changes within this window, compared to the busiest such window of
# most days (this quantile of the days).
BURST_WINDOW_US = 10 * MINUTE_US
USUAL_DAY_QUANTILE = 0.9
BURST_FACTOR = 3.0
MIN_BURST = 12
MAX_PER_ENTITY = 2
MAX_TOTAL = 20


@dataclass(frozen=True)
class Anomaly:
    """One unusual event of an entity."""

    entity: int
    state: int
    kind: Kind
    observed: dict[str, Any]
    expected: dict[str, Any]
    at_us: int
    severity: float


def _unusual_time(  # noqa: PLR0917 - aligned event columns
    e: int, s: int, day: I64, minute: F64, time_us: I64, n_days: int
) -> list[Anomaly]:
    """Return events at a time of day at which the state never happens on other days."""
    used_days = np.unique(day)
    if len(used_days) < MIN_HISTORY_DAYS:
        return []
    bins = 1440 // BIN_MIN
    row = np.searchsorted(used_days, day)
    col = (minute // BIN_MIN).astype(np.int64)
    present = np.zeros((len(used_days), bins), dtype=np.int32)
    present[row, col] = 1
    half = QUIET_MIN // BIN_MIN
    wrapped = np.concatenate([present[:, -half:], present, present[:, :half]], axis=1)
    cumulative = np.concatenate(
        [np.zeros((len(used_days), 1), dtype=np.int64), np.cumsum(wrapped, axis=1)], axis=1
    )
    near = (cumulative[:, 2 * half + 1 :] - cumulative[:, :bins]) > 0
    days_near = near.sum(axis=0)
    lonely = np.flatnonzero(days_near[col] == 1)
    if len(lonely) == 0:
        return []
    _, first = np.unique(day[lonely], return_index=True)
    found = []
    for i in map(int, lonely[first]):
        others = minute[day != day[i]]
        gap = np.abs(others - minute[i]) % 1440
        nearest = float(np.minimum(gap, 1440 - gap).min()) if len(others) else 720.0
        found.append(
            Anomaly(
                e,
                s,
                "unusual_time",
                {"local_time": hhmm(float(minute[i]))},
                {
                    "days_with_state_near_that_time": 0,
                    "days": len(used_days),
                    "nearest_other_minutes": round(nearest),
                },
                int(time_us[i]),
                # The farther from anything usual, the more striking.
                min(1.0, nearest / TIME_FAR_MIN) * len(used_days) / max(n_days, 1),
            )
        )
    return found


def _unusual_duration(
    e: int, s: int, durations_s: F64, starts: I64, floor_s: float
) -> list[Anomaly]:
    """Return stays in an active state far longer than the entity's own usual stays."""
    if len(durations_s) < 2 * MIN_HISTORY_DAYS:
        return []
    usual = float(np.quantile(durations_s, 0.95))
    limit = max(DURATION_FACTOR * usual, floor_s)
    return [
        Anomaly(
            e,
            s,
            "unusual_duration",
            {"duration_s": round(float(durations_s[i]))},
            {"p95_duration_s": round(usual)},
            int(starts[i]),
            min(1.0, float(durations_s[i]) / limit / 2),
        )
        for i in map(int, np.flatnonzero(durations_s > limit))
    ]


def _unusual_frequency(e: int, s: int, time_us: I64, day: I64) -> list[Anomaly]:
    """Return bursts of changes far beyond the entity's own busiest ten minutes of a day."""
    days = np.unique(day)
    if len(days) < MIN_HISTORY_DAYS:
        return []
    within = np.searchsorted(time_us, time_us + BURST_WINDOW_US, side="left") - np.arange(
        len(time_us)
    )
    # Usual is judged per day (the busiest ten minutes of most days): a burst is a large
    # share of an entity's changes, so a quantile over all changes would be the burst.
    busiest = np.zeros(len(days), dtype=np.int64)
    np.maximum.at(busiest, np.searchsorted(days, day), within)
    usual = float(np.quantile(busiest, USUAL_DAY_QUANTILE))
    limit = max(MIN_BURST, BURST_FACTOR * usual)
    burst = np.flatnonzero(within >= limit)
    if len(burst) == 0:
        return []
    # One report per burst day: its busiest moment.
    found = []
    for d in map(int, np.unique(day[burst])):
        members = burst[day[burst] == d]
        i = int(members[np.argmax(within[members])])
        found.append(
            Anomaly(
                e,
                s,
                "unusual_frequency",
                {"changes": int(within[i]), "within_s": BURST_WINDOW_US // 1_000_000},
                {"usual_busiest_changes": round(usual, 1)},
                int(time_us[i]),
                min(1.0, int(within[i]) / limit / 2),
            )
        )
    return found


@dataclass(frozen=True)
class AnomalyContext:
    """What judges an event beyond its own entity: every change, and the home's rhythm."""

    timeline: StateTimeline
    # Per local minute of day, the share of days on which the home is active near it.
    home_active: F64
    # Doors (open for moments): their unusual stays start sooner than lights'.
    doors: Bool


def home_rhythm(day: I64, minute: F64) -> F64:
    """Return, per minute of day, the share of days with any activity within half an hour."""
    days = np.unique(day)
    present = np.zeros((len(days), 1440 // BIN_MIN), dtype=np.int32)
    present[np.searchsorted(days, day), (minute // BIN_MIN).astype(np.int64)] = 1
    half = HOME_NEAR_MIN // BIN_MIN
    wrapped = np.concatenate([present[:, -half:], present, present[:, :half]], axis=1)
    cumulative = np.concatenate(
        [np.zeros((len(days), 1), dtype=np.int64), np.cumsum(wrapped, axis=1)], axis=1
    )
    near = (cumulative[:, 2 * half + 1 :] - cumulative[:, : present.shape[1]]) > 0
    share: F64 = near.mean(axis=0).astype(np.float64)
    return np.repeat(share, BIN_MIN)


def detect_anomalies(  # noqa: PLR0917 - aligned event columns
    entity: I64,
    state: I64,
    time_us: I64,
    day: I64,
    minute: F64,
    candidates: I64,
    states: list[str],
    context: AnomalyContext,
) -> list[Anomaly]:
    """Return the most striking anomalies of candidate entities (events time-sorted)."""
    n_days = int(day.max() - day.min() + 1) if len(day) else 0
    found: list[Anomaly] = []
    for e in map(int, candidates):
        rows = np.flatnonzero(entity == e)
        if len(rows) < MIN_HISTORY_DAYS:
            continue
        per_entity: list[Anomaly] = []
        t_e, s_e = time_us[rows], state[rows]
        per_entity += _unusual_frequency(e, int(s_e[0]), t_e, day[rows])
        for s in map(int, np.unique(s_e)):
            if states[s] not in ACTIVE_STATES:
                continue
            mine = rows[s_e == s]
            odd = _unusual_time(e, s, day[mine], minute[mine], time_us[mine], n_days)
            # An odd time for the entity at a time the household is usually up is a
            # person's whim; at a time the home is usually asleep or away, it stands out.
            per_entity += [
                a
                for a in odd
                if context.home_active[int(minute[mine][time_us[mine] == a.at_us][0])]
                <= MAX_HOME_ACTIVE_SHARE
            ]
            starts = time_us[mine]
            # How long each stay lasted, from every change (an automation may end it).
            ends = context.timeline.next_change_any(e, starts)
            ended = ends > 0
            durations: F64 = ((ends[ended] - starts[ended]) / 1e6).astype(np.float64)
            floor = MIN_UNUSUAL_DOOR_S if context.doors[e] else MIN_UNUSUAL_DURATION_S
            per_entity += _unusual_duration(e, s, durations, starts[ended], floor)
        per_entity.sort(key=lambda a: -a.severity)
        found += per_entity[:MAX_PER_ENTITY]
    found.sort(key=lambda a: -a.severity)
    return found[:MAX_TOTAL]
