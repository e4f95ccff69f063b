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
    assert {"sensor_only", "motion_lit"} <= set(ALL_HOME_TYPES)
    assert {generate_home(days=1, seed=seed).home_type for seed in range(16)} <= set(HOME_TYPES)


@pytest.mark.parametrize("home_type", ["sensor_only", "motion_lit"])
def test_same_arguments_give_the_same_bytes(home_type: str) -> None:
    first = generate_home(home_type, days=5, seed=11)
    assert _dump(first) == _dump(generate_home(home_type, days=5, seed=11))
    assert _dump(first) != _dump(generate_home(home_type, days=5, seed=12))
    assert first.home_type == home_type


@pytest.mark.parametrize("home_type", ["sensor_only", "motion_lit"])
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
        # Tokyo keeps one offset; every other zone changes in March or (Sydney) April.
        if home.catalog["time_zone"] == "Asia/Tokyo":
            continue
        offsets = {event["time"][-6:] for event in home.events}
        assert len(offsets) == 2
        activity = Activity(home, Window.of(home, end))
        for routine in home.routines:
            assert len(_shown_days(home, activity, routine)) >= routine["support_days"]
        checked += 1
    assert checked >= 3


def test_implied_sensor_times_are_what_the_sensors_show(residents: list[SyntheticHome]) -> None:
    """Regular sensor moments that follow from the plan (the hallway before breakfast)."""
    for home in residents:
        activity = Activity(home, Window.of(home))
        areas = {area["area_id"] for area in home.catalog["areas"]}
        assert len(home.implied) >= len(home.routines)
        for implied in home.implied:
            assert implied["kind"] == "time_of_day"
            assert implied["area_id"] in areas
            assert activity.area[implied["entity_id"]] == implied["area_id"]
            assert implied["support_days"] >= 3
            kind = implied["source"].split(":")[0]
            as_routine = {**implied, "routine_kind": kind}
            if kind in ("departure", "arrival"):
                as_routine["entity_id"] = implied["entity_id"]
            shown = _shown_days(home, activity, as_routine)
            assert len(shown) >= 0.8 * implied["support_days"], implied


def test_a_month_of_a_sensor_only_home_is_quick() -> None:
    started = time.perf_counter()
    home = generate_home("sensor_only", days=30, seed=5)
    seconds = time.perf_counter() - started
    print(f"\n30-day sensor-only home: {len(home.events)} events in {seconds:.2f} s")
    assert seconds < 2.0


# Motion-lit homes ---------------------------------------------------------------------------

EventIndex = dict[tuple[str, str], list[datetime]]


@pytest.fixture(scope="module")
def lit_homes() -> list[SyntheticHome]:
    """A month of several motion-lit homes."""
    return [generate_home("motion_lit", days=DAYS, seed=seed) for seed in range(6)]


def _index(home: SyntheticHome) -> EventIndex:
    """Return event times by (entity_id, state)."""
    index: EventIndex = defaultdict(list)
    for event in home.events:
        index[(event["entity_id"], event["state"])].append(datetime.fromisoformat(event["time"]))
    return index


def _origins(home: SyntheticHome, entity_id: str) -> set[str]:
    return {e["origin"] for e in home.events if e["entity_id"] == entity_id}


def _before(times: list[datetime], moment: datetime) -> datetime | None:
    """Return the last time at or before a moment."""
    index = bisect.bisect_right(times, moment) - 1
    return times[index] if index >= 0 else None


def _dark(index: EventIndex, moment: datetime) -> bool | None:
    """Return whether the sun entity says it is below the horizon (None: not known yet)."""
    below = _before(index[("sun.sun", "below_horizon")], moment)
    above = _before(index[("sun.sun", "above_horizon")], moment)
    if below is None or above is None:
        return None
    return below > above


def _was_on(ons: list[datetime], offs: list[datetime], moment: datetime) -> bool:
    """Return whether something was on just before a moment."""
    last_on, last_off = _before(ons, moment), _before(offs, moment)
    return last_on is not None and (last_off is None or last_on > last_off)


def _soon_after(times: list[datetime], moment: datetime, seconds: float) -> bool:
    """Return whether one of the times comes after a moment, within some seconds."""
    later = times[bisect.bisect_right(times, moment) :][:1]
    return bool(later) and later[0] - moment <= timedelta(seconds=seconds)


def test_motion_lit_ground_truth_is_well_formed(lit_homes: list[SyntheticHome]) -> None:
    idioms: dict[str, int] = defaultdict(int)
    for home in lit_homes:
        entities = {e["entity_id"]: e for e in home.catalog["entities"]}
        kinds = {r["kind"] for r in home.routines}
        assert {"time_of_day", "co_occurrence", "chain", "anomaly"} <= kinds
        for routine in home.routines:
            if routine["kind"] == "co_occurrence" and "idiom" in routine:
                idioms[routine["idiom"]] += 1
                assert routine["trigger"]["entity_id"] in entities
                assert routine["action"]["entity_id"] in entities
                assert routine["trigger"]["state"] == routine["action"]["state"] == "on"
                assert 1.0 <= routine["delay_s"] <= 10.0
                assert 0.5 < routine["probability"] <= 1.0
                assert 60 <= routine["off_after_s"] <= 900
                assert routine["condition"] in (
                    "sun_below_horizon", "illuminance_below", "time_window", None
                )  # fmt: skip
                if routine["condition"] == "illuminance_below":
                    assert routine["illuminance_entity_id"] in entities
                    assert routine["below_lx"] > 0
                if routine["condition"] == "time_window":
                    assert HHMM.match(routine["after"])
                    assert HHMM.match(routine["before"])
                assert 0 <= routine["support_days"] <= DAYS + 1
                trigger = entities[routine["trigger"]["entity_id"]]
                expected = "motion" if routine["idiom"] == "motion_light" else "door"
                assert trigger["device_class"] == expected
            elif routine["kind"] == "time_of_day":
                assert routine["entity_id"] in entities
                assert HHMM.match(routine["time"])
                assert routine["days"] in ("all", "weekdays", "weekends")
                if "sun" in routine:
                    assert routine["sun"] == "sunset"
                    assert -30 <= routine["offset_minutes"] <= 30
        # A chain of two or three manual steps.
        for chain in (r for r in home.routines if r["kind"] == "chain"):
            assert 2 <= len(chain["chain"]) <= 3
            assert all(step["entity_id"] in entities for step in chain["chain"])
        for anomaly in (r for r in home.routines if r["kind"] == "anomaly"):
            assert anomaly["entity_id"] in entities
    assert idioms["motion_light"] >= 2 * len(lit_homes)
    assert idioms["door_light"] >= len(lit_homes)


def test_a_motion_light_follows_its_sensor(lit_homes: list[SyntheticHome]) -> None:
    """On within seconds after motion when it was off; off N minutes after motion cleared."""
    checked = 0
    for home in lit_homes:
        index = _index(home)
        window = Window.of(home)
        for routine in home.routines:
            if routine.get("idiom") != "motion_light":
                continue
            sensor, light = routine["trigger"]["entity_id"], routine["action"]["entity_id"]
            motion_on, motion_off = index[(sensor, "on")], index[(sensor, "off")]
            light_on, light_off = index[(light, "on")], index[(light, "off")]
            assert _origins(home, light) == {routine["origin"]}
            for moment in light_on:
                trigger = _before(motion_on, moment)
                assert trigger is not None
                assert timedelta(0) < moment - trigger <= timedelta(seconds=10.5)
                if routine["condition"] == "sun_below_horizon":
                    assert _dark(index, trigger) is not False
                elif routine["condition"] == "time_window":
                    local = trigger.astimezone(window.zone)
                    minute = local.hour * 60 + local.minute
                    assert minute >= _minutes(routine["after"]) or minute < _minutes(
                        routine["before"]
                    )
            off_after = routine["off_after_s"]
            exact = 0
            for moment in light_off:
                cleared = _before(motion_off, moment)
                assert cleared is not None
                # No motion came back in between: it would have kept the light on.
                assert (_before(motion_on, moment) or cleared) <= cleared
                waited = (moment - cleared).total_seconds()
                exact += abs(waited - off_after) <= 0.1 * off_after + 2
            assert exact >= 0.95 * len(light_off)
            # Motion while the light is off turns it on (when the condition allows).
            if routine["condition"] is None:
                dark_room = [m for m in motion_on if not _was_on(light_on, light_off, m)]
                followed = [m for m in dark_room if _soon_after(light_on, m, 10.5)]
                assert len(followed) >= 0.8 * routine["probability"] * len(dark_room)
            days = {moment.astimezone(window.zone).date() for moment in light_on}
            assert len(days) >= routine["support_days"] >= 1
            checked += 1
    assert checked >= 12


def test_a_door_light_follows_its_door(lit_homes: list[SyntheticHome]) -> None:
    """On within seconds after the door opens; off N minutes after the (last) opening."""
    checked = 0
    for home in lit_homes:
        index = _index(home)
        for routine in home.routines:
            if routine.get("idiom") != "door_light":
                continue
            door, light = routine["trigger"]["entity_id"], routine["action"]["entity_id"]
            opened = index[(door, "on")]
            light_on, light_off = index[(light, "on")], index[(light, "off")]
            for moment in light_on:
                trigger = _before(opened, moment)
                assert trigger is not None
                assert timedelta(0) < moment - trigger <= timedelta(seconds=10.5)
                if routine["condition"] == "sun_below_horizon":
                    assert _dark(index, trigger) is not False
            off_after = routine["off_after_s"]
            exact = sum(
                abs((moment - (_before(opened, moment) or moment)).total_seconds() - off_after)
                <= 0.1 * off_after + 2
                for moment in light_off
            )
            assert exact >= 0.95 * len(light_off)
            checked += 1
    assert checked >= len(lit_homes)


def test_a_sunset_habit_moves_with_the_sun(lit_homes: list[SyntheticHome]) -> None:
    checked = 0
    for home in lit_homes:
        index = _index(home)
        window = Window.of(home)
        sunsets = index[("sun.sun", "below_horizon")]
        for routine in home.routines:
            if routine["kind"] != "time_of_day" or "sun" not in routine:
                continue
            offset = timedelta(minutes=routine["offset_minutes"])
            near = {
                moment.astimezone(window.zone).date()
                for moment in index[(routine["entity_id"], routine["state"])]
                if (sunset := _before(sunsets, moment + timedelta(hours=3))) is not None
                and abs(moment - (sunset + offset)) <= timedelta(minutes=25)
            }
            assert len(near) >= routine["support_days"] >= DAYS // 2
            checked += 1
    assert checked >= 3


def test_motion_lit_time_of_day_truth_shows_at_its_local_time(
    lit_homes: list[SyntheticHome],
) -> None:
    for home in lit_homes:
        index = _index(home)
        window = Window.of(home)
        for routine in home.routines:
            if routine["kind"] != "time_of_day":
                continue
            target = _minutes(routine["time"])
            tolerance = 3 * routine["spread_minutes"] + 10
            days = set()
            for moment in index[(routine["entity_id"], routine["state"])]:
                local = moment.astimezone(window.zone)
                if window.of_kind(local.date(), routine["days"]) and (
                    _apart(local.hour * 60 + local.minute, target) <= tolerance
                ):
                    days.add(local.date())
            assert len(days) >= routine["support_days"], routine


# Security habits ----------------------------------------------------------------------------


def test_motion_lit_homes_always_have_security_habits(lit_homes: list[SyntheticHome]) -> None:
    houses = 0
    for home in lit_homes:
        entities = {e["entity_id"]: e for e in home.catalog["entities"]}
        assert any(entity_id.startswith("lock.") for entity_id in entities)
        garages = [e for e in entities.values() if e.get("device_class") == "garage"]
        if not garages:
            continue
        houses += 1
        index = _index(home)
        (pair,) = [
            r for r in home.routines
            if r["kind"] == "co_occurrence" and r.get("security")
            and r["action"]["entity_id"] == garages[0]["entity_id"]
        ]  # fmt: skip
        assert pair["trigger"]["state"] == "home"
        assert pair["trigger"]["entity_id"].startswith("person.")
        arrivals = index[(pair["trigger"]["entity_id"], "home")]
        opened = index[(pair["action"]["entity_id"], "open")]
        followed = [moment for moment in arrivals if _soon_after(opened, moment, 180)]
        assert len(followed) >= 0.7 * len(arrivals)
        assert len({m.date() for m in followed}) >= pair["support_days"]
    assert houses >= 2


def test_security_habits_are_flagged_and_show(lit_homes: list[SyntheticHome]) -> None:
    homes = [*lit_homes] + [generate_home("family_house", days=DAYS, seed=s) for s in range(4)]
    flagged: dict[str, int] = defaultdict(int)
    for home in homes:
        index = _index(home)
        window = Window.of(home)
        for routine in home.routines:
            if not routine.get("security"):
                continue
            entity_id = routine.get("entity_id") or routine["action"]["entity_id"]
            domain = entity_id.split(".")[0]
            flagged[domain] += 1
            assert domain in ("lock", "cover", "alarm_control_panel")
            if routine["kind"] != "time_of_day":
                continue
            target = _minutes(routine["time"])
            days = {
                moment.astimezone(window.zone).date()
                for moment in index[(entity_id, routine["state"])]
                if window.of_kind(moment.astimezone(window.zone).date(), routine["days"])
                and _apart(
                    moment.astimezone(window.zone).hour * 60
                    + moment.astimezone(window.zone).minute,
                    target,
                )
                <= 3 * routine["spread_minutes"] + 10
            }
            assert len(days) >= routine["support_days"], routine
        # Nothing else is flagged.
        assert all(
            r.get("security") is None for r in home.routines if r["kind"] in ("chain", "anomaly")
        )
    assert flagged["lock"] >= 4
    assert flagged["cover"] >= 2
    assert flagged["alarm_control_panel"] >= 1


def test_households_keep_their_homes_and_gain_security_only() -> None:
    """Security devices draw from streams of their own: the rest of a household is as it was."""
    home = generate_home("family_house", days=7, seed=0)
    added = {"alarm_control_panel.home_alarm"}
    entities = [e["entity_id"] for e in home.catalog["entities"]]
    assert entities[-1] in added or not set(entities) & added
    assert all(r["kind"] != "routine" for r in home.routines)


def test_a_month_of_a_motion_lit_home_is_quick() -> None:
    started = time.perf_counter()
    home = generate_home("motion_lit", days=30, seed=2)
    seconds = time.perf_counter() - started
    print(f"\n30-day motion-lit home: {len(home.events)} events in {seconds:.2f} s")
    assert seconds < 3.0
