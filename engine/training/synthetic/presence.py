"""The people coming and going: away spans, the front door, the geofence, and the lock."""

from __future__ import annotations

import math
from collections.abc import Callable

from engine.training.synthetic.household import (
    DAY_US,
    MINUTE_US,
    Causes,
    Household,
    hhmm,
    within_day,
)
from engine.training.synthetic.intervals import PRIORITY_PLANTED, Interval, Tag
from engine.training.synthetic.model import ORIGIN_AUTOMATION, ORIGIN_MANUAL, ORIGIN_SYSTEM
from engine.training.synthetic.timebase import US

_Tagger = Callable[[str], tuple[Tag, ...]]


def _no_tags(what: str) -> tuple[Tag, ...]:
    """Tag nothing (an absence still open when the window ends)."""
    del what
    return ()


class Presence(Household):
    """Who is home when, as the front door, person entities and the lock show it."""

    def _presence(self) -> None:
        """Away spans, person entities (geofence), and the front door at every departure."""
        ids = self._presence_records()
        door_times: set[int] = set()
        for index, occupant in enumerate(self.occupants):
            home = True
            opened: tuple[int, _Tagger, Causes] | None = None
            for moment, leaving, day, name in self._moves(index):
                if leaving != home:
                    continue
                home = not leaving
                tagger = self._presence_tagger(ids, index, day, name)
                causes = self._causes(index, day, name)
                # Children leaving with a parent go through the door the parent opened.
                joins = leaving and occupant.leave_with is not None
                if not (joins and moment in door_times):
                    self._door(moment, door_times, tagger, causes)
                if leaving:
                    opened = (moment, tagger, causes)
                elif opened is not None:
                    self._away_span(index, opened, (moment, tagger, causes))
                    opened = None
            if opened is not None:
                self._away_span(index, opened, (self.tb.end_us + DAY_US, _no_tags, ()))
            self._away_starts[index] = [start for start, _ in self.away[index]]

    def _moves(self, index: int) -> list[tuple[int, bool, int, str]]:
        """Return an occupant's departures and arrivals: (time, leaving, day, mark), sorted."""
        moves = []
        for day, plan in enumerate(self.plans[index]):
            for name, leaving in (
                ("leave", True), ("return", False), ("walk_leave", True), ("walk_return", False)
            ):  # fmt: skip
                if name in plan.marks:
                    moves.append((plan.marks[name], leaving, day, name))
        return sorted(moves)

    def _door(self, moment: int, door_times: set[int], tagger: _Tagger, causes: Causes) -> None:
        """Open the front door for a few seconds (once for people leaving together)."""
        door = self.layout.role("front_door")
        if door is None or moment in door_times:
            return
        door_times.add(moment)
        self.add(
            door,
            Interval(
                moment,
                moment + round(self.d.uniform(5, 20) * US),
                ORIGIN_SYSTEM,
                ORIGIN_SYSTEM,
                PRIORITY_PLANTED,
                person_start=True,
                person_end=True,
                start_tags=tagger("door"),
                start_causes=causes,
                end_causes=causes,
            ),
        )

    def _presence_records(self) -> dict[tuple[int, str, str], int]:
        """Create the ground truth of regular commutes; return record ids by (who, mark, what)."""
        ids: dict[tuple[int, str, str], int] = {}
        door = self.layout.role("front_door")
        for index, occupant in enumerate(self.occupants):
            for name, geofence, state in (("leave", 4.0, "not_home"), ("return", -1.5, "home")):
                anchor = occupant.anchor(name)
                mean = anchor.weekday if anchor else None
                if anchor is None or mean is None or not within_day(mean, anchor.weekday_sd):
                    continue
                base = {"kind": "time_of_day", "days": "weekdays", "occupant": occupant.role}
                if door is not None and not (name == "leave" and occupant.leave_with):
                    ids[(index, name, "door")] = self._record(
                        {
                            **base,
                            "entity_id": door,
                            "state": "on",
                            "time": hhmm(mean),
                            "origin": "system",
                            "spread_minutes": round(float(anchor.weekday_sd), 1),
                        }
                    )
                if occupant.person is not None:
                    ids[(index, name, "person")] = self._record(
                        {
                            **base,
                            "entity_id": occupant.person,
                            "state": state,
                            "time": hhmm(mean + geofence),
                            "origin": "system",
                            "spread_minutes": round(math.hypot(anchor.weekday_sd, 1.2), 1),
                        }
                    )
        return ids

    def _presence_tagger(
        self, ids: dict[tuple[int, str, str], int], index: int, day: int, name: str
    ) -> _Tagger:
        """Return a function giving the tags of a commute's door or person transition."""
        regular = self.plans[index][day].regular_commute and name in ("leave", "return")

        def tagger(what: str) -> tuple[Tag, ...]:
            record = ids.get((index, name, what))
            return ((record, day, 0),) if regular and record is not None else ()

        return tagger

    def _away_span(
        self, index: int, opened: tuple[int, _Tagger, Causes], closed: tuple[int, _Tagger, Causes]
    ) -> None:
        """Record an occupant's absence and, with a person entity, its geofence changes."""
        (leave, leave_tagger, leave_causes), (back, back_tagger, back_causes) = opened, closed
        self.away[index].append((leave, back))
        self._away_causes[index].append((leave_causes, back_causes))
        person = self.occupants[index].person
        if person is None:
            return
        start = leave + round(self.d.uniform(2.0, 6.0) * MINUTE_US)
        end = back - round(self.d.uniform(0.5, 2.5) * MINUTE_US)
        if end - start < 2 * MINUTE_US:
            return
        self.add(
            person,
            Interval(
                start,
                end,
                ORIGIN_SYSTEM,
                ORIGIN_SYSTEM,
                PRIORITY_PLANTED,
                start_tags=leave_tagger("person"),
                end_tags=back_tagger("person"),
                start_causes=leave_causes,
                end_causes=back_causes,
            ),
        )

    def _lock(self) -> None:
        """Unlock for the first to leave or arrive; lock behind the last, and at night."""
        unlocked, causes = self._unlocked_and_empty()
        lock = self.layout.role("lock")
        if lock is not None:
            for (start, origin_start, end, origin_end), (why_start, why_end) in zip(
                unlocked, causes, strict=True
            ):
                self.add(
                    lock,
                    Interval(
                        start,
                        end,
                        origin_start,
                        origin_end,
                        PRIORITY_PLANTED,
                        start_causes=why_start,
                        end_causes=why_end,
                    ),
                )

    def _unlocked_and_empty(
        self,
    ) -> tuple[list[tuple[int, int, int, int]], list[tuple[Causes, Causes]]]:
        """Return the unlocked spans (start, origin, end, origin), their causes; note empties."""
        d = self.d
        # The departure or arrival behind each step, for the ground truth only.
        why: dict[tuple[int, int], Causes] = {}
        for spans, span_causes in zip(self.away, self._away_causes, strict=True):
            for (start, end), (leave_causes, back_causes) in zip(spans, span_causes, strict=True):
                why[(start, -1)] = why.get((start, -1), ()) + leave_causes
                why[(end, 1)] = why.get((end, 1), ()) + back_causes
        since_causes: Causes = ()
        causes: list[tuple[Causes, Causes]] = []
        nights = [self.tb.local_day_us(day, 1365.0) for day in range(self.tb.day_count)]
        steps = sorted(
            [(moment, delta) for spans in self.away for start, end in spans
             for moment, delta in ((start, -1), (end, 1))]
            + [(night, 0) for night in nights]
        )  # fmt: skip
        count = len(self.occupants)
        since: tuple[int, int] | None = None
        unlocked: list[tuple[int, int, int, int]] = []
        empty_since: int | None = None
        for moment, delta in steps:
            by_hand = ORIGIN_MANUAL if d.chance(0.5) else ORIGIN_SYSTEM
            if delta == 0:
                # The night automation locks what is still unlocked while people are home.
                if since is not None and count > 0:
                    latency = round(d.uniform(0.2, 1.5) * US)
                    unlocked.append((*since, moment + latency, ORIGIN_AUTOMATION))
                    causes.append((since_causes, ()))
                    since = None
                continue
            before, count = count, count + delta
            if since is None and (delta < 0 or before == 0):
                since = (moment - round(d.uniform(5, 15) * US), by_hand)
                since_causes = why.get((moment, delta), ())
            if delta < 0 and count == 0:
                empty_since = moment
                if since is not None:
                    unlocked.append((*since, moment + round(d.uniform(20, 60) * US), by_hand))
                    causes.append((since_causes, why.get((moment, delta), ())))
                since = None
            elif before == 0 and empty_since is not None:
                self.empty.append((empty_since, moment))
                empty_since = None
        if since is not None:
            unlocked.append((*since, self.tb.end_us + DAY_US, ORIGIN_AUTOMATION))
            causes.append((since_causes, ()))
        if empty_since is not None:
            self.empty.append((empty_since, self.tb.end_us + DAY_US))
        return unlocked, causes
