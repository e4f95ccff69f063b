"""Each entity's state over time, from every recorded change (whoever made it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.patterns.arrays import I64, EventArrays

UNKNOWN = -1


@dataclass(frozen=True)
class StateTimeline:
    """Every change of every entity, grouped by entity and in time order within it."""

    time_us: I64
    state: I64
    # Rows of entity e are starts[e]:starts[e + 1].
    starts: I64

    @classmethod
    def build(cls, events: EventArrays) -> StateTimeline:
        """Return the timeline of all events (automations' changes are states too)."""
        order = np.argsort(events.entity, kind="stable")
        counts = np.bincount(events.entity, minlength=len(events.entity_ids))
        starts = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        return cls(
            events.time_us[order].astype(np.int64, copy=False),
            events.state[order].astype(np.int64, copy=False),
            starts,
        )

    def _rows(self, entity: int) -> tuple[I64, I64]:
        lo, hi = int(self.starts[entity]), int(self.starts[entity + 1])
        return self.time_us[lo:hi], self.state[lo:hi]

    def before(self, entity: int, times: I64) -> I64:
        """Return the entity's state just before each time (UNKNOWN before its first change)."""
        changes, states = self._rows(entity)
        index = np.searchsorted(changes, times, side="left") - 1
        result: I64 = np.where(index >= 0, states[np.maximum(index, 0)], UNKNOWN)
        return result

    def next_change(self, entity: int, times: I64, state: int) -> I64:
        """Return, for each time, the entity's next change to `state` after it (-1 if none)."""
        changes, states = self._rows(entity)
        mine = changes[states == state]
        index = np.searchsorted(mine, times, side="right")
        result: I64 = np.where(index < len(mine), mine[np.minimum(index, len(mine) - 1)], -1)
        return result if len(mine) else np.full(len(times), -1, dtype=np.int64)

    def next_change_any(self, entity: int, times: I64) -> I64:
        """Return, for each time, the entity's next change after it (-1 if none)."""
        changes, _ = self._rows(entity)
        index = np.searchsorted(changes, times, side="right")
        found = index < len(changes)
        result: I64 = np.full(len(times), -1, dtype=np.int64)
        result[found] = changes[index[found]]
        return result

    def changes(self, entity: int) -> tuple[I64, I64]:
        """Return the entity's change times and states, in time order."""
        return self._rows(entity)

    def time_in(self, entity: int, state: int, start_us: int, end_us: int) -> int:
        """Return how long the entity spent in a state between two instants (microseconds)."""
        changes, states = self._rows(entity)
        if len(changes) == 0:
            return 0
        edges = np.clip(np.r_[changes, end_us], start_us, end_us)
        spans = np.diff(edges)
        return int(spans[states == state].sum())
