"""The four kinds of home: their floors, rooms, devices, occupants and planted habits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.training.synthetic.builder import CITIES, HomeBuilder
from engine.training.synthetic.model import (
    ChainSpec,
    ChainStep,
    Habit,
    Layout,
    Occupant,
    Reaction,
    SimEntity,
    step_mark,
)

TIME_ZONE = "Europe/Berlin"

# How long people keep things on when they use them outside their habits, by kind of
# area: (weight, median minutes, lognormal sigma).
Use = tuple[float, float, float]
PASSING: Use = (0.7, 2.0, 0.5)
ROOM: Use = (1.0, 25.0, 0.8)
OWN_ROOM: Use = (2.0, 40.0, 0.8)
KITCHEN: Use = (1.2, 18.0, 0.7)
BATHROOM: Use = (1.0, 8.0, 0.5)
TOILET: Use = (0.8, 3.0, 0.4)
SHORT: Use = (0.5, 10.0, 0.6)
OUTSIDE: Use = (0.3, 15.0, 0.6)

Step = tuple[SimEntity | None, str, float, dict[str, Any]]


def at_step(chain: str, entity: SimEntity | None) -> tuple[str, float]:
    """Return the mark of a chain's step on an entity (habits can end there)."""
    return (step_mark(chain, entity.entity_id if entity else ""), 0.0)


class Household:
    """What every home builder shares: occupants, habits, chains, and use outside habits."""

    home_type = ""
    joint_outings = False

    def __init__(self, builder: HomeBuilder) -> None:
        self.b = builder
        self.habits: list[Habit] = []
        self.chains: list[ChainSpec] = []
        self.reactions: list[Reaction] = []
        self.runs: dict[str, tuple[float, float, float, float]] = {}
        self.cook: str | None = None
        self.hands_off: set[str] = set()

    def build(self) -> Layout:
        """Return the finished layout (subclasses fill the builder first)."""
        rng = self.b.rng
        time_zone, latitude, longitude = self.place()
        return Layout(
            home_type=self.home_type,
            time_zone=time_zone,
            location={
                "latitude": round(latitude + float(rng.uniform(-0.05, 0.05)), 4),
                "longitude": round(longitude + float(rng.uniform(-0.05, 0.05)), 4),
            },
            floors=self.b.floors,
            areas=self.b.areas,
            devices=self.b.devices,
            entities=self.b.entities,
            occupants=self.b.occupants,
            roles=self.b.roles,
            habits=self.habits,
            chains=self.chains,
            reactions=self.reactions,
            appliance_runs=self.runs,
            joint_outings=self.joint_outings,
            cook=self.cook,
            hands_off=self.hands_off,
        )

    def place(self) -> tuple[str, float, float]:
        """Return the home's time zone, latitude and longitude (a German city)."""
        _, latitude, longitude = CITIES[int(self.b.rng.integers(len(CITIES)))]
        return TIME_ZONE, latitude, longitude

    def occupant(
        self, role: str, archetype: str, *, person: bool = True, **fields: Any
    ) -> Occupant:
        """Add an occupant with individual shifts of their day (minutes)."""
        rng = self.b.rng
        shifts = {
            group: float(rng.normal(0.0, 12.0))
            for group in ("morning", "midday", "afternoon", "evening")
        }
        occupant = Occupant(role, self.b.next_name(), archetype, shifts=shifts, **fields)
        if person:
            self.b.person(occupant)
        self.b.occupants.append(occupant)
        return occupant

    def archetype(self, options: dict[str, float]) -> str:
        """Return one archetype, drawn with the given weights."""
        total = sum(options.values())
        names = list(options)
        return names[int(self.b.rng.choice(len(names), p=[w / total for w in options.values()]))]

    def habit(self, occupant: Occupant, entity: SimEntity | None, **fields: Any) -> None:
        """Plant a habit when the home has the entity."""
        if entity is not None:
            self.habits.append(Habit(occupant.role, entity.entity_id, **fields))

    def chain(self, name: str, occupant: Occupant, steps: list[Step], **fields: Any) -> None:
        """Plant a chain of the steps whose entities exist (when at least two do)."""
        present = tuple(
            ChainStep(entity.entity_id, state, delay, **extra)
            for entity, state, delay, extra in steps
            if entity is not None
        )
        if len(present) >= 2:
            self.chains.append(ChainSpec(name, occupant.role, present, **fields))

    def react(
        self, trigger: SimEntity | None, state: str, action: SimEntity | None, **fields: Any
    ) -> None:
        """Plant a co-occurrence when both entities exist."""
        if trigger is not None and action is not None:
            self.reactions.append(Reaction(trigger.entity_id, state, action.entity_id, **fields))

    def run(
        self, switch: SimEntity | None, per_day: float, minutes: float, window: tuple[float, float]
    ) -> None:
        """Let an always-on appliance run now and then (its power sensor shows it)."""
        if switch is not None:
            power = self.b.roles[f"power:{switch.entity_id}"]
            self.runs[power] = (per_day, minutes, window[0], window[1])

    def background(self, occupant: Occupant, areas: list[tuple[str | None, Use]]) -> None:
        """Let an occupant use the lights, switches and players of some areas now and then."""
        automated = self.b.roles.get("porch_light")
        for area_id, (weight, median, sigma) in areas:
            for entity in self.b.entities:
                if area_id is None or entity.home_area != area_id:
                    continue
                if entity.entity_id in self.hands_off:
                    continue
                if entity.kind == "toggle" and entity.entity_id != automated:
                    occupant.background.append((entity.entity_id, weight, median, sigma))
                elif entity.kind == "media":
                    occupant.background.append((entity.entity_id, weight * 0.6, median * 3, sigma))

    def entrance(self, hallway: str, *, lock: float, motion: float) -> None:
        """Add the entrance every home has: door contact, hallway light, maybe lock and motion."""
        b = self.b
        door = b.contact(hallway, "Front door", "door")
        name = f"{b.area_name(hallway)} ceiling"
        light = (
            b.relay_light(hallway, name) if b.chance(0.5) else b.light(hallway, name, physical=0.5)
        )
        b.role("front_door", door)
        b.role("hallway_light", light)
        b.role("lock", b.maybe(lock, b.lock, hallway))
        b.maybe(motion, b.motion, hallway)
        self.react(door, "on", light, delay_s=6.0, probability=0.85, duration=(3.0, 0.5))

    def bathroom(self, bathroom: str, *, fan: float, motion: float) -> SimEntity:
        """Add a bathroom light, maybe a fan (often switched on after the light) and sensors."""
        b = self.b
        light = b.light(bathroom, f"{b.area_name(bathroom)} ceiling", physical=0.5)
        fan_entity = b.maybe(fan, b.relay_switch, bathroom, f"{b.area_name(bathroom)} fan")
        b.maybe(motion, b.motion, bathroom)
        b.maybe(0.6, b.climate_sensor, bathroom, link=light.entity_id)
        self.react(light, "on", fan_entity, delay_s=20.0, probability=0.8, duration=(15.0, 0.3))
        return light

    def drinks(
        self, kitchen: str, coffee: float, kettle: float
    ) -> tuple[SimEntity | None, SimEntity | None]:
        """Add a coffee machine and/or a kettle on metering plugs (at least one of them)."""
        b = self.b
        coffee_entity = b.maybe(coffee, b.plug, kitchen, "Coffee machine", "coffee")
        kettle_entity = b.maybe(kettle, b.plug, kitchen, "Kettle", "kettle", zigbee=True)
        if coffee_entity is None and kettle_entity is None:
            kettle_entity = b.plug(kitchen, "Kettle", "kettle", zigbee=True)
        return coffee_entity, kettle_entity

    def morning_drink(
        self, occupant: Occupant, drinks: tuple[SimEntity | None, SimEntity | None], offset: float
    ) -> None:
        """Coffee (switched off by an automation after 30 minutes), or else tea."""
        coffee, kettle = drinks
        if coffee is not None:
            self.habit(
                occupant, coffee, start=("wake", offset), duration=(30.0, 0.0), sd=1.5,
                end_origin="automation",
            )  # fmt: skip
        else:
            self.habit(occupant, kettle, start=("wake", offset), duration=(4.0, 0.15), sd=1.5)

    def fridge(self, area: str, probability: float) -> None:
        """Maybe meter the fridge (its compressor cycles all day)."""
        self.b.maybe(probability, self.b.plug, area, "Fridge", "fridge", switched=False)


class _Studio(Household):
    """One room to live and sleep in, a kitchenette, a bathroom; one occupant."""

    home_type = "studio_apartment"

    def __init__(self, builder: HomeBuilder) -> None:
        super().__init__(builder)
        b = builder
        floor = b.maybe(0.5, b.floor, "Apartment", int(b.rng.integers(0, 7)))
        self.living = b.area("Living room", floor, aliases=["Main room"])
        self.kitchen = b.area("Kitchenette", floor)
        self.bath = b.area("Bathroom", floor)
        self.hallway = b.area("Entrance", floor, aliases=["Hallway"])
        self.balcony = b.maybe(0.5, b.area, "Balcony", floor)
        weights = {"commuter": 0.35, "early_commuter": 0.2, "student": 0.3, "shift_worker": 0.15}
        self.me = self.occupant("resident", self.archetype(weights), home_day=0.08, outings=0.5)

    def build(self) -> Layout:
        """Add the devices and habits, then return the layout."""
        b = self.b
        self.entrance(self.hallway, lock=0.5, motion=0.4)
        ceiling = b.light(self.living, "Living room ceiling")
        bed_lamp = b.light(self.living, "Bed lamp", lamp=True, physical=0.0)
        tv = b.maybe(0.8, b.media, self.living, "Living room TV", tv=True)
        b.maybe(0.5, b.media, self.living, "Living room speaker", tv=False)
        b.thermostat(self.living)
        b.climate_sensor(self.living)
        b.maybe(0.5, b.contact, self.living, "Living room window", "window")
        b.maybe(0.3, b.blind, self.living, "Living room blind")
        kitchen_light = b.light(self.kitchen, "Kitchenette light", physical=0.5)
        drinks = self.drinks(self.kitchen, 0.65, 0.45)
        self.fridge(self.kitchen, 0.2)
        bath_light = self.bathroom(self.bath, fan=0.4, motion=0.6)
        if self.balcony is not None:
            b.maybe(0.5, b.light, self.balcony, "Balcony light", physical=0.6)
        b.maybe(0.5, b.meter, self.hallway)
        b.outdoor(self.balcony)

        me = self.me
        self.habit(me, ceiling, start=("wake", 1.0), duration=(10.0, 0.35), sd=1.5)
        self.habit(me, bath_light, start=("wake", 4.0), duration=(15.0, 0.25))
        self.habit(me, kitchen_light, start=("wake", 12.0), duration=(20.0, 0.3))
        self.morning_drink(me, drinks, 13.0)
        self.chain(
            "come_home",
            me,
            [
                (ceiling, "on", 0.0, {"end": at_step("bedtime", ceiling)}),
                (kitchen_light, "on", 50.0, {"duration": (25.0, 0.3)}),
                (drinks[1], "on", 30.0, {"duration": (4.0, 0.2)}),
            ],
            start=("return", 1.5),
            days="weekdays",
        )
        self.habit(
            me, ceiling, start=("dinner", -20.0), end=at_step("bedtime", ceiling), days="weekends"
        )
        self.habit(me, tv, start=("evening", 0.0), end=at_step("bedtime", tv), sd=4.0, skip=0.2)
        self.chain(
            "bedtime",
            me,
            [
                (tv, "off", 0.0, {}),
                (ceiling, "off", 20.0, {}),
                (bed_lamp, "on", 30.0, {"end": ("sleep", 0.0)}),
            ],
            start=("sleep", -15.0),
        )
        self.background(
            me,
            [
                (self.living, OWN_ROOM), (self.kitchen, KITCHEN), (self.bath, BATHROOM),
                (self.hallway, PASSING), (self.balcony, ROOM),
            ],
        )  # fmt: skip
        return super().build()


class _FamilyHouse(Household):
    """Two parents and one to three children over two or three floors, garden and garage."""

    home_type = "family_house"
    joint_outings = True

    def __init__(self, builder: HomeBuilder) -> None:
        super().__init__(builder)
        b = builder
        ground = b.floor("Ground floor", 0, aliases=["Downstairs"])
        first = None if b.chance(0.12) else b.floor("First floor", 1, aliases=["Upstairs"])
        basement = b.maybe(0.45, b.floor, "Basement", -1)
        upstairs = first or ground
        self.hallway = b.area("Hallway", ground, aliases=["Entrance"])
        self.living = b.area("Living room", ground, aliases=["Lounge"])
        self.kitchen = b.area("Kitchen", ground)
        self.dining = b.maybe(0.7, b.area, "Dining room", ground)
        self.toilet = b.maybe(0.6, b.area, "Guest toilet", ground)
        self.garage = b.maybe(0.7, b.area, "Garage", ground)
        self.garden = b.area("Garden", None, aliases=["Backyard"])
        self.porch = b.area("Porch", ground)
        self.landing = b.area("Landing", first) if first else None
        self.bedroom = b.area("Bedroom", upstairs, aliases=["Master bedroom"])
        self.bath = b.area("Bathroom", upstairs)
        self.utility = b.maybe(1.0 if basement else 0.5, b.area, "Utility room", basement or ground)
        self.study = b.maybe(0.25, b.area, "Study", upstairs)
        self.p1 = self.occupant(
            "parent_1", self.archetype({"early_commuter": 0.6, "commuter": 0.4})
        )
        self.p2 = self.occupant("parent_2", self.archetype({"part_time": 0.65, "commuter": 0.35}))
        self.cook = "parent_2"
        self.children: list[tuple[Occupant, str]] = []
        for index in range(int(b.rng.integers(1, 4))):
            teen = b.chance(0.4)
            child = self.occupant(
                f"child_{index + 1}",
                "child_teen" if teen else "child_young",
                person=teen and b.chance(0.6),
                leave_with=None if teen else "parent_2",
                home_day=0.03,
            )
            self.children.append((child, b.area(f"{child.name}'s room", upstairs)))

    def build(self) -> Layout:
        """Add the devices and habits, then return the layout."""
        b = self.b
        self.entrance(self.hallway, lock=0.8, motion=0.9)
        living_ceiling = b.light(self.living, "Living room ceiling")
        b.maybe(0.7, b.light, self.living, "Living room floor lamp", lamp=True)
        b.maybe(0.5, b.light, self.living, "TV backlight", lamp=True, physical=0.0)
        tv = b.media(self.living, "Living room TV", tv=True)
        b.thermostat(self.living)
        b.climate_sensor(self.living)
        b.maybe(0.7, b.blind, self.living, "Living room blind")
        b.maybe(0.25, b.occupancy, self.living)
        b.maybe(0.7, b.contact, self.living, "Patio door", "door")
        kitchen_light = b.light(self.kitchen, "Kitchen ceiling")
        b.maybe(0.5, b.light, self.kitchen, "Kitchen counter lights")
        drinks = self.drinks(self.kitchen, 0.85, 0.3)
        speaker = b.maybe(0.7, b.media, self.kitchen, "Kitchen speaker", tv=False)
        dishwasher = b.maybe(0.6, b.plug, self.kitchen, "Dishwasher", "dishwasher", switched=False)
        self.run(dishwasher, 0.6, 150.0, (1170.0, 1260.0))
        self.fridge(self.kitchen, 0.3)
        b.maybe(0.5, b.thermostat, self.kitchen)
        b.maybe(0.6, b.climate_sensor, self.kitchen)
        dining_light = b.light(self.dining, "Dining table light") if self.dining else None
        self._outside()
        landing_light = (
            b.light(self.landing, "Landing light", physical=0.5) if self.landing else None
        )
        if self.landing is not None:
            b.motion(self.landing)
        bedroom_light, bedside, window = self._bedroom()
        bath_light = self.bathroom(self.bath, fan=0.5, motion=0.7)
        b.thermostat(self.bath)
        self._children()
        self._utility_and_study()
        b.maybe(0.6, b.vacuum, self.living)
        b.maybe(0.8, b.meter, self.utility or self.hallway)
        b.outdoor(self.garden)

        p1, p2 = self.p1, self.p2
        # Parent 1 gets up first: the wake-up chain, breakfast, airing the bedroom.
        self.chain(
            "wake_up",
            p1,
            [
                (bedroom_light, "on", 0.0, {"duration": (6.0, 0.35)}),
                (landing_light, "on", 35.0, {"duration": (1.5, 0.4)}),
                (bath_light, "on", 25.0, {"duration": (15.0, 0.25)}),
            ],
            start=("wake", 1.0),
        )
        self.habit(p1, kitchen_light, start=("wake", 20.0), duration=(30.0, 0.3))
        self.morning_drink(p1, drinks, 22.0)
        self.habit(p1, window, start=("wake", 8.0), duration=(12.0, 0.3), skip=0.3, days="weekdays")
        self.habit(
            p2, speaker, start=("wake", 12.0), duration=(35.0, 0.3), skip=0.2, days="weekdays"
        )
        # Parent 2 cooks; the family eats together; parent 1 watches TV until bedtime.
        self.habit(p2, kitchen_light, start=("dinner", -40.0), end=("dinner", -2.0), sd=4.0)
        self.habit(
            p2, dining_light, start=("dinner", -3.0), end=("dinner", 35.0), sd=1.5, record_end=True
        )
        self.habit(
            p1,
            living_ceiling,
            start=("dinner", 40.0),
            end=at_step("bedtime", living_ceiling),
            sd=5.0,
        )
        self.habit(p1, tv, start=("evening", 0.0), end=at_step("bedtime", tv), sd=4.0, skip=0.15)
        self.chain(
            "bedtime",
            p1,
            [
                (tv, "off", 0.0, {}),
                (living_ceiling, "off", 20.0, {}),
                (landing_light, "on", 25.0, {"duration": (1.0, 0.4)}),
                (bedroom_light, "on", 30.0, {"end": ("sleep", 0.0)}),
            ],
            start=("sleep", -20.0),
        )
        self.habit(p2, bedside, start=("sleep", -25.0), end=("sleep", 0.0), sd=3.0, record_end=True)
        shared = [
            (self.hallway, PASSING), (self.landing, PASSING), (self.kitchen, KITCHEN),
            (self.living, ROOM), (self.bath, BATHROOM), (self.toilet, TOILET),
            (self.garden, OUTSIDE), (self.study, ROOM), (self.bedroom, SHORT),
            (self.dining, SHORT), (self.utility, SHORT),
        ]  # fmt: skip
        self.background(p1, shared)
        self.background(p2, shared)
        return super().build()

    def _bedroom(self) -> tuple[SimEntity, SimEntity, SimEntity | None]:
        """Add the parents' bedroom: ceiling light, bedside lamp, window, blind, climate."""
        b = self.b
        light = b.light(self.bedroom, "Bedroom ceiling")
        bedside = b.light(self.bedroom, "Bedside lamp", lamp=True, physical=0.0)
        window = b.maybe(0.6, b.contact, self.bedroom, "Bedroom window", "window")
        b.maybe(0.7, b.blind, self.bedroom, "Bedroom blind")
        b.thermostat(self.bedroom)
        b.climate_sensor(self.bedroom)
        return light, bedside, window

    def _outside(self) -> None:
        """Add the guest toilet, the garage with its door and light, porch and garden."""
        b = self.b
        if self.toilet is not None:
            b.relay_light(self.toilet, "Guest toilet light")
            b.maybe(0.5, b.motion, self.toilet)
        if self.garage is not None:
            garage_light = b.relay_light(self.garage, "Garage light")
            door = b.maybe(0.8, b.garage_door, self.garage)
            self.react(
                door, "open", garage_light, delay_s=5.0, probability=0.9, duration=(4.0, 0.4)
            )
            # Parent 1 drives to work: the garage door opens on leaving and coming back.
            for anchor in ("leave", "return"):
                self.habit(
                    self.p1, door, start=(anchor, -1.5), duration=(1.5, 0.2), sd=0.3, skip=0.3,
                    days="weekdays",
                )  # fmt: skip
        b.role("porch_light", b.relay_light(self.porch, "Porch light"))
        b.maybe(0.4, b.light, self.garden, "Garden lights", physical=0.3)

    def _children(self) -> None:
        """Add a room per child: light, speaker; wake-up, bedtime, music after school."""
        b = self.b
        for child, room in self.children:
            teen = child.archetype == "child_teen"
            light = b.light(room, f"{b.area_name(room)} ceiling")
            speaker = b.maybe(
                0.8 if teen else 0.5, b.media, room, f"{b.area_name(room)} speaker", tv=False
            )
            b.maybe(0.7, b.thermostat, room)
            b.maybe(0.5, b.climate_sensor, room)
            b.maybe(0.5, b.blind, room, f"{b.area_name(room)} blind")
            self.habit(child, light, start=("wake", 0.5), duration=(12.0, 0.4), sd=1.5)
            self.habit(
                child, light, start=("sleep", -30.0), end=("sleep", 0.0), sd=3.0, record_end=True
            )
            if teen:
                self.habit(
                    child, speaker, start=("return", 20.0), duration=(60.0, 0.5), sd=6.0,
                    skip=0.35, days="weekdays",
                )  # fmt: skip
            else:
                self.habit(child, speaker, start=("sleep", -25.0), duration=(20.0, 0.2), skip=0.3)
            self.background(
                child,
                [
                    (room, OWN_ROOM),
                    (self.living, SHORT),
                    (self.bath, BATHROOM),
                    (self.toilet, TOILET),
                ],
            )

    def _utility_and_study(self) -> None:
        """Add laundry that runs now and then, and a study with a desk lamp."""
        b = self.b
        if self.utility is not None:
            washer = b.plug(self.utility, "Washing machine", "washer", switched=False)
            self.run(washer, 0.35, 120.0, (540.0, 1140.0))
            dryer = b.maybe(0.4, b.plug, self.utility, "Dryer", "dryer", switched=False)
            self.run(dryer, 0.25, 100.0, (660.0, 1200.0))
            b.relay_light(self.utility, "Utility room light")
            b.maybe(0.5, b.climate_sensor, self.utility, heated=False)
        if self.study is not None:
            b.light(self.study, "Study desk lamp", lamp=True)
            b.climate_sensor(self.study)
            b.maybe(0.5, b.plug, self.study, "Study monitor", "monitor")


class _SharedFlat(Household):
    """Three or four flatmates with their own rooms sharing kitchen, bathroom and hallway."""

    home_type = "shared_flat"

    def __init__(self, builder: HomeBuilder) -> None:
        super().__init__(builder)
        b = builder
        floor = b.maybe(0.5, b.floor, "Flat", int(b.rng.integers(1, 6)))
        self.hallway = b.area("Hallway", floor)
        self.kitchen = b.area("Kitchen", floor)
        self.bath = b.area("Bathroom", floor)
        self.shower = b.maybe(0.3, b.area, "Shower room", floor)
        self.living = b.maybe(0.6, b.area, "Living room", floor)
        self.balcony = b.maybe(0.4, b.area, "Balcony", floor)
        self.mates: list[tuple[Occupant, str]] = []
        for index in range(3 + int(b.chance(0.5))):
            archetype = self.archetype({"student": 0.5, "commuter": 0.3, "shift_worker": 0.2})
            mate = self.occupant(
                f"flatmate_{index + 1}", archetype, person=b.chance(0.85), home_day=0.08
            )
            self.mates.append((mate, b.area(f"{mate.name}'s room", floor)))
        if all(mate.person is None for mate, _ in self.mates):
            b.person(self.mates[0][0])

    def build(self) -> Layout:
        """Add the devices and habits, then return the layout."""
        b = self.b
        self.entrance(self.hallway, lock=0.25, motion=0.6)
        kitchen_light = b.light(self.kitchen, "Kitchen ceiling", physical=0.6)
        drinks = self.drinks(self.kitchen, 0.5, 1.0)
        speaker = b.maybe(0.6, b.media, self.kitchen, "Kitchen speaker", tv=False)
        self.fridge(self.kitchen, 0.3)
        b.maybe(0.5, b.climate_sensor, self.kitchen)
        b.maybe(0.5, b.thermostat, self.kitchen)
        bath_light = self.bathroom(self.bath, fan=0.4, motion=0.5)
        washer = b.maybe(0.6, b.plug, self.bath, "Washing machine", "washer", switched=False)
        self.run(washer, 0.3, 110.0, (600.0, 1260.0))
        if self.shower is not None:
            b.light(self.shower, "Shower room ceiling", physical=0.6)
        living_ceiling = tv = None
        if self.living is not None:
            living_ceiling = b.light(self.living, "Living room ceiling", physical=0.5)
            tv = b.maybe(0.7, b.media, self.living, "Living room TV", tv=True)
            b.thermostat(self.living)
        if self.balcony is not None:
            b.maybe(0.5, b.light, self.balcony, "Balcony light", physical=0.6)
        b.maybe(0.4, b.meter, self.hallway)
        b.maybe(0.15, b.vacuum, self.hallway)
        b.outdoor(self.balcony)
        for mate, room in self.mates:
            self._own_room(mate, room)
        first = self.mates[0][0]
        self.habit(first, bath_light, start=("wake", 4.0), duration=(14.0, 0.25))
        self.habit(first, kitchen_light, start=("wake", 10.0), duration=(20.0, 0.3))
        self.morning_drink(first, drinks, 11.0)
        self.chain(
            "tea",
            self.mates[1][0],
            [
                (kitchen_light, "on", 0.0, {"duration": (20.0, 0.4)}),
                (drinks[1], "on", 40.0, {"duration": (4.0, 0.2)}),
                (speaker, "playing", 60.0, {"duration": (30.0, 0.4)}),
            ],
            window=(1050.0, 1230.0),
            skip=0.35,
        )
        self.chain(
            "movie",
            self.mates[2][0],
            [
                (living_ceiling, "on", 0.0, {"duration": (120.0, 0.3)}),
                (tv, "playing", 70.0, {"duration": (110.0, 0.3)}),
            ],
            window=(1200.0, 1320.0),
            skip=0.5,
        )
        return super().build()

    def _own_room(self, mate: Occupant, room: str) -> None:
        """Add a flatmate's room (light, maybe desk lamp and speaker), habits and use."""
        b = self.b
        name = b.area_name(room)
        light = b.light(room, f"{name} ceiling", physical=0.6)
        b.maybe(0.5, b.light, room, f"{name} desk lamp", lamp=True)
        speaker = b.maybe(0.5, b.media, room, f"{name} speaker", tv=False)
        b.maybe(0.6, b.thermostat, room)
        b.maybe(0.5, b.climate_sensor, room)
        self.habit(mate, light, start=("wake", 1.0), duration=(8.0, 0.4), skip=0.15)
        self.habit(
            mate, light, start=("sleep", -30.0), end=("sleep", 0.0), sd=4.0, skip=0.15,
            record_end=True,
        )  # fmt: skip
        self.habit(
            mate, speaker, start=("return", 15.0), duration=(60.0, 0.5), sd=5.0, skip=0.35,
            days="weekdays",
        )  # fmt: skip
        self.background(
            mate,
            [
                (room, OWN_ROOM), (self.kitchen, KITCHEN), (self.bath, BATHROOM),
                (self.shower, BATHROOM), (self.hallway, PASSING), (self.living, ROOM),
                (self.balcony, OUTSIDE),
            ],
        )  # fmt: skip


class _HomeOffice(Household):
    """Someone works from home on weekdays: an office with desk, monitor and presence sensor."""

    home_type = "home_office"
    joint_outings = True

    def __init__(self, builder: HomeBuilder) -> None:
        super().__init__(builder)
        b = builder
        house = b.chance(0.5)
        if house:
            ground: str | None = b.floor("Ground floor", 0)
            upper: str | None = b.floor("First floor", 1)
        else:
            ground = upper = b.maybe(0.6, b.floor, "Apartment", int(b.rng.integers(0, 6)))
        self.hallway = b.area("Hallway", ground)
        self.living = b.area("Living room", ground)
        self.kitchen = b.area("Kitchen", ground)
        self.office = b.area("Office", upper, aliases=["Study", "Workroom"])
        self.bedroom = b.area("Bedroom", upper)
        self.bath = b.area("Bathroom", upper)
        self.landing = b.area("Landing", upper) if house else None
        self.garden = b.area("Garden", None) if house else None
        self.porch = b.maybe(0.6, b.area, "Porch", ground) if house else None
        self.balcony = None if house else b.maybe(0.3, b.area, "Balcony", ground)
        self.worker = self.occupant("worker", "remote_worker", lunch_walk=0.35, home_day=0.12)
        partner = self.archetype({"commuter": 0.6, "early_commuter": 0.4})
        self.partner = b.maybe(0.6, self.occupant, "partner", partner)
        self.cook = "worker" if self.partner else None

    def build(self) -> Layout:
        """Add the devices and habits, then return the layout."""
        b = self.b
        self.entrance(self.hallway, lock=0.6, motion=0.5)
        desk_lamp, monitor, pc, office_speaker = self._office()
        living_ceiling = b.light(self.living, "Living room ceiling")
        b.maybe(0.6, b.light, self.living, "Living room floor lamp", lamp=True)
        tv = b.media(self.living, "Living room TV", tv=True)
        b.thermostat(self.living)
        b.maybe(0.6, b.climate_sensor, self.living)
        kitchen_light = b.light(self.kitchen, "Kitchen ceiling")
        drinks = self.drinks(self.kitchen, 0.8, 0.3)
        b.maybe(0.4, b.media, self.kitchen, "Kitchen speaker", tv=False)
        bedroom_light = b.light(self.bedroom, "Bedroom ceiling")
        bedside = b.maybe(0.6, b.light, self.bedroom, "Bedside lamp", lamp=True, physical=0.0)
        b.thermostat(self.bedroom)
        b.maybe(0.5, b.blind, self.bedroom, "Bedroom blind")
        bath_light = self.bathroom(self.bath, fan=0.4, motion=0.5)
        if self.landing is not None:
            b.light(self.landing, "Landing light", physical=0.5)
            b.maybe(0.5, b.motion, self.landing)
        if self.porch is not None:
            b.role("porch_light", b.relay_light(self.porch, "Porch light"))
        b.maybe(0.7, b.meter, self.hallway)
        b.maybe(0.3, b.vacuum, self.living)
        b.outdoor(self.garden or self.balcony)

        worker = self.worker
        self.habit(worker, bedroom_light, start=("wake", 1.0), duration=(8.0, 0.35), sd=1.5)
        self.habit(worker, bath_light, start=("wake", 4.0), duration=(15.0, 0.25))
        self.habit(worker, kitchen_light, start=("wake", 15.0), duration=(20.0, 0.3))
        self.morning_drink(worker, drinks, 16.0)
        self.chain(
            "work_start",
            worker,
            [
                (desk_lamp, "on", 0.0, {"end": ("lunch", 0.0)}),
                (monitor, "on", 30.0, {"end": ("lunch", 0.5)}),
                (pc, "on", 20.0, {"end": ("work_end", 2.0)}),
                (office_speaker, "playing", 90.0, {"duration": (50.0, 0.4)}),
            ],
            start=("work_start", 0.0),
            days="weekdays",
        )
        for entity, offset in ((desk_lamp, 0.0), (monitor, 0.5)):
            self.habit(
                worker, entity, start=("lunch_end", offset), end=("work_end", offset), sd=1.0,
                days="weekdays", record_end=True,
            )  # fmt: skip
        self.habit(
            worker, kitchen_light, start=("lunch", 2.0), duration=(25.0, 0.3), sd=1.5,
            days="weekdays",
        )  # fmt: skip
        self.habit(
            worker,
            living_ceiling,
            start=("dinner", 30.0),
            end=at_step("bedtime", living_ceiling),
            sd=5.0,
        )
        self.habit(
            worker, tv, start=("evening", 0.0), end=at_step("bedtime", tv), sd=4.0, skip=0.15
        )
        self.chain(
            "bedtime",
            worker,
            [
                (tv, "off", 0.0, {}),
                (living_ceiling, "off", 20.0, {}),
                (bedroom_light, "on", 35.0, {"end": ("sleep", 0.0)}),
            ],
            start=("sleep", -15.0),
        )
        areas = [
            (self.office, (0.8, 30.0, 0.8)), (self.living, ROOM), (self.kitchen, KITCHEN),
            (self.bath, BATHROOM), (self.hallway, PASSING), (self.landing, PASSING),
            (self.bedroom, SHORT), (self.balcony, OUTSIDE),
        ]  # fmt: skip
        self.background(worker, areas)
        if self.partner is not None:
            self.habit(
                self.partner, bedside, start=("sleep", -25.0), end=("sleep", 0.0), sd=3.0,
                record_end=True,
            )  # fmt: skip
            self.background(self.partner, areas[1:])
        return super().build()

    def _office(self) -> tuple[SimEntity, SimEntity, SimEntity | None, SimEntity | None]:
        """Add the office: lights, monitor and PC plugs, presence, climate, air, blind."""
        b = self.b
        b.light(self.office, "Office ceiling")
        desk_lamp = b.light(self.office, "Desk lamp", lamp=True)
        monitor = b.plug(self.office, "Office monitor", "monitor")
        pc = b.maybe(0.6, b.plug, self.office, "Office PC", "pc")
        b.maybe(0.85, b.occupancy, self.office)
        b.climate_sensor(self.office)
        b.thermostat(self.office)
        speaker = b.maybe(0.7, b.media, self.office, "Office speaker", tv=False)
        b.maybe(0.6, b.co2, self.office)
        b.maybe(0.5, b.blind, self.office, "Office blind")
        return desk_lamp, monitor, pc, speaker


BUILDERS: dict[str, Callable[[HomeBuilder], Layout]] = {
    "studio_apartment": lambda b: _Studio(b).build(),
    "family_house": lambda b: _FamilyHouse(b).build(),
    "shared_flat": lambda b: _SharedFlat(b).build(),
    "home_office": lambda b: _HomeOffice(b).build(),
}
