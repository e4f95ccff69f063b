"""Synthetic homes: deterministic, valid for the import API, and true to their ground truth."""

from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from engine.days_off import public_holidays
from engine.home.catalog import IMPORT_SCHEMA, CatalogSource, catalog_from_import
from engine.home.event_input import MAX_EVENTS_PER_REQUEST, VALID_ENTITY_ID, parse_events
from engine.training.synthetic import DEFAULT_END, HOME_TYPES, SyntheticHome, generate_home

BERLIN = ZoneInfo("Europe/Berlin")
DAYS = 28
# Last Sunday of March 2026: clocks go from 02:00 CET to 03:00 CEST.
DST_START = date(2026, 3, 29)

EventIndex = dict[tuple[str, str], list[datetime]]


@pytest.fixture(scope="module")
def homes() -> dict[str, SyntheticHome]:
    """Four weeks of one home of every type."""
    return {home_type: generate_home(home_type, days=DAYS, seed=1) for home_type in HOME_TYPES}


@pytest.fixture(scope="module")
def family_month() -> SyntheticHome:
    """The 30-day family house the benchmark measures."""
    return generate_home("family_house", days=30, seed=0)


def _dump(home: SyntheticHome) -> bytes:
    return orjson.dumps([home.catalog, home.events, home.routines])


def _index(home: SyntheticHome) -> EventIndex:
    """Return local event times by (entity_id, state)."""
    index: EventIndex = defaultdict(list)
    for event in home.events:
        moment = datetime.fromisoformat(event["time"]).astimezone(BERLIN)
        index[(event["entity_id"], event["state"])].append(moment)
    return index


def _workday(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays("DE", day.year)


def _of_kind(day: date, days: str) -> bool:
    return days == "all" or (days == "weekdays") == _workday(day)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


# Determinism ------------------------------------------------------------------------------


def test_same_arguments_give_the_same_bytes() -> None:
    first = generate_home("family_house", days=7, seed=3)
    second = generate_home("family_house", days=7, seed=3)
    assert _dump(first) == _dump(second)
    assert (first.home_type, first.seed, first.days) == ("family_house", 3, 7)


def test_other_seeds_give_other_homes() -> None:
    first = generate_home("shared_flat", days=5, seed=3)
    second = generate_home("shared_flat", days=5, seed=4)
    assert orjson.dumps(first.catalog) != orjson.dumps(second.catalog)
    assert orjson.dumps(first.events) != orjson.dumps(second.events)


def test_an_explicit_end_is_deterministic_too() -> None:
    end = datetime(2026, 7, 3, 15, 37, 12, tzinfo=ZoneInfo("UTC"))
    first = generate_home("home_office", days=2, seed=9, end=end)
    assert _dump(first) == _dump(generate_home("home_office", days=2, seed=9, end=end))
    times = [datetime.fromisoformat(event["time"]) for event in first.events]
    assert end - timedelta(days=2) <= times[0] < times[-1] < end


def test_the_default_window_ends_at_a_fixed_time() -> None:
    assert datetime(2026, 1, 5, tzinfo=BERLIN) == DEFAULT_END
    home = generate_home("studio_apartment", days=1, seed=0)
    assert home.events[0]["time"].startswith("2026-01-04T")
    assert home.events[-1]["time"].startswith("2026-01-04T")


def test_the_home_type_comes_from_the_seed_when_not_given() -> None:
    chosen = {generate_home(days=1, seed=seed).home_type for seed in range(12)}
    assert chosen <= set(HOME_TYPES)
    assert len(chosen) > 1
    home = generate_home(days=2, seed=5)
    assert _dump(home) == _dump(generate_home(home.home_type, days=2, seed=5))


def test_the_catalog_does_not_depend_on_the_window() -> None:
    def without_states(home: SyntheticHome) -> dict[str, Any]:
        entities = [{k: v for k, v in e.items() if k != "state"} for e in home.catalog["entities"]]
        return {**home.catalog, "entities": entities}

    short = generate_home("family_house", days=3, seed=2)
    long = generate_home("family_house", days=9, seed=2)
    assert without_states(short) == without_states(long)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"home_type": "castle"}, "home_type"),
        ({"days": 0}, "days"),
        ({"days": 366}, "days"),
        ({"seed": -1}, "seed"),
        ({"end": datetime(2026, 1, 1)}, "end"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(arguments: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        generate_home(**arguments)


# Validity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("home_type", HOME_TYPES)
def test_the_catalog_imports(homes: dict[str, SyntheticHome], home_type: str) -> None:
    home = homes[home_type]
    catalog = catalog_from_import(IMPORT_SCHEMA(home.catalog), CatalogSource.SYNTHETIC)
    assert catalog.time_zone == "Europe/Berlin"
    assert catalog.location is not None
    assert {e.entity_id for e in catalog.entities} >= {"weather.forecast_home", "sun.sun"}
    assert all(VALID_ENTITY_ID.match(e.entity_id) for e in catalog.entities)
    assert any(e.domain == "person" for e in catalog.entities)
    # Every entity of a device has the device; a plug's switch, power and energy share one.
    devices = {device.device_id for device in catalog.devices}
    assert all(e.device_id in devices for e in catalog.entities if e.device_id)
    power = [e for e in catalog.entities if e.device_class == "power" and e.device_id]
    assert power
    for sensor in power:
        siblings = [e for e in catalog.entities if e.device_id == sensor.device_id]
        assert len(siblings) >= 2
    assert all(e.state is not None for e in catalog.entities)


@pytest.mark.parametrize("home_type", HOME_TYPES)
def test_every_event_imports(homes: dict[str, SyntheticHome], home_type: str) -> None:
    home = homes[home_type]
    known = {entity["entity_id"] for entity in home.catalog["entities"]}
    for first in range(0, len(home.events), MAX_EVENTS_PER_REQUEST):
        parsed = parse_events({"events": home.events[first : first + MAX_EVENTS_PER_REQUEST]})
        assert len(parsed) == len(home.events[first : first + MAX_EVENTS_PER_REQUEST])
    times = [datetime.fromisoformat(event["time"]) for event in home.events]
    assert all(moment.utcoffset() is not None for moment in times)
    assert times == sorted(times)
    assert len(
        {(e["entity_id"], t, e["state"]) for e, t in zip(home.events, times, strict=True)}
    ) == len(times)
    assert {event["entity_id"] for event in home.events} <= known
    assert all(len(event["state"]) <= 255 for event in home.events)
    assert {event["origin"] for event in home.events} == {"manual", "automation", "system"}


def test_a_month_of_a_family_house_is_big(family_month: SyntheticHome) -> None:
    assert len(family_month.catalog["entities"]) >= 50
    assert len(family_month.events) >= 100_000
    origins = Counter(event["origin"] for event in family_month.events)
    assert origins["manual"] > 1000
    assert origins["automation"] > 100
    assert origins["system"] > 50_000


def test_diagnostics_and_chatter(family_month: SyntheticHome) -> None:
    entities = {e["entity_id"]: e for e in family_month.catalog["entities"]}
    diagnostic = [e for e in entities.values() if e.get("entity_category") == "diagnostic"]
    assert any(e.get("device_class") == "battery" for e in diagnostic)
    assert any(e.get("unit_of_measurement") == "lqi" for e in diagnostic)
    assert all(
        e.get("entity_category") == "diagnostic"
        for e in entities.values()
        if e.get("device_class") in ("battery", "signal_strength")
    )
    counts = Counter(event["entity_id"] for event in family_month.events)
    units = {e.get("unit_of_measurement") for e in entities.values()}
    assert {"°C", "%", "W", "kWh", "EUR/kWh", "lx", "lqi"} <= units
    price = next(e for e in entities.values() if e.get("unit_of_measurement") == "EUR/kWh")
    assert counts[price["entity_id"]] >= 24 * 25
    assert counts["weather.forecast_home"] > 30
    temperatures = [e for e in entities.values() if e.get("device_class") == "temperature"]
    assert all(counts[e["entity_id"]] > 1000 for e in temperatures)
    states = {e["state"] for e in family_month.events if e["entity_id"] == "sun.sun"}
    assert states == {"above_horizon", "below_horizon"}


def test_people_come_and_go(family_month: SyntheticHome) -> None:
    persons = [
        e["entity_id"]
        for e in family_month.catalog["entities"]
        if e["entity_id"].startswith("person.")
    ]
    assert persons
    for person in persons:
        states = [e["state"] for e in family_month.events if e["entity_id"] == person]
        assert set(states) == {"home", "not_home"}
        assert all(a != b for a, b in itertools.pairwise(states))


def test_automations_act_at_sunset(family_month: SyntheticHome) -> None:
    """The porch light goes on within seconds after the sun sets, by an automation."""
    sunsets = [
        datetime.fromisoformat(e["time"])
        for e in family_month.events
        if e["entity_id"] == "sun.sun" and e["state"] == "below_horizon"
    ]
    porch = [
        datetime.fromisoformat(e["time"])
        for e in family_month.events
        if e["entity_id"] == "light.porch_light" and e["state"] == "on"
        and e["origin"] == "automation"
    ]  # fmt: skip
    assert len(porch) >= 25
    for moment in porch:
        previous = sunsets[bisect.bisect_right(sunsets, moment) - 1]
        assert timedelta(0) <= moment - previous < timedelta(seconds=5)


# Ground truth -----------------------------------------------------------------------------


@pytest.mark.parametrize("home_type", HOME_TYPES)
def test_every_kind_of_ground_truth_is_planted(
    homes: dict[str, SyntheticHome], home_type: str
) -> None:
    routines = homes[home_type].routines
    orjson.dumps(routines)
    kinds = Counter(routine["kind"] for routine in routines)
    assert kinds["time_of_day"] >= 5
    assert kinds["co_occurrence"] >= 1
    assert kinds["chain"] >= 1
    details = {r["kind_detail"] for r in routines if r["kind"] == "anomaly"}
    assert details == {"unusual_time", "unusual_duration", "unusual_frequency"}
    for chain in (r for r in routines if r["kind"] == "chain"):
        assert 2 <= len(chain["chain"]) <= 4


@pytest.mark.parametrize("home_type", HOME_TYPES)
def test_time_of_day_routines_show_at_their_local_time(
    homes: dict[str, SyntheticHome], home_type: str
) -> None:
    home = homes[home_type]
    index = _index(home)
    first = datetime.fromisoformat(home.events[0]["time"]).date()
    window = [first + timedelta(days=i) for i in range(DAYS)]
    shares = []
    for routine in (r for r in home.routines if r["kind"] == "time_of_day"):
        target = _minutes(routine["time"])
        tolerance = 3 * routine["spread_minutes"] + 10
        days = {
            moment.date()
            for moment in index[(routine["entity_id"], routine["state"])]
            if _of_kind(moment.date(), routine["days"])
            and abs(moment.hour * 60 + moment.minute - target) <= tolerance
        }
        expected = [day for day in window if _of_kind(day, routine["days"])]
        assert len(days) >= routine["support_days"], routine
        # Real but not perfect: skipped days, days at home, trips.
        assert routine["support_days"] >= 0.35 * len(expected), routine
        shares.append(routine["support_days"] / len(expected))
    assert 0.6 <= sum(shares) / len(shares) < 1.0


@pytest.mark.parametrize("home_type", HOME_TYPES)
def test_co_occurrences_show_in_the_events(homes: dict[str, SyntheticHome], home_type: str) -> None:
    home = homes[home_type]
    index = _index(home)
    for routine in (r for r in home.routines if r["kind"] == "co_occurrence"):
        triggers = index[(routine["trigger"]["entity_id"], routine["trigger"]["state"])]
        actions = index[(routine["action"]["entity_id"], routine["action"]["state"])]
        window = timedelta(seconds=6 * routine["delay_s"] + 30)
        followed = [
            trigger
            for trigger in triggers
            if any(
                timedelta(0) < a - trigger <= window
                for a in actions[bisect.bisect(actions, trigger) :][:3]
            )
        ]
        assert len({moment.date() for moment in followed}) >= routine["support_days"] > 0
        assert len(followed) >= 0.6 * len(triggers)


@pytest.mark.parametrize("home_type", HOME_TYPES)
def test_chains_show_in_order(homes: dict[str, SyntheticHome], home_type: str) -> None:
    home = homes[home_type]
    index = _index(home)
    for routine in (r for r in home.routines if r["kind"] == "chain"):
        steps = [index[(step["entity_id"], step["state"])] for step in routine["chain"]]
        days = set()
        for start in steps[0]:
            moment = start
            for times, delay in zip(steps[1:], routine["delays_s"], strict=True):
                later = times[bisect.bisect(times, moment) :][:1]
                if not later or later[0] - moment > timedelta(seconds=4 * delay + 60):
                    break
                moment = later[0]
            else:
                days.add(start.date())
        assert len(days) >= routine["support_days"] > 0, routine


@pytest.mark.parametrize("home_type", HOME_TYPES)
def test_anomalies_are_in_the_events(homes: dict[str, SyntheticHome], home_type: str) -> None:
    home = homes[home_type]
    events = {(e["entity_id"], e["state"], e["time"]) for e in home.events}
    anomalies = [r for r in home.routines if r["kind"] == "anomaly"]
    assert len(anomalies) >= 3
    for anomaly in anomalies:
        assert (anomaly["entity_id"], anomaly["state"], anomaly["at"]) in events
        local = datetime.fromisoformat(anomaly["at"]).astimezone(BERLIN)
        if anomaly["kind_detail"] == "unusual_time":
            assert local.hour < 5
        elif anomaly["kind_detail"] == "unusual_frequency":
            changes = [
                e for e in home.events
                if e["entity_id"] == anomaly["entity_id"]
                and anomaly["at"] <= e["time"] <= (local + timedelta(minutes=10)).isoformat()
            ]  # fmt: skip
            assert len(changes) >= 20


def test_habits_keep_their_local_time_across_daylight_saving() -> None:
    home = generate_home("family_house", days=21, seed=2, end=datetime(2026, 4, 6, tzinfo=BERLIN))
    assert home.events[0]["time"].endswith("+01:00")
    assert home.events[-1]["time"].endswith("+02:00")
    index = _index(home)
    checked = 0
    for routine in home.routines:
        if routine["kind"] != "time_of_day" or routine["spread_minutes"] > 10:
            continue
        target = _minutes(routine["time"])
        local: dict[bool, list[int]] = {True: [], False: []}
        utc: dict[bool, list[int]] = {True: [], False: []}
        for moment in index[(routine["entity_id"], routine["state"])]:
            minute = moment.hour * 60 + moment.minute
            if not _of_kind(moment.date(), routine["days"]) or abs(minute - target) > 40:
                continue
            after = moment.date() >= DST_START
            local[after].append(minute)
            universal = moment.astimezone(ZoneInfo("UTC"))
            utc[after].append(universal.hour * 60 + universal.minute)
        if len(local[True]) < 3 or len(local[False]) < 3:
            continue

        def mean(values: list[int]) -> float:
            return sum(values) / len(values)

        assert abs(mean(local[True]) - mean(local[False])) < 12, routine
        assert abs(mean(utc[False]) - mean(utc[True]) - 60) < 12, routine
        checked += 1
    assert checked >= 3
