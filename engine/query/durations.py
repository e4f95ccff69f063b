"""Spoken amounts of time: durations, clock times and days of the week, as regex and values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_NUMBER_WORDS: Final = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty five": 45,
    "sixty": 60,
    "ninety": 90,
}
# Longest first, so that "forty five" is not read as "forty".
NUMBER: Final = (
    r"(?:\d+(?:\.\d+)?|"
    + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
    + ")"
)
_UNIT: Final = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)"
DURATION: Final = rf"(?:half an hour|{NUMBER} {_UNIT}(?: and a half)?(?:,? and {NUMBER} {_UNIT})?)"
_AMOUNT = re.compile(rf"(?P<n>{NUMBER}) (?P<unit>{_UNIT})(?P<half> and a half)?")
_UNIT_SECONDS: Final = {"s": 1, "m": 60, "h": 3600}

# "noon", "7", "7:30", "7.30 pm", "19:00", "7 oclock in the evening", "10 at night".
CLOCK: Final = (
    r"(?:noon|midday|midnight|\d{1,2}(?:[:.]\d{2})?(?: ?(?:am|pm))?(?: oclock)?"
    r"(?: (?:in the (?:morning|afternoon|evening)|at night|tonight))?)"
)
_CLOCK = re.compile(
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?(?: ?(?P<half>am|pm))?(?: oclock)?"
    r"(?: (?:in the (?P<part>morning|afternoon|evening)|at (?P<night>night)|(?P<tonight>tonight)))?"
)

_DAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_CODES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY: Final = rf"(?:{'|'.join(_DAYS)})s?"
# "weekdays", "the weekend", "mondays and fridays", "monday, wednesday or friday".
DAY_SET: Final = (
    rf"(?:weekdays?|workdays?|work days|working days|weekends?|"
    rf"{_DAY}(?:(?:,? and|,? or|,) {_DAY})*)"
)


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time, in whole seconds."""

    seconds: int

    def as_dict(self) -> dict[str, int]:
        """Return Home Assistant's time period dict, e.g. {"minutes": 5}."""
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        parts = {"hours": hours, "minutes": minutes, "seconds": seconds}
        return {unit: value for unit, value in parts.items() if value} or {"seconds": 0}

    def as_offset(self, sign: int) -> str:
        """Return a signed "HH:MM:SS" offset, e.g. "-00:30:00" for half an hour before."""
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{'-' if sign < 0 else ''}{hours:02d}:{minutes:02d}:{seconds:02d}"


def number(text: str) -> float:
    """Return the value of a number said in digits or words ("an" -> 1)."""
    return _NUMBER_WORDS.get(text) or float(text)


def duration(text: str) -> Duration | None:
    """Return the duration a phrase of DURATION says, or None if it is none or zero."""
    if text == "half an hour":
        return Duration(1800)
    total = 0.0
    for amount in _AMOUNT.finditer(text):
        value = number(amount["n"]) + (0.5 if amount["half"] else 0)
        total += value * _UNIT_SECONDS[amount["unit"][0]]
    seconds = round(total)
    return Duration(seconds) if seconds > 0 else None


@dataclass(frozen=True, slots=True)
class Clock:
    """A time of day; explicit unless a bare hour that the part of the day may move ("at 7")."""

    hour: int
    minute: int
    explicit: bool = True

    def as_time(self) -> str:
        """Return Home Assistant's "HH:MM:SS"."""
        return f"{self.hour:02d}:{self.minute:02d}:00"

    def in_part_of_day(self, part: str | None) -> Clock:
        """Return the time read in a part of the day: "every evening at 7" is 19:00."""
        if self.explicit or part is None:
            return self
        return Clock(_in_part(self.hour, part), self.minute)


_NAMED_TIMES: Final = {"noon": Clock(12, 0), "midday": Clock(12, 0), "midnight": Clock(0, 0)}


def _in_part(hour: int, part: str) -> int:
    if part in ("afternoon", "evening") and hour < 12:
        return hour + 12
    if part == "night":
        # "11 at night" is 23:00, "2 at night" is 02:00, "12 at night" is midnight.
        return 0 if hour == 12 else hour + 12 if hour >= 6 else hour
    if part == "morning" and hour == 12:
        return 0
    return hour


def clock(text: str) -> Clock | None:
    """Return the time of day a phrase of CLOCK says, or None if it is no valid time."""
    if text in _NAMED_TIMES:
        return _NAMED_TIMES[text]
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    part = match["part"] or ("night" if match["night"] or match["tonight"] else None)
    if match["half"]:
        valid = 1 <= hour <= 12
        hour, explicit = hour % 12 + (12 if match["half"] == "pm" else 0), True
    else:
        valid = hour <= 23
        if part is not None:
            hour, explicit = (_in_part(hour, part) if hour <= 12 else hour), True
        else:
            # "19:00", "07:30" and "0:15" leave no doubt; "7" and "7:30" may be morning or evening.
            explicit = not (1 <= hour <= 12 and not match["hour"].startswith("0"))
    return Clock(hour, minute, explicit) if valid and minute <= 59 else None


def weekdays(text: str) -> tuple[str, ...]:
    """Return Home Assistant's weekday codes, in week order, for a phrase of DAY_SET."""
    if text.startswith(("weekday", "workday", "work day", "working day")):
        return WEEKDAY_CODES[:5]
    if text.startswith("weekend"):
        return WEEKDAY_CODES[5:]
    said = {day for day in _DAYS if day in text}
    return tuple(code for day, code in zip(_DAYS, WEEKDAY_CODES, strict=True) if day in said)
