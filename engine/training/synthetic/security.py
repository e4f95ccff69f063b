"""Security habits: a lock, a garage door and an alarm panel moved by people at regular times.

The lock already follows the household (simulate.py): unlocked by the first to leave or to
come back to an empty home, locked behind the last one out, and at night by an automation.
Added here, from streams of their own so the households stay the homes they were: an alarm
panel armed when the home empties and disarmed by whoever comes back (an entry delay shows
as "pending"), and, in motion-lit houses, the garage door opened after its driver comes
home and on leaving.

The ground truth is ordinary time_of_day and co_occurrence truth with "security": true:
history never earns an automation that unlocks, disarms or opens these by itself, so the
detectors must know them for what they are. Times of day are measured on what the
simulation made (per cause and kind of day, like the implied truth), and only written down
when they are regular: on at least half the days of their kind, within 45 minutes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.training.synthetic.builder import HomeBuilder
from engine.training.synthetic.days import Draws
from engine.training.synthetic.household import MINUTE_US, hhmm
from engine.training.synthetic.intervals import PRIORITY_PLANTED, Interval, resolve
from engine.training.synthetic.model import (
    ORIGIN_AUTOMATION,
    ORIGIN_LABELS,
    ORIGIN_MANUAL,
    ORIGIN_SYSTEM,
    Layout,
)
from engine.training.synthetic.regular import MAX_SPREAD_MIN, MIN_SHARE
from engine.training.synthetic.simulate import Simulation
from engine.training.synthetic.timebase import US

# Chance that a home of a type has an alarm panel.
ALARM_CHANCE = {"family_house": 0.4, "home_office": 0.4, "motion_lit": 0.5}
# Absences shorter than this are not worth arming for.
_ARM_AFTER_US = 10 * MINUTE_US
_GARAGE_TRAVEL_S = (15.0, 30.0)


@dataclass(frozen=True)
class SecurityPlan:
    """The security devices people move: an alarm panel, a garage door and its driver."""

    alarm: str | None = None
    garage: str | None = None
    driver: str | None = None


def add_alarm(builder: HomeBuilder, layout: Layout) -> str | None:
    """Maybe add an alarm panel by the front door; return its entity id."""
    door = layout.role("front_door")
    chance = ALARM_CHANCE.get(layout.home_type, 0.0)
    if door is None or not builder.chance(chance):
        return None
    # Not through layout.by_id: it would be cached without the panel.
    area = next(e.home_area for e in layout.entities if e.entity_id == door)
    maker = builder.pick((("Ajax Systems", "Hub 2 Plus"), ("Bosch", "Smart Home Alarm")))
    device_id = builder.device("Home alarm", area, maker)
    panel = builder.entity(
        "alarm_control_panel",
        "Home alarm",
        "alarm",
        device_id=device_id,
        active="armed_away",
        idle="disarmed",
        start_transient="arming",
        end_transient="pending",
        attributes={"code_format": "number", "code_arm_required": False},
    )
    return panel.entity_id


class SecurityPass:
    """Moves the alarm and the garage door, and writes down the security habits."""

    def __init__(
        self, plan: SecurityPlan, layout: Layout, sim: Simulation, rng: np.random.Generator
    ) -> None:
        self.plan = plan
        self.layout = layout
        self.sim = sim
        self.tb = sim.tb
        self.d = Draws(rng)

    def run(self) -> list[dict[str, Any]]:
        """Add the alarm's and the garage's intervals; return the security truth."""
        records: list[dict[str, Any]] = []
        if self.plan.alarm is not None:
            self._alarm(self.plan.alarm)
        if self.plan.garage is not None and self.plan.driver is not None:
            records += self._garage(self.plan.garage, self.plan.driver)
        measured = [self.layout.role("lock"), self.plan.alarm]
        for entity_id in measured:
            if entity_id is not None:
                records += self._measured(entity_id)
        # Habits the households already plant on these (the family's garage door).
        secured = {entity_id for entity_id in (*measured, self.plan.garage) if entity_id}
        secured |= {e.entity_id for e in self.layout.entities if e.device_class == "garage"}
        for record in self.sim.records:
            if record.routine.get("entity_id") in secured:
                record.routine["security"] = True
        return records

    def _alarm(self, panel: str) -> None:
        """Arm when the home empties, disarm after the door opens when someone comes back."""
        d = self.d
        items = []
        for start, end in self.sim.empty:
            if end - start < _ARM_AFTER_US:
                continue
            by_hand = ORIGIN_MANUAL if d.chance(0.5) else ORIGIN_SYSTEM
            items.append(
                Interval(
                    start + round(d.uniform(20, 60) * US),
                    end + round(d.uniform(1, 3) * US),
                    by_hand,
                    ORIGIN_SYSTEM,
                    PRIORITY_PLANTED,
                    person_start=True,
                    person_end=True,
                    travel_start=round(d.uniform(30, 60) * US),
                    travel_end=round(d.uniform(8, 40) * US),
                    start_causes=self.sim.move_causes(start, leaving=True),
                    end_causes=self.sim.move_causes(end, leaving=False),
                )
            )
        self.sim.merged[panel] = resolve(items, round(60 * US))

    def _garage(self, garage: str, driver: str) -> list[dict[str, Any]]:
        """Open the garage after the driver comes home (and on leaving); return the pair."""
        d = self.d
        index = next(i for i, o in enumerate(self.sim.occupants) if o.role == driver)
        person = self.sim.occupants[index].person
        if person is None:
            return []
        delay_s, probability = 40.0, 0.9
        items: list[Interval] = []
        days: set[int] = set()
        for leave, back in self.sim.away[index]:
            if d.chance(0.8):
                items.append(
                    self._garage_run(
                        leave - round(d.uniform(30, 90) * US),
                        leave + round(d.uniform(30, 120) * US),
                        self.sim.move_causes(leave, leaving=True),
                    )
                )
            # The geofence turns the person home a minute or two before the door.
            home = next(
                (
                    item.end
                    for item in self.sim.merged.get(person, [])
                    if back - 3 * MINUTE_US <= item.end <= back
                ),
                None,
            )
            if home is None or not d.chance(probability):
                continue
            opened = home + round(min(120.0, max(10.0, d.lognormal(delay_s, 0.35))) * US)
            run = self._garage_run(
                opened,
                opened + round(d.uniform(60, 180) * US),
                self.sim.move_causes(back, leaving=False),
            )
            items.append(run)
            moment = run.start + run.travel_start
            if self.tb.start_us <= moment < self.tb.end_us:
                days.add(int(self.tb.day_index(np.array([moment], dtype=np.int64))[0]))
        gap = round(_GARAGE_TRAVEL_S[1] * US) + 1
        self.sim.merged[garage] = resolve(self.sim.merged.get(garage, []) + items, gap)
        travel = sum(_GARAGE_TRAVEL_S) / 2
        return [
            {
                "kind": "co_occurrence",
                "trigger": {"entity_id": person, "state": "home"},
                "action": {"entity_id": garage, "state": "open"},
                "delay_s": round(delay_s + travel, 1),
                "probability": probability,
                "occupant": driver,
                "security": True,
                "support_days": len(days),
            }
        ]

    def _garage_run(self, start: int, end: int, causes: tuple[tuple[str, int], ...]) -> Interval:
        """Return the garage door open from start to end, moved by remote or app."""
        d = self.d
        by_hand = ORIGIN_MANUAL if d.chance(0.4) else ORIGIN_SYSTEM
        return Interval(
            start,
            end,
            by_hand,
            by_hand,
            PRIORITY_PLANTED,
            person_start=True,
            person_end=True,
            travel_start=round(d.uniform(*_GARAGE_TRAVEL_S) * US),
            travel_end=round(d.uniform(*_GARAGE_TRAVEL_S) * US),
            start_causes=causes,
            end_causes=causes,
        )

    def _measured(self, entity_id: str) -> list[dict[str, Any]]:
        """Return the regular times of an entity's person-made changes, per cause and day kind."""
        entity = self.layout.by_id[entity_id]
        groups: dict[tuple[str, str, bool], list[tuple[int, float, int]]] = defaultdict(list)
        for item in self.sim.merged.get(entity_id, []):
            for moment, state, causes, origin in (
                (
                    item.start + item.travel_start,
                    entity.active,
                    item.start_causes,
                    item.origin_start,
                ),
                (item.end + item.travel_end, entity.idle, item.end_causes, item.origin_end),
            ):
                if origin == ORIGIN_AUTOMATION or not self.tb.start_us <= moment < self.tb.end_us:
                    continue
                where = np.array([moment], dtype=np.int64)
                day = int(self.tb.day_index(where)[0])
                minute = float(self.tb.seconds_of_day(where)[0]) / 60.0
                for source in {source for source, _ in causes}:
                    # Only a person's regular moments: not an outing, not a moment of its own.
                    if source.startswith("mark:") and not source.endswith(":other"):
                        groups[(state, source, bool(self.tb.workday[day]))].append(
                            (day, minute, origin)
                        )
        records = []
        kind_days = {True: int(self.tb.workday.sum()), False: int((~self.tb.workday).sum())}
        for (state, source, workday), rows in sorted(groups.items()):
            record = self._regular(
                entity_id=entity_id,
                state=state,
                source=source,
                workday=workday,
                rows=rows,
                days_of_kind=kind_days[workday],
            )
            if record is not None:
                records.append(record)
        return records

    def _regular(
        self,
        *,
        entity_id: str,
        state: str,
        source: str,
        workday: bool,
        rows: list[tuple[int, float, int]],
        days_of_kind: int,
    ) -> dict[str, Any] | None:
        """Return a time_of_day record when a group of moments is a routine, else None."""
        angles = np.array([minute for _, minute, _ in rows]) * (2 * math.pi / 1440)
        s, c = float(np.sin(angles).mean()), float(np.cos(angles).mean())
        mean = (math.atan2(s, c) * 1440 / (2 * math.pi)) % 1440
        spread = (
            math.sqrt(-2 * math.log(max(min(1.0, math.hypot(s, c)), 1e-12))) * 1440 / (2 * math.pi)
        )
        near = {
            day
            for day, minute, _ in rows
            if min(abs(minute - mean), 1440 - abs(minute - mean)) <= 2.5 * spread + 10
        }
        if len(near) < MIN_SHARE * days_of_kind or spread >= MAX_SPREAD_MIN:
            return None
        origins = [origin for _, _, origin in rows]
        origin = max(set(origins), key=origins.count)
        return {
            "kind": "time_of_day",
            "entity_id": entity_id,
            "state": state,
            "time": hhmm(mean),
            "spread_minutes": round(max(spread, 0.5), 1),
            "days": "weekdays" if workday else "weekends",
            "occupant": source.split(":")[1],
            "origin": ORIGIN_LABELS[origin],
            "security": True,
            "support_days": len(near),
        }
