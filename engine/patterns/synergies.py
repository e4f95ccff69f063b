"""Synergies: chains of 2 to 4 steps, every link a reported co-occurrence pair."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.patterns.arrays import I64
from engine.patterns.co_occurrence import US, Pair

Key = tuple[int, int]
MIN_SUPPORT_DAYS = 5
MIN_CONFIDENCE = 0.3
# Each step extends along its strongest few links only, and the number of longer chains is
# capped relative to the pairs, so a busy home cannot explode into thousands of chains.
BRANCHING = 3
MAX_LONG_CHAINS_PER_PAIR = 1.0


@dataclass(frozen=True)
class Chain:
    """A sequence of (entity, state) steps and how often it ran to the end."""

    steps: tuple[Key, ...]
    support_days: int
    runs: int
    starts: int
    confidence: float
    score: float


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
    steps: tuple[Key, ...], links: list[Pair], times: Callable[[Key], I64], day_us: int
) -> tuple[int, int, int]:
    """Return (runs to the end, distinct days, starts) of a chain over the history."""
    start = times(steps[0])
    current = start
    alive = np.ones(len(start), dtype=bool)
    for link, step in zip(links, steps[1:], strict=True):
        nxt = _follow(current, times(step), link.window_s * US)
        alive &= nxt >= 0
        current = np.where(nxt >= 0, nxt, current)
    runs = int(alive.sum())
    days = len(np.unique(start[alive] // day_us))
    return runs, days, len(start)


def build_chains(pairs: list[Pair], times: Callable[[Key], I64], day_us: int) -> list[Chain]:
    """Return depth-2 chains (the pairs) and the longer chains the history supports."""
    chains = [
        Chain((p.trigger, p.action), p.support_days, p.hits, p.triggers, p.confidence, p.score)
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
                runs, days, n = _measure(new_steps, new_links, times, day_us)
                confidence = runs / n if n else 0.0
                if days < MIN_SUPPORT_DAYS or confidence < MIN_CONFIDENCE:
                    continue
                score = min(lk.score for lk in new_links) * min(1.0, confidence / 0.6)
                chains.append(Chain(new_steps, days, runs, n, confidence, score))
                grown.append((new_steps, new_links))
        frontier = grown
    return chains
