"""Pattern types and the typed details of each, between the detectors and the suggestions.

The details are JSON only at the edge: `as_dict` gives what the store keeps and the API
shows, `from_dict` reads it back (leniently: rows stored by older versions). They are wire
models (engine/api/wire.py): the OpenAPI document's schema of each type's details is
derived from its dataclass, annotations and all. The dicts keep their keys in the order of
the fields, the order the detectors always wrote them, and an optional key is left out,
not null, where it always was, so stored rows and answers do not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Final

from engine.api.wire import DATE_TIME, Schema, as_wire, omitted_when_empty

_CLOCK: Final = Schema({"pattern": r"^([01]\d|2[0-3]):[0-5]\d$"})
_DAYS: Final = Schema(
    {
        "enum": ["all", "weekdays", "weekends"],
        "description": "The days it holds on (weekends and public holidays count as days off)",
    }
)
_MINUTES: Final = Schema({"minimum": 0})


class _Shaped:
    """A details dataclass whose JSON shape is its fields (engine/api/wire.py)."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape: what the store keeps and the API shows."""
        return as_wire(self)


class PatternType(StrEnum):
    """The kinds of pattern the detectors report (API.md `type`)."""

    TIME_OF_DAY = "time_of_day"
    CO_OCCURRENCE = "co_occurrence"
    ANOMALY = "anomaly"
    ROUTINE = "routine"


@dataclass(frozen=True, slots=True)
class Step(_Shaped):
    """One entity reaching one state: a pair's trigger or action, a chain's link."""

    entity_id: str
    state: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Step:
        """Return a step from its JSON shape."""
        return cls(str(data["entity_id"]), str(data["state"]))


@dataclass(frozen=True, slots=True)
class Sun(_Shaped):
    """A habit's time measured from sunset or sunrise."""

    event: Annotated[str, Schema({"enum": ["sunset", "sunrise"]})]
    offset_minutes: Annotated[float, Schema({"description": "Negative is before"})]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Sun:
        """Return the sun offset from its JSON shape."""
        return cls(str(data.get("event", "sunset")), float(data.get("offset_minutes", 0)))


@dataclass(frozen=True, slots=True)
class TimeOfDayDetails(_Shaped):
    """An entity reaching a state around one time on certain days."""

    entity_id: str
    state: str
    time: Annotated[str, _CLOCK]
    spread_minutes: Annotated[float, _MINUTES]
    days: Annotated[str, _DAYS]
    sun: Annotated[
        Sun | None,
        Schema(
            {
                "description": "Present when the time tracks the sun across the window: a "
                "sun trigger with this offset describes it better than a fixed time"
            }
        ),
    ] = omitted_when_empty()
    off_after_s: Annotated[
        int | None,
        Schema(
            {
                "minimum": 1,
                "description": "Present when the entity usually changes back this long after",
            }
        ),
    ] = omitted_when_empty()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TimeOfDayDetails:
        """Return the details from their JSON shape."""
        sun = data.get("sun")
        off_after = data.get("off_after_s")
        return cls(
            str(data["entity_id"]),
            str(data["state"]),
            str(data["time"]),
            float(data.get("spread_minutes") or 0),
            str(data.get("days", "all")),
            Sun.from_dict(sun) if isinstance(sun, Mapping) else None,
            int(off_after) if off_after is not None else None,
        )


@dataclass(frozen=True, slots=True)
class RoutineDetails(_Shaped):
    """A person's daily moment seen through people-sensors (a trigger, never an action)."""

    kind: Annotated[
        str, Schema({"enum": ["first_activity", "last_activity", "arrival", "departure"]})
    ]
    area_id: Annotated[
        str | None, Schema({"description": "The area whose sensors show it, when it is an area's"})
    ]
    entity_id: Annotated[
        str | None,
        Schema({"description": "The sensor or person that shows it, when it is one entity's"}),
    ]
    state: str
    time: Annotated[str, _CLOCK]
    spread_minutes: Annotated[float, _MINUTES]
    days: Annotated[str, _DAYS]
    sensors: Annotated[tuple[str, ...], Schema({"description": "The entities it is seen on"})] = ()
    quiet_minutes: Annotated[
        int | None,
        Schema(
            {
                "minimum": 0,
                "description": "The quiet spell before a first activity (or after a last one)",
            }
        ),
    ] = omitted_when_empty()
    then_area_ids: Annotated[
        tuple[str, ...],
        Schema({"description": "The areas that come alive within minutes after it"}),
    ] = omitted_when_empty(())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoutineDetails:
        """Return the details from their JSON shape."""
        area_id, entity_id = data.get("area_id"), data.get("entity_id")
        quiet = data.get("quiet_minutes")
        return cls(
            str(data["kind"]),
            str(area_id) if area_id is not None else None,
            str(entity_id) if entity_id is not None else None,
            str(data.get("state", "on")),
            str(data["time"]),
            float(data.get("spread_minutes") or 0),
            str(data.get("days", "all")),
            tuple(str(s) for s in data.get("sensors") or ()),
            int(quiet) if quiet is not None else None,
            tuple(str(a) for a in data.get("then_area_ids") or ()),
        )


@dataclass(frozen=True, slots=True)
class Trigger(_Shaped):
    """A pair's trigger: a step, or a routine's moment seen on that step."""

    entity_id: str
    state: str
    routine: Annotated[
        RoutineDetails | None,
        Schema(
            {
                "description": "Present when the trigger is a routine's moment (the first "
                "activity after a quiet night, an arrival): that routine's details"
            }
        ),
    ] = omitted_when_empty()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Trigger:
        """Return the trigger from its JSON shape."""
        routine = data.get("routine")
        return cls(
            str(data["entity_id"]),
            str(data["state"]),
            RoutineDetails.from_dict(routine) if isinstance(routine, Mapping) else None,
        )


@dataclass(frozen=True, slots=True)
class CoOccurrenceDetails(_Shaped):
    """An action that follows a trigger within a window, far above its base rate."""

    trigger: Trigger
    action: Step
    window_s: Annotated[int, Schema({"minimum": 1})]
    median_delay_s: Annotated[float, Schema({"minimum": 0})]
    lift: Annotated[
        float | None,
        Schema(
            {
                "description": "How many times its base rate the action follows the trigger "
                "(null when the trigger is a routine's moment, which has no base rate)"
            }
        ),
    ]
    idiom: Annotated[
        str | None,
        Schema(
            {
                "enum": ["motion_light", "door_light"],
                "description": "The Home Assistant idiom it reads as: motion or a door turns "
                "a light on and, after `off_after_s`, off again",
            }
        ),
    ] = omitted_when_empty()
    off_after_s: Annotated[
        int | None,
        Schema(
            {
                "minimum": 1,
                "description": "Learned from the data: off after no motion for this long "
                "(motion_light) or this long after the trigger (door_light)",
            }
        ),
    ] = omitted_when_empty()
    # Configuration, kept as is.
    condition: Annotated[
        Mapping[str, Any] | None,
        Schema(
            {
                "description": "A Home Assistant condition under which it holds (a state, "
                "numeric_state or time condition)",
                "required": ["condition"],
                "properties": {"condition": {"type": "string"}},
                "examples": [
                    {"condition": "state", "entity_id": "sun.sun", "state": "below_horizon"}
                ],
            }
        ),
    ] = omitted_when_empty()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CoOccurrenceDetails:
        """Return the details from their JSON shape."""
        lift, idiom, off_after = data.get("lift"), data.get("idiom"), data.get("off_after_s")
        condition = data.get("condition")
        return cls(
            Trigger.from_dict(data["trigger"]),
            Step.from_dict(data["action"]),
            int(data.get("window_s") or 0),
            float(data.get("median_delay_s") or 0),
            float(lift) if lift is not None else None,
            str(idiom) if idiom is not None else None,
            int(off_after) if off_after is not None else None,
            dict(condition) if isinstance(condition, Mapping) else None,
        )


@dataclass(frozen=True, slots=True)
class AnomalyDetails(_Shaped):
    """One state change far from the entity's usual."""

    entity_id: str
    state: str
    kind: Annotated[
        str, Schema({"enum": ["unusual_time", "unusual_duration", "unusual_frequency"]})
    ]
    # What was seen and what is usual: their keys depend on `kind` (API.md).
    observed: Mapping[str, Any]
    expected: Mapping[str, Any]
    # In the home's time zone.
    at: Annotated[str, DATE_TIME]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnomalyDetails:
        """Return the details from their JSON shape."""
        return cls(
            str(data["entity_id"]),
            str(data["state"]),
            str(data["kind"]),
            dict(data.get("observed") or {}),
            dict(data.get("expected") or {}),
            str(data["at"]),
        )


PatternDetails = TimeOfDayDetails | CoOccurrenceDetails | AnomalyDetails | RoutineDetails

# Each pattern type's details; the API's types are exactly these.
DETAILS: Final[Mapping[PatternType, type[PatternDetails]]] = {
    PatternType.TIME_OF_DAY: TimeOfDayDetails,
    PatternType.CO_OCCURRENCE: CoOccurrenceDetails,
    PatternType.ANOMALY: AnomalyDetails,
    PatternType.ROUTINE: RoutineDetails,
}


def details_from_dict(pattern_type: PatternType, data: Mapping[str, Any]) -> PatternDetails:
    """Return the typed details of a pattern of this type from their JSON shape."""
    return DETAILS[pattern_type].from_dict(data)


def type_of(details: PatternDetails) -> PatternType:
    """Return the pattern type whose details these are."""
    return next(kind for kind, cls in DETAILS.items() if isinstance(details, cls))
