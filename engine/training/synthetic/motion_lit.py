"""A motion-lit home: rooms whose light follows a motion sensor, doors that light a closet.

One to three occupants in a flat or a house. Several rooms have a light (or a fan) that is
switched the way a motion-light automation does it, by a controller HomeIQ does not see
(a bridge's own sensor rule, recording origin system) or by hand: on within seconds when
motion is detected and the light is off (only in the dark, below an illuminance, in a time
window, or always), off some minutes after the motion sensor last cleared. One or two
doors do the same for a closet, a pantry, the garage entry or the porch. Beside them:
ordinary habits of the occupants' days, one tracking sunset, a bedtime chain, background
use, anomalies, and the security habits every such home has (a lock, a garage when it is
a house, sometimes an alarm panel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from engine.training.synthetic.builder import WORLD_CITIES, HomeBuilder
from engine.training.synthetic.homes import (
    KITCHEN,
    OWN_ROOM,
    ROOM,
    SHORT,
    Household,
    Use,
    at_step,
)
from engine.training.synthetic.model import Layout, Occupant, SimEntity

HOME_TYPE = "motion_lit"
Condition = Literal["sun_below_horizon", "illuminance_below", "time_window"]
# How a motion light's room is visited (sensors see people coming and going).
RoomKind = Literal["hallway", "landing", "bathroom", "toilet", "kitchen", "garage"]
DoorKind = Literal["closet", "pantry", "garage_entry", "front"]


@dataclass(frozen=True)
class When:
    """The condition under which a light follows its trigger (None: always)."""

    kind: Condition | None = None
    # illuminance_below: the room's illuminance sensor, its daylight peak and the threshold.
    sensor: str | None = None
    peak_lx: float = 0.0
    below_lx: float = 0.0
    # time_window: local minutes after which and before which it holds (may wrap midnight).
    after_min: float = 0.0
    before_min: float = 0.0


@dataclass(frozen=True)
class MotionLight:
    """A room whose light (or fan) follows its motion sensor."""

    room: RoomKind
    area: str
    sensor: str
    action: str
    timeout_s: float
    delay_s: float
    off_after_s: float
    probability: float
    when: When
    origin: Literal["system", "manual"]


@dataclass(frozen=True)
class DoorLight:
    """A door whose opening turns a light on for some minutes."""

    door_kind: DoorKind
    door: str
    action: str
    delay_s: float
    off_after_s: float
    probability: float
    when: When
    origin: Literal["system", "manual"]


@dataclass(frozen=True)
class SunHabit:
    """Something an occupant switches at sunset with an offset, until a mark of their day."""

    occupant: str
    entity: str
    offset_min: float
    sd_min: float
    skip: float
    # Lights go off at the occupant's bedtime, curtains open the next morning.
    until_morning: bool


@dataclass
class LitPlan:
    """What the motion-lit home adds beyond the ordinary simulation."""

    motion_lights: list[MotionLight] = field(default_factory=list)
    door_lights: list[DoorLight] = field(default_factory=list)
    sun_habit: SunHabit | None = None
    # The garage door opened after its driver comes home (security habits).
    garage: str | None = None
    driver: str | None = None


class MotionLitHome(Household):
    """A flat or a house with motion lights, door lights, habits and security."""

    home_type = HOME_TYPE

    def __init__(self, builder: HomeBuilder) -> None:
        super().__init__(builder)
        b = builder
        self.plan = LitPlan()
        self.house = b.chance(0.6)
        if self.house:
            ground: str | None = b.floor("Ground floor", 0)
            upper: str | None = b.floor("First floor", 1)
        else:
            ground = upper = b.maybe(0.5, b.floor, "Apartment", int(b.rng.integers(0, 8)))
        self.hallway = b.area("Hallway", ground)
        self.living = b.area("Living room", ground)
        self.kitchen = b.area("Kitchen", ground)
        self.bedroom = b.area("Bedroom", upper)
        self.bath = b.area("Bathroom", upper)
        self.toilet = b.maybe(0.4, b.area, "Toilet", ground)
        self.closet = b.maybe(0.5, b.area, "Walk-in closet", upper)
        self.landing = b.area("Landing", upper) if self.house else None
        self.garage = b.area("Garage", ground) if self.house else None
        self.pantry = b.maybe(0.5, b.area, "Pantry", ground) if self.house else None
        self.porch = b.area("Porch", ground) if self.house else None
        self.garden = b.area("Garden", None) if self.house else None
        first = self.archetype(
            {"commuter": 0.3, "early_commuter": 0.15, "remote_worker": 0.3, "part_time": 0.15,
             "shift_worker": 0.1}
        )  # fmt: skip
        self.first = self.occupant("resident_1", first, lunch_walk=0.3, home_day=0.08)
        self.second: Occupant | None = None
        self.third: Occupant | None = None
        if b.chance(0.6):
            second = self.archetype({"commuter": 0.5, "part_time": 0.3, "remote_worker": 0.2})
            self.second = self.occupant("resident_2", second, home_day=0.06)
            self.joint_outings = True
            if b.chance(0.35):
                self.third = self.occupant(
                    "resident_3", "child_teen", person=b.chance(0.6), home_day=0.03
                )
        self.teen_room = b.area(f"{self.third.name}'s room", upper) if self.third else None

    def place(self) -> tuple[str, float, float]:
        """Return a time zone and a place somewhere in the world."""
        zone, _, latitude, longitude = WORLD_CITIES[int(self.b.rng.integers(len(WORLD_CITIES)))]
        return zone, latitude, longitude

    def build(self) -> Layout:
        """Add the devices, motion and door lights, habits and chains; return the layout."""
        b = self.b
        door = b.contact(self.hallway, "Front door", "door")
        b.role("front_door", door)
        b.role("lock", b.lock(self.hallway))
        living_ceiling = b.light(self.living, "Living room ceiling")
        floor_lamp = b.light(self.living, "Living room floor lamp", lamp=True)
        tv = b.media(self.living, "Living room TV", tv=True)
        curtains = b.maybe(0.5, self._curtains, self.living)
        b.maybe(0.3, b.occupancy, self.living)
        b.maybe(0.5, b.thermostat, self.living)
        b.maybe(0.6, b.climate_sensor, self.living)
        kitchen_light = b.light(self.kitchen, "Kitchen ceiling")
        drinks = self.drinks(self.kitchen, 0.6, 0.5)
        self.fridge(self.kitchen, 0.3)
        bedroom_light = b.light(self.bedroom, "Bedroom ceiling")
        bedside = b.light(self.bedroom, "Bedside lamp", lamp=True, physical=0.0)
        self._motion_lights()
        self._door_lights(door)
        if self.teen_room is not None:
            b.light(self.teen_room, f"{b.area_name(self.teen_room)} ceiling")
        if self.garage is not None:
            self.plan.garage = b.garage_door(self.garage).entity_id
            # Whoever drives to work uses the garage most.
            drivers = [o for o in b.occupants if o.person and o.anchor("leave") is not None]
            self.plan.driver = (drivers[0] if drivers else self.first).role
        b.maybe(0.5, b.meter, self.hallway)
        b.outdoor(self.garden)
        self._habits(
            living_ceiling=living_ceiling,
            tv=tv,
            kitchen_light=kitchen_light,
            bedroom_light=bedroom_light,
            bedside=bedside,
            drinks=drinks,
        )
        self._sun_habit(curtains, floor_lamp)
        return super().build()

    def _curtains(self, area: str) -> SimEntity:
        """Add motorised curtains (moved by hand: no automation closes them)."""
        b = self.b
        name = f"{b.area_name(area)} curtains"
        device_id = b.device(name, area, ("IKEA of Sweden", "PRAKTLYSING cellular blind"))
        return b.entity(
            "cover",
            name,
            "cover",
            device_id=device_id,
            device_class="curtain",
            active="closed",
            idle="open",
            start_transient="closing",
            end_transient="opening",
            physical=0.3,
        )

    def _motion_lights(self) -> None:
        """Pick the rooms whose light follows motion (at least two) and add them."""
        b = self.b
        options: list[tuple[RoomKind, str | None, float]] = [
            ("hallway", self.hallway, 0.6), ("bathroom", self.bath, 0.85),
            ("landing", self.landing, 0.9), ("kitchen", self.kitchen, 0.4),
            ("toilet", self.toilet, 0.8), ("garage", self.garage, 0.6),
        ]  # fmt: skip
        chosen: list[tuple[RoomKind, str]] = [
            (kind, area) for kind, area, chance in options if area and b.chance(chance)
        ]
        fallback: tuple[tuple[RoomKind, str], ...] = (
            ("hallway", self.hallway), ("bathroom", self.bath)
        )  # fmt: skip
        for kind, area in fallback:
            if len(chosen) < 2 and (kind, area) not in chosen:
                chosen.append((kind, area))
        for kind, area in chosen:
            self._motion_light(kind, area)

    def _motion_light(self, room: RoomKind, area: str) -> None:
        """Add a room's motion sensor and the light (or fan) that follows it."""
        b = self.b
        rng = b.rng
        name = b.area_name(area)
        sensor = b.motion(area)
        if room == "toilet" and b.chance(0.5):
            action = b.relay_switch(area, f"{name} fan")
        elif room == "kitchen":
            action = b.light(area, "Kitchen counter lights")
        else:
            action = b.relay_light(area, f"{name} light") if b.chance(0.4) else b.light(
                area, f"{name} light"
            )  # fmt: skip
        self.hands_off.add(action.entity_id)
        when = self._condition(room, sensor)
        self.plan.motion_lights.append(
            MotionLight(
                room=room,
                area=area,
                sensor=sensor.entity_id,
                action=action.entity_id,
                timeout_s=float(round(rng.uniform(30, 240))),
                delay_s=round(float(rng.uniform(1.0, 6.0)), 1),
                off_after_s=float(60 * int(rng.integers(1, 16))),
                probability=round(float(rng.uniform(0.9, 1.0)), 2),
                when=when,
                origin="system" if b.chance(0.7) else "manual",
            )
        )

    def _condition(self, room: RoomKind, sensor: SimEntity) -> When:
        """Draw when a motion light works: in the dark, below a brightness, at night, always."""
        b = self.b
        rng = b.rng
        weights = {"sun": 0.35, "lux": 0.25, "window": 0.15, "always": 0.25}
        if room in ("bathroom", "toilet", "garage"):
            weights = {"sun": 0.15, "lux": 0.15, "window": 0.15, "always": 0.55}
        kind = self.archetype(weights)
        if kind == "sun":
            return When("sun_below_horizon")
        if kind == "lux":
            illuminance = next(
                e
                for e in b.entities
                if e.device_id == sensor.device_id and e.chatter == "illuminance"
            )
            return When(
                "illuminance_below",
                sensor=illuminance.entity_id,
                peak_lx=illuminance.params["peak"],
                below_lx=float(round(rng.uniform(15, 50))),
            )
        if kind == "window":
            return When(
                "time_window",
                after_min=float(60 * int(rng.integers(20, 24))),
                before_min=float(60 * int(rng.integers(6, 8))),
            )
        return When()

    def _door_lights(self, front: SimEntity) -> None:
        """Add one or two doors that light a closet, pantry, garage entry or the porch."""
        b = self.b
        options: list[tuple[DoorKind, str | None, float]] = [
            ("closet", self.closet, 0.8), ("pantry", self.pantry, 0.7),
            ("garage_entry", self.garage, 0.35), ("front", self.porch, 0.5),
        ]  # fmt: skip
        chosen = [(kind, area) for kind, area, chance in options if area and b.chance(chance)]
        if not chosen:
            self.closet = self.closet or b.area("Walk-in closet", None)
            chosen = [("closet", self.closet)]
        for door_kind, area in chosen[:2]:
            self._door_light(door_kind, area, front)

    def _door_light(self, door_kind: DoorKind, area: str, front: SimEntity) -> None:
        """Add a door contact (or reuse the front door) and the light its opening switches."""
        b = self.b
        rng = b.rng
        name = b.area_name(area)
        if door_kind == "front":
            door = front
            light = b.relay_light(area, "Porch light")
        else:
            label = "Garage entry door" if door_kind == "garage_entry" else f"{name} door"
            door = b.contact(area, label, "door")
            light = b.light(area, f"{name} light") if door_kind != "garage_entry" else (
                b.relay_light(area, "Garage entry light")
            )  # fmt: skip
        self.hands_off.add(light.entity_id)
        self.plan.door_lights.append(
            DoorLight(
                door_kind=door_kind,
                door=door.entity_id,
                action=light.entity_id,
                delay_s=round(float(rng.uniform(1.0, 4.0)), 1),
                off_after_s=float(60 * int(rng.integers(1, 11))),
                probability=round(float(rng.uniform(0.9, 1.0)), 2),
                when=When("sun_below_horizon") if door_kind == "front" else When(),
                origin="system" if b.chance(0.7) else "manual",
            )
        )

    def _habits(
        self,
        *,
        living_ceiling: SimEntity,
        tv: SimEntity,
        kitchen_light: SimEntity,
        bedroom_light: SimEntity,
        bedside: SimEntity,
        drinks: tuple[SimEntity | None, SimEntity | None],
    ) -> None:
        """Plant the ordinary habits, the bedtime chain and the occupants' background use."""
        me = self.first
        self.habit(me, bedroom_light, start=("wake", 1.0), duration=(8.0, 0.35), sd=1.5)
        self.habit(me, kitchen_light, start=("wake", 14.0), duration=(20.0, 0.3))
        self.morning_drink(me, drinks, 15.0)
        self.habit(
            me, living_ceiling, start=("dinner", 30.0), end=at_step("bedtime", living_ceiling),
            sd=5.0,
        )  # fmt: skip
        self.habit(me, tv, start=("evening", 0.0), end=at_step("bedtime", tv), sd=4.0, skip=0.15)
        self.chain(
            "bedtime",
            me,
            [
                (tv, "off", 0.0, {}),
                (living_ceiling, "off", 20.0, {}),
                (bedroom_light if self.b.chance(0.5) else bedside, "on", 35.0,
                 {"end": ("sleep", 0.0)}),
            ],
            start=("sleep", -15.0),
        )  # fmt: skip
        areas: list[tuple[str | None, Use]] = [
            (self.living, ROOM), (self.kitchen, KITCHEN), (self.bedroom, SHORT)
        ]  # fmt: skip
        for occupant in (me, self.second, self.third):
            if occupant is not None:
                self.background(occupant, areas)
        if self.third is not None:
            own: list[tuple[str | None, Use]] = [(self.teen_room, OWN_ROOM)]
            self.background(self.third, own)

    def _sun_habit(self, curtains: SimEntity | None, lamp: SimEntity) -> None:
        """Close the curtains (or light the floor lamp) at sunset with an offset."""
        b = self.b
        rng = b.rng
        # Whoever is home in the afternoon most often does it.
        at_home = [o for o in self.b.occupants if o.archetype in ("remote_worker", "part_time")]
        occupant: Occupant = at_home[0] if at_home else self.first
        entity = curtains if curtains is not None else lamp
        self.plan.sun_habit = SunHabit(
            occupant=occupant.role,
            entity=entity.entity_id,
            offset_min=float(round(rng.uniform(-30, 30))),
            sd_min=round(float(rng.uniform(3, 8)), 1),
            skip=round(float(rng.uniform(0.03, 0.15)), 2),
            until_morning=curtains is not None,
        )
        self.hands_off.add(entity.entity_id)
