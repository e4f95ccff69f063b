"""Intervals of an entity's active state, and how overlapping ones resolve.

People, automations and sensors all say "this entity is active from here to there". Two
such claims on one entity can overlap (someone turns on a light that is already on), so
each entity's intervals are resolved before any event is written: planted habits win over
background use, injected anomalies win over both, and the rest merge into one interval.
Tags ride on the transitions that survive, which is how the ground truth counts the days
on which a planted routine really shows in the events.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

# (record index, day index, chain step)
Tag = tuple[int, int, int]
# Why a transition happened, for the implied ground truth: (source, occurrence). The source
# names the daily routine behind it ("mark:parent_1:wake"); transitions sharing an
# occurrence (one person's wake-up on one day) are consequences of one moment.
Cause = tuple[str, int]

PRIORITY_BACKGROUND = 1
PRIORITY_PLANTED = 2
PRIORITY_ANOMALY = 3


@dataclass(slots=True)
class Interval:
    """An entity is active from `start` to `end` (UTC epoch microseconds)."""

    start: int
    end: int
    origin_start: int
    origin_end: int
    priority: int = PRIORITY_BACKGROUND
    # Whether a person caused the change (motion and presence sensors follow people).
    person_start: bool = False
    person_end: bool = False
    start_tags: tuple[Tag, ...] = ()
    end_tags: tuple[Tag, ...] = ()
    # Seconds a slow device takes from its transient state to the final one, in microseconds.
    travel_start: int = 0
    travel_end: int = 0
    start_causes: tuple[Cause, ...] = ()
    end_causes: tuple[Cause, ...] = ()


def resolve(items: list[Interval], gap_us: int) -> list[Interval]:
    """Return disjoint intervals, sorted; higher priority first, equal priority merged."""
    kept: list[Interval] = []
    for priority in sorted({item.priority for item in items}, reverse=True):
        level = sorted(
            (item for item in items if item.priority == priority),
            key=lambda item: (item.start, item.end),
        )
        if kept:
            starts = [item.start for item in kept]
            ends = [item.end for item in kept]
            level = [item for item in level if not _overlaps(item, starts, ends, gap_us)]
        kept = sorted(kept + _union(level, gap_us), key=lambda item: (item.start, item.end))
    return kept


def _overlaps(item: Interval, starts: list[int], ends: list[int], gap_us: int) -> bool:
    """Return whether an interval comes within `gap_us` of a kept one (kept are disjoint)."""
    index = bisect_left(starts, item.end + gap_us) - 1
    return index >= 0 and ends[index] + gap_us > item.start


def _union(level: list[Interval], gap_us: int) -> list[Interval]:
    """Merge intervals of equal priority that overlap or nearly touch (sorted input)."""
    merged: list[Interval] = []
    for item in level:
        if item.end <= item.start:
            continue
        if merged and item.start <= merged[-1].end + gap_us:
            current = merged[-1]
            if item.end > current.end:
                # The later end wins; the earlier end's transition no longer happens.
                current.end = item.end
                current.origin_end = item.origin_end
                current.person_end = item.person_end
                current.end_tags = item.end_tags
                current.travel_end = item.travel_end
                current.end_causes = item.end_causes
            continue
        merged.append(
            Interval(
                item.start,
                item.end,
                item.origin_start,
                item.origin_end,
                item.priority,
                item.person_start,
                item.person_end,
                item.start_tags,
                item.end_tags,
                item.travel_start,
                item.travel_end,
                item.start_causes,
                item.end_causes,
            )
        )
    return merged
