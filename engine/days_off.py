"""Public holidays of a home's country, which people spend like weekends.

The calendars come from `holidays`, the library Home Assistant's workday integration
uses (pinned to the same version), not from a table of our own. Home Assistant gives every
home a time zone but the catalog has no country, so the country is read from tzdata's
zone.tab. Only nationwide holidays are used: without the region, regional ones are guesses.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources

import holidays


@cache
def _countries_by_zone() -> dict[str, str]:
    """Return the ISO country code of every IANA zone in tzdata's zone.tab."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    countries: dict[str, str] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone = line.split("\t")[:3]
            countries[zone] = country
    return countries


def country_of_time_zone(time_zone: str | None) -> str | None:
    """Return the country of an IANA time zone such as Europe/Berlin, None if unknown."""
    return _countries_by_zone().get(time_zone or "")


@cache
def public_holidays(country: str, year: int) -> dict[date, str]:
    """Return a country's nationwide public holidays of a year (empty if it has no calendar)."""
    try:
        calendar = holidays.country_holidays(country, years=year, language="en_US")
    except NotImplementedError:
        return {}
    return dict(calendar)
