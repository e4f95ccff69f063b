"""The people's schedules: their habits and chains of steps, planted day by day."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from engine.training.synthetic.household import MINUTE_US, Causes, Household, hhmm, within_day
from engine.training.synthetic.intervals import PRIORITY_PLANTED, Tag
from engine.training.synthetic.model import Anchor, ChainSpec, Habit, Occupant, SimEntity, step_mark
from engine.training.synthetic.timebase import US


@dataclass(frozen=True)
class _ChainRun:
    """One day's run of a chain: its step times, tagged unless it was a sloppy day."""

    spec: ChainSpec
    occupant: int
    day: int
    times: list[int]


class Schedules(Household):
    """Plants the occupants' habits and chains on the days they happen."""

    def _chains(self) -> None:
        """Place every chain's steps: all marks first, since habits may end at them."""
        runs: list[_ChainRun] = []
        for spec in self.layout.chains:
            record = self._record(self._chain_routine(spec))
            self.records[record].steps = len(spec.steps)
            for day in range(self.tb.day_count):
                run = self._chain_run(spec, record, day)
                if run is not None:
                    runs.append(run)
        for run in runs:
            plan = self.plans[run.occupant][run.day]
            for step, moment in zip(run.spec.steps, run.times, strict=True):
                entity = self.entities[step.entity]
                if step.state != entity.active:
                    continue  # an "off" step ends an interval some habit started
                end_tags: tuple[Tag, ...] = ()
                causes = self._causes(run.occupant, run.day, step_mark(run.spec.name, step.entity))
                end_causes = causes
                if step.end is None:
                    end = moment + round(self.d.lognormal(*step.duration) * MINUTE_US)
                elif step.end[0] in plan.marks:
                    end = plan.marks[step.end[0]] + round(step.end[1] * MINUTE_US)
                    end_tags = plan.tags.get(step.end[0], ()) if step.end[1] == 0 else ()
                    end_causes = self._causes(run.occupant, run.day, step.end[0])
                else:
                    continue
                tags = plan.tags.get(step_mark(run.spec.name, step.entity), ())
                self._person_interval(
                    entity,
                    moment,
                    end,
                    PRIORITY_PLANTED,
                    start_tags=tags,
                    end_tags=end_tags,
                    causes=(causes, end_causes),
                )

    def _chain_run(self, spec: ChainSpec, record: int, day: int) -> _ChainRun | None:
        """Return one day's run of a chain and set its marks, or None when it does not run."""
        workday = bool(self.tb.workday[day])
        if (spec.days == "weekdays" and not workday) or (spec.days == "weekends" and workday):
            return None
        occupant = self.role_index[spec.occupant]
        plan = self.plans[occupant][day]
        # A sloppy day: the steps still happen (people still go to bed), minutes apart.
        sloppy = self.d.chance(spec.skip)
        if spec.start is not None:
            mark = plan.marks.get(spec.start[0])
            if mark is None:
                return None
            moment = mark + round((spec.start[1] + 0.5 * self.d.clipped()) * MINUTE_US)
        else:
            moment = self.tb.local_day_us(day, self.d.uniform(*spec.window))
            wake, sleep = plan.marks.get("wake"), plan.marks.get("sleep")
            if sloppy or wake is None or sleep is None or not wake < moment < sleep:
                return None
        if not self.is_home(occupant, moment):
            return None
        times = [moment]
        for step in spec.steps[1:]:
            delay = self.d.uniform(60, 900) if sloppy else self.d.lognormal(step.delay_s, 0.3)
            times.append(times[-1] + round(delay * US))
        # Every step is a consequence of this run, and of the mark the run started at.
        source = f"chain:{spec.name}"
        causes: Causes = ((source, self._occurrence("chain", spec.name, day)),)
        if spec.start is None:
            self.untimed.add(source)
        else:
            causes += tuple(
                (source, occurrence) for _, occurrence in self._causes(occupant, day, spec.start[0])
            )
        for position, (step, step_time) in enumerate(zip(spec.steps, times, strict=True)):
            name = step_mark(spec.name, step.entity)
            self._step_causes[(occupant, day, name)] = causes
            plan.marks[name] = step_time
            if not sloppy:
                plan.tags[name] = ((record, day, position),)
        return _ChainRun(spec, occupant, day, times)

    def _chain_routine(self, spec: ChainSpec) -> dict[str, Any]:
        routine: dict[str, Any] = {
            "kind": "chain",
            "name": spec.name,
            "chain": [{"entity_id": step.entity, "state": step.state} for step in spec.steps],
            "delays_s": [step.delay_s for step in spec.steps[1:]],
            "occupant": spec.occupant,
            "days": spec.days,
        }
        if spec.start is not None:
            routine["after"] = spec.start[0]
        else:
            routine["window"] = [hhmm(spec.window[0]), hhmm(spec.window[1])]
        return routine

    def _habits(self) -> None:
        for habit in self.layout.habits:
            occupant = self.role_index[habit.occupant]
            entity = self.entities[habit.entity]
            records = self._habit_records(habit, self.occupants[occupant], entity)
            for day in range(self.tb.day_count):
                ids = records.get(bool(self.tb.workday[day]))
                if ids is not None and not self.d.chance(habit.skip):
                    self._habit_day(habit, entity, occupant, day, ids)

    def _habit_day(
        self, habit: Habit, entity: SimEntity, occupant: int, day: int, ids: tuple[int, int | None]
    ) -> None:
        """Plant one day's occurrence of a habit, if its marks exist and its person is home."""
        d = self.d
        plan = self.plans[occupant][day]
        start_mark = plan.marks.get(habit.start[0])
        if start_mark is None:
            return
        start = start_mark + round((habit.start[1] + habit.sd * d.clipped()) * MINUTE_US)
        end_tags: tuple[Tag, ...] = ()
        causes = self._causes(occupant, day, habit.start[0])
        end_causes = causes if habit.end is None else self._causes(occupant, day, habit.end[0])
        if habit.end is None:
            end = start + round(d.lognormal(*habit.duration) * MINUTE_US)
            if habit.end_origin == "automation":
                end += round(d.uniform(0.1, 1.5) * US)
        elif habit.end[0] not in plan.marks:
            return
        elif habit.end[1] == 0:
            end = plan.marks[habit.end[0]]
            end_tags = plan.tags.get(habit.end[0], ())
        else:
            end = plan.marks[habit.end[0]] + round((habit.end[1] + 0.3 * d.clipped()) * MINUTE_US)
        # Just before arriving (the garage opener) the person counts as home already.
        home = self.is_home(occupant, start) or self.is_home(occupant, start_mark)
        if end <= start + 5 * US or not home:
            return
        start_id, end_id = ids
        if end_id is not None:
            end_tags = (*end_tags, (end_id, day, 0))
        self._person_interval(
            entity,
            start,
            end,
            PRIORITY_PLANTED,
            start_tags=((start_id, day, 0),),
            end_tags=end_tags,
            end_origin=habit.end_origin,
            causes=(causes, end_causes),
        )

    def _habit_records(
        self, habit: Habit, occupant: Occupant, entity: SimEntity
    ) -> dict[bool, tuple[int, int | None]]:
        """Return the record ids of a habit's start and end, by working day or not."""
        kinds = {"weekdays": (True,), "weekends": (False,), "all": (True, False)}[habit.days]
        means: dict[bool, tuple[float, float | None, float]] = {}
        for workday in kinds:
            start = self._mark_mean(occupant, habit.start, workday)
            anchor = self._anchor(occupant, habit.start[0])
            spread = math.hypot(anchor.sd(workday) if anchor else 0.0, habit.sd)
            if start is None or not within_day(start, spread):
                continue
            end = self._mark_mean(occupant, habit.end, workday) if habit.record_end else None
            means[workday] = (
                start,
                end if end is not None and within_day(end, spread) else None,
                spread,
            )
        # One routine for all days when weekday and weekend times agree (within 10 minutes).
        merged = len(means) == 2 and _close(means[True], means[False])
        if merged:
            means = {True: _combined(means[True], means[False])}
        from_device = entity.kind == "binary" or entity.physical > 0.5
        result: dict[bool, tuple[int, int | None]] = {}
        for workday, (start, end, spread) in means.items():
            base = {
                "kind": "time_of_day",
                "entity_id": entity.entity_id,
                "days": "all" if merged else ("weekdays" if workday else "weekends"),
                "occupant": occupant.role,
                "origin": "system" if from_device else "manual",
                "spread_minutes": round(spread, 1),
            }
            start_id = self._record({**base, "state": entity.active, "time": hhmm(start)})
            end_id = None
            if end is not None:
                end_id = self._record({**base, "state": entity.idle, "time": hhmm(end)})
            result[workday] = (start_id, end_id)
        if merged:
            result[False] = result[True]
        return result

    def _anchor(self, occupant: Occupant, name: str) -> Anchor | None:
        """Return the anchor an occupant's mark really follows (the family eats with the cook)."""
        anchor = occupant.anchor(name)
        cook = self.role_index.get(self.layout.cook or "")
        if name == "dinner" and anchor is not None and cook is not None:
            # The planner moves everybody's dinner to the cook's on days the cook has one.
            return self.occupants[cook].anchor(name) or anchor
        return anchor

    def _mark_mean(
        self, occupant: Occupant, mark: tuple[str, float] | None, workday: bool
    ) -> float | None:
        """Return the mean local minute of a mark (an anchor, or a chain's step)."""
        if mark is None:
            return None
        name, offset = mark
        if not name.startswith("chain:"):
            anchor = self._anchor(occupant, name)
            mean = anchor.mean(workday) if anchor else None
            return None if mean is None else mean + offset
        _, chain_name, entity_id = name.split(":")
        spec = next(c for c in self.layout.chains if c.name == chain_name)
        owner = self.occupants[self.role_index[spec.occupant]]
        base = self._mark_mean(owner, spec.start, workday)
        if base is None:
            return None
        position = next(i for i, step in enumerate(spec.steps) if step.entity == entity_id)
        delays = sum(step.delay_s for step in spec.steps[1 : position + 1])
        return base + delays / 60.0 + offset


def _combined(
    a: tuple[float, float | None, float], b: tuple[float, float | None, float]
) -> tuple[float, float | None, float]:
    """Return one routine's mean times and spread covering both kinds of day."""
    end = None if a[1] is None or b[1] is None else (a[1] + b[1]) / 2
    return (a[0] + b[0]) / 2, end, max(a[2], b[2]) + abs(a[0] - b[0]) / 2


def _close(a: tuple[float, float | None, float], b: tuple[float, float | None, float]) -> bool:
    """Return whether weekday and weekend means are one habit (within 10 minutes)."""
    if (a[1] is None) != (b[1] is None):
        return False
    ends_close = a[1] is None or b[1] is None or abs(a[1] - b[1]) < 10
    return abs(a[0] - b[0]) < 10 and ends_close
