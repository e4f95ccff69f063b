"""Explaining away: a change that follows a cause is that cause's effect, not a clock habit.

The hallway light that comes on at 07:15 every weekday does so because the front door
opens then; the coffee machine at 06:26 because someone walks into the kitchen; the light
that goes off at 06:19 does so because it went on at 06:05 and stays on about a quarter of
an hour. Reporting those as clock habits would suggest timers to the minute that break the
first late morning. So a habit whose days are mostly a pair's (or a routine's) hits goes,
and so does the later state of an entity that its earlier habit plus a duration explains
better than the clock does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from engine.patterns.arrays import F64, I64, MINUTE_US
from engine.patterns.co_occurrence import Pair
from engine.patterns.routines import Routine
from engine.patterns.stats import circular_distance, circular_mean_sd, wilson_lower
from engine.patterns.time_of_day import TimeOfDay, days_fit
from engine.patterns.timeline import StateTimeline

US = 1_000_000
# A habit is a cause's effect when at least this share of its days are the cause's hits.
EXPLAINED_SHARE = 0.6
# An action this soon after a routine's moment (someone walks in, then switches) is its
# effect; a routine that far from a habit's time cannot explain it.
ROUTINE_LINK_S = 300
ROUTINE_NEAR_MIN = 60.0
LINK_WINDOWS_S = (30, 60, 120, 180, 300)
MIN_DAYS = 5
# A duration this steady (spread within this share of its median) is worth a timer.
STEADY_DURATION_SHARE = 0.25
# A return to rest this soon after the entity's previous change is a habit of its own only
# when it is tight: within this many minutes, and clearly steadier than the duration since
# (this share of its spread). The end of a random on-duration is no habit.
DURATION_MAX_MIN = 12 * 60.0
TIGHT_RETURN_MIN = 25.0
RETURN_TIGHTER = 0.5
# ...and short enough to be one (a light off overnight is no timer).
STEADY_MAX_MIN = 120.0


@dataclass(frozen=True, eq=False)
class RoutineLink:
    """A habit explained by a routine: the action follows the routine's moment."""

    routine: Routine
    habit: TimeOfDay
    triggers: I64  # rows of the routine's occurrences that the action followed
    actions: I64  # rows of the habit's events that followed them
    window_s: int
    confidence: float
    lower: float
    score: float


def clock_minute(habit: TimeOfDay, minute: F64) -> float:
    """Return a habit's mean local minute of day (a sun-timed habit's `minute` is relative)."""
    return circular_mean_sd(minute[habit.hits])[0]


def by_pairs(habits: list[TimeOfDay], pairs: list[Pair]) -> list[TimeOfDay]:
    """Return the habits that no pair explains (their days are not mostly its hits)."""
    kept = []
    for habit in habits:
        causes = [p for p in pairs if p.action == (habit.entity, habit.state)]
        if any(float(np.isin(habit.hits, p.hit_actions).mean()) >= EXPLAINED_SHARE for p in causes):
            continue
        kept.append(habit)
    return kept


def by_routines(
    habits: list[TimeOfDay], routines: list[Routine], time_us: I64, minute: F64
) -> tuple[list[TimeOfDay], list[RoutineLink]]:
    """Return the habits no routine explains, and the links of those one does."""
    kept: list[TimeOfDay] = []
    links: list[RoutineLink] = []
    for habit in habits:
        best: RoutineLink | None = None
        action_times = time_us[habit.hits]
        for routine in routines:
            if routine.stream.kind not in ("first_activity", "arrival"):
                continue
            moment = routine.habit
            if not days_fit(moment.days, habit.days):
                continue
            apart = float(
                circular_distance(np.array([moment.minute]), clock_minute(habit, minute))[0]
            )
            if apart > ROUTINE_NEAR_MIN:
                continue
            link = _link(routine, habit, action_times, time_us)
            if link is not None and (best is None or link.score > best.score):
                best = link
        if best is None:
            kept.append(habit)
        else:
            links.append(best)
    return kept, links


def _link(
    routine: Routine, habit: TimeOfDay, action_times: I64, time_us: I64
) -> RoutineLink | None:
    """Return the link when the habit's days mostly follow the routine's moment closely."""
    moments = routine.habit.hits
    moment_times = time_us[moments]
    index = np.searchsorted(moment_times, action_times, side="left") - 1
    found = index >= 0
    delay = np.where(found, action_times - moment_times[np.maximum(index, 0)], -1)
    follows = found & (delay > 0) & (delay <= ROUTINE_LINK_S * US)
    if follows.sum() < max(MIN_DAYS, EXPLAINED_SHARE * len(action_times)):
        return None
    delays_s = delay[follows] / US
    p90 = float(np.quantile(delays_s, 0.9))
    window_s = next(w for w in LINK_WINDOWS_S if w >= p90)
    inside = follows & (delay <= window_s * US)
    hits = int(inside.sum())
    confidence = hits / len(moments)
    lower = wilson_lower(hits, len(moments))
    return RoutineLink(
        routine,
        habit,
        moments[index[inside]],
        habit.hits[inside],
        window_s,
        confidence,
        lower,
        lower * min(1.0, hits / 14),
    )


def by_durations(
    habits: list[TimeOfDay],
    timeline: StateTimeline,
    time_us: I64,
    minute: F64,
    returns: Collection[int] = (),
) -> tuple[list[TimeOfDay], dict[TimeOfDay, float]]:
    """Return habits that their entity's previous change plus a duration does not explain.

    The light off at 06:19 went on at 06:05 and stays on about a quarter of an hour: its
    time is the previous change's plus a duration, which varies less than the clock time
    does. A light switched off at 22:30 whenever it went on is the other way round. A
    return to rest (`returns`: off, closed, idle) that follows a change of the same day
    is a habit only when its own time is tight. Also returns, per kept habit, the steady
    time (minutes) after which the entity changes again, when there is one: a timer a
    person would set.
    """
    kept: list[TimeOfDay] = []
    steady: dict[TimeOfDay, float] = {}
    for habit in habits:
        at = time_us[habit.hits]
        changes, _ = timeline.changes(habit.entity)
        index = np.searchsorted(changes, at, side="left")
        previous = index > 0
        since = (at[previous] - changes[np.maximum(index[previous] - 1, 0)]) / MINUTE_US
        mean = clock_minute(habit, minute)
        own = (minute[habit.hits] - mean + 720.0) % 1440.0 - 720.0
        if len(since) >= MIN_DAYS:
            own_spread = float(np.std(own[previous]))
            after_change = float(np.median(since)) <= DURATION_MAX_MIN
            loose_return = habit.state in returns and after_change
            duration_spread = float(np.std(since))
            tight = own_spread <= TIGHT_RETURN_MIN and own_spread < RETURN_TIGHTER * duration_spread
            if duration_spread < own_spread or (loose_return and not tight):
                continue
        kept.append(habit)
        after = np.searchsorted(changes, at, side="right")
        following = after < len(changes)
        until = (changes[after[following]] - at[following]) / MINUTE_US
        if len(until) >= MIN_DAYS:
            middle = float(np.median(until))
            steady_enough = float(np.std(until)) <= STEADY_DURATION_SHARE * middle
            if steady_enough and middle <= STEADY_MAX_MIN:
                steady[habit] = middle
    return kept, steady


def without_effect_triggers(pairs: list[Pair]) -> list[Pair]:
    """Return pairs without those whose trigger is another effect of their action's cause.

    The garage light comes on because the garage door opened, and the door closes once
    the car is in: "close the garage door when its light turns on" has an effect for a
    trigger and the cause's own entity for an action.
    """
    kept = []
    for pair in pairs:
        if any(
            cause is not pair
            and cause.action == pair.trigger
            and cause.trigger[0] == pair.action[0]
            and float(np.isin(pair.hit_triggers, cause.hit_actions).mean()) >= EXPLAINED_SHARE
            for cause in pairs
        ):
            continue
        kept.append(pair)
    return kept


def by_idioms(  # noqa: PLR0917 - the habits and what the light pairs explain
    habits: list[TimeOfDay],
    pairs: Iterable[Pair],
    off_after: Mapping[Pair, int | None],
    timeline: StateTimeline,
    time_us: I64,
    off_codes: Collection[int],
) -> list[TimeOfDay]:
    """Return habits without a light's offs that its motion or door timer explains."""
    timed_off: dict[int, I64] = {}
    for pair in pairs:
        if off_after.get(pair) is None:
            continue
        light = pair.action[0]
        ends = np.concatenate(
            [timeline.next_change(light, time_us[pair.hit_actions], code) for code in off_codes]
        )
        timed_off[light] = np.r_[timed_off.get(light, np.zeros(0, dtype=np.int64)), ends]
    return [
        habit
        for habit in habits
        if habit.entity not in timed_off
        or habit.state not in off_codes
        or float(np.isin(time_us[habit.hits], timed_off[habit.entity]).mean()) < EXPLAINED_SHARE
    ]


# An idiom's light pair explains another pair of the same light when it holds this share
# of that pair's hits and predicts the light at least this well (share of its confidence).
IDIOM_COVERS_SHARE = 0.8
IDIOM_CONFIDENCE_SHARE = 0.8


def by_idiom_pairs(pairs: list[Pair], idioms: Iterable[Pair]) -> list[Pair]:
    """Return pairs without those a motion or door light's own pair explains.

    Once a light follows its motion sensor reliably, the person arriving minutes earlier,
    the bedroom light turned on before the walk to the bathroom, or the front door opened
    on the way in only precede the motion that switches it: the nearer, reliable cause is
    the sensor.
    """
    lights = list(idioms)
    return [
        pair
        for pair in pairs
        if not any(
            light is not pair
            and light.action == pair.action
            and light.median_delay_s < pair.median_delay_s
            and light.confidence >= IDIOM_CONFIDENCE_SHARE * pair.confidence
            and float(np.isin(pair.hit_actions, light.hit_actions).mean()) >= IDIOM_COVERS_SHARE
            for light in lights
        )
    ]


def without_idiom_links(links: list[RoutineLink], idioms: Iterable[Pair]) -> list[RoutineLink]:
    """Return routine links whose action is not a light a sensor already switches reliably."""
    lit = {pair.action for pair in idioms}
    return [link for link in links if (link.habit.entity, link.habit.state) not in lit]
