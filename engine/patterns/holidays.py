"""Days off: weekends plus the public holidays of the home's country, when it is known.

People keep their weekend routines on public holidays, so a weekday/weekend split that
ignores holidays mixes weekend mornings into weekdays. Home Assistant knows a home's time
zone but not always its country, so the country is taken from the time zone. The calendar
is deliberately small: only Germany's nationwide holidays (the fixed ones and the ones
that move with Easter); any other time zone falls back to calendar weekends (Saturday and
Sunday). Regional holidays (e.g. Epiphany in Bavaria) are left out: without the state they
would be guesses.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import numpy as np

from engine.patterns.arrays import I64, Bool

_EPOCH = date(1970, 1, 1)
# Time zones whose homes are in a country with a calendar below.
COUNTRY_OF_ZONE: dict[str, str] = {"Europe/Berlin": "DE", "Europe/Busingen": "DE"}


def easter_sunday(year: int) -> date:
    """Return Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def german_holidays(year: int) -> frozenset[date]:
    """Return Germany's nationwide public holidays of a year."""
    easter = easter_sunday(year)
    return frozenset(
        {
            date(year, 1, 1),  # New Year's Day
            easter - timedelta(days=2),  # Good Friday
            easter + timedelta(days=1),  # Easter Monday
            date(year, 5, 1),  # Labour Day
            easter + timedelta(days=39),  # Ascension Day
            easter + timedelta(days=50),  # Whit Monday
            date(year, 10, 3),  # German Unity Day
            date(year, 12, 25),  # Christmas Day
            date(year, 12, 26),  # Second Day of Christmas
        }
    )


_CALENDARS = {"DE": german_holidays}


def is_day_off(day: I64, time_zone: str | None = None) -> Bool:
    """Return whether local day numbers (days since 1970-01-01) are weekend days or holidays."""
    weekday: I64 = (day + 3) % 7  # 1970-01-01 was a Thursday
    result: Bool = weekday >= 5
    calendar = _CALENDARS.get(COUNTRY_OF_ZONE.get(time_zone or "", ""))
    if calendar is None or len(day) == 0:
        return result
    first = _EPOCH + timedelta(days=int(day.min()))
    last = _EPOCH + timedelta(days=int(day.max()))
    holidays = [
        (d - _EPOCH).days for year in range(first.year, last.year + 1) for d in calendar(year)
    ]
    holiday: Bool = np.isin(day, np.array(holidays, dtype=np.int64))
    return result | holiday
