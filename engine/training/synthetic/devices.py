"""The devices: automations, background use, anomalies, reactions and derived sensors."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import numpy as np

from engine.training.synthetic.household import (
    DAY_US,
    HOUR_US,
    MIN_GAP_US,
    MINUTE_US,
    Causes,
    Household,
    hhmm,
)
from engine.training.synthetic.intervals import (
    PRIORITY_ANOMALY,
    PRIORITY_BACKGROUND,
    PRIORITY_PLANTED,
    Interval,
    resolve,
)
from engine.training.synthetic.model import ORIGIN_AUTOMATION, ORIGIN_SYSTEM, Occupant, SimEntity
from engine.training.synthetic.timebase import US


class Devices(Household):
    """What the home's devices do: by automation, by chance, in reaction, as sensors."""

    def _heating(self) -> None:
        """In the heating season an automation turns the thermostats off while nobody is home."""
        if not self.heating:
            return
        for entity in self.layout.entities:
            if entity.kind != "climate":
                continue
            for start, end in self.empty:
                if end - start < 30 * MINUTE_US:
                    continue
                self.add(
                    entity.entity_id,
                    Interval(
                        start + round(self.d.uniform(240, 360) * US),
                        end - round(self.d.uniform(30, 120) * US),
                        ORIGIN_AUTOMATION,
                        ORIGIN_AUTOMATION,
                        PRIORITY_PLANTED,
                    ),
                )

    def _automations(self) -> None:
        """Porch light at sunset, blinds down at dusk and up in the morning, the vacuum."""
        porch = self.layout.role("porch_light")
        if porch is not None:
            self._porch(porch)
        for entity in self.layout.entities:
            if entity.kind == "cover" and entity.device_class == "blind":
                self._blind(entity)
            elif entity.kind == "vacuum":
                self._vacuum(entity)

    def _porch(self, porch: str) -> None:
        """Turn the porch light on at sunset and off at 23:30."""
        for day in range(self.tb.day_count):
            on = self.sunset_us[day] + round(self.d.uniform(0.2, 2.0) * US)
            off = self.tb.local_day_us(day, 1410.0) + round(self.d.uniform(0.2, 1.5) * US)
            if off > on:
                causes = self._once(f"auto:{porch}", timed=True)
                self.add(
                    porch,
                    Interval(
                        on,
                        off,
                        ORIGIN_AUTOMATION,
                        ORIGIN_AUTOMATION,
                        PRIORITY_PLANTED,
                        start_causes=causes,
                        end_causes=causes,
                    ),
                )

    def _vacuum(self, vacuum: SimEntity) -> None:
        """Clean at 10:00 on working days, only while nobody is home for the whole run."""
        empty_starts = [start for start, _ in self.empty]
        for day in range(self.tb.day_count):
            if not self.tb.workday[day]:
                continue
            start = self.tb.local_day_us(day, 600.0) + round(self.d.uniform(0.2, 1.5) * US)
            index = bisect_right(empty_starts, start) - 1
            if index >= 0 and self.empty[index][1] > start + 80 * MINUTE_US:
                end = start + round(self.d.uniform(45, 75) * MINUTE_US)
                self._slow_interval(vacuum, start, end, ORIGIN_AUTOMATION, ORIGIN_SYSTEM)

    def _blind(self, blind: SimEntity) -> None:
        """Close a blind after sunset, open it after sunrise but not too early."""
        days = self.tb.day_count
        for day in range(-1, days):
            if day >= 0:
                close = self.sunset_us[day] + 15 * MINUTE_US
            else:
                close = self.sunset_us[0] + 15 * MINUTE_US - DAY_US
            morning = day + 1
            if morning < days:
                earliest = 435.0 if self.tb.workday[morning] else 510.0
                open_at = max(
                    self.sunrise_us[morning] + 10 * MINUTE_US,
                    self.tb.local_day_us(morning, earliest),
                )
            else:
                open_at = close + 12 * HOUR_US
            self._slow_interval(
                blind,
                close + round(self.d.uniform(0.2, 1.5) * US),
                open_at + round(self.d.uniform(0.2, 1.5) * US),
                ORIGIN_AUTOMATION,
                ORIGIN_AUTOMATION,
            )

    def _background(self) -> None:
        """Use outside habits: now and then, more after dark, only when at home and awake."""
        for index, occupant in enumerate(self.occupants):
            if not occupant.background:
                continue
            cumulative = [float(x) for x in np.cumsum([w for _, w, _, _ in occupant.background])]
            rate = 0.45 if occupant.archetype.startswith("child") else 0.75
            for day, plan in enumerate(self.plans[index]):
                first = plan.marks.get("wake", plan.marks.get("return"))
                if first is None:
                    continue
                last = plan.marks.get("sleep", first + 15 * HOUR_US)
                for _ in range(self.d.count(rate * 1.6 * max(0.0, (last - first) / HOUR_US))):
                    self._background_use(index, occupant, cumulative, day, (first, last))

    def _background_use(
        self,
        index: int,
        occupant: Occupant,
        cumulative: list[float],
        day: int,
        awake: tuple[int, int],
    ) -> None:
        """Maybe use one thing at a random moment (in daylight, less often)."""
        d = self.d
        first, last = awake
        moment = first + round(d.uniform() * (last - first))
        dark = moment < self.sunrise_us[day] or moment > self.sunset_us[day]
        if (not dark and d.chance(0.6)) or not self.is_home(index, moment):
            return
        entity_id, _, median, sigma = occupant.background[d.index(cumulative)]
        # Whatever it is, it is off by bedtime or before leaving the house.
        end = min(
            moment + round(d.lognormal(median, sigma) * MINUTE_US),
            last + round(d.uniform(0, 10) * MINUTE_US),
            self._next_departure(index, moment) - round(d.uniform(0.5, 2.0) * MINUTE_US),
        )
        if end > moment + 20 * US:
            causes = self._once("background")
            self._person_interval(
                self.entities[entity_id], moment, end, PRIORITY_BACKGROUND, causes=(causes, causes)
            )

    def _anomalies(self) -> None:
        """Inject unusual times, durations and frequencies (at least one of each kind)."""
        d = self.d
        kinds = ["unusual_time", "unusual_duration", "unusual_frequency"]
        kinds += [kinds[int(d.uniform(0, 3))] for _ in range(self.tb.day_count // 15)]
        used: set[tuple[str, int]] = set()
        for kind in kinds:
            for _ in range(30):
                day = int(d.uniform(0, self.tb.day_count))
                if self.status[day] != "normal":
                    continue
                entity_id, spans, observed = self._anomaly(kind, day)
                inside = self.tb.start_us <= spans[0][0] and spans[-1][1] < self.tb.end_us
                if (entity_id, day) in used or not inside:
                    continue
                used.add((entity_id, day))
                entity = self.entities[entity_id]
                causes = self._once("anomaly")
                for begin, finish in spans:
                    self._person_interval(
                        entity, begin, finish, PRIORITY_ANOMALY, causes=(causes, causes)
                    )
                self.anomalies.append(
                    {
                        "kind": "anomaly",
                        "entity_id": entity_id,
                        "state": entity.active,
                        "kind_detail": kind,
                        "at_us": spans[0][0],
                        "observed": observed,
                    }
                )
                break

    def _anomaly(self, kind: str, day: int) -> tuple[str, list[tuple[int, int]], dict[str, Any]]:
        """Return an anomaly's entity, its active spans, and what is unusual about it."""
        d = self.d
        lights = [
            e.entity_id
            for e in self.layout.entities
            if e.entity_id.startswith("light.")
            and e.entity_id != self.layout.role("porch_light")
            and e.entity_id not in self.layout.hands_off
        ]
        light = lights[int(d.uniform(0, len(lights)))]
        if kind == "unusual_time":
            habits = [
                h.entity
                for h in self.layout.habits
                if self.entities[h.entity].kind in ("toggle", "media")
            ]
            entity_id = habits[int(d.uniform(0, len(habits)))] if habits else light
            local = d.uniform(150, 240)
            start = self.tb.local_day_us(day, local)
            return (
                entity_id,
                [(start, start + round(d.uniform(8, 25) * MINUTE_US))],
                {"local_time": hhmm(local)},
            )
        if kind == "unusual_duration":
            door = self.layout.role("front_door")
            entity_id = door if door is not None and d.chance(0.6) else light
            length = d.uniform(40, 120) if entity_id == door else d.uniform(300, 540)
            start = self.tb.local_day_us(day, d.uniform(600, 840))
            return (
                entity_id,
                [(start, start + round(length * MINUTE_US))],
                {"duration_s": round(length * 60)},
            )
        start = moment = self.tb.local_day_us(day, d.uniform(900, 1200))
        spans = []
        for _ in range(int(d.uniform(12, 25))):
            on = moment + round(d.uniform(2, 10) * US)
            spans.append((moment, on))
            moment = on + round(d.uniform(3, 15) * US)
        return (
            light,
            spans,
            {"changes": 2 * len(spans), "within_s": round((spans[-1][1] - start) / US)},
        )

    def _reactions(self) -> None:
        """Someone often follows a trigger (the front door opens: the hallway light goes on)."""
        d = self.d
        for reaction in self.layout.reactions:
            trigger = self.entities[reaction.trigger]
            action = self.entities[reaction.action]
            record = self._record(
                {
                    "kind": "co_occurrence",
                    "trigger": {"entity_id": reaction.trigger, "state": reaction.trigger_state},
                    "action": {"entity_id": reaction.action, "state": action.active},
                    "delay_s": reaction.delay_s,
                    "probability": reaction.probability,
                }
            )
            added: list[Interval] = []
            for item in self.merged.get(reaction.trigger, []):
                if reaction.trigger_state == trigger.active:
                    moment = item.start + item.travel_start
                    causes = item.start_causes
                else:
                    moment = item.end + item.travel_end
                    causes = item.end_causes
                if not self.tb.start_us <= moment < self.tb.end_us:
                    continue
                if not d.chance(reaction.probability):
                    continue
                start = moment + round(d.lognormal(reaction.delay_s, reaction.delay_sigma) * US)
                end = start + round(d.lognormal(*reaction.duration) * MINUTE_US)
                day = int(self.tb.day_index(np.array([start], dtype=np.int64))[0])
                # The reaction is a consequence of whatever made the trigger change.
                added.append(
                    self._person_interval(
                        action,
                        start,
                        end,
                        PRIORITY_PLANTED,
                        start_tags=((record, day, 0),),
                        causes=(causes, causes),
                    )
                )
            self.merged[action.entity_id] = resolve(
                self.merged.get(action.entity_id, []) + added, self._gap(action.entity_id)
            )

    def _derived_sensors(self) -> None:
        """Motion and presence sensors follow what people do in their areas."""
        by_area: dict[str, list[Interval]] = {}
        for entity_id, items in self.merged.items():
            area = self.entities[entity_id].home_area
            if area is not None:
                by_area.setdefault(area, []).extend(items)
        for entity in self.layout.entities:
            if entity.kind != "binary" or entity.device_class not in ("motion", "occupancy"):
                continue
            sources = sorted(
                by_area.get(entity.home_area or "", []), key=lambda i: (i.start, i.end)
            )
            if entity.device_class == "motion":
                derived = self._motion(sources)
            else:
                derived = [
                    Interval(
                        item.start - round(self.d.uniform(5, 20) * US),
                        item.end + round(self.d.uniform(30, 90) * US),
                        ORIGIN_SYSTEM,
                        ORIGIN_SYSTEM,
                        start_causes=item.start_causes,
                        end_causes=item.end_causes,
                    )
                    for item in sources
                    if item.person_start
                ]
            existing = self.merged.get(entity.entity_id, [])
            self.merged[entity.entity_id] = resolve(existing + derived, MIN_GAP_US)

    def _motion(self, sources: list[Interval]) -> list[Interval]:
        """Return motion: when people act in the area, while they stay, and passing through."""
        d = self.d
        moments: list[int] = []
        # What made each moment's motion, for the ground truth only.
        why: list[Causes] = []
        for item in sources:
            if item.person_start:
                moments.append(item.start)
                why.append(item.start_causes)
                # Someone busy in the room (a shower, cooking) keeps re-triggering it.
                if item.end - item.start < 45 * MINUTE_US:
                    step = item.start + round(d.uniform(120, 300) * US)
                    while step < item.end:
                        moments.append(step)
                        why.append(item.start_causes)
                        step += round(d.uniform(120, 300) * US)
            if item.person_end:
                moments.append(item.end)
                why.append(item.end_causes)
        passing = self._passing(0.8)
        moments.extend(passing)
        why.extend(self._once("passing") for _ in passing)
        return [
            Interval(
                moment - round(d.uniform(0.5, 3.0) * US),
                moment + round(d.uniform(60, 120) * US),
                ORIGIN_SYSTEM,
                ORIGIN_SYSTEM,
                start_causes=causes,
                end_causes=causes,
            )
            for moment, causes in zip(moments, why, strict=True)
        ]

    def _passing(self, per_hour: float) -> list[int]:
        """Return moments someone walks through an area while anyone is at home."""
        d = self.d
        moments = []
        everyone = range(len(self.occupants))
        for day in range(self.tb.day_count):
            first = self.tb.local_day_us(day, 390.0)
            last = self.tb.local_day_us(day, 1350.0)
            for _ in range(d.count(per_hour * 16)):
                moment = first + round(d.uniform() * (last - first))
                if any(self.is_home(i, moment) for i in everyone):
                    moments.append(moment)
        return moments
