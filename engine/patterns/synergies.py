"""Synergies: chains of 2 to 4 steps, every link a reported co-occurrence pair."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.patterns.arrays import I64
from engine.patterns.co_occurrence import US, Pair

Key = tuple[int, int]
MIN_SUPPORT_DAYS = 5
# A longer chain holds when its first link's runs mostly (this share) go on to its end.
MIN_CONTINUED = 0.5
# Each step extends along its strongest few links only, and the number of longer chains is
# capped relative to the pairs, so a busy home cannot explode into thousands of chains.
BRANCHING = 3
MAX_LONG_CHAINS_PER_PAIR = 1.0


@dataclass(frozen=True, eq=False)
class Chain:
    """A sequence of (entity, state) steps and how often it ran to the end."""

    steps: tuple[Key, ...]
    support_days: int
    runs: int
    starts: int
    confidence: float
    score: float
    # When each complete run started (microseconds), for the chain's evidence.
    run_starts: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _follow(starts: I64, later: I64, window_us: int) -> I64:
    """Return, for each start time, the first later time within the window (or -1)."""
    index = np.searchsorted(later, starts, side="right")
    found = np.full(len(starts), -1, dtype=np.int64)
    ok = index < len(later)
    candidate = later[np.minimum(index, len(later) - 1)] if len(later) else found
    ok &= (candidate - starts <= window_us) & (candidate > starts)
    found[ok] = candidate[ok]
    return found


def _measure(
    steps: tuple[Key, ...],
    links: list[Pair],
    times: Callable[[Key], I64],
    day_us: int,
    time_us: I64,
) -> tuple[I64, int, int]:
    """Return (start times of runs to the end, distinct days, starts) of a chain.

    A run starts where its first link did (a hit of the first pair), so the chain's
    confidence is the first pair's, times how often the rest follows: a light switched all
    day long starts the chain only when the chain happens.
    """
    start = time_us[links[0].hit_triggers]
    current = time_us[links[0].hit_actions]
    alive = np.ones(len(start), dtype=bool)
    for link, step in zip(links[1:], steps[2:], strict=True):
        nxt = _follow(current, times(step), link.window_s * US)
        alive &= nxt >= 0
        current = np.where(nxt >= 0, nxt, current)
    days = len(np.unique(start[alive] // day_us))
    return start[alive], days, links[0].triggers


def build_chains(
    pairs: list[Pair], times: Callable[[Key], I64], day_us: int, time_us: I64
) -> list[Chain]:
    """Return depth-2 chains (the pairs) and the longer chains the history supports."""
    chains = [
        Chain(
            (p.trigger, p.action),
            p.support_days,
            p.hits,
            p.triggers,
            p.confidence,
            p.score,
            time_us[p.hit_triggers],
        )
        for p in pairs
    ]
    out: dict[Key, list[Pair]] = {}
    for p in sorted(pairs, key=lambda p: -p.score):
        out.setdefault(p.trigger, []).append(p)
    budget = int(MAX_LONG_CHAINS_PER_PAIR * len(pairs))
    frontier: list[tuple[tuple[Key, ...], list[Pair]]] = [
        ((p.trigger, p.action), [p]) for p in pairs
    ]
    for _depth in (3, 4):
        grown: list[tuple[tuple[Key, ...], list[Pair]]] = []
        for steps, links in frontier:
            for link in out.get(steps[-1], [])[:BRANCHING]:
                if link.action in steps or len(chains) - len(pairs) >= budget:
                    continue
                new_steps, new_links = (*steps, link.action), [*links, link]
                run_starts, days, n = _measure(new_steps, new_links, times, day_us, time_us)
                runs = len(run_starts)
                confidence = runs / n if n else 0.0
                continued = runs / max(new_links[0].hits, 1)
                if days < MIN_SUPPORT_DAYS or continued < MIN_CONTINUED:
                    continue
                score = min(lk.score for lk in new_links) * min(1.0, continued / 0.8)
                chains.append(Chain(new_steps, days, runs, n, confidence, score, run_starts))
                grown.append((new_steps, new_links))
        frontier = grown
    return chains
