"""Living in a synthetic home: habits, presence, automations, anomalies as intervals.

Everything a person, an automation or a device does becomes an interval of some entity's
active state (see intervals.py); numeric sensor chatter is added later, vectorised, by
chatter.py. Planted habits carry tags, so the ground truth can say on how many days each
one really shows in the events.
"""

from __future__ import annotations

from engine.training.synthetic.devices import Devices
from engine.training.synthetic.intervals import resolve
from engine.training.synthetic.presence import Presence
from engine.training.synthetic.schedules import Schedules


class Simulation(Presence, Schedules, Devices):
    """Plans a home's days and turns them into resolved intervals per entity."""

    def run(self) -> None:
        """Plan every day and resolve every entity's intervals."""
        self._presence()
        self._lock()
        self._heating()
        self._chains()
        self._habits()
        self._automations()
        self._background()
        self._anomalies()
        self.merged = {
            entity_id: resolve(items, self._gap(entity_id))
            for entity_id, items in self.intervals.items()
        }
        self._reactions()
        self._derived_sensors()
        # Only what the events show counts: a window may start or end in the middle of a day.
        first, last = self.tb.start_us, self.tb.end_us
        for items in self.merged.values():
            for item in items:
                tags = (*item.start_tags,) if first <= item.start < last else ()
                if first <= item.end < last:
                    tags += item.end_tags
                for record, day, step in tags:
                    self.records[record].hit(day, step)
