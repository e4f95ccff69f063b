"""JSON schemas of patterns, synergies and their evidence, for the OpenAPI document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, get_args

from engine.api.wire import json_schema
from engine.patterns import wire

_CLOCK: Final = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"}
_DAYS: Final = {
    "type": "string",
    "enum": ["all", "weekdays", "weekends"],
    "description": "The days it holds on (weekends and public holidays count as days off)",
}
# Derived from the typed answers the store builds (engine/patterns/wire.py).
STEP_SCHEMA: Final[dict[str, Any]] = json_schema(wire.Step)
EVIDENCE_SCHEMA: Final[dict[str, Any]] = json_schema(wire.DocumentedEvidence)

_TIME_OF_DAY: Final = {
    "type": "object",
    "required": ["entity_id", "state", "time", "spread_minutes", "days"],
    "properties": {
        "entity_id": {"type": "string"},
        "state": {"type": "string"},
        "time": _CLOCK,
        "spread_minutes": {"type": "number", "minimum": 0},
        "days": _DAYS,
        "sun": {
            "type": "object",
            "description": "Present when the time tracks the sun across the window: a sun "
            "trigger with this offset describes it better than a fixed time",
            "required": ["event", "offset_minutes"],
            "properties": {
                "event": {"type": "string", "enum": ["sunset", "sunrise"]},
                "offset_minutes": {"type": "number", "description": "Negative is before"},
            },
        },
    },
}
_ROUTINE: Final = {
    "type": "object",
    "description": "A person's daily routine seen through people-sensors (motion, occupancy, "
    "presence, doors): a trigger or condition for automations, never an action",
    "required": ["kind", "state", "time", "spread_minutes", "days"],
    "properties": {
        "kind": {
            "type": "string",
            "enum": ["first_activity", "last_activity", "arrival", "departure"],
        },
        "area_id": {
            "type": ["string", "null"],
            "description": "The area whose sensors show it, when it is an area's",
        },
        "entity_id": {
            "type": ["string", "null"],
            "description": "The sensor or person that shows it, when it is one entity's",
        },
        "sensors": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The entities it is seen on",
        },
        "state": {"type": "string"},
        "time": _CLOCK,
        "spread_minutes": {"type": "number", "minimum": 0},
        "days": _DAYS,
        "quiet_minutes": {
            "type": "integer",
            "minimum": 0,
            "description": "The quiet spell before a first activity (or after a last one)",
        },
    },
}
_CO_OCCURRENCE: Final = {
    "type": "object",
    "required": ["trigger", "action", "window_s", "median_delay_s", "lift"],
    "properties": {
        "trigger": {
            **STEP_SCHEMA,
            "properties": {
                **STEP_SCHEMA["properties"],
                "routine": {
                    **_ROUTINE,
                    "description": "Present when the trigger is a routine's moment (the first "
                    "activity after a quiet night, an arrival): that routine's details",
                },
            },
        },
        "action": STEP_SCHEMA,
        "window_s": {"type": "integer", "minimum": 1},
        "median_delay_s": {"type": "number", "minimum": 0},
        "lift": {
            "type": ["number", "null"],
            "description": "How many times its base rate the action follows the trigger "
            "(null when the trigger is a routine's moment, which has no base rate)",
        },
        "idiom": {
            "type": "string",
            "enum": ["motion_light", "door_light"],
            "description": "The Home Assistant idiom it reads as: motion or a door turns a "
            "light on and, after `off_after_s`, off again",
        },
        "off_after_s": {
            "type": "integer",
            "minimum": 1,
            "description": "Learned from the data: off after no motion for this long "
            "(motion_light) or this long after the trigger (door_light)",
        },
        "condition": {
            "type": "object",
            "description": "A Home Assistant condition under which it holds (a state, "
            "numeric_state or time condition)",
            "required": ["condition"],
            "properties": {"condition": {"type": "string"}},
            "examples": [{"condition": "state", "entity_id": "sun.sun", "state": "below_horizon"}],
        },
    },
}
_ANOMALY: Final = {
    "type": "object",
    "required": ["entity_id", "state", "kind", "observed", "expected", "at"],
    "properties": {
        "entity_id": {"type": "string"},
        "state": {"type": "string"},
        "kind": {
            "type": "string",
            "enum": ["unusual_time", "unusual_duration", "unusual_frequency"],
        },
        "observed": {"type": "object"},
        "expected": {"type": "object"},
        "at": {"type": "string", "format": "date-time"},
    },
}
# Every pattern type with the shape of its details: the API's types are exactly these.
DETAILS: Final[Mapping[str, dict[str, Any]]] = {
    "time_of_day": _TIME_OF_DAY,
    "co_occurrence": _CO_OCCURRENCE,
    "anomaly": _ANOMALY,
    "routine": _ROUTINE,
}
PATTERN_TYPES: Final = tuple(DETAILS)
DEPTHS: Final = get_args(wire.Depth)

PATTERN_SCHEMA: Final[dict[str, Any]] = {
    **json_schema(wire.Pattern),
    # The type decides the details: exactly one variant matches, by its `type` constant.
    "oneOf": [
        {
            "title": kind,
            "properties": {"type": {"const": kind}, "details": details},
        }
        for kind, details in DETAILS.items()
    ],
}

SYNERGY_SCHEMA: Final[dict[str, Any]] = json_schema(wire.Synergy)
