"""A sensor-only home: one resident, five to eight rooms, seen only through people-sensors.

No lights, switches or players: motion and presence sensors in the rooms, contacts on the
front door and maybe a back, bathroom or fridge door, and their diagnostics. What the
resident does is drawn here with the catalog (so it does not depend on the window): an
archetype, its anchors moved by up to an hour, spreads, weekend differences, and the
habits of the house (how often the hallway is passed, snacks, nights up, visitors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from engine.training.synthetic.builder import WORLD_CITIES, HomeBuilder
from engine.training.synthetic.model import Anchor, Layout, SimEntity

SensorKind = Literal["motion", "occupancy", "door"]

HOME_TYPE = "sensor_only"
ARCHETYPES = (
    "early_riser", "commuter", "shift_worker", "retiree", "remote_worker", "night_owl"
)  # fmt: skip
_ARCHETYPE_WEIGHTS = (0.15, 0.28, 0.12, 0.16, 0.16, 0.13)

# Mean local minutes of each daily moment on working days and on days off (None: not then).
# Sleep may pass midnight (1440 and more).
_BASE: dict[str, dict[str, tuple[float | None, float | None]]] = {
    "early_riser": {
        "wake": (330, 400), "leave": (395, None), "return": (945, None), "lunch": (None, 735),
        "dinner": (1050, 1065), "evening": (1110, 1125), "sleep": (1290, 1320),
    },
    "commuter": {
        "wake": (405, 505), "leave": (470, None), "return": (1065, None), "lunch": (None, 780),
        "dinner": (1140, 1150), "evening": (1200, 1215), "sleep": (1375, 1420),
    },
    "shift_worker": {
        "wake": (285, 450), "leave": (345, None), "return": (885, None), "lunch": (915, 760),
        "dinner": (1110, 1125), "evening": (1170, 1185), "sleep": (1290, 1380),
    },
    "retiree": {
        "wake": (415, 425), "lunch": (720, 725), "nap": (795, 800), "walk": (930, 930),
        "dinner": (1080, 1085), "evening": (1140, 1140), "sleep": (1320, 1330),
    },
    "remote_worker": {
        "wake": (420, 510), "office": (510, None), "lunch": (750, 780), "dinner": (1140, 1150),
        "evening": (1200, 1215), "sleep": (1380, 1420),
    },
    "night_owl": {
        "wake": (570, 660), "leave": (640, None), "return": (1200, None), "lunch": (None, 840),
        "dinner": (1245, 1240), "evening": (1290, 1290), "sleep": (1530, 1545),
    },
}  # fmt: skip
# Ranges of each moment's standard deviation (minutes) on working days and on days off.
_SPREADS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "wake": ((5, 25), (15, 40)),
    "leave": ((4, 15), (4, 15)),
    "return": ((8, 35), (8, 35)),
    "office": ((5, 20), (5, 20)),
    "lunch": ((8, 30), (10, 35)),
    "nap": ((10, 30), (10, 30)),
    "walk": ((10, 35), (10, 35)),
    "dinner": ((10, 35), (12, 40)),
    "evening": ((8, 35), (10, 40)),
    "sleep": ((10, 35), (15, 40)),
}
# Moments that move together when the resident is individually earlier or later.
_GROUPS = {
    "wake": "morning", "leave": "morning", "office": "morning", "lunch": "midday",
    "nap": "midday", "walk": "midday", "return": "evening", "dinner": "evening",
    "evening": "evening", "sleep": "evening",
}  # fmt: skip


@dataclass(frozen=True)
class Offset:
    """Minutes after (or before) an anchor: mean and standard deviation."""

    mean: float
    sd: float


@dataclass(frozen=True)
class Profile:
    """Who the resident is and how regular their days are."""

    archetype: str
    anchors: dict[str, Anchor]
    # The bathroom and breakfast after waking, the bathroom before sleeping (minutes before
    # the sleep anchor the living room is left), and reading in bed before lights out.
    bathroom_after_wake: Offset
    breakfast_after_wake: Offset
    leave_living_before_sleep: Offset
    reading_in_bed: Offset
    walk_length: Offset
    # Chances per day of skipping a moment (a missed breakfast, dinner out).
    skips: dict[str, float]
    home_day: float
    visitors: float
    night_up: float
    # Movements per hour a sleeping person makes that a bedroom sensor sees.
    restless: float
    outing: float
    evening_out: float
    snacks_per_hour: float
    bathroom_per_hour: float
    # Chance that going from one room to another passes through the hallway.
    hall_pass: float
    # Median seconds between movements a sensor can see of someone sitting still.
    settled_gap_s: float
    before_dinner: str
    eat_at: str


@dataclass
class Sensor:
    """A people-sensor and how it sees people."""

    entity_id: str
    area: str
    kind: SensorKind
    # Motion: seconds on after the last movement; presence: seconds it holds after leaving.
    timeout_s: float = 0.0
    # Chances to see someone entering or leaving, and a movement inside the room.
    edge: float = 1.0
    inside: float = 1.0
    # Motion: spurious detections per day; presence: dropouts per hour.
    false_per_day: float = 0.0
    dropouts_per_hour: float = 0.0
    role: str = ""


@dataclass
class ResidentHome:
    """A sensor-only home's layout, rooms, sensors and resident."""

    layout: Layout
    rooms: dict[str, str]
    sensors: list[Sensor]
    profile: Profile
    doors: dict[str, str] = field(default_factory=dict)

    def room(self, name: str) -> str | None:
        """Return the area id of a kind of room ("kitchen"), if the home has one."""
        return self.rooms.get(name)


class SensorOnlyBuilder:
    """Draws a sensor-only home from the layout stream."""

    def __init__(self, builder: HomeBuilder) -> None:
        self.b = builder
        self.sensors: list[Sensor] = []
        self.doors: dict[str, str] = {}

    def build(self) -> ResidentHome:
        """Return the home: rooms, sensors, diagnostics and the resident's profile."""
        b = self.b
        rng = b.rng
        zone, _, latitude, longitude = WORLD_CITIES[int(rng.integers(len(WORLD_CITIES)))]
        archetype = ARCHETYPES[int(rng.choice(len(ARCHETYPES), p=_ARCHETYPE_WEIGHTS))]
        rooms = self._rooms(archetype)
        self._sensors(rooms)
        b.entity("sun", "Sun", "sun")
        profile = self._profile(archetype, rooms)
        layout = Layout(
            home_type=HOME_TYPE,
            time_zone=zone,
            location={
                "latitude": round(latitude + float(rng.uniform(-0.05, 0.05)), 4),
                "longitude": round(longitude + float(rng.uniform(-0.05, 0.05)), 4),
            },
            floors=b.floors,
            areas=b.areas,
            devices=b.devices,
            entities=b.entities,
            occupants=[],
            roles=b.roles,
        )
        return ResidentHome(layout, rooms, self.sensors, profile, self.doors)

    def _rooms(self, archetype: str) -> dict[str, str]:
        """Add the floors and the five to eight rooms."""
        b = self.b
        house = b.chance(0.35)
        if house:
            ground: str | None = b.floor("Ground floor", 0)
            upper: str | None = b.floor("First floor", 1)
        else:
            ground = upper = b.maybe(0.4, b.floor, "Apartment", int(b.rng.integers(0, 8)))
        rooms = {
            "hallway": b.area("Hallway" if b.chance(0.6) else "Entrance", ground),
            "living": b.area("Living room", ground),
            "kitchen": b.area("Kitchen", ground),
            "bedroom": b.area("Bedroom", upper),
            "bathroom": b.area("Bathroom", upper),
        }
        office = 1.0 if archetype == "remote_worker" else 0.3
        for name, chance, label, floor in (
            ("office", office, "Office", upper),
            ("dining", 0.35, "Dining room", ground),
            ("toilet", 0.4 if house else 0.2, "Guest toilet" if house else "Toilet", ground),
        ):
            if b.chance(chance):
                rooms[name] = b.area(label, floor)
        return rooms

    def _sensors(self, rooms: dict[str, str]) -> None:
        """Add every room's people-sensors (each room has at least one) and the doors."""
        b = self.b
        self._motion(rooms["hallway"], primary=True)
        self._door(rooms["hallway"], "Front door", "front_door")
        if b.chance(0.3):
            area = rooms["kitchen"] if b.chance(0.5) else rooms["living"]
            self._door(area, "Back door" if b.chance(0.5) else "Patio door", "back_door")
        self._motion(rooms["bedroom"], primary=True)
        self._motion(rooms["bathroom"], primary=True)
        if b.chance(0.2):
            self._motion(rooms["bathroom"], primary=False)
        if b.chance(0.3):
            self._door(rooms["bathroom"], "Bathroom door", "bathroom_door")
        self._motion(rooms["kitchen"], primary=True)
        if b.chance(0.3):
            self._motion(rooms["kitchen"], primary=False)
        if b.chance(0.3):
            self._door(rooms["kitchen"], "Fridge door", "fridge_door")
        self._living_and_office(rooms)
        for name in ("dining", "toilet"):
            if name in rooms:
                self._motion(rooms[name], primary=True)

    def _living_and_office(self, rooms: dict[str, str]) -> None:
        """Add the living room's and the office's sensors: motion, presence, or both."""
        b = self.b
        presence = b.chance(0.35)
        if presence:
            self._presence(rooms["living"])
        if not presence or b.chance(0.6):
            self._motion(rooms["living"], primary=True)
        if b.chance(0.2):
            self._motion(rooms["living"], primary=False)
        if "office" in rooms:
            if b.chance(0.5):
                self._presence(rooms["office"])
            else:
                self._motion(rooms["office"], primary=True)

    def _motion(self, area: str, *, primary: bool) -> None:
        """Add a motion sensor with its own timeout, coverage and false triggers."""
        b = self.b
        rng = b.rng
        name = f"{b.area_name(area)} motion" + ("" if primary else " 2")
        entity = b.motion(area, name)
        noisy = b.chance(0.3)
        self.sensors.append(
            Sensor(
                entity.entity_id,
                area,
                "motion",
                timeout_s=float(round(rng.uniform(30, 240))),
                edge=float(rng.uniform(0.93, 1.0)) if primary else float(rng.uniform(0.3, 0.6)),
                inside=float(rng.uniform(0.7, 0.95)) if primary else float(rng.uniform(0.4, 0.7)),
                false_per_day=float(rng.uniform(0.05, 0.4)) if noisy else 0.0,
            )
        )

    def _presence(self, area: str) -> None:
        """Add a presence sensor that holds a few seconds and drops out now and then."""
        rng = self.b.rng
        entity = self.b.occupancy(area)
        self.sensors.append(
            Sensor(
                entity.entity_id,
                area,
                "occupancy",
                timeout_s=float(round(rng.uniform(5, 40))),
                dropouts_per_hour=float(rng.uniform(0.1, 1.2)),
            )
        )

    def _door(self, area: str, name: str, role: str) -> SimEntity:
        """Add a door contact playing a role (front door, fridge door...)."""
        entity = self.b.contact(area, name, "door")
        self.b.role(role, entity)
        self.doors[role] = entity.entity_id
        self.sensors.append(Sensor(entity.entity_id, area, "door", role=role))
        return entity

    def _profile(self, archetype: str, rooms: dict[str, str]) -> Profile:
        """Draw the resident's anchors, offsets and irregularities."""
        b = self.b
        rng = b.rng

        def u(low: float, high: float) -> float:
            return float(rng.uniform(low, high))

        common = u(-40, 40)
        groups = {name: u(-20, 20) for name in ("morning", "midday", "evening")}
        late_weekend = 0.0 if archetype == "retiree" else u(-10, 40)
        anchors = {}
        for name, (work, rest) in _BASE[archetype].items():
            shift = common + groups[_GROUPS[name]]
            (work_low, work_high), (rest_low, rest_high) = _SPREADS[name]
            work_sd = u(work_low, work_high)
            rest_sd = work_sd if archetype == "retiree" else u(rest_low, rest_high)
            anchors[name] = Anchor(
                None if work is None else work + shift,
                None if rest is None else rest + shift + (late_weekend if name == "wake" else 0),
                work_sd,
                rest_sd,
            )
        before_dinner = str(
            rng.choice(
                ["living", "bedroom", "office" if "office" in rooms else "bedroom", "kitchen"],
                p=[0.35, 0.25, 0.2, 0.2],
            )
        )
        eat_at = "dining" if "dining" in rooms and b.chance(0.7) else str(
            rng.choice(["kitchen", "living"], p=[0.75, 0.25])
        )  # fmt: skip
        return Profile(
            archetype=archetype,
            anchors=anchors,
            bathroom_after_wake=Offset(u(1, 5), 1.0),
            breakfast_after_wake=Offset(u(20, 45), u(3, 8)),
            leave_living_before_sleep=Offset(u(8, 25), u(2, 5)),
            reading_in_bed=Offset(u(2, 25), u(2, 6)),
            walk_length=Offset(u(40, 90), u(5, 12)),
            skips={
                "breakfast": u(0.03, 0.3),
                "lunch": u(0.05, 0.3),
                "dinner": u(0.02, 0.15),
                "evening": u(0.03, 0.2),
                "nap": u(0.1, 0.4),
                "walk": u(0.1, 0.4),
            },
            home_day=u(0.03, 0.12),
            visitors=u(0.05, 0.25),
            night_up=u(0.05, 0.5),
            restless=u(0.01, 0.15),
            outing=u(0.2, 0.7),
            evening_out=u(0.02, 0.12),
            snacks_per_hour=u(0.05, 0.3),
            bathroom_per_hour=u(0.15, 0.4),
            hall_pass=u(0.3, 0.9),
            settled_gap_s=u(90, 300),
            before_dinner=before_dinner,
            eat_at=eat_at,
        )
