"""Building a home's catalog: floors, areas, and devices with realistic entities."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.training.synthetic.model import Occupant, SimEntity

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannah", "Jonas", "Lena",
    "Lukas", "Marie", "Noah", "Paul", "Sophie", "Tom", "Yusuf", "Zoe", "Emma", "Mia",
    "Leon", "Finn", "Lea", "Ida", "Max", "Nora", "Omar", "Sara", "Theo", "Jana",
    "Karim", "Lina", "Milan", "Nele", "Ole", "Pia", "Rosa", "Samir", "Tilda", "Vincent",
)  # fmt: skip

CITIES = (
    ("Berlin", 52.520, 13.405),
    ("Hamburg", 53.551, 9.994),
    ("Munich", 48.137, 11.575),
    ("Cologne", 50.938, 6.960),
    ("Frankfurt", 50.110, 8.682),
    ("Leipzig", 51.340, 12.375),
    ("Stuttgart", 48.776, 9.183),
    ("Dresden", 51.050, 13.738),
    ("Bremen", 53.079, 8.801),
    ("Freiburg", 47.999, 7.842),
)

# Where the newer home types live: (time zone, city, latitude, longitude). Zones on both
# hemispheres and without daylight saving, so a window can hold a change or none.
WORLD_CITIES = (
    ("Europe/Berlin", "Berlin", 52.520, 13.405),
    ("Europe/Berlin", "Munich", 48.137, 11.575),
    ("Europe/London", "London", 51.507, -0.128),
    ("Europe/London", "Manchester", 53.481, -2.243),
    ("America/New_York", "New York", 40.713, -74.006),
    ("America/New_York", "Boston", 42.360, -71.058),
    ("America/Los_Angeles", "Los Angeles", 34.052, -118.244),
    ("America/Los_Angeles", "Seattle", 47.606, -122.332),
    ("Australia/Sydney", "Sydney", -33.869, 151.209),
    ("Asia/Tokyo", "Tokyo", 35.690, 139.692),
)

_LIGHTS = (
    ("Signify Netherlands B.V.", "Hue White and Color Ambiance A19"),
    ("Signify Netherlands B.V.", "Hue White Ambiance GU10"),
    ("IKEA of Sweden", "TRADFRI bulb E27 WS opal 1000lm"),
)
_LAMPS = (("Signify Netherlands B.V.", "Hue Go"), ("IKEA of Sweden", "TRADFRI table lamp"))
_MOTION = (("Aqara", "RTCGQ11LM"), ("Signify Netherlands B.V.", "Hue motion sensor SML001"))
_CONTACT = (("Aqara", "MCCGQ11LM"), ("SONOFF", "SNZB-04"))
_CLIMATE = (("Aqara", "WSDCGQ11LM"), ("SONOFF", "SNZB-02"))
_TRV = (("Danfoss", "Ally eTRV"), ("Bosch", "Radiator Thermostat II"), ("tado", "Smart Radiator"))
_PLUG_WIFI = (("Shelly", "Shelly Plug S"), ("TP-Link", "KP115"))
_PLUG_ZIGBEE = (("IKEA of Sweden", "TRETAKT smart plug"), ("Innr", "SP 234"))
_TV = (("Samsung", "QE55Q80B"), ("LG Electronics", "OLED55C3"), ("Sony", "Bravia XR-55A80L"))
_SPEAKER = (("Sonos", "One"), ("Sonos", "Era 100"), ("Google", "Nest Audio"))
_BLIND = (("IKEA of Sweden", "FYRTUR block-out roller blind"), ("Somfy", "RS100 io"))


def slugify(text: str) -> str:
    """Return Home Assistant's slug of a name ("Emma's room" -> "emma_s_room")."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", text.lower())).strip("_")


class HomeBuilder:
    """Collects floors, areas, devices, entities and occupants, keeping ids unique."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.floors: list[dict[str, Any]] = []
        self.areas: list[dict[str, Any]] = []
        self.devices: list[dict[str, Any]] = []
        self.entities: list[SimEntity] = []
        self.occupants: list[Occupant] = []
        self.roles: dict[str, str] = {}
        self._entity_ids: dict[str, int] = {}
        self._area_names: dict[str, str] = {}
        self._device_areas: dict[str, str | None] = {}
        self._names = [str(name) for name in rng.permutation(np.array(FIRST_NAMES))]

    # Structure -----------------------------------------------------------------------

    def pick(self, options: tuple[tuple[str, str], ...]) -> tuple[str, str]:
        """Return one (manufacturer, model) of several."""
        return options[int(self.rng.integers(len(options)))]

    def chance(self, probability: float) -> bool:
        """Return True with the given probability."""
        return bool(self.rng.random() < probability)

    def maybe[**P, T](
        self, probability: float, factory: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T | None:
        """Return factory(...) with the given probability (the home has it), else None."""
        return factory(*args, **kwargs) if self.chance(probability) else None

    def next_name(self) -> str:
        """Return a first name not used yet in this home."""
        return self._names.pop()

    def floor(self, name: str, level: int, aliases: list[str] | None = None) -> str:
        """Add a floor and return its id."""
        floor_id = slugify(name)
        item: dict[str, Any] = {"floor_id": floor_id, "name": name, "level": level}
        if aliases:
            item["aliases"] = aliases
        self.floors.append(item)
        return floor_id

    def area(self, name: str, floor_id: str | None, aliases: list[str] | None = None) -> str:
        """Add an area and return its id."""
        area_id = slugify(name)
        item: dict[str, Any] = {"area_id": area_id, "name": name, "floor_id": floor_id}
        if aliases:
            item["aliases"] = aliases
        self.areas.append(item)
        self._area_names[area_id] = name
        return area_id

    def area_name(self, area_id: str) -> str:
        """Return an area's display name."""
        return self._area_names[area_id]

    def device(self, name: str, area_id: str | None, maker: tuple[str, str] | None = None) -> str:
        """Add a device and return its id (32 hex digits, as Home Assistant's are)."""
        device_id = self.rng.bytes(16).hex()
        item: dict[str, Any] = {"device_id": device_id, "name": name, "area_id": area_id}
        if maker is not None:
            item["manufacturer"], item["model"] = maker
        self.devices.append(item)
        self._device_areas[device_id] = area_id
        return device_id

    def entity(self, domain: str, name: str, kind: str, **fields: Any) -> SimEntity:
        """Add an entity named like Home Assistant would (domain.slug_of_name)."""
        object_id = slugify(name)
        entity_id = f"{domain}.{object_id}"
        count = self._entity_ids.get(entity_id, 0) + 1
        self._entity_ids[entity_id] = count
        if count > 1:
            entity_id = f"{entity_id}_{count}"
        entity = SimEntity(entity_id=entity_id, name=name, kind=kind, **fields)
        if entity.device_id is not None:
            entity.home_area = self._device_areas[entity.device_id]
        self.entities.append(entity)
        return entity

    def role(self, role: str, entity: SimEntity | None) -> None:
        """Remember which entity plays a role in the home's habits."""
        if entity is not None:
            self.roles[role] = entity.entity_id

    # Diagnostics shared by device families ------------------------------------------

    def _battery(self, name: str, device_id: str) -> None:
        self.entity(
            "sensor",
            f"{name} battery",
            "numeric",
            device_id=device_id,
            device_class="battery",
            unit="%",
            category="diagnostic",
            attributes={"state_class": "measurement"},
            chatter="battery",
            params={
                "start": float(self.rng.uniform(35, 100)),
                "drain": float(self.rng.uniform(0.03, 0.3)),
            },
        )

    def _linkquality(self, name: str, device_id: str, period_s: float = 900.0) -> None:
        self.entity(
            "sensor",
            f"{name} linkquality",
            "numeric",
            device_id=device_id,
            unit="lqi",
            category="diagnostic",
            attributes={"state_class": "measurement"},
            chatter="linkquality",
            params={"base": float(self.rng.uniform(60, 200)), "period": period_s},
        )

    def _wifi_signal(self, name: str, device_id: str) -> None:
        self.entity(
            "sensor",
            f"{name} signal strength",
            "numeric",
            device_id=device_id,
            device_class="signal_strength",
            unit="dBm",
            category="diagnostic",
            attributes={"state_class": "measurement"},
            chatter="signal",
            params={"base": float(self.rng.uniform(-78, -45)), "period": 600.0},
        )

    # Device families ------------------------------------------------------------------

    def light(
        self, area_id: str, name: str, *, lamp: bool = False, physical: float = 0.3
    ) -> SimEntity:
        """Add a smart bulb or lamp (Hue/IKEA through a bridge: no diagnostics)."""
        device_id = self.device(name, area_id, self.pick(_LAMPS if lamp else _LIGHTS))
        return self.entity(
            "light",
            name,
            "toggle",
            device_id=device_id,
            physical=physical,
            attributes={
                "supported_color_modes": ["color_temp", "xy"] if not lamp else ["brightness"]
            },
        )

    def relay_light(self, area_id: str, name: str) -> SimEntity:
        """Add a light behind a Wi-Fi relay in the wall box (mostly switched by hand)."""
        device_id = self.device(name, area_id, ("Shelly", "Shelly 1"))
        light = self.entity("light", name, "toggle", device_id=device_id, physical=0.7)
        self._wifi_signal(name, device_id)
        return light

    def relay_switch(self, area_id: str, name: str) -> SimEntity:
        """Add a switch behind a Wi-Fi relay (a bathroom fan)."""
        device_id = self.device(name, area_id, ("Shelly", "Shelly 1"))
        switch = self.entity("switch", name, "toggle", device_id=device_id, physical=0.5)
        self._wifi_signal(name, device_id)
        return switch

    def plug(
        self, area_id: str, name: str, profile: str, *, switched: bool = True, zigbee: bool = False
    ) -> SimEntity:
        """Add a metering plug: switch, power, energy, and its radio's signal; return the switch."""
        maker = self.pick(_PLUG_ZIGBEE if zigbee else _PLUG_WIFI)
        device_id = self.device(name, area_id, maker)
        # An always-on appliance's plug only meters: its switch stays on and never changes.
        switch = self.entity(
            "switch", name, "toggle" if switched else "fixed", device_id=device_id, physical=0.1
        )
        power = self.entity(
            "sensor",
            f"{name} power",
            "numeric",
            device_id=device_id,
            device_class="power",
            unit="W",
            attributes={"state_class": "measurement"},
            chatter="power",
            profile=profile,
            link=switch.entity_id if switched else None,
        )
        self.entity(
            "sensor",
            f"{name} energy",
            "numeric",
            device_id=device_id,
            device_class="energy",
            unit="kWh",
            attributes={"state_class": "total_increasing"},
            chatter="energy",
            link=power.entity_id,
            params={"start": float(self.rng.uniform(1, 400))},
        )
        if zigbee:
            self._linkquality(name, device_id, 600.0)
        else:
            self._wifi_signal(name, device_id)
        self.roles[f"power:{switch.entity_id}"] = power.entity_id
        return switch

    def motion(self, area_id: str, name: str | None = None) -> SimEntity:
        """Add a battery motion sensor with illuminance."""
        name = name or f"{self.area_name(area_id)} motion"
        device_id = self.device(f"{name} sensor", area_id, self.pick(_MOTION))
        sensor = self.entity(
            "binary_sensor", name, "binary", device_id=device_id, device_class="motion"
        )
        self.entity(
            "sensor",
            f"{name} illuminance",
            "numeric",
            device_id=device_id,
            device_class="illuminance",
            unit="lx",
            attributes={"state_class": "measurement"},
            chatter="illuminance",
            params={"peak": float(self.rng.uniform(150, 600))},
        )
        self._battery(name, device_id)
        self._linkquality(name, device_id)
        self.roles[f"motion:{area_id}"] = sensor.entity_id
        return sensor

    def occupancy(self, area_id: str) -> SimEntity:
        """Add a mmWave presence sensor (Wi-Fi, mains powered)."""
        name = f"{self.area_name(area_id)} presence"
        device_id = self.device(f"{name} sensor", area_id, ("Aqara", "Presence Sensor FP2"))
        sensor = self.entity(
            "binary_sensor", name, "binary", device_id=device_id, device_class="occupancy"
        )
        self._wifi_signal(name, device_id)
        self.roles[f"occupancy:{area_id}"] = sensor.entity_id
        return sensor

    def contact(self, area_id: str, name: str, device_class: str) -> SimEntity:
        """Add a door or window contact sensor ("on" means open)."""
        device_id = self.device(f"{name} sensor", area_id, self.pick(_CONTACT))
        sensor = self.entity(
            "binary_sensor", name, "binary", device_id=device_id, device_class=device_class
        )
        self._battery(name, device_id)
        self._linkquality(name, device_id)
        return sensor

    def climate_sensor(self, area_id: str, *, heated: bool = True, link: str | None = None) -> None:
        """Add a temperature/humidity sensor; `link` is a light whose use means a shower."""
        area = self.area_name(area_id)
        device_id = self.device(f"{area} climate sensor", area_id, self.pick(_CLIMATE))
        base = float(self.rng.uniform(19.5, 22.0)) if heated else float(self.rng.uniform(15, 18))
        self.entity(
            "sensor",
            f"{area} temperature",
            "numeric",
            device_id=device_id,
            device_class="temperature",
            unit="°C",
            attributes={"state_class": "measurement"},
            chatter="temperature",
            params={"base": base, "heated": 1.0 if heated else 0.0},
        )
        self.entity(
            "sensor",
            f"{area} humidity",
            "numeric",
            device_id=device_id,
            device_class="humidity",
            unit="%",
            attributes={"state_class": "measurement"},
            chatter="humidity",
            params={"base": float(self.rng.uniform(38, 55))},
            link=link,
        )
        self._battery(f"{area} climate", device_id)
        self._linkquality(f"{area} climate", device_id)

    def thermostat(self, area_id: str) -> SimEntity:
        """Add a radiator thermostat (climate entity, heat or off)."""
        name = f"{self.area_name(area_id)} thermostat"
        device_id = self.device(name, area_id, self.pick(_TRV))
        climate = self.entity(
            "climate",
            name,
            "climate",
            device_id=device_id,
            active="off",
            idle="heat",
            attributes={"hvac_modes": ["off", "heat"], "min_temp": 5, "max_temp": 30},
        )
        self._battery(name, device_id)
        return climate

    def media(self, area_id: str, name: str, *, tv: bool) -> SimEntity:
        """Add a TV or speaker."""
        device_id = self.device(name, area_id, self.pick(_TV if tv else _SPEAKER))
        return self.entity(
            "media_player",
            name,
            "media",
            device_id=device_id,
            device_class="tv" if tv else "speaker",
            active="playing",
            idle="off",
        )

    def blind(self, area_id: str, name: str) -> SimEntity:
        """Add a roller blind (closed at night by an automation)."""
        maker = self.pick(_BLIND)
        device_id = self.device(name, area_id, maker)
        cover = self.entity(
            "cover",
            name,
            "cover",
            device_id=device_id,
            device_class="blind",
            active="closed",
            idle="open",
            start_transient="closing",
            end_transient="opening",
            physical=0.2,
        )
        if maker[0] == "IKEA of Sweden":
            self._battery(name, device_id)
            self._linkquality(name, device_id)
        return cover

    def garage_door(self, area_id: str) -> SimEntity:
        """Add a garage door opener."""
        device_id = self.device("Garage door", area_id, ("Hormann", "Supramatic 4"))
        cover = self.entity(
            "cover",
            "Garage door",
            "cover",
            device_id=device_id,
            device_class="garage",
            active="open",
            idle="closed",
            start_transient="opening",
            end_transient="closing",
            physical=0.6,
        )
        self._wifi_signal("Garage door", device_id)
        return cover

    def lock(self, area_id: str) -> SimEntity:
        """Add a smart lock on the front door."""
        device_id = self.device("Front door lock", area_id, ("Nuki", "Smart Lock 4.0 Pro"))
        lock = self.entity(
            "lock", "Front door lock", "lock", device_id=device_id, active="unlocked", idle="locked"
        )
        self._battery("Front door lock", device_id)
        return lock

    def vacuum(self, area_id: str) -> SimEntity:
        """Add a robot vacuum that cleans when nobody is home."""
        maker = self.pick((("Roborock", "S8"), ("iRobot", "Roomba j7")))
        device_id = self.device("Robot vacuum", area_id, maker)
        vacuum = self.entity(
            "vacuum",
            "Robot vacuum",
            "vacuum",
            device_id=device_id,
            active="cleaning",
            idle="docked",
            end_transient="returning",
        )
        self._battery("Robot vacuum", device_id)
        return vacuum

    def co2(self, area_id: str) -> None:
        """Add an air quality monitor (CO2 rises while someone is in the room)."""
        area = self.area_name(area_id)
        maker = self.pick((("Netatmo", "Smart Indoor Air Quality Monitor"), ("Aranet", "Aranet4")))
        device_id = self.device(f"{area} air quality", area_id, maker)
        self.entity(
            "sensor",
            f"{area} CO2",
            "numeric",
            device_id=device_id,
            device_class="carbon_dioxide",
            unit="ppm",
            attributes={"state_class": "measurement"},
            chatter="co2",
            params={"area": 0.0},
            link=area_id,
        )
        self._battery(f"{area} air quality", device_id)

    def person(self, occupant: Occupant) -> None:
        """Give an occupant a person entity (home / not_home)."""
        entity = self.entity("person", occupant.name, "person", active="not_home", idle="home")
        occupant.person = entity.entity_id

    def outdoor(self, garden_area: str | None) -> None:
        """Add the weather forecast, an outdoor sensor, the sun, and the energy price."""
        device_id = self.device("Forecast Home", None, ("Met.no", "Forecast"))
        self.entity(
            "weather",
            "Forecast Home",
            "weather",
            device_id=device_id,
            attributes={"temperature_unit": "°C", "wind_speed_unit": "km/h"},
        )
        self.entity("sun", "Sun", "sun")
        maker = self.pick((("Netatmo", "Outdoor Module"), ("Aqara", "WSDCGQ11LM")))
        outdoor = self.device("Outdoor sensor", garden_area, maker)
        self.entity(
            "sensor",
            "Outdoor temperature",
            "numeric",
            device_id=outdoor,
            device_class="temperature",
            unit="°C",
            attributes={"state_class": "measurement"},
            chatter="outdoor_temperature",
        )
        self._battery("Outdoor sensor", outdoor)
        tariff = self.pick((("Tibber", "Price"), ("Nord Pool", "Day-ahead price")))
        price = self.device("Electricity price", None, tariff)
        self.entity(
            "sensor",
            "Electricity price",
            "numeric",
            device_id=price,
            unit="EUR/kWh",
            attributes={"state_class": "measurement"},
            chatter="price",
            params={"base": float(self.rng.uniform(0.22, 0.34))},
        )

    def meter(self, area_id: str | None) -> None:
        """Add a whole-home power meter (grid power and energy)."""
        maker = self.pick((("Tibber", "Pulse"), ("Shelly", "Pro 3EM")))
        device_id = self.device("Smart meter", area_id, maker)
        power = self.entity(
            "sensor",
            "Home power",
            "numeric",
            device_id=device_id,
            device_class="power",
            unit="W",
            attributes={"state_class": "measurement"},
            chatter="home_power",
            params={"base": float(self.rng.uniform(90, 260))},
        )
        self.entity(
            "sensor",
            "Home energy",
            "numeric",
            device_id=device_id,
            device_class="energy",
            unit="kWh",
            attributes={"state_class": "total_increasing"},
            chatter="energy",
            link=power.entity_id,
            params={
                "start": float(self.rng.uniform(2000, 30000)),
                "decimals": 2.0,
                "period": 120.0,
            },
        )
        self._wifi_signal("Smart meter", device_id)
