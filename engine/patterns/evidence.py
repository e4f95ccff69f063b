"""Evidence: per observed day, the local times that support a finding (API.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np

from engine.patterns.arrays import F64, I64, Bool

DayKind = Literal["all", "weekdays", "weekends"]
_EPOCH = date(1970, 1, 1)


def day_number(moment: date) -> int:
    """Return a local date as the day number the detectors use (days since 1970-01-01)."""
    return (moment - _EPOCH).days


def clock(minute: float) -> str:
    """Return a local minute of day (with its fraction) as HH:MM:SS."""
    seconds = int(minute * 60) % 86_400
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass(frozen=True)
class Calendar:
    """The window's local days, and which of them are days off."""

    first_day: int
    day_off: Bool  # indexed by day - first_day

    @classmethod
    def build(cls, day: I64, day_off: Bool) -> Calendar:
        """Return the calendar of the days the detectors' columns span."""
        first, last = int(day.min()), int(day.max())
        off = np.zeros(last - first + 1, dtype=bool)
        off[day - first] = day_off
        # A day without any event takes its kind from the weekday alone.
        weekday = (np.arange(first, last + 1) + 3) % 7 >= 5
        seen = np.zeros(len(off), dtype=bool)
        seen[day - first] = True
        off[~seen] = weekday[~seen]
        return cls(first, off)

    def days(self, kind: DayKind) -> I64:
        """Return the local day numbers of one kind."""
        numbers = np.arange(self.first_day, self.first_day + len(self.day_off), dtype=np.int64)
        if kind == "all":
            return numbers
        result: I64 = numbers[self.day_off == (kind == "weekends")]
        return result

    def evidence(
        self,
        kind: DayKind,
        day: I64,
        minute: F64,
        delays_s: F64 | None = None,
    ) -> dict[str, Any]:
        """Return evidence of occurrences (local day and minute each) on the days of a kind."""
        order = np.lexsort((minute, day))
        by_day: dict[int, list[int]] = {}
        for i in map(int, order):
            by_day.setdefault(int(day[i]), []).append(i)
        entries = []
        for number in map(int, self.days(kind)):
            rows = by_day.get(number, [])
            entry: dict[str, Any] = {
                "date": (_EPOCH + timedelta(days=number)).isoformat(),
                "times": [clock(float(minute[i])) for i in rows],
            }
            if delays_s is not None:
                entry["delays_s"] = [round(float(delays_s[i]), 1) for i in rows]
            entries.append(entry)
        return {"days": entries}
