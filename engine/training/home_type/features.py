"""Features of a home for telling its type: what it is made of and how it is lived in.

Two groups, all in a fixed order (FEATURE_NAMES):
- the entity mix, from the catalog: counts of floors, areas, devices, entities, persons;
  the fraction of entities per domain and per device class; the diagnostic fraction;
- the activity profile, from the events in the home's local time: the hour-of-day
  histogram of manual changes, their volume per day and per person, weekday against
  weekend, how much automations do, and the presence pattern of the person entities
  (how much of the time, and of weekday working hours, people are at home).

Nothing depends on names or ids, so the features describe real homes as well.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

DOMAINS = (
    "light", "switch", "sensor", "binary_sensor", "media_player", "climate", "cover", "lock",
    "person", "vacuum",
)  # fmt: skip
DEVICE_CLASSES = (
    "door", "window", "motion", "occupancy", "temperature", "humidity", "power", "energy",
    "battery", "illuminance", "carbon_dioxide", "signal_strength", "tv", "speaker",
)  # fmt: skip
# Entities people switch: what an hour-of-day profile of use is about.
CONTROLLABLE = ("light", "switch", "media_player", "cover", "climate", "lock", "fan")
_PRESENCE_STEP_S = 900
_DAY_S = 86_400

FEATURE_NAMES: tuple[str, ...] = (
    "floors",
    "areas",
    "log_devices",
    "log_entities",
    "persons",
    "areas_per_floor",
    "lights_per_area",
    *(f"domain_fraction_{domain}" for domain in DOMAINS),
    "domain_fraction_other",
    *(f"device_class_fraction_{device_class}" for device_class in DEVICE_CLASSES),
    "diagnostic_fraction",
    *(f"manual_hour_{hour:02d}" for hour in range(24)),
    "log_manual_per_day",
    "log_manual_per_day_per_person",
    "log_weekend_to_weekday_manual",
    "manual_weekday_office_hours_share",
    "manual_night_share",
    "automation_share",
    "manual_entities_per_day_fraction",
    "presence_home_fraction",
    "presence_weekday_office_hours_home_fraction",
    "presence_all_away_fraction",
    "presence_changes_per_person_day",
    "log_door_openings_per_day",
)

FloatArray = npt.NDArray[np.float64]


def home_features(catalog: dict[str, Any], events: list[dict[str, Any]]) -> FloatArray:
    """Return the fixed-length feature vector (FEATURE_NAMES) of a home; always finite."""
    zone = ZoneInfo(catalog.get("time_zone") or "UTC")
    entities: list[dict[str, Any]] = catalog.get("entities") or []
    values = _catalog_features(catalog, entities)
    values += _activity_features(entities, events, zone)
    vector = np.array(values, dtype=np.float64)
    return np.nan_to_num(vector, nan=0.0, posinf=0.0, neginf=0.0)


def _catalog_features(catalog: dict[str, Any], entities: list[dict[str, Any]]) -> list[float]:
    """Return the entity-mix features."""
    floors = len(catalog.get("floors") or [])
    areas = len(catalog.get("areas") or [])
    total = max(1, len(entities))
    domains = [str(e["entity_id"]).partition(".")[0] for e in entities]
    classes = [e.get("device_class") for e in entities]
    persons = domains.count("person")
    lights = domains.count("light")
    values = [
        float(floors),
        float(areas),
        math.log1p(len(catalog.get("devices") or [])),
        math.log1p(len(entities)),
        float(persons),
        areas / max(1, floors),
        lights / max(1, areas),
    ]
    values += [domains.count(domain) / total for domain in DOMAINS]
    values.append(sum(1 for domain in domains if domain not in DOMAINS) / total)
    values += [classes.count(device_class) / total for device_class in DEVICE_CLASSES]
    values.append(sum(1 for e in entities if e.get("entity_category") == "diagnostic") / total)
    return values


def _activity_features(
    entities: list[dict[str, Any]], events: list[dict[str, Any]], zone: ZoneInfo
) -> list[float]:
    """Return the activity-profile features (local time)."""
    manual: list[tuple[str, datetime]] = []
    automation = 0
    persons: dict[str, list[tuple[float, bool]]] = {}
    doors = 0
    door_ids = {e["entity_id"] for e in entities if e.get("device_class") == "door"}
    bounds: list[float] = []
    for event in events:
        entity_id = event["entity_id"]
        domain = entity_id.partition(".")[0]
        origin = event.get("origin")
        if origin == "manual" and domain in CONTROLLABLE:
            moment = datetime.fromisoformat(event["time"]).astimezone(zone)
            manual.append((entity_id, moment))
            bounds.append(moment.timestamp())
        elif origin == "automation":
            automation += 1
        if domain == "person":
            stamp = datetime.fromisoformat(event["time"]).timestamp()
            persons.setdefault(entity_id, []).append((stamp, event["state"] == "home"))
            bounds.append(stamp)
        elif entity_id in door_ids and event["state"] == "on":
            doors += 1
    bounds.extend(datetime.fromisoformat(e["time"]).timestamp() for e in events[:1] + events[-1:])
    start, end = (min(bounds), max(bounds)) if bounds else (0.0, _DAY_S)
    days = max(1.0, (end - start) / _DAY_S)
    n_persons = max(1, sum(1 for e in entities if str(e["entity_id"]).startswith("person.")))
    controllable = max(
        1, sum(1 for e in entities if str(e["entity_id"]).partition(".")[0] in CONTROLLABLE)
    )
    return [
        *_manual_profile(manual, days, n_persons, controllable),
        automation / max(1, automation + len(manual)),
        *_presence(persons, start, end, zone),
        math.log1p(doors / days),
    ]


def _manual_profile(
    manual: list[tuple[str, datetime]], days: float, persons: int, controllable: int
) -> list[float]:
    """Return the hour histogram, volume, weekday/weekend and office-hours shares."""
    count = max(1, len(manual))
    hours = np.bincount([moment.hour for _, moment in manual], minlength=24)[:24] / count
    histogram: list[float] = [float(share) for share in hours]
    weekend = [moment for _, moment in manual if moment.weekday() >= 5]
    weekday = [moment for _, moment in manual if moment.weekday() < 5]
    weekend_days = max(1.0, days * 2 / 7)
    weekday_days = max(1.0, days * 5 / 7)
    office = sum(1 for moment in weekday if 9 <= moment.hour < 17)
    night = sum(1 for _, moment in manual if moment.hour < 5)
    per_day: dict[str, set[str]] = {}
    for entity_id, moment in manual:
        per_day.setdefault(moment.date().isoformat(), set()).add(entity_id)
    distinct = sum(len(ids) for ids in per_day.values()) / max(1, len(per_day))
    return [
        *histogram,
        math.log1p(len(manual) / days),
        math.log1p(len(manual) / days / persons),
        math.log((len(weekend) / weekend_days + 1.0) / (len(weekday) / weekday_days + 1.0)),
        office / max(1, len(weekday)),
        night / count,
        distinct / controllable,
    ]


def _presence(
    persons: dict[str, list[tuple[float, bool]]], start: float, end: float, zone: ZoneInfo
) -> list[float]:
    """Return how much people are home: overall, weekday office hours, all away, changes."""
    if not persons or end <= start:
        return [1.0, 1.0, 0.0, 0.0]
    grid = np.arange(start, end, _PRESENCE_STEP_S)
    local = [datetime.fromtimestamp(float(t), zone) for t in grid]
    office = np.array([m.weekday() < 5 and 9 <= m.hour < 16 for m in local], dtype=bool)
    home = np.zeros((len(persons), len(grid)), dtype=bool)
    changes = 0
    for row, entity_id in enumerate(sorted(persons)):
        changes_ = sorted(persons[entity_id])
        stamps = np.array([stamp for stamp, _ in changes_])
        states = np.array([state for _, state in changes_], dtype=bool)
        index = np.searchsorted(stamps, grid, side="right") - 1
        # Before the first change, a person was in the state the change left.
        home[row] = np.where(index >= 0, states[np.maximum(index, 0)], not states[0])
        changes += len(changes_)
    days = max(1.0, (end - start) / _DAY_S)
    return [
        float(home.mean()),
        float(home[:, office].mean()) if office.any() else 1.0,
        float((~home.any(axis=0)).mean()),
        changes / len(persons) / days,
    ]
