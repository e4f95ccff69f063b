"""Days off: weekends plus the public holidays of the home's country, when it is known.

People keep their weekend routines on public holidays, so a weekday/weekend split that
ignores holidays mixes weekend mornings into weekdays. The country comes from the time
zone (engine.days_off); a zone without one falls back to Saturday and Sunday.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from engine.days_off import country_of_time_zone, public_holidays
from engine.patterns.arrays import I64, Bool

_EPOCH = date(1970, 1, 1)


def is_day_off(day: I64, time_zone: str | None = None) -> Bool:
    """Return whether local day numbers (days since 1970-01-01) are weekend days or holidays."""
    weekday: I64 = (day + 3) % 7  # 1970-01-01 was a Thursday
    result: Bool = weekday >= 5
    country = country_of_time_zone(time_zone)
    if country is None or len(day) == 0:
        return result
    first = _EPOCH + timedelta(days=int(day.min()))
    last = _EPOCH + timedelta(days=int(day.max()))
    holidays = [
        (d - _EPOCH).days
        for year in range(first.year, last.year + 1)
        for d in public_holidays(country, year)
    ]
    holiday: Bool = np.isin(day, np.array(holidays, dtype=np.int64))
    return result | holiday
