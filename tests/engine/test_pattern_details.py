"""Pattern types and their typed details: the JSON at the store's edge does not change."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from engine.home.catalog import CatalogSource, catalog_from_import
from engine.patterns.arrays import EventArrays
from engine.patterns.details import (
    AnomalyDetails,
    CoOccurrenceDetails,
    PatternType,
    RoutineDetails,
    TimeOfDayDetails,
    details_from_dict,
    type_of,
)
from engine.patterns.detect import detect
from engine.patterns.findings import StoredPattern, StoredSynergy
from engine.patterns.schemas import PATTERN_SCHEMA, PATTERN_TYPES
from engine.training.synthetic import generate_home

ROUTINE: dict[str, Any] = {
    "kind": "first_activity",
    "area_id": "kitchen",
    "entity_id": None,
    "state": "on",
    "time": "06:40",
    "spread_minutes": 7.5,
    "days": "weekdays",
    "sensors": ["binary_sensor.kitchen_motion"],
    "quiet_minutes": 60,
    "then_area_ids": ["hall"],
}
# One of each type, with every optional key the detectors write, in their order.
DETAILS: list[tuple[PatternType, type[Any], dict[str, Any]]] = [
    (
        PatternType.TIME_OF_DAY,
        TimeOfDayDetails,
        {
            "entity_id": "light.porch",
            "state": "on",
            "time": "17:05",
            "spread_minutes": 9.2,
            "days": "all",
            "sun": {"event": "sunset", "offset_minutes": -12.5},
            "off_after_s": 5400,
        },
    ),
    (
        PatternType.CO_OCCURRENCE,
        CoOccurrenceDetails,
        {
            "trigger": {"entity_id": "binary_sensor.hall_motion", "state": "on"},
            "action": {"entity_id": "light.hall", "state": "on"},
            "window_s": 60,
            "median_delay_s": 2.5,
            "lift": 31.4,
            "idiom": "motion_light",
            "off_after_s": 120,
            "condition": {"condition": "state", "entity_id": "sun.sun", "state": "below_horizon"},
        },
    ),
    (
        PatternType.CO_OCCURRENCE,
        CoOccurrenceDetails,
        {
            "trigger": {
                "entity_id": "binary_sensor.kitchen_motion",
                "state": "on",
                "routine": ROUTINE,
            },
            "action": {"entity_id": "switch.coffee", "state": "on"},
            "window_s": 300,
            "median_delay_s": 40.0,
            "lift": None,
        },
    ),
    (PatternType.ROUTINE, RoutineDetails, ROUTINE),
    (
        PatternType.ANOMALY,
        AnomalyDetails,
        {
            "entity_id": "binary_sensor.back_door",
            "state": "on",
            "kind": "unusual_duration",
            "observed": {"duration_s": 5700},
            "expected": {"p95_duration_s": 1200},
            "at": "2026-11-02T08:00:00+01:00",
        },
    ),
]


def test_the_types_are_the_apis() -> None:
    assert tuple(PatternType) == PATTERN_TYPES


def _documented(kind: PatternType) -> Draft202012Validator:
    """Return a validator of the OpenAPI document's details schema of a pattern type."""
    (variant,) = [v for v in PATTERN_SCHEMA["oneOf"] if v["title"] == kind.value]
    return Draft202012Validator(variant["properties"]["details"])


@pytest.mark.parametrize(("kind", "cls", "data"), DETAILS)
def test_the_documented_details_are_exactly_the_written_ones(
    kind: PatternType, cls: type[Any], data: dict[str, Any]
) -> None:
    # Derived from the dataclass: what it writes conforms, a key it lacks or a wrong type
    # does not, and another type's details match no other variant.
    assert _documented(kind).is_valid(details_from_dict(kind, data).as_dict())
    assert not _documented(kind).is_valid({**data, "extra": 1})
    first = next(iter(data))
    assert not _documented(kind).is_valid({**data, first: 12})
    others = [other for other in PatternType if other is not kind]
    assert not any(_documented(other).is_valid(data) for other in others)


@pytest.mark.parametrize(("kind", "cls", "data"), DETAILS)
def test_details_read_and_write_the_same_json(
    kind: PatternType, cls: type[Any], data: dict[str, Any]
) -> None:
    details = details_from_dict(kind, data)
    assert isinstance(details, cls)
    assert type_of(details) is kind
    # Same keys, same order, same values: stored rows and answers do not change.
    assert json.dumps(details.as_dict()) == json.dumps(data)


def test_optional_keys_stay_absent_rather_than_null() -> None:
    habit = {"entity_id": "light.a", "state": "on", "time": "07:00", "spread_minutes": 3.0}
    written = TimeOfDayDetails.from_dict({**habit, "days": "weekdays"}).as_dict()
    assert "sun" not in written
    assert "off_after_s" not in written
    pair = CoOccurrenceDetails.from_dict(DETAILS[2][2])
    assert pair.trigger.routine == RoutineDetails.from_dict(ROUTINE)
    assert "idiom" not in pair.as_dict()


def test_a_stored_pattern_is_narrowed_by_its_details() -> None:
    stored = StoredPattern.from_dict(
        {
            "id": "p1",
            "type": "time_of_day",
            "description": "habit",
            "score": 0.8,
            "details": DETAILS[0][2],
            "covered_by": ["automation.porch"],
        }
    )
    habit = stored.of(TimeOfDayDetails)
    assert habit is not None
    assert habit.details.sun is not None
    assert habit.details.sun.offset_minutes == -12.5
    assert stored.of(CoOccurrenceDetails) is None
    assert stored.covered_by == ("automation.porch",)
    assert stored.evidence == {"days": []}
    synergy = StoredSynergy.from_dict(
        {"id": "s1", "description": "chain", "score": 0.6, "chain": [DETAILS[1][2]["action"]]}
    )
    assert synergy.chain[0].entity_id == "light.hall"


@pytest.mark.parametrize(("home_type", "seed"), [("motion_lit", 0), ("sensor_only", 2)])
def test_what_the_detectors_find_is_written_as_it_reads(home_type: str, seed: int) -> None:
    """Every detected pattern's details survive the store's edge unchanged."""
    home = generate_home(home_type, days=21, seed=seed)
    catalog = catalog_from_import(home.catalog, CatalogSource.SYNTHETIC)
    result = detect(EventArrays.from_api_events(home.events), catalog, time_zone=catalog.time_zone)
    assert result.patterns
    for pattern in result.patterns:
        written = pattern.details.as_dict()
        assert type_of(pattern.details) is pattern.type
        assert details_from_dict(pattern.type, json.loads(json.dumps(written))) == pattern.details
        assert json.dumps(details_from_dict(pattern.type, written).as_dict()) == json.dumps(written)
        documented = _documented(pattern.type)
        assert documented.is_valid(written), list(documented.iter_errors(written))
