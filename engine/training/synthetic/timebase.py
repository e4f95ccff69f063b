"""Local time for synthetic homes: the window, daylight saving, holidays, sunrise and sunset.

Habits are local-time habits, so the generator plans in local wall-clock time and converts
to UTC through hourly offset tables built with zoneinfo; every UTC offset of the homes' zones
changes on a whole hour, so the tables are exact and the conversion stays vectorised.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from engine.days_off import country_of_time_zone, public_holidays

US = 1_000_000
HOUR_S = 3600
DAY_S = 86_400
_EPOCH_DATE = date(1970, 1, 1)
# Occupants keep the holidays of their time zone's country; Germany's when it has none.
HOME_COUNTRY = "DE"
# The origin of local wall-clock seconds (naive on purpose: it is no instant).
_NAIVE_EPOCH = datetime(1970, 1, 1)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class TimeBase:
    """The generated window in a home's time zone, with local <-> UTC conversion."""

    def __init__(self, time_zone: str, end: datetime, days: int) -> None:
        self.zone = ZoneInfo(time_zone)
        end_local = end.astimezone(self.zone)
        # Wall-clock arithmetic: the window is `days` local days, across any DST change.
        start_local = (end_local.replace(tzinfo=None) - timedelta(days=days)).replace(
            tzinfo=self.zone
        )
        self.start_us = _epoch_us(start_local)
        self.end_us = _epoch_us(end_local)
        first = start_local.date()
        last = (end_local - timedelta(microseconds=1)).date()
        self.dates = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        # Local wall-clock seconds of each date's midnight (as if local time were UTC).
        self.day_start_local = np.array(
            [(d - _EPOCH_DATE).days * DAY_S for d in self.dates], dtype=np.int64
        )
        country = country_of_time_zone(time_zone) or HOME_COUNTRY
        holidays: dict[date, str] = {}
        for year in range(first.year, last.year + 1):
            holidays.update(public_holidays(country, year))
        self.holidays = [holidays.get(d) for d in self.dates]
        # A working day is Monday to Friday and not a public holiday.
        self.workday = np.array(
            [d.weekday() < 5 and h is None for d, h in zip(self.dates, self.holidays, strict=True)]
        )
        # Offsets by local hour (for planning) and by UTC hour (for chatter and output), with
        # two days of margin: evening habits run past midnight, anchors before the window.
        self._local_first_h = int(self.day_start_local[0] // HOUR_S) - 48
        hours = (len(self.dates) + 4) * 24
        self._local_offset = np.array(
            [
                _offset_s((_NAIVE_EPOCH + timedelta(hours=self._local_first_h + h)), self.zone)
                for h in range(hours)
            ],
            dtype=np.int64,
        )
        self._utc_first_h = self.start_us // (HOUR_S * US) - 48
        self._utc_offset = np.array(
            [
                _utc_offset_s(datetime.fromtimestamp((self._utc_first_h + h) * HOUR_S, self.zone))
                for h in range(hours)
            ],
            dtype=np.int64,
        )

    @property
    def day_count(self) -> int:
        """Return how many local dates the window touches."""
        return len(self.dates)

    def local_to_utc_us(self, local_s: float) -> int:
        """Return UTC epoch microseconds for local wall-clock seconds (a gap time moves on)."""
        offset = self._local_offset[int(local_s // HOUR_S) - self._local_first_h]
        return round((local_s - float(offset)) * US)

    def local_day_us(self, day: int, minutes: float) -> int:
        """Return UTC epoch microseconds of local minutes after midnight of `dates[day]`."""
        return self.local_to_utc_us(float(self.day_start_local[day]) + minutes * 60.0)

    def offset_s(self, utc_us: IntArray) -> IntArray:
        """Return the UTC offset in seconds at each UTC time."""
        index = utc_us // (HOUR_S * US) - self._utc_first_h
        return self._utc_offset[np.clip(index, 0, len(self._utc_offset) - 1)]

    def local_seconds(self, utc_us: IntArray) -> IntArray:
        """Return local wall-clock epoch seconds for UTC times."""
        return utc_us // US + self.offset_s(utc_us)

    def seconds_of_day(self, utc_us: IntArray) -> IntArray:
        """Return the local seconds since midnight of each UTC time."""
        return self.local_seconds(utc_us) % DAY_S

    def day_index(self, utc_us: IntArray) -> IntArray:
        """Return the index into `dates` of each UTC time's local date (clipped)."""
        local_day = self.local_seconds(utc_us) // DAY_S
        first = self.day_start_local[0] // DAY_S
        index: IntArray = np.clip(local_day - first, 0, len(self.dates) - 1)
        return index

    def format(self, utc_us: IntArray) -> list[str]:
        """Return ISO 8601 local times with their offset, e.g. 2026-01-04T07:01:13.250000+01:00."""
        offsets = self.offset_s(utc_us)
        local = (utc_us + offsets * US).astype("datetime64[us]")
        text = np.datetime_as_string(local, unit="us").astype(object)
        labels = _SUFFIXES[(offsets + 14 * HOUR_S) // 900]
        combined: list[str] = (text + labels).tolist()
        return combined


def _epoch_us(moment: datetime) -> int:
    """Return exact UTC epoch microseconds of an aware datetime."""
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _offset_s(moment: datetime, zone: ZoneInfo) -> int:
    """Return the UTC offset in seconds of a naive local time (fold 0: a gap time moves on)."""
    return _utc_offset_s(moment.replace(tzinfo=zone))


def _utc_offset_s(moment: datetime) -> int:
    """Return the UTC offset in seconds of an aware datetime."""
    offset = moment.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _offset_text(seconds: int) -> str:
    """Return '+01:00' for 3600."""
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


# Every offset from -14:00 to +14:00 in quarter hours, indexed by (offset + 14 h) // 15 min.
_SUFFIXES = np.array(
    [_offset_text(seconds) for seconds in range(-14 * HOUR_S, 14 * HOUR_S + 1, 900)], dtype=object
)
