"""Public holidays by the home's time zone, and days off for the detectors."""

from __future__ import annotations

from datetime import date

import numpy as np

from engine.days_off import country_of_time_zone, public_holidays
from engine.patterns.holidays import is_day_off


def _day(value: date) -> int:
    return (value - date(1970, 1, 1)).days


def test_country_comes_from_the_time_zone() -> None:
    assert country_of_time_zone("Europe/Berlin") == "DE"
    assert country_of_time_zone("America/New_York") == "US"
    assert country_of_time_zone("UTC") is None
    assert country_of_time_zone(None) is None


def test_nationwide_holidays_including_the_ones_that_move_with_easter() -> None:
    german = public_holidays("DE", 2026)
    assert date(2026, 4, 3) in german  # Good Friday
    assert date(2026, 5, 25) in german  # Whit Monday
    assert date(2026, 10, 3) in german
    assert date(2026, 1, 6) not in german  # Epiphany is regional only
    assert public_holidays("XX", 2026) == {}


def test_days_off_are_weekends_and_the_zones_holidays() -> None:
    days = np.array(
        [_day(date(2026, 4, 2)), _day(date(2026, 4, 3)), _day(date(2026, 4, 4))], dtype=np.int64
    )  # Thursday, Good Friday, Saturday
    assert is_day_off(days, "Europe/Berlin").tolist() == [False, True, True]
    assert is_day_off(days, "UTC").tolist() == [False, False, True]
    assert is_day_off(days, "America/New_York").tolist() == [False, False, True]
