"""Pattern types and the typed details of each, between the detectors and the suggestions.

The details are JSON only at the edge: `as_dict` gives what the store keeps and the API
shows (API.md, schemas.py), `from_dict` reads it back. The dicts keep their keys in the
order the detectors always wrote them, and an optional key is left out, not null, where
it always was, so stored rows and answers do not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class PatternType(StrEnum):
    """The kinds of pattern the detectors report (API.md `type`)."""

    TIME_OF_DAY = "time_of_day"
    CO_OCCURRENCE = "co_occurrence"
    ANOMALY = "anomaly"
    ROUTINE = "routine"


@dataclass(frozen=True, slots=True)
class Step:
    """One entity reaching one state: a pair's trigger or action, a chain's link."""

    entity_id: str
    state: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Step:
        """Return a step from its JSON shape."""
        return cls(str(data["entity_id"]), str(data["state"]))

    def as_dict(self) -> dict[str, Any]:
        """Return the step's JSON shape."""
        return {"entity_id": self.entity_id, "state": self.state}


@dataclass(frozen=True, slots=True)
class Sun:
    """A habit's time measured from sunset or sunrise."""

    event: str
    # Negative is before the event.
    offset_minutes: float

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Sun:
        """Return the sun offset from its JSON shape."""
        return cls(str(data.get("event", "sunset")), float(data.get("offset_minutes", 0)))

    def as_dict(self) -> dict[str, Any]:
        """Return the sun offset's JSON shape."""
        return {"event": self.event, "offset_minutes": self.offset_minutes}


@dataclass(frozen=True, slots=True)
class TimeOfDayDetails:
    """An entity reaching a state around one time on certain days."""

    entity_id: str
    state: str
    time: str
    spread_minutes: float
    days: str
    sun: Sun | None = None
    # Present when the entity usually changes back this long after.
    off_after_s: int | None = None

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

    def as_dict(self) -> dict[str, Any]:
        """Return the details' JSON shape."""
        data: dict[str, Any] = {
            "entity_id": self.entity_id,
            "state": self.state,
            "time": self.time,
            "spread_minutes": self.spread_minutes,
            "days": self.days,
        }
        if self.sun is not None:
            data["sun"] = self.sun.as_dict()
        if self.off_after_s is not None:
            data["off_after_s"] = self.off_after_s
        return data


@dataclass(frozen=True, slots=True)
class RoutineDetails:
    """A person's daily moment seen through people-sensors."""

    kind: str
    area_id: str | None
    entity_id: str | None
    state: str
    time: str
    spread_minutes: float
    days: str
    sensors: tuple[str, ...] = ()
    quiet_minutes: int | None = None
    # The areas that come alive within minutes after it.
    then_area_ids: tuple[str, ...] = ()

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

    def as_dict(self) -> dict[str, Any]:
        """Return the details' JSON shape."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "area_id": self.area_id,
            "entity_id": self.entity_id,
            "state": self.state,
            "time": self.time,
            "spread_minutes": self.spread_minutes,
            "days": self.days,
            "sensors": list(self.sensors),
        }
        if self.quiet_minutes is not None:
            data["quiet_minutes"] = self.quiet_minutes
        if self.then_area_ids:
            data["then_area_ids"] = list(self.then_area_ids)
        return data


@dataclass(frozen=True, slots=True)
class Trigger:
    """A pair's trigger: a step, or a routine's moment seen on that step."""

    entity_id: str
    state: str
    routine: RoutineDetails | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Trigger:
        """Return the trigger from its JSON shape."""
        routine = data.get("routine")
        return cls(
            str(data["entity_id"]),
            str(data["state"]),
            RoutineDetails.from_dict(routine) if isinstance(routine, Mapping) else None,
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the trigger's JSON shape."""
        data: dict[str, Any] = {"entity_id": self.entity_id, "state": self.state}
        if self.routine is not None:
            data["routine"] = self.routine.as_dict()
        return data


@dataclass(frozen=True, slots=True)
class CoOccurrenceDetails:
    """An action that follows a trigger within a window, far above its base rate."""

    trigger: Trigger
    action: Step
    window_s: int
    median_delay_s: float
    # None when the trigger is a routine's moment (it has no base rate).
    lift: float | None
    # "motion_light" or "door_light" when it reads as that Home Assistant idiom.
    idiom: str | None = None
    off_after_s: int | None = None
    # A Home Assistant condition (state, numeric_state or time): configuration, kept as is.
    condition: Mapping[str, Any] | None = None

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

    def as_dict(self) -> dict[str, Any]:
        """Return the details' JSON shape."""
        data: dict[str, Any] = {
            "trigger": self.trigger.as_dict(),
            "action": self.action.as_dict(),
            "window_s": self.window_s,
            "median_delay_s": self.median_delay_s,
            "lift": self.lift,
        }
        if self.idiom is not None:
            data["idiom"] = self.idiom
        if self.off_after_s is not None:
            data["off_after_s"] = self.off_after_s
        if self.condition is not None:
            data["condition"] = dict(self.condition)
        return data


@dataclass(frozen=True, slots=True)
class AnomalyDetails:
    """One state change far from the entity's usual."""

    entity_id: str
    state: str
    # "unusual_time", "unusual_duration" or "unusual_frequency".
    kind: str
    # What was seen and what is usual: their keys depend on `kind` (API.md).
    observed: Mapping[str, Any]
    expected: Mapping[str, Any]
    # ISO 8601, in the home's time zone.
    at: str

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

    def as_dict(self) -> dict[str, Any]:
        """Return the details' JSON shape."""
        return {
            "entity_id": self.entity_id,
            "state": self.state,
            "kind": self.kind,
            "observed": dict(self.observed),
            "expected": dict(self.expected),
            "at": self.at,
        }


PatternDetails = TimeOfDayDetails | CoOccurrenceDetails | AnomalyDetails | RoutineDetails

_DETAILS: Mapping[PatternType, type[PatternDetails]] = {
    PatternType.TIME_OF_DAY: TimeOfDayDetails,
    PatternType.CO_OCCURRENCE: CoOccurrenceDetails,
    PatternType.ANOMALY: AnomalyDetails,
    PatternType.ROUTINE: RoutineDetails,
}


def details_from_dict(pattern_type: PatternType, data: Mapping[str, Any]) -> PatternDetails:
    """Return the typed details of a pattern of this type from their JSON shape."""
    return _DETAILS[pattern_type].from_dict(data)


def type_of(details: PatternDetails) -> PatternType:
    """Return the pattern type whose details these are."""
    return next(kind for kind, cls in _DETAILS.items() if isinstance(details, cls))
