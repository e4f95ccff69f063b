"""People-sensors: how motion, presence and door sensors report people, and what they show.

A motion sensor turns on when it sees a movement and off a timeout after the last movement
it saw; a movement while it is on only extends it, so a busy room keeps it on and a person
sitting still lets it cycle. A presence (mmWave) sensor stays on while someone is in the
room, dropping out for seconds now and then. A door contact is on while the door is open.

Routines seen through these sensors are measured on what they report, the way a person
reading the log would: the first activity in an area after a quiet spell, the last one
before such a spell, and the door openings that start and end an empty home.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.training.synthetic.timebase import US

IntArray = npt.NDArray[np.int64]

MINUTE_US = 60 * US
# The quiet spell around a first or last activity, and the empty home around a door.
QUIET_MINUTES = 60
EMPTY_MINUTES = 30
# Someone leaving may still trip a sensor for this long after opening the door.
LEAVING_GRACE_US = 60 * US

_EMPTY = np.zeros(0, dtype=np.int64)


def motion_spans(moments: IntArray, timeout_us: int) -> tuple[IntArray, IntArray]:
    """Return a motion sensor's on spans (starts, ends) for sorted detection moments."""
    if len(moments) == 0:
        return _EMPTY, _EMPTY
    breaks = np.flatnonzero(np.diff(moments) > timeout_us)
    starts = moments[np.concatenate([[0], breaks + 1])]
    ends = moments[np.concatenate([breaks, [len(moments) - 1]])] + timeout_us
    return starts, ends


def union_spans(starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray]:
    """Return the union of possibly overlapping spans as disjoint sorted spans."""
    if len(starts) == 0:
        return _EMPTY, _EMPTY
    order = np.argsort(starts, kind="stable")
    first, last = starts[order], ends[order]
    reach = np.maximum.accumulate(last)
    new = np.concatenate([[True], first[1:] > reach[:-1]])
    heads = np.flatnonzero(new)
    tails = np.concatenate([heads[1:] - 1, [len(first) - 1]])
    return first[heads], reach[tails]


@dataclass(frozen=True)
class Window:
    """The generated window (UTC microseconds): nothing is known outside it."""

    start: int
    end: int


@dataclass(frozen=True)
class Activity:
    """People-sensor activity of an area or a home: merged on spans and every on event."""

    starts: IntArray
    ends: IntArray
    ons: IntArray

    @classmethod
    def of(cls, spans: list[tuple[IntArray, IntArray]], window: Window) -> Activity:
        """Return the activity of several sensors' on spans, on events inside the window."""
        if not spans:
            return cls(_EMPTY, _EMPTY, _EMPTY)
        starts = np.concatenate([s for s, _ in spans])
        ends = np.concatenate([e for _, e in spans])
        merged_starts, merged_ends = union_spans(starts, ends)
        ons = np.sort(starts[(starts >= window.start) & (starts < window.end)])
        return cls(merged_starts, merged_ends, ons)


def first_activities(activity: Activity, window: Window, quiet_us: int) -> IntArray:
    """Return the first on event of every activity that follows a quiet spell."""
    starts, ends = activity.starts, activity.ends
    if len(starts) == 0:
        return _EMPTY
    before = np.concatenate([[window.start], np.maximum(ends[:-1], window.start)])
    keep = (starts >= window.start) & (starts < window.end) & (starts - before >= quiet_us)
    found: IntArray = starts[keep]
    return found


def last_activities(activity: Activity, window: Window, quiet_us: int) -> IntArray:
    """Return the last on event of every activity that a quiet spell follows."""
    starts, ends, ons = activity.starts, activity.ends, activity.ons
    if len(starts) == 0 or len(ons) == 0:
        return _EMPTY
    after = np.concatenate([np.minimum(starts[1:], window.end), [window.end]])
    keep = (after - ends >= quiet_us) & (ends <= window.end)
    index = np.searchsorted(ons, ends[keep], side="right") - 1
    valid = index >= 0
    last = ons[np.maximum(index, 0)]
    # An activity whose on events all lie before the window shows no on event at all.
    valid &= last >= starts[keep]
    found: IntArray = last[valid]
    return found


def departures(door_ons: IntArray, home_ons: IntArray, window: Window, empty_us: int) -> IntArray:
    """Return door openings after which no people-sensor turns on for `empty_us`."""
    if len(door_ons) == 0:
        return _EMPTY
    following = np.searchsorted(home_ons, door_ons + LEAVING_GRACE_US, side="right")
    next_on = np.where(
        following < len(home_ons), home_ons[np.minimum(following, len(home_ons) - 1)], window.end
    )
    keep = (next_on - door_ons > empty_us) & (door_ons + empty_us <= window.end)
    found: IntArray = door_ons[keep]
    return found


def arrivals(door_ons: IntArray, home_ons: IntArray, window: Window, empty_us: int) -> IntArray:
    """Return door openings before which no people-sensor turned on for `empty_us`."""
    if len(door_ons) == 0:
        return _EMPTY
    preceding = np.searchsorted(home_ons, door_ons, side="left") - 1
    previous = np.where(preceding >= 0, home_ons[np.maximum(preceding, 0)], window.start)
    keep = (door_ons - previous >= empty_us) & (door_ons - empty_us >= window.start)
    found: IntArray = door_ons[keep]
    return found


def matched(planted: IntArray, found: IntArray, early_us: int, late_us: int) -> IntArray:
    """Return, for each planted moment that has one, the found one in [-early, +late] of it."""
    if len(found) == 0 or len(planted) == 0:
        return _EMPTY
    index = np.searchsorted(found, planted - early_us, side="left")
    candidate = found[np.minimum(index, len(found) - 1)]
    hit = (index < len(found)) & (candidate <= planted + late_us)
    hits: IntArray = candidate[hit]
    return hits
