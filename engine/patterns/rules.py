"""Which entities may be habits' triggers and actions, and which events count as habits."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.home.catalog import Catalog, Entity
from engine.patterns.arrays import ORIGIN_AUTOMATION, ORIGIN_SYSTEM, Bool, EventArrays

# Domains a person (or an automation on their behalf) sets: the only possible actions.
ACTION_DOMAINS = frozenset(
    {
        "light",
        "switch",
        "fan",
        "media_player",
        "cover",
        "lock",
        "climate",
        "vacuum",
        "input_boolean",
        "humidifier",
        "water_heater",
        "valve",
        "siren",
    }
)
# Domains whose changes can start a habit besides the actions: sensors of people and doors.
TRIGGER_ONLY_DOMAINS = frozenset({"binary_sensor", "person", "device_tracker", "input_select"})
# The world outside, not the people inside: never a habit of the home.
EXTERNAL_DOMAINS = frozenset({"sun", "weather", "calendar", "zone"})
CHATTY_DEVICE_CLASSES = frozenset(
    {"battery", "signal_strength", "connectivity", "update", "problem", "tamper"}
)
# Binary sensors that follow people around: triggers, never habits on their own.
PEOPLE_SENSOR_CLASSES = frozenset({"motion", "occupancy", "presence", "moving"})
# Contacts a person opens and closes: what they did, seen by a sensor, so they are triggers
# and routines (the front door opening when someone leaves), never actions.
OPENING_CLASSES = frozenset({"door", "garage_door", "opening", "window"})
# Entities whose state says where a person is.
PRESENCE_DOMAINS = frozenset({"person", "device_tracker"})
# States that say nothing about what a person did, and the transient states a slow device
# passes through (a cover's "opening" is followed by "open", which is the habit).
NON_STATES = frozenset(
    {
        "unavailable", "unknown", "none", "", "opening", "closing", "locking", "unlocking",
        "returning",
    }
)  # fmt: skip
# States that interrupt another for a moment (a show paused to fetch a drink): they can
# follow a trigger, but happen whenever the interrupted state happens to be on, at no time
# of their own.
INTERRUPTIONS = frozenset({"paused", "buffering"})
_PRICE_WORDS = ("price", "tariff", "forecast", "linkquality", "rssi", "signal")


def _chatty(entity: Entity) -> bool:
    """Return whether an entity is diagnostic, configuration or continuous measurement."""
    if entity.entity_category in ("diagnostic", "config"):
        return True
    if entity.device_class in CHATTY_DEVICE_CLASSES:
        return True
    if entity.unit_of_measurement is not None:
        return True
    name = entity.entity_id.partition(".")[2]
    return any(word in name for word in _PRICE_WORDS)


def can_act(entity: Entity) -> bool:
    """Return whether an entity can be the action of a suggested automation."""
    return entity.domain in ACTION_DOMAINS and not _chatty(entity)


def can_trigger(entity: Entity) -> bool:
    """Return whether an entity's changes can start a habit."""
    if entity.domain in EXTERNAL_DOMAINS or _chatty(entity):
        return False
    return entity.domain in ACTION_DOMAINS or entity.domain in TRIGGER_ONLY_DOMAINS


# A binary sensor set up without a device class still says what it is in its name
# (English, German, French, Spanish, Dutch words).
_PEOPLE_WORDS = ("motion", "pir", "occupancy", "presence", "bewegung", "praesenz", "präsenz",
                 "mouvement", "movimiento", "beweging", "aanwezig")  # fmt: skip
_OPENING_WORDS = ("door", "window", "contact", "tuer", "tür", "fenster", "porte", "fenetre",
                  "fenêtre", "puerta", "ventana", "deur", "raam")  # fmt: skip


def _named(entity: Entity, words: tuple[str, ...]) -> bool:
    """Return whether a class-less binary sensor's id or name holds one of the words."""
    if entity.domain != "binary_sensor" or entity.device_class is not None:
        return False
    text = f"{entity.entity_id} {entity.name}".lower()
    return any(word in text for word in words)


def follows_people(entity: Entity) -> bool:
    """Return whether an entity merely follows people moving (motion, occupancy)."""
    if entity.domain == "binary_sensor" and entity.device_class in PEOPLE_SENSOR_CLASSES:
        return True
    return _named(entity, _PEOPLE_WORDS)


def is_opening(entity: Entity) -> bool:
    """Return whether an entity is a door, window or other contact a person opens."""
    if entity.domain == "binary_sensor" and entity.device_class in OPENING_CLASSES:
        return True
    return _named(entity, _OPENING_WORDS) and not _named(entity, _PEOPLE_WORDS)


def is_presence(entity: Entity) -> bool:
    """Return whether an entity tells where a person is (home, not_home, a zone)."""
    return entity.domain in PRESENCE_DOMAINS


@dataclass(frozen=True)
class EntityRules:
    """Per entity code of an EventArrays: what it may be, its device and its area."""

    act: Bool
    trigger: Bool
    people: Bool
    device: list[str | None]
    names: list[str]
    # Doors and windows people open, and people's own presence (person, device_tracker).
    opening: Bool = field(default_factory=lambda: np.zeros(0, dtype=bool))
    presence: Bool = field(default_factory=lambda: np.zeros(0, dtype=bool))
    area: list[str | None] = field(default_factory=list)
    entities: list[Entity | None] = field(default_factory=list)

    @classmethod
    def build(cls, events: EventArrays, catalog: Catalog) -> EntityRules:
        """Return the rules for every entity code; entities missing from the catalog are out."""
        by_id = {entity.entity_id: entity for entity in catalog.entities}
        count = len(events.entity_ids)
        act = np.zeros(count, dtype=bool)
        trigger = np.zeros(count, dtype=bool)
        people = np.zeros(count, dtype=bool)
        opening = np.zeros(count, dtype=bool)
        presence = np.zeros(count, dtype=bool)
        device: list[str | None] = [None] * count
        area: list[str | None] = [None] * count
        names: list[str] = list(events.entity_ids)
        known: list[Entity | None] = [by_id.get(entity_id) for entity_id in events.entity_ids]
        for code, entity in enumerate(known):
            if entity is None:
                continue
            act[code] = can_act(entity)
            trigger[code] = can_trigger(entity)
            people[code] = follows_people(entity)
            opening[code] = trigger[code] and is_opening(entity)
            presence[code] = trigger[code] and is_presence(entity)
            device[code] = entity.device_id
            area[code] = catalog.entity_area(entity)
            names[code] = entity.name
        return cls(act, trigger, people, device, names, opening, presence, area, known)

    @property
    def sensed(self) -> Bool:
        """Return which entities show what people do without being an action (routines)."""
        result: Bool = self.people | self.opening | self.presence
        return result

    def same_device(self, a: int, b: int) -> bool:
        """Return whether two entity codes belong to one device (never paired)."""
        return a == b or (self.device[a] is not None and self.device[a] == self.device[b])


# A device finishing what an automation started ("opening" -> "open", "cleaning" ->
# "returning" -> "docked") reports origin system; within this time it is still automation.
FOLLOW_THROUGH_US = 10 * 60 * 1_000_000


def automated(events: EventArrays) -> Bool:
    """Return which events an automation caused, directly or as the device's follow-through."""
    result: Bool = events.origin == ORIGIN_AUTOMATION
    if len(events) == 0:
        return result
    order = np.argsort(events.entity, kind="stable")
    entity, time_us = events.entity[order], events.time_us[order]
    system = events.origin[order] == ORIGIN_SYSTEM
    same = np.r_[False, (entity[1:] == entity[:-1])]
    close = np.r_[False, np.diff(time_us) <= FOLLOW_THROUGH_US]
    by_entity = result[order]
    # Two passes cover a two-step follow-through (cleaning -> returning -> docked).
    for _ in range(2):
        inherited = np.r_[False, by_entity[:-1]] & same & close & system
        by_entity = by_entity | inherited
    restored: Bool = np.empty_like(by_entity)
    restored[order] = by_entity
    return restored


def timed_states(events: EventArrays) -> Bool:
    """Return, per state code, whether reaching it can be a time-of-day habit."""
    return np.array([state.lower() not in INTERRUPTIONS for state in events.states], dtype=bool)


def habit_mask(events: EventArrays, rules: EntityRules) -> Bool:
    """Return which events may count as habits: people's changes to usable entities."""
    if len(events) == 0:
        return np.zeros(0, dtype=bool)
    usable = rules.trigger | rules.act
    non_state = np.array([state.lower() in NON_STATES for state in events.states], dtype=bool)
    mask: Bool = usable[events.entity] & ~automated(events) & ~non_state[events.state]
    return mask
