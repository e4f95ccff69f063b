"""Homes built another way: a small scripted home, not the engine's own generator.

The engine's synthetic homes are one view of the world, and the detectors were developed
on them. These homes are written here from scratch, in the style of a tester's fixture:
a handful of entities, a few plain habits with a normal jitter, one cause-and-effect pair,
one chain started at random times with delays of minutes, one motion light, one garage
door opened every weekday morning, random use of everything, and one planted anomaly.
Each seed varies the times, delays, jitters and noise widely. What must hold: every
planted thing found, few reports beyond it, the chain and the anomaly found, each planted
pair suggested, the motion light suggested in its idiom, nothing that opens the home.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from engine.automation.suggestions.drafts import Drafter
from engine.home.catalog import CatalogSource, catalog_from_import
from engine.patterns.arrays import EventArrays
from engine.patterns.details import AnomalyDetails, CoOccurrenceDetails, TimeOfDayDetails
from engine.patterns.detect import SUGGESTION_THRESHOLD, DetectionResult, detect

from .stored_findings import stored

ZONE = "America/Chicago"
DAYS = 30
ENTITIES = [
    {"entity_id": "light.bedroom", "name": "Bedroom light", "area_id": "bedroom"},
    {"entity_id": "light.kitchen", "name": "Kitchen light", "area_id": "kitchen"},
    {"entity_id": "switch.coffee", "name": "Coffee maker", "area_id": "kitchen"},
    {"entity_id": "light.porch", "name": "Porch light", "area_id": "porch"},
    {"entity_id": "light.hall", "name": "Hall light", "area_id": "hall"},
    {"entity_id": "binary_sensor.hall_motion", "name": "Hall motion", "area_id": "hall",
     "device_class": "motion"},
    {"entity_id": "binary_sensor.back_door", "name": "Back door", "area_id": "kitchen",
     "device_class": "door"},
    {"entity_id": "light.patio", "name": "Patio light", "area_id": "porch"},
    {"entity_id": "media_player.tv", "name": "TV", "area_id": "living"},
    {"entity_id": "light.living", "name": "Living room lamp", "area_id": "living"},
    {"entity_id": "light.reading", "name": "Reading lamp", "area_id": "living"},
    {"entity_id": "cover.garage", "name": "Garage door", "area_id": "garage",
     "device_class": "garage"},
    {"entity_id": "switch.fan", "name": "Desk fan", "area_id": "bedroom"},
]  # fmt: skip
AREAS = ["bedroom", "kitchen", "porch", "hall", "living", "garage"]
OPENS_THE_HOME = {"lock.unlock", "cover.open_cover", "alarm_control_panel.alarm_disarm"}


@dataclass
class Home:
    """A scripted home's events and what was planted in it."""

    events: list[dict[str, Any]] = field(default_factory=list)
    habits: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # entity, state, HH:MM, days
    pairs: list[tuple[str, str, str, str]] = field(default_factory=list)
    chain: list[tuple[str, str]] = field(default_factory=list)
    anomaly: tuple[str, str] = ("", "")  # entity, local date


def _at(day: datetime, minute: float) -> datetime:
    return day + timedelta(minutes=minute)


def build(seed: int) -> Home:  # noqa: PLR0912 - one scripted day after another, in order
    """Return one scripted home: 30 days ending at a fixed date, in Chicago's local time."""
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(ZONE)
    home = Home()
    first = datetime(2026, 3, 2, tzinfo=zone)

    def add(entity_id: str, state: str, moment: datetime, origin: str = "manual") -> None:
        home.events.append(
            {"entity_id": entity_id, "state": state, "time": moment.isoformat(), "origin": origin}
        )

    wake = float(rng.uniform(330, 450))
    jitter = float(rng.uniform(3, 10))
    tv_time = float(rng.uniform(1140, 1260))
    chain_delays = rng.uniform(20, 170, size=2)
    motion_wait = float(rng.choice([60, 120, 180, 300]))
    door_delay = float(rng.uniform(2, 12))
    garage_time = float(rng.uniform(440, 500))
    anomaly_day = int(rng.integers(10, DAYS - 2))
    home.habits = [
        ("light.bedroom", "on", f"{int(wake) // 60:02d}:{int(wake) % 60:02d}", "weekdays"),
        ("switch.coffee", "on", f"{int(wake + 12) // 60:02d}:{int(wake + 12) % 60:02d}", "all"),
        ("media_player.tv", "playing", f"{int(tv_time) // 60:02d}:{int(tv_time) % 60:02d}", "all"),
    ]
    home.pairs = [("binary_sensor.back_door", "on", "light.patio", "on")]
    home.chain = [("light.living", "on"), ("light.reading", "on"), ("switch.fan", "on")]
    for number in range(DAYS):
        day = (first + timedelta(days=number)).replace(tzinfo=None).replace(tzinfo=zone)
        weekday = day.weekday() < 5
        if weekday and rng.random() < 0.9:
            at = _at(day, wake + rng.normal(0, jitter))
            add("light.bedroom", "on", at)
            add("light.bedroom", "off", at + timedelta(minutes=float(rng.uniform(5, 60))))
        if rng.random() < 0.85:
            at = _at(day, wake + 12 + rng.normal(0, jitter))
            add("switch.coffee", "on", at)
            add("switch.coffee", "off", at + timedelta(minutes=float(rng.uniform(10, 90))))
        if rng.random() < 0.85:
            at = _at(day, tv_time + rng.normal(0, jitter))
            add("media_player.tv", "playing", at)
            add("media_player.tv", "off", at + timedelta(minutes=float(rng.uniform(40, 180))))
        # The back door lights the patio, at any time it is opened.
        for _ in range(int(rng.integers(1, 5))):
            at = _at(day, float(rng.uniform(420, 1320)))
            add("binary_sensor.back_door", "on", at, "system")
            add("binary_sensor.back_door", "off", at + timedelta(seconds=30), "system")
            if rng.random() < 0.9:
                lit = at + timedelta(seconds=door_delay)
                add("light.patio", "on", lit)
                add("light.patio", "off", lit + timedelta(minutes=float(rng.uniform(2, 30))))
        # A chain of three, started at a random time on most days.
        if rng.random() < 0.8:
            at = _at(day, float(rng.uniform(600, 1200)))
            add("light.living", "on", at)
            add("light.reading", "on", at + timedelta(seconds=float(chain_delays[0])))
            fan = at + timedelta(seconds=float(chain_delays.sum()))
            add("switch.fan", "on", fan)
            for entity_id in ("light.living", "light.reading", "switch.fan"):
                add(entity_id, "off", at + timedelta(minutes=float(rng.uniform(20, 120))))
        # The hall light follows motion (a controller, recorded as the device did it).
        for _ in range(int(rng.integers(4, 12))):
            at = _at(day, float(rng.uniform(360, 1380)))
            stays = float(rng.uniform(20, 200))
            add("binary_sensor.hall_motion", "on", at, "system")
            add("light.hall", "on", at + timedelta(seconds=2), "system")
            add("binary_sensor.hall_motion", "off", at + timedelta(seconds=stays), "system")
            off = at + timedelta(seconds=stays + motion_wait)
            add("light.hall", "off", off, "system")
        # The garage door opens on weekday mornings (someone drives off) and closes again.
        if weekday and rng.random() < 0.85:
            at = _at(day, garage_time + rng.normal(0, 4))
            add("cover.garage", "open", at)
            add("cover.garage", "closed", at + timedelta(minutes=float(rng.uniform(1, 4))))
        # Random use.
        for entity_id in ("light.kitchen", "light.porch", "light.bedroom"):
            for _ in range(int(rng.integers(0, 3))):
                at = _at(day, float(rng.uniform(360, 1380)))
                add(entity_id, "on", at)
                add(entity_id, "off", at + timedelta(minutes=float(rng.uniform(1, 60))))
        if number == anomaly_day:
            at = _at(day, float(rng.uniform(150, 230)))
            add("light.kitchen", "on", at)
            add("light.kitchen", "off", at + timedelta(minutes=10))
            home.anomaly = ("light.kitchen", at.date().isoformat())
    home.events.sort(key=lambda event: event["time"])
    return home


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _analyse(home: Home) -> tuple[DetectionResult, Any]:
    body = {
        "time_zone": ZONE,
        "location": {"latitude": 41.88, "longitude": -87.63},
        "floors": [],
        "areas": [{"area_id": area, "name": area.title()} for area in AREAS],
        "devices": [],
        "entities": ENTITIES,
    }
    catalog = catalog_from_import(body, CatalogSource.IMPORT)
    result = detect(EventArrays.from_api_events(home.events), catalog, time_zone=ZONE)
    return result, catalog


@pytest.mark.parametrize("seed", range(6))
def test_a_home_built_another_way_is_read_right(seed: int) -> None:
    home = build(seed)
    result, catalog = _analyse(home)
    for pattern in result.patterns:
        print(f"  {pattern.type:14} {pattern.score:.2f} {pattern.description}")
    habits = [p.details for p in result.patterns if isinstance(p.details, TimeOfDayDetails)]
    pairs = {
        (p.details.trigger.entity_id, p.details.trigger.state,
         p.details.action.entity_id, p.details.action.state): p.details
        for p in result.patterns
        if isinstance(p.details, CoOccurrenceDetails)
    }  # fmt: skip
    # Every planted habit at its time (or explained by the routine-less cause it follows).
    for entity_id, state, time, days in home.habits:
        assert any(
            (d.entity_id, d.state) == (entity_id, state)
            and abs(_minutes(d.time) - _minutes(time)) <= 15
            and (d.days == days or "all" in (d.days, days))
            for d in habits
        ), (entity_id, state, time)
    # The planted pair, each link of the chain, and the chain itself.
    for pair in home.pairs:
        assert pair in pairs, pair
    links = list(zip(home.chain, home.chain[1:], strict=False))
    for (te, ts), (ae, as_) in links:
        assert (te, ts, ae, as_) in pairs, (te, ae)
    chains = [tuple((s["entity_id"], s["state"]) for s in x.chain) for x in result.synergies]
    assert tuple(home.chain) in chains
    # The motion light in its idiom, with the wait the data shows.
    motion = pairs[("binary_sensor.hall_motion", "on", "light.hall", "on")]
    assert motion.idiom == "motion_light"
    assert motion.off_after_s is not None
    # The anomaly.
    assert any(
        isinstance(p.details, AnomalyDetails)
        and p.details.entity_id == home.anomaly[0]
        and p.details.at[:10] == home.anomaly[1]
        for p in result.patterns
    )
    # Few reports beyond what was planted: no clock habit of an effect, no off after a
    # random on-duration, no sensor as a habit.
    planted = {h[0] for h in home.habits}
    for pattern in result.patterns:
        if isinstance(habit := pattern.details, TimeOfDayDetails):
            assert habit.entity_id in planted | {"cover.garage"}, pattern.description
            assert habit.state not in ("off", "closed"), pattern.description
    # Suggestions: each planted pair, the motion light whole, nothing that opens the home.
    found, chains_found = stored(result)
    drafts = Drafter(catalog).drafts(
        [p for p in found if p.score >= SUGGESTION_THRESHOLD],
        [c for c in chains_found if c.score >= SUGGESTION_THRESHOLD],
        found,
    )
    for draft in drafts:
        print(f"  suggested: {draft.title}")
        calls = {a.get("action") for a in draft.automation["actions"]}
        assert not calls & OPENS_THE_HOME, draft.title
    assert len(drafts) <= 25
    triggered = {d.automation["triggers"][0].get("entity_id") for d in drafts}
    for trigger, _, _, _ in home.pairs:
        assert trigger in triggered, trigger
    assert any(
        d.automation["mode"] == "restart"
        and d.automation["triggers"][0].get("entity_id") == "binary_sensor.hall_motion"
        for d in drafts
    )
    assert any("Garage door" in d.title and "longer than usual" in d.title for d in drafts)
