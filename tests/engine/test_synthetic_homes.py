"""The newer synthetic homes: sensor-only residents, motion-lit homes, security habits.

Ground truth is checked on the events themselves, with people-sensor activity rebuilt from
the on/off events the way a person reading the log would: the first "on" in an area after
an hour without activity, the last one before such an hour, and the front door opening
into (or out of) half an hour in which no people-sensor turns on.
"""

from __future__ import annotations

import bisect
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from engine.days_off import country_of_time_zone, public_holidays
from engine.home.catalog import IMPORT_SCHEMA, CatalogSource, catalog_from_import
from engine.home.event_input import MAX_EVENTS_PER_REQUEST, parse_events
from engine.training.synthetic import (
    ALL_HOME_TYPES,
    DEFAULT_END,
    HOME_TYPES,
    SyntheticHome,
    generate_home,
)

DAYS = 30
SEEDS = range(8)
PEOPLE_CLASSES = {"motion", "occupancy", "presence", "door"}
ACTION_DOMAINS = {
    "light", "switch", "fan", "cover", "lock", "media_player", "climate", "vacuum",
    "alarm_control_panel", "scene", "script", "input_boolean", "valve", "siren",
}  # fmt: skip
QUIET = timedelta(minutes=60)
EMPTY = timedelta(minutes=30)
LEAVING_GRACE = timedelta(seconds=60)
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _dump(home: SyntheticHome) -> bytes:
    return orjson.dumps([home.catalog, home.events, home.routines, home.implied])


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _apart(a: int, b: int) -> int:
    diff = abs(a - b) % 1440
    return min(diff, 1440 - diff)


@dataclass(frozen=True)
class Window:
    """The generated window of a home, in its own time zone."""

    zone: ZoneInfo
    start: datetime
    end: datetime
    dates: list[date]

    @classmethod
    def of(cls, home: SyntheticHome, end: datetime = DEFAULT_END) -> Window:
        zone = ZoneInfo(home.catalog["time_zone"])
        end_local = end.astimezone(zone)
        start = (end_local.replace(tzinfo=None) - timedelta(days=home.days)).replace(tzinfo=zone)
        first, last = start.date(), (end_local - timedelta(microseconds=1)).date()
        dates = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        return cls(zone, start, end_local, dates)

    def workday(self, day: date) -> bool:
        country = country_of_time_zone(self.zone.key) or "DE"
        return day.weekday() < 5 and day not in public_holidays(country, day.year)

    def of_kind(self, day: date, days: str) -> bool:
        return days == "all" or (days == "weekdays") == self.workday(day)


class Activity:
    """People-sensor activity rebuilt from the events: spans per entity, on events."""

    def __init__(self, home: SyntheticHome, window: Window) -> None:
        self.window = window
        entities = {e["entity_id"]: e for e in home.catalog["entities"]}
        self.people = {
            entity_id
            for entity_id, e in entities.items()
            if entity_id.startswith("binary_sensor.") and e.get("device_class") in PEOPLE_CLASSES
        }
        self.area = {entity_id: entities[entity_id].get("area_id") for entity_id in self.people}
        devices = {d["device_id"]: d.get("area_id") for d in home.catalog["devices"]}
        for entity_id in self.people:
            if self.area[entity_id] is None:
                self.area[entity_id] = devices.get(entities[entity_id].get("device_id"))
        self.spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        self.ons: dict[str, list[datetime]] = defaultdict(list)
        opened: dict[str, datetime] = {}
        for event in home.events:
            entity_id = event["entity_id"]
            if entity_id not in self.people:
                continue
            moment = datetime.fromisoformat(event["time"]).astimezone(window.zone)
            if event["state"] == "on":
                opened[entity_id] = moment
                self.ons[entity_id].append(moment)
            else:
                self.spans[entity_id].append((opened.pop(entity_id, window.start), moment))
        for entity_id, moment in opened.items():
            self.spans[entity_id].append((moment, window.end + timedelta(days=1)))

    def area_spans(self, area: str) -> tuple[list[tuple[datetime, datetime]], list[datetime]]:
        """Return an area's merged activity spans and its sorted on events."""
        items = sorted(
            span for entity_id in self.people if self.area[entity_id] == area
            for span in self.spans[entity_id]
        )  # fmt: skip
        merged: list[tuple[datetime, datetime]] = []
        for start, end in items:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        ons = sorted(
            moment for entity_id in self.people if self.area[entity_id] == area
            for moment in self.ons[entity_id]
        )  # fmt: skip
        return merged, ons

    def first_activities(self, area: str) -> list[datetime]:
        merged, _ = self.area_spans(area)
        found = []
        previous = self.window.start
        for start, end in merged:
            if start >= self.window.start and start - max(previous, self.window.start) >= QUIET:
                found.append(start)
            previous = end
        return found

    def last_activities(self, area: str) -> list[datetime]:
        merged, ons = self.area_spans(area)
        found = []
        for index, (start, end) in enumerate(merged):
            after = merged[index + 1][0] if index + 1 < len(merged) else self.window.end
            if min(after, self.window.end) - end < QUIET:
                continue
            inside = [on for on in ons[bisect.bisect_left(ons, start) :] if on <= end]
            if inside:
                found.append(inside[-1])
        return found

    def home_ons(self) -> list[datetime]:
        return sorted(moment for entity_id in self.people for moment in self.ons[entity_id])

    def departures(self, door: str) -> list[datetime]:
        ons = self.home_ons()
        found = []
        for moment in self.ons[door]:
            later = ons[bisect.bisect_right(ons, moment + LEAVING_GRACE) :][:1]
            quiet_until = later[0] if later else self.window.end
            if quiet_until - moment > EMPTY and moment + EMPTY <= self.window.end:
                found.append(moment)
        return found

    def arrivals(self, door: str) -> list[datetime]:
        ons = self.home_ons()
        found = []
        for moment in self.ons[door]:
            earlier = ons[: bisect.bisect_left(ons, moment)][-1:]
            quiet_since = earlier[0] if earlier else self.window.start
            if moment - quiet_since >= EMPTY and moment - EMPTY >= self.window.start:
                found.append(moment)
        return found


@pytest.fixture(scope="module")
def residents() -> list[SyntheticHome]:
    """A month of several sensor-only homes."""
    return [generate_home("sensor_only", days=DAYS, seed=seed) for seed in SEEDS]


# The home types -----------------------------------------------------------------------------


def test_the_generator_accepts_every_type_but_draws_among_the_households() -> None:
    assert set(HOME_TYPES) < set(ALL_HOME_TYPES)
    assert {"sensor_only"} <= set(ALL_HOME_TYPES)
    assert {generate_home(days=1, seed=seed).home_type for seed in range(16)} <= set(HOME_TYPES)


@pytest.mark.parametrize("home_type", ["sensor_only"])
def test_same_arguments_give_the_same_bytes(home_type: str) -> None:
    first = generate_home(home_type, days=5, seed=11)
    assert _dump(first) == _dump(generate_home(home_type, days=5, seed=11))
    assert _dump(first) != _dump(generate_home(home_type, days=5, seed=12))
    assert first.home_type == home_type


@pytest.mark.parametrize("home_type", ["sensor_only"])
def test_the_catalog_and_events_import(home_type: str) -> None:
    home = generate_home(home_type, days=7, seed=3)
    catalog = catalog_from_import(IMPORT_SCHEMA(home.catalog), CatalogSource.SYNTHETIC)
    known = {e.entity_id for e in catalog.entities}
    for first in range(0, len(home.events), MAX_EVENTS_PER_REQUEST):
        chunk = home.events[first : first + MAX_EVENTS_PER_REQUEST]
        assert len(parse_events({"events": chunk})) == len(chunk)
    assert {event["entity_id"] for event in home.events} <= known
    times = [datetime.fromisoformat(event["time"]) for event in home.events]
    assert times == sorted(times)


# Sensor-only homes --------------------------------------------------------------------------


def test_a_sensor_only_home_has_only_people_sensors_and_diagnostics(
    residents: list[SyntheticHome],
) -> None:
    for home in residents:
        entities = home.catalog["entities"]
        domains = {e["entity_id"].split(".")[0] for e in entities}
        assert domains <= {"binary_sensor", "sensor", "sun"}
        assert not domains & ACTION_DOMAINS
        binary = [e for e in entities if e["entity_id"].startswith("binary_sensor.")]
        assert {e["device_class"] for e in binary} <= {"motion", "occupancy", "door"}
        assert any(e["entity_id"] == "binary_sensor.front_door" for e in binary)
        sensors = [e for e in entities if e["entity_id"].startswith("sensor.")]
        assert any(e.get("unit_of_measurement") == "lqi" for e in sensors)
        assert any(e.get("device_class") == "battery" for e in sensors)
        # Every room has a people-sensor of its own.
        activity = Activity(home, Window.of(home))
        areas = {area["area_id"] for area in home.catalog["areas"]}
        assert 5 <= len(areas) <= 8
        assert set(activity.area.values()) == areas


def test_motion_sensors_behave_like_real_ones(residents: list[SyntheticHome]) -> None:
    """On while movement is seen, off after the sensor's own timeout; busy rooms stay on."""
    shortest: list[float] = []
    for home in residents:
        activity = Activity(home, Window.of(home))
        classes = {e["entity_id"]: e.get("device_class") for e in home.catalog["entities"]}
        longest = 0.0
        for entity_id, spans in activity.spans.items():
            if classes[entity_id] != "motion" or len(spans) < 20:
                continue
            # The first and last spans may be cut by the window.
            durations = sorted((end - start).total_seconds() for start, end in spans[1:-1])
            # A single movement keeps it on for exactly its timeout, never less.
            shortest.append(durations[0])
            longest = max(longest, durations[-1])
        # Someone busy in a room keeps its sensor on for many minutes.
        assert longest > 15 * 60
    assert min(shortest) >= 30
    assert max(shortest) <= 245
    assert max(shortest) - min(shortest) > 90


def test_sensor_only_homes_vary_across_seeds(residents: list[SyntheticHome]) -> None:
    more = residents + [generate_home("sensor_only", days=1, seed=s) for s in range(8, 20)]
    zones = {home.catalog["time_zone"] for home in more}
    rooms = {len(home.catalog["areas"]) for home in more}
    assert len(zones) >= 4
    assert len(rooms) >= 3
    wakes = [
        _minutes(r["time"])
        for home in residents
        for r in home.routines
        if r.get("name") == "wake" and r["days"] in ("weekdays", "all")
    ]
    assert max(wakes) - min(wakes) >= 60


def test_sensor_only_ground_truth_is_well_formed(residents: list[SyntheticHome]) -> None:
    counts = []
    for home in residents:
        areas = {area["area_id"] for area in home.catalog["areas"]}
        entities = {e["entity_id"] for e in home.catalog["entities"]}
        window = Window.of(home)
        for routine in home.routines:
            assert routine["kind"] == "routine"
            assert routine["routine_kind"] in (
                "first_activity", "last_activity", "arrival", "departure"
            )  # fmt: skip
            assert routine["area_id"] in areas
            assert routine["entity_id"] is None or routine["entity_id"] in entities
            assert routine["state"] == "on"
            assert HHMM.match(routine["time"])
            assert 0 < routine["spread_minutes"] < 45
            assert routine["days"] in ("all", "weekdays", "weekends")
            assert routine["occupant"] == "resident"
            of_kind = [day for day in window.dates if window.of_kind(day, routine["days"])]
            assert 0.5 * len(of_kind) <= routine["support_days"] <= len(of_kind), routine
        orjson.dumps(home.routines)
        counts.append(len(home.routines))
    print(f"\nsensor-only routines per home: {counts}, mean {sum(counts) / len(counts):.1f}")
    assert sum(counts) / len(counts) >= 8


def _shown_days(home: SyntheticHome, activity: Activity, routine: dict[str, Any]) -> set[date]:
    """Return the days on which the routine shows in the events near its time."""
    kind = routine["routine_kind"]
    if kind == "first_activity":
        found = activity.first_activities(routine["area_id"])
    elif kind == "last_activity":
        found = activity.last_activities(routine["area_id"])
    elif kind == "departure":
        found = activity.departures(routine["entity_id"])
    else:
        found = activity.arrivals(routine["entity_id"])
    target = _minutes(routine["time"])
    tolerance = 3 * routine["spread_minutes"] + 15
    window = activity.window
    return {
        moment.date()
        for moment in found
        if window.of_kind(moment.date(), routine["days"])
        and _apart(moment.hour * 60 + moment.minute, target) <= tolerance
    }


def test_planted_routines_show_in_the_events(residents: list[SyntheticHome]) -> None:
    kinds = set()
    for home in residents:
        activity = Activity(home, Window.of(home))
        for routine in home.routines:
            days = _shown_days(home, activity, routine)
            assert len(days) >= routine["support_days"], routine
            kinds.add(routine["routine_kind"])
    assert kinds == {"first_activity", "last_activity", "arrival", "departure"}


def test_routines_keep_their_local_time_across_daylight_saving() -> None:
    """A window over both March changes (America, then Europe) keeps habits local."""
    end = datetime(2026, 4, 6, tzinfo=ZoneInfo("UTC"))
    checked = 0
    for seed in range(12):
        home = generate_home("sensor_only", days=DAYS, seed=seed, end=end)
        if home.catalog["time_zone"] not in ("Europe/Berlin", "Europe/London", "America/New_York"):
            continue
        offsets = {event["time"][-6:] for event in home.events}
        assert len(offsets) == 2
        activity = Activity(home, Window.of(home, end))
        for routine in home.routines:
            assert len(_shown_days(home, activity, routine)) >= routine["support_days"]
        checked += 1
    assert checked >= 3


def test_a_month_of_a_sensor_only_home_is_quick() -> None:
    started = time.perf_counter()
    home = generate_home("sensor_only", days=30, seed=5)
    seconds = time.perf_counter() - started
    print(f"\n30-day sensor-only home: {len(home.events)} events in {seconds:.2f} s")
    assert seconds < 2.0
