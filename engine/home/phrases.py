"""How a state change reads in a sentence, by domain and device class.

Home Assistant itself shows a door sensor's "on" as "Open" and a motion sensor's as
"Detected" (the frontend's translations per device class); a sentence must too: "Front door
opens", "motion is detected in the bathroom", never "Front door turns on".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from engine.home.catalog import Entity

Tense = Literal["present", "past"]
# (present, past) of reaching "on" and "off", per binary sensor device class.
# Reaching "on" and "off", per binary sensor device class (present tense).
_BINARY: Final[Mapping[str | None, tuple[str, str]]] = {
    "door": ("opens", "closes"),
    "garage_door": ("opens", "closes"),
    "opening": ("opens", "closes"),
    "window": ("opens", "closes"),
    "motion": ("detects motion", "clears"),
    "occupancy": ("detects someone", "clears"),
    "presence": ("detects someone", "clears"),
    "moving": ("starts moving", "stops moving"),
    # A lock binary sensor is "on" when unlocked (Home Assistant's convention).
    "lock": ("is unlocked", "is locked"),
    "moisture": ("detects water", "becomes dry"),
    "smoke": ("detects smoke", "clears"),
    "gas": ("detects gas", "clears"),
    "carbon_monoxide": ("detects carbon monoxide", "clears"),
    "sound": ("detects sound", "falls silent"),
    "vibration": ("detects vibration", "stops vibrating"),
    "plug": ("is plugged in", "is unplugged"),
    "power": ("detects power", "loses power"),
    "running": ("starts running", "stops running"),
    "light": ("detects light", "detects darkness"),
    "battery": ("reports a low battery", "reports a normal battery"),
    "battery_charging": ("starts charging", "stops charging"),
    "connectivity": ("connects", "disconnects"),
    "problem": ("reports a problem", "reports no problem"),
    "safety": ("reports unsafe", "reports safe"),
    "tamper": ("detects tampering", "clears"),
    "cold": ("becomes cold", "is no longer cold"),
    "heat": ("becomes hot", "is no longer hot"),
    "update": ("has an update", "is up to date"),
    None: ("is triggered", "clears"),
}  # fmt: skip
# Sensors that see people: a sentence names the room rather than the sensor.
# (detected, cleared) clauses per tense, about the room the sensor is in.
_PEOPLE_CLAUSES: Final[Mapping[str, tuple[tuple[str, str], tuple[str, str]]]] = {
    "motion": (
        ("motion is detected in the {}", "motion was detected in the {}"),
        ("motion stops in the {}", "motion stopped in the {}"),
    ),
    "occupancy": (
        ("someone is in the {}", "someone was in the {}"),
        ("the {} becomes empty", "the {} became empty"),
    ),
    "presence": (
        ("someone is in the {}", "someone was in the {}"),
        ("the {} becomes empty", "the {} became empty"),
    ),
}
# Per domain and state (present tense), for domains whose states are not on/off alone.
_STATES: Final[Mapping[str, Mapping[str, str]]] = {
    "media_player": {
        "playing": "starts playing",
        "paused": "is paused",
        "idle": "becomes idle",
        "on": "turns on",
        "off": "turns off",
        "standby": "goes to standby",
        "buffering": "starts buffering",
    },
    "lock": {
        "locked": "is locked",
        "unlocked": "is unlocked",
        "open": "is opened",
        "jammed": "jams",
    },
    "cover": {"open": "opens", "closed": "closes"},
    "valve": {"open": "opens", "closed": "closes"},
    "person": {"home": "comes home", "not_home": "leaves home"},
    "device_tracker": {
        "home": "comes home",
        "not_home": "leaves home",
    },
    "alarm_control_panel": {
        "armed_away": "is armed (away)",
        "armed_home": "is armed (home)",
        "armed_night": "is armed (night)",
        "armed_vacation": "is armed (vacation)",
        "disarmed": "is disarmed",
        "triggered": "is triggered",
    },
    "vacuum": {
        "cleaning": "starts cleaning",
        "docked": "docks",
        "returning": "returns to its dock",
        "paused": "is paused",
        "idle": "becomes idle",
    },
    "lawn_mower": {
        "mowing": "starts mowing",
        "docked": "docks",
        "paused": "is paused",
    },
    "sun": {
        "below_horizon": "sets",
        "above_horizon": "rises",
    },
}
_ON_OFF: Final = {"on": "turns on", "off": "turns off"}
# Verbs whose past tense is not "-ed".
_IRREGULAR: Final = {
    "is": "was", "has": "had", "falls": "fell", "loses": "lost", "becomes": "became",
    "goes": "went", "comes": "came", "leaves": "left", "rises": "rose", "sets": "set",
    "stops": "stopped", "jams": "jammed",
}  # fmt: skip


def _domain(entity: Entity | str) -> str:
    entity_id = entity if isinstance(entity, str) else entity.entity_id
    return entity_id.partition(".")[0]


def _tensed(present: str, tense: Tense) -> str:
    """Return a present-tense clause, or its past ("opens" -> "opened")."""
    if tense == "present":
        return present
    verb, _, rest = present.partition(" ")
    past = _IRREGULAR.get(verb) or (verb[:-1] + ("d" if verb.endswith("es") else "ed"))
    return f"{past} {rest}".rstrip()


def state_verb(entity: Entity | str, state: str, tense: Tense = "present") -> str:
    """Return what reaching a state reads as after the entity's name ("opens", "opened")."""
    domain = _domain(entity)
    device_class = None if isinstance(entity, str) else entity.device_class
    if domain == "binary_sensor" and state in ("on", "off"):
        on, off = _BINARY.get(device_class, _BINARY[None])
        return _tensed(on if state == "on" else off, tense)
    known = _STATES.get(domain, {}).get(state) or _ON_OFF.get(state)
    if known is not None:
        return _tensed(known, tense)
    if domain in ("person", "device_tracker"):
        return f"arrives at {state}" if tense == "present" else f"arrived at {state}"
    words = state.replace("_", " ")
    return f"changes to {words}" if tense == "present" else f"changed to {words}"


def event_phrase(
    entity: Entity | str, state: str, *, tense: Tense = "present", area: str | None = None
) -> str:
    """Return a whole clause: "Front door opens", "motion is detected in the Bathroom"."""
    name = entity if isinstance(entity, str) else (entity.name or entity.entity_id)
    device_class = None if isinstance(entity, str) else entity.device_class
    people = _domain(entity) == "binary_sensor" and device_class in _PEOPLE_CLAUSES
    if people and area and state in ("on", "off") and device_class is not None:
        detected, cleared = _PEOPLE_CLAUSES[device_class]
        return (detected if state == "on" else cleared)[tense == "past"].format(area)
    return f"{name} {state_verb(entity, state, tense)}"
