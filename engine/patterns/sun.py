"""The sun at a home: whether moments are in the dark, and sunrise/sunset per local day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from engine.home.catalog import Location
from engine.patterns.arrays import F64, I64, Bool, local_clock
from engine.sun import sun_times

_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class SunDays:
    """Sunrise and sunset (local minutes of day) for a run of local days."""

    first_day: int
    sunrise: F64
    sunset: F64
    sunrise_us: I64
    sunset_us: I64

    @classmethod
    def build(cls, location: Location, first_day: int, last_day: int, time_zone: str) -> SunDays:
        """Return the sun's times for local days first_day..last_day (days since 1970)."""
        dates = [_EPOCH + timedelta(days=d) for d in range(first_day, last_day + 1)]
        rise, set_ = sun_times(dates, location.latitude, location.longitude)
        rise_us = np.round(rise * 1e6).astype(np.int64)
        set_us = np.round(set_ * 1e6).astype(np.int64)
        _, rise_minute = local_clock(rise_us, time_zone)
        _, set_minute = local_clock(set_us, time_zone)
        return cls(first_day, rise_minute, set_minute, rise_us, set_us)

    def _index(self, day: I64) -> I64:
        result: I64 = np.clip(day - self.first_day, 0, len(self.sunset) - 1)
        return result

    def dark(self, day: I64, time_us: I64) -> Bool:
        """Return whether each moment (with its local day) is before sunrise or after sunset."""
        index = self._index(day)
        result: Bool = (time_us < self.sunrise_us[index]) | (time_us > self.sunset_us[index])
        return result

    def minutes(self, event: str, day: I64) -> F64:
        """Return the local minute of sunrise or sunset on each local day."""
        result: F64 = (self.sunset if event == "sunset" else self.sunrise)[self._index(day)]
        return result
