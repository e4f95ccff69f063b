"""What a synthetic home is made of: entities that behave, occupants, and planted habits."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

DayKinds = Literal["all", "weekdays", "weekends"]
EndOrigin = Literal["person", "automation", "system"]


ORIGIN_MANUAL = 0
ORIGIN_AUTOMATION = 1
ORIGIN_SYSTEM = 2
ORIGIN_LABELS = ("manual", "automation", "system", "unknown")

# Local minutes since midnight within which a planted time-of-day habit (mean +- 3 spreads)
# must stay: one crossing midnight would belong to the next day's weekday/weekend kind.
HABIT_EARLIEST_MIN = 180.0
HABIT_LATEST_MIN = 1439.0


@dataclass
class SimEntity:
    """One catalog entity plus how the simulation drives it."""

    entity_id: str
    name: str
    # How its state moves: toggle, binary, media, lock, person, cover, climate and vacuum
    # alternate between an idle and an active state (a light is "on" for a while); fixed
    # never changes; numeric, weather and sun are series the environment writes.
    kind: str
    device_id: str | None = None
    area_id: str | None = None
    device_class: str | None = None
    unit: str | None = None
    category: str | None = None
    aliases: list[str] | None = None
    attributes: dict[str, Any] | None = None
    active: str = "on"
    idle: str = "off"
    # The transient states a slow device passes through ("closing" before "closed").
    start_transient: str | None = None
    end_transient: str | None = None
    # The chance that a person's change comes from a physical switch: Home Assistant then
    # sees no user in the context and records origin "system", not "manual".
    physical: float = 0.0
    # Numeric sensors: what produces their values, with parameters and the entity they follow.
    # The area the entity is in, its own or its device's (as Home Assistant resolves it).
    home_area: str | None = None
    chatter: str | None = None
    profile: str | None = None
    params: dict[str, float] = field(default_factory=dict)
    link: str | None = None

    def to_catalog(self) -> dict[str, Any]:
        """Return the entity as POST /api/v1/home/import takes it (state filled in later)."""
        item: dict[str, Any] = {"entity_id": self.entity_id, "name": self.name}
        optional = {
            "area_id": self.area_id,
            "device_id": self.device_id,
            "device_class": self.device_class,
            "unit_of_measurement": self.unit,
            "entity_category": self.category,
            "aliases": self.aliases,
            "attributes": self.attributes,
        }
        item.update({key: value for key, value in optional.items() if value is not None})
        return item


@dataclass(frozen=True)
class Anchor:
    """A daily moment of an occupant's day: mean local minutes and jitter per day kind."""

    weekday: float | None
    weekend: float | None
    weekday_sd: float
    weekend_sd: float

    def mean(self, workday: bool) -> float | None:
        """Return the mean local minute on a working day or a weekend/holiday."""
        return self.weekday if workday else self.weekend

    def sd(self, workday: bool) -> float:
        """Return the jitter in minutes on that kind of day."""
        return self.weekday_sd if workday else self.weekend_sd


def _a(
    weekday: float | None, weekend: float | None, weekday_sd: float, weekend_sd: float = -1.0
) -> Anchor:
    return Anchor(weekday, weekend, weekday_sd, weekday_sd if weekend_sd < 0 else weekend_sd)


# Daily anchors (local minutes) of each kind of occupant. None: not on that kind of day.
ARCHETYPES: dict[str, dict[str, Anchor]] = {
    "early_commuter": {
        "wake": _a(370, 480, 7, 30),
        "leave": _a(440, None, 5),
        "return": _a(1045, None, 18),
        "dinner": _a(1110, 1110, 15, 20),
        "evening": _a(1200, 1200, 15, 25),
        "sleep": _a(1355, 1395, 12, 25),
    },
    "commuter": {
        "wake": _a(400, 530, 9, 35),
        "leave": _a(470, None, 7),
        "return": _a(1080, None, 22),
        "dinner": _a(1140, 1140, 18, 20),
        "evening": _a(1230, 1230, 20, 25),
        "sleep": _a(1390, 1420, 15, 30),
    },
    "part_time": {
        "wake": _a(385, 495, 6, 30),
        "leave": _a(455, None, 5),
        "return": _a(800, None, 15),
        "dinner": _a(1110, 1110, 15, 20),
        "evening": _a(1200, 1200, 15, 25),
        "sleep": _a(1360, 1390, 12, 25),
    },
    "child_young": {
        "wake": _a(400, 440, 5, 20),
        "leave": _a(455, None, 5),
        "return": _a(810, None, 12),
        "dinner": _a(1110, 1110, 15, 20),
        "sleep": _a(1185, 1200, 8, 12),
    },
    "child_teen": {
        "wake": _a(395, 540, 6, 40),
        "leave": _a(450, None, 5),
        "return": _a(945, None, 25),
        "dinner": _a(1110, 1110, 15, 20),
        "evening": _a(1230, 1260, 25, 30),
        "sleep": _a(1290, 1350, 15, 30),
    },
    "student": {
        "wake": _a(510, 620, 40, 60),
        "leave": _a(570, None, 35),
        "return": _a(1000, None, 70),
        "dinner": _a(1170, 1170, 40, 45),
        "evening": _a(1260, 1290, 40, 45),
        "sleep": _a(1490, 1540, 40, 50),
    },
    "shift_worker": {
        "wake": _a(300, 450, 5, 30),
        "leave": _a(335, None, 4),
        "return": _a(875, None, 15),
        "dinner": _a(1080, 1110, 20, 25),
        "evening": _a(1170, 1200, 20, 25),
        "sleep": _a(1305, 1380, 15, 25),
    },
    "remote_worker": {
        "wake": _a(410, 500, 9, 30),
        "work_start": _a(510, None, 8),
        "lunch": _a(750, None, 12),
        "lunch_end": _a(795, None, 10),
        "work_end": _a(1050, None, 20),
        "dinner": _a(1125, 1125, 15, 20),
        "evening": _a(1215, 1215, 20, 25),
        "sleep": _a(1380, 1410, 15, 25),
    },
}

# Anchors that move together when an occupant is individually earlier or later.
ANCHOR_GROUPS = {
    "wake": "morning",
    "leave": "morning",
    "work_start": "morning",
    "lunch": "midday",
    "lunch_end": "midday",
    "return": "afternoon",
    "work_end": "afternoon",
    "dinner": "evening",
    "evening": "evening",
    "sleep": "evening",
}


@dataclass
class Occupant:
    """A person living in the home (children may have no person entity)."""

    role: str
    name: str
    archetype: str
    person: str | None = None
    # Whose departure this occupant joins on working days (children going to school).
    leave_with: str | None = None
    # Per-home shifts (minutes) of this occupant's anchor groups, drawn with the layout.
    shifts: dict[str, float] = field(default_factory=dict)
    # What the occupant uses now and then, beyond the planted habits: (entity, weight,
    # median minutes on, lognormal sigma).
    background: list[tuple[str, float, float, float]] = field(default_factory=list)
    # Away on weekend afternoons now and then (per occupant unless the outing is joint).
    outings: float = 0.45
    # Short walks at lunch on working days at home.
    lunch_walk: float = 0.0
    # Chance of a working day spent at home (ill, or working from home).
    home_day: float = 0.05

    def anchor(self, name: str) -> Anchor | None:
        """Return the occupant's anchor with their individual shift applied."""
        base = ARCHETYPES[self.archetype].get(name)
        if base is None:
            return None
        shift = self.shifts.get(ANCHOR_GROUPS.get(name, ""), 0.0)
        return Anchor(
            None if base.weekday is None else base.weekday + shift,
            None if base.weekend is None else base.weekend + shift,
            base.weekday_sd,
            base.weekend_sd,
        )


@dataclass(frozen=True)
class Habit:
    """An interval an occupant starts (and maybe ends) at a regular moment of their day."""

    occupant: str
    entity: str
    start: tuple[str, float]
    end: tuple[str, float] | None = None
    duration: tuple[float, float] = (10.0, 0.3)
    sd: float = 2.0
    skip: float = 0.1
    days: DayKinds = "all"
    record_end: bool = False
    end_origin: EndOrigin = "person"


def step_mark(chain: str, entity_id: str) -> str:
    """Return the name of the mark a chain's step on an entity sets (habits end at it)."""
    return f"chain:{chain}:{entity_id}"


@dataclass(frozen=True)
class ChainStep:
    """One step of a chain: set an entity to a state some seconds after the previous step."""

    entity: str
    state: str
    delay_s: float
    duration: tuple[float, float] = (10.0, 0.3)
    end: tuple[str, float] | None = None


@dataclass(frozen=True)
class ChainSpec:
    """A sequence an occupant runs through on most days (2 to 4 steps)."""

    name: str
    occupant: str
    steps: tuple[ChainStep, ...]
    start: tuple[str, float] | None = None
    # Without an anchor, the chain starts at a uniformly random local minute in this window.
    window: tuple[float, float] = (0.0, 0.0)
    days: DayKinds = "all"
    skip: float = 0.12


@dataclass(frozen=True)
class Reaction:
    """After `trigger` enters `trigger_state`, someone often sets `action` active."""

    trigger: str
    trigger_state: str
    action: str
    delay_s: float
    probability: float = 0.85
    duration: tuple[float, float] = (3.0, 0.5)
    delay_sigma: float = 0.35


@dataclass
class Layout:
    """A home's catalog entities and everything that drives them."""

    home_type: str
    time_zone: str
    location: dict[str, float]
    floors: list[dict[str, Any]]
    areas: list[dict[str, Any]]
    devices: list[dict[str, Any]]
    entities: list[SimEntity]
    occupants: list[Occupant]
    roles: dict[str, str]
    habits: list[Habit] = field(default_factory=list)
    chains: list[ChainSpec] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    # Appliances that run without their switch changing (dishwasher, washing machine):
    # power entity -> (daily probability, median minutes, earliest and latest local start).
    appliance_runs: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    joint_outings: bool = False
    cook: str | None = None
    # Entities something outside the simulation drives (a motion-light controller): no
    # background use, no planted anomalies.
    hands_off: set[str] = field(default_factory=set)

    @cached_property
    def by_id(self) -> dict[str, SimEntity]:
        """Return the entities by id."""
        return {entity.entity_id: entity for entity in self.entities}

    def role(self, name: str) -> str | None:
        """Return the entity playing a role (e.g. "front_door"), if the home has it."""
        return self.roles.get(name)
