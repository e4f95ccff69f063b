"""The environment and the numeric chatter of sensors, vectorised with numpy.

Chatter is where the volume is (a month of a family house is well over 100,000 values),
so every series is computed as whole arrays: a report grid, values from the state of the
home at those times, rounding to the sensor's resolution, and only changes kept (Home
Assistant records a new state only when the value changes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from engine.training.synthetic.household import DAY_US, MINUTE_US
from engine.training.synthetic.intervals import Interval
from engine.training.synthetic.model import Layout, SimEntity
from engine.training.synthetic.timebase import US, TimeBase

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_GRID_US = 600 * US


def smooth_noise(rng: np.random.Generator, n: int, phi: float, sd: float) -> FloatArray:
    """Return AR(1)-like noise with lag-one correlation `phi` and standard deviation `sd`."""
    length = min(4000, max(2, math.ceil(6.0 / (1.0 - phi))))
    kernel = phi ** np.arange(length)
    white = rng.standard_normal(n + length)
    smooth = np.convolve(white, kernel, mode="valid")[:n]
    scale: FloatArray = smooth * (sd * math.sqrt(1.0 - phi * phi))
    return scale


def lag(values: FloatArray, tau_samples: float) -> FloatArray:
    """Return values seen through a first-order lag (a room warms up slowly)."""
    length = max(2, math.ceil(5 * tau_samples))
    kernel = np.exp(-np.arange(length) / tau_samples)
    kernel /= kernel.sum()
    padded = np.concatenate([np.full(length - 1, values[0]), values])
    lagged: FloatArray = np.convolve(padded, kernel, mode="valid")
    return lagged


class Environment:
    """Outdoor temperature and cloud cover on a 10-minute grid around the window."""

    def __init__(self, tb: TimeBase, latitude: float, rng: np.random.Generator) -> None:
        self.tb = tb
        self.times = np.arange(tb.start_us - 2 * DAY_US, tb.end_us + 2 * DAY_US, _GRID_US)
        n = len(self.times)
        year_day = (self.times / DAY_US) % 365.2425
        # The coldest day is mid-January in the north, half a year later in the south.
        coldest = 15.0 if latitude >= 0 else 15.0 + 365.2425 / 2
        season = 2.0 * np.pi * (year_day - coldest) / 365.2425
        summer = (1.0 - np.cos(season)) / 2.0
        self.cloud = 1.0 / (
            1.0 + np.exp(-(1.6 * smooth_noise(rng, n, 0.985, 1.0) + 0.6 - 0.8 * summer))
        )
        hours = tb.seconds_of_day(self.times) / 3600.0
        diurnal = (
            (2.5 + 3.5 * summer)
            * (1.0 - 0.5 * self.cloud)
            * np.cos(2.0 * np.pi * (hours - 15.0) / 24.0)
        )
        self.outdoor = (
            9.5
            - 9.0 * np.cos(season)
            - 0.4 * (abs(latitude) - 50.0)
            + diurnal
            + smooth_noise(rng, n, 0.996, 3.0)
        )

    def outdoor_at(self, times: IntArray) -> FloatArray:
        """Return the outdoor temperature at UTC times."""
        values: FloatArray = np.interp(times, self.times, self.outdoor)
        return values

    def cloud_at(self, times: IntArray) -> FloatArray:
        """Return cloud cover in [0, 1] at UTC times."""
        values: FloatArray = np.interp(times, self.times, self.cloud)
        return values

    def window_mean(self) -> float:
        """Return the mean outdoor temperature inside the window (decides the heating)."""
        inside = (self.times >= self.tb.start_us) & (self.times < self.tb.end_us)
        return float(self.outdoor[inside].mean())


class Lived(Protocol):
    """What chatter reads of a lived-in home: the window, intervals, absences and the sun."""

    @property
    def tb(self) -> TimeBase:
        """Return the window."""

    @property
    def merged(self) -> dict[str, list[Interval]]:
        """Return every entity's resolved intervals."""

    @property
    def away(self) -> list[list[tuple[int, int]]]:
        """Return each occupant's absences."""

    @property
    def sunrise_us(self) -> list[int]:
        """Return each day's sunrise."""

    @property
    def sunset_us(self) -> list[int]:
        """Return each day's sunset."""


@dataclass
class Series:
    """One entity's reported values: times and either numbers or state strings."""

    entity_id: str
    times: IntArray
    values: FloatArray | None = None
    decimals: int = 0
    states: list[str] | None = None


class Chatter:
    """Computes the reported values of every numeric sensor and of weather and sun."""

    def __init__(
        self,
        layout: Layout,
        sim: Lived,
        env: Environment,
        rng: np.random.Generator,
        *,
        heating: bool,
    ) -> None:
        self.layout = layout
        self.sim = sim
        self.tb = sim.tb
        self.env = env
        self.rng = rng
        self.heating = heating
        self.power: dict[str, tuple[IntArray, FloatArray]] = {}
        self._arrays: dict[str, tuple[IntArray, IntArray, npt.NDArray[np.bool_]]] = {}

    def series(self) -> list[Series]:
        """Return every sensor's series (power before energy: energy integrates power)."""
        by_kind: dict[str, Callable[[SimEntity], Series]] = {
            "weather": self._weather,
            "sun": self._sun,
            "temperature": self._temperature,
            "humidity": self._humidity,
            "illuminance": self._illuminance,
            "power": self._power,
            "home_power": self._home_power,
            "energy": self._energy,
            "battery": self._battery,
            "linkquality": self._linkquality,
            "signal": self._signal,
            "outdoor_temperature": self._outdoor_temperature,
            "price": self._price,
            "co2": self._co2,
        }
        order = {"power": 1, "home_power": 2, "energy": 3}
        producing = [e for e in self.layout.entities if (e.chatter or e.kind) in by_kind]
        producing.sort(key=lambda e: order.get(e.chatter or "", 0))
        return [by_kind[entity.chatter or entity.kind](entity) for entity in producing]

    # Grids and states -------------------------------------------------------------------

    def grid(self, period_s: float, jitter: float = 0.1) -> IntArray:
        """Return report times every `period_s` (+- jitter) across the window."""
        period = period_s * US
        first = self.tb.start_us - period * float(self.rng.random())
        n = int((self.tb.end_us - first) // period) + 1
        offsets = self.rng.uniform(-jitter, jitter, n) * period
        times: IntArray = np.round(first + np.arange(n) * period + offsets).astype(np.int64)
        return times

    def _intervals(self, entity_id: str) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
        cached = self._arrays.get(entity_id)
        if cached is None:
            items: list[Interval] = self.sim.merged.get(entity_id, [])
            cached = (
                np.array([i.start for i in items], dtype=np.int64),
                np.array([i.end for i in items], dtype=np.int64),
                np.array([i.person_start for i in items], dtype=np.bool_),
            )
            self._arrays[entity_id] = cached
        return cached

    def active(self, entity_id: str, times: IntArray) -> BoolArray:
        """Return whether an entity is active at each time."""
        starts, ends, _ = self._intervals(entity_id)
        return _inside(starts, ends, times)

    def home_count(self, times: IntArray) -> FloatArray:
        """Return how many occupants are at home at each time."""
        count = np.full(len(times), float(len(self.sim.away)))
        for spans in self.sim.away:
            if spans:
                starts = np.array([s for s, _ in spans], dtype=np.int64)
                ends = np.array([e for _, e in spans], dtype=np.int64)
                count -= _inside(starts, ends, times)
        return count

    def daylight(self, times: IntArray) -> FloatArray:
        """Return 0 at night up to 1 at noon (a sine between sunrise and sunset)."""
        return daylight(self.sim, times)

    def _area_entities(self, area: str | None, kinds: tuple[str, ...]) -> list[SimEntity]:
        return [e for e in self.layout.entities if e.home_area == area and e.kind in kinds]

    def _showers(self, link: str | None, times: IntArray, amplitude: float) -> FloatArray:
        """Return the humidity (or warmth) a shower adds: rising while on, then decaying."""
        effect = np.zeros(len(times))
        if link is None:
            return effect
        for item in self.sim.merged.get(link, []):
            if not item.person_start or item.end - item.start < 6 * MINUTE_US:
                continue
            # Times are sorted: slice instead of masking the whole series per shower.
            first, middle, last = np.searchsorted(
                times, [item.start, item.end, item.end + 3 * 3600 * US]
            )
            during = times[first:middle]
            effect[first:middle] += amplitude * (
                1.0 - np.exp(-(during - item.start) / (5 * MINUTE_US))
            )
            peak = amplitude * (1.0 - math.exp(-(item.end - item.start) / (5 * MINUTE_US)))
            after = times[middle:last]
            effect[middle:last] += peak * np.exp(-(after - item.end) / (25 * MINUTE_US))
        return effect

    # Sensors ----------------------------------------------------------------------------

    def _temperature(self, entity: SimEntity) -> Series:
        times = self.grid(300)
        hours = self.tb.seconds_of_day(times) / 3600.0
        outdoor = self.env.outdoor_at(times)
        base = entity.params["base"]
        if entity.params.get("heated", 1.0) and self.heating:
            home = self.home_count(times) > 0
            day = (hours >= 6.0) & (hours < 22.5)
            target = np.where(home & day, base, np.where(home, base - 2.0, base - 3.0))
            target = target + 0.03 * (outdoor - 5.0)
        elif entity.params.get("heated", 1.0):
            target = 0.35 * outdoor + 0.65 * (base + 1.5)
        else:
            target = 0.5 * outdoor + 0.5 * base
        sun = 0.8 * self.daylight(times) * (1.0 - self.env.cloud_at(times))
        values = (
            lag(target + sun, 9.0)
            + smooth_noise(self.rng, len(times), 0.9, 0.12)
            + self._showers(self._humidity_link(entity), times, 1.5)
        )
        return Series(entity.entity_id, times, values, 1)

    def _humidity_link(self, entity: SimEntity) -> str | None:
        """Return the shower light of a climate sensor's device (set on its humidity)."""
        for other in self.layout.entities:
            if other.device_id == entity.device_id and other.chatter == "humidity":
                return other.link
        return None

    def _humidity(self, entity: SimEntity) -> Series:
        times = self.grid(300)
        hours = self.tb.seconds_of_day(times) / 3600.0
        values = (
            entity.params["base"]
            + 3.0 * np.cos(2.0 * np.pi * (hours - 6.0) / 24.0)
            + smooth_noise(self.rng, len(times), 0.97, 2.0)
            + self._showers(entity.link, times, 28.0)
        )
        return Series(entity.entity_id, times, np.clip(values, 20.0, 99.0), 1)

    def _illuminance(self, entity: SimEntity) -> Series:
        times = self.grid(300)
        lux = daylight_lux(entity.params["peak"], self.daylight(times), self.env.cloud_at(times))
        for light in self._area_entities(entity.home_area, ("toggle",)):
            if light.entity_id.startswith("light."):
                lux = lux + self.active(light.entity_id, times) * float(self.rng.uniform(80, 150))
        noise = 1.0 + 0.04 * self.rng.standard_normal(len(times))
        return Series(entity.entity_id, times, np.maximum(lux * noise, 0.0), 0)

    def _runs(self, entity: SimEntity) -> tuple[IntArray, IntArray]:
        """Return when an always-on appliance runs (dishwasher after dinner, laundry)."""
        per_day, minutes, earliest, latest = self.layout.appliance_runs.get(
            entity.entity_id, (0.0, 0.0, 0.0, 0.0)
        )
        starts: list[int] = []
        ends: list[int] = []
        for day in range(self.tb.day_count):
            if per_day <= 0 or self.rng.random() >= per_day:
                continue
            start = self.tb.local_day_us(day, float(self.rng.uniform(earliest, latest)))
            starts.append(start)
            ends.append(
                start + round(minutes * math.exp(0.15 * self.rng.standard_normal()) * MINUTE_US)
            )
        return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)

    def _power(self, entity: SimEntity) -> Series:
        if entity.link is not None:
            starts, ends, _ = self._intervals(entity.link)
        else:
            starts, ends = self._runs(entity)
        # Plugs report every few seconds while drawing power, rarely while idle.
        parts = [self.grid(600 if entity.profile != "fridge" else 60)]
        parts.extend(
            np.arange(start, end + 30 * US, 15 * US, dtype=np.int64)
            for start, end in zip(starts, ends, strict=True)
        )
        times = np.unique(np.concatenate(parts))
        on = _inside(starts, ends, times)
        elapsed = np.zeros(len(times))
        if len(starts):
            index = np.maximum(np.searchsorted(starts, times, side="right") - 1, 0)
            elapsed = (times - starts[index]) / US
        level = _profile(entity.profile or "", elapsed, times, self.rng)
        noise = 1.0 + 0.02 * self.rng.standard_normal(len(times))
        if entity.profile == "fridge":
            values = level * noise
        else:
            values = np.where(on, level, float(self.rng.uniform(0.3, 1.5))) * noise
        self.power[entity.entity_id] = (times, values)
        return Series(entity.entity_id, times, values, 1)

    def _home_power(self, entity: SimEntity) -> Series:
        times = self.grid(60, 0.05)
        hours = self.tb.seconds_of_day(times) / 3600.0
        evening = np.exp(-(((hours - 19.5) / 2.5) ** 2))
        values = entity.params["base"] * (1.0 + 0.3 * evening)
        for power_times, power in self.power.values():
            index = np.clip(np.searchsorted(power_times, times, side="right") - 1, 0, None)
            values = values + power[index]
        for light in self.layout.entities:
            if light.entity_id.startswith("light."):
                values = values + 7.0 * self.active(light.entity_id, times)
            elif light.kind == "media":
                values = values + (60.0 if light.device_class == "tv" else 8.0) * self.active(
                    light.entity_id, times
                )
        values = values + 12.0 * self.rng.standard_normal(len(times))
        self.power[entity.entity_id] = (times, values)
        return Series(entity.entity_id, times, np.maximum(values, 0.0), 0)

    def _energy(self, entity: SimEntity) -> Series:
        power_times, power = self.power[entity.link or ""]
        # W x microseconds -> kWh: divide by 3.6e12.
        steps = np.diff(power_times) * power[:-1] / 3.6e12
        cumulative = entity.params["start"] + np.concatenate([[0.0], np.cumsum(steps)])
        times = self.grid(entity.params.get("period", 600.0), 0.05)
        values: FloatArray = np.interp(times, power_times, cumulative)
        return Series(entity.entity_id, times, values, int(entity.params.get("decimals", 3)))

    def _battery(self, entity: SimEntity) -> Series:
        times = self.grid(6 * 3600, 0.15)
        days = (times - self.tb.start_us) / DAY_US
        level = entity.params["start"] - entity.params["drain"] * days
        values = np.clip(level + 0.5 * self.rng.standard_normal(len(times)), 1.0, 100.0)
        return Series(entity.entity_id, times, values, 0)

    def _linkquality(self, entity: SimEntity) -> Series:
        times = self.grid(entity.params.get("period", 900.0), 0.2)
        values = entity.params["base"] + smooth_noise(self.rng, len(times), 0.6, 9.0)
        return Series(entity.entity_id, times, np.clip(values, 0.0, 255.0), 0)

    def _signal(self, entity: SimEntity) -> Series:
        times = self.grid(entity.params.get("period", 600.0), 0.2)
        values = entity.params["base"] + 1.5 * self.rng.standard_normal(len(times))
        return Series(entity.entity_id, times, np.clip(values, -95.0, -20.0), 0)

    def _outdoor_temperature(self, entity: SimEntity) -> Series:
        times = self.grid(600, 0.05)
        values = self.env.outdoor_at(times) + 0.05 * self.rng.standard_normal(len(times))
        return Series(entity.entity_id, times, values, 1)

    def _price(self, entity: SimEntity) -> Series:
        hours = np.arange(self.tb.start_us // (3600 * US), self.tb.end_us // (3600 * US) + 1)
        times = hours * 3600 * US + np.round(self.rng.uniform(0.5, 3.0, len(hours)) * US).astype(
            np.int64
        )
        local = self.tb.seconds_of_day(times) / 3600.0
        shape = (
            0.06 * np.exp(-(((local - 8.0) / 1.5) ** 2))
            + 0.09 * np.exp(-(((local - 18.5) / 2.0) ** 2))
            - 0.05 * np.exp(-(((local - 13.0) / 2.0) ** 2))
            - 0.03 * np.exp(-(((local - 3.0) / 2.5) ** 2))
        )
        values = entity.params["base"] + shape + smooth_noise(self.rng, len(times), 0.9, 0.015)
        return Series(entity.entity_id, times, np.maximum(values, 0.01), 4)

    def _co2(self, entity: SimEntity) -> Series:
        times = self.grid(300)
        present = np.zeros(len(times), dtype=bool)
        for other in self._area_entities(entity.home_area, ("toggle", "media")):
            present |= self.active(other.entity_id, times)
        target = 420.0 + 650.0 * present
        values = lag(target, 6.0) + smooth_noise(self.rng, len(times), 0.8, 8.0)
        return Series(entity.entity_id, times, values, 0)

    def _weather(self, entity: SimEntity) -> Series:
        hours = np.arange(self.tb.start_us // (3600 * US) - 1, self.tb.end_us // (3600 * US) + 1)
        times = hours * 3600 * US + np.round(self.rng.uniform(5, 90, len(hours)) * US).astype(
            np.int64
        )
        cloud = self.env.cloud_at(times)
        outdoor = self.env.outdoor_at(times)
        day = self.daylight(times) > 0
        states = np.where(
            cloud > 0.82,
            np.where(outdoor < 0.5, "snowy", "rainy"),
            np.where(
                cloud > 0.6,
                "cloudy",
                np.where(cloud > 0.35, "partlycloudy", np.where(day, "sunny", "clear-night")),
            ),
        )
        return Series(entity.entity_id, times, states=[str(s) for s in states])

    def _sun(self, entity: SimEntity) -> Series:
        rise = np.array(self.sim.sunrise_us, dtype=np.int64)
        set_ = np.array(self.sim.sunset_us, dtype=np.int64)
        times = np.concatenate([rise, set_])
        states = ["above_horizon"] * len(rise) + ["below_horizon"] * len(set_)
        order = np.argsort(times, kind="stable")
        return Series(entity.entity_id, times[order], states=[states[i] for i in order])


def daylight(sim: Lived, times: IntArray) -> FloatArray:
    """Return 0 at night up to 1 at noon (a sine between sunrise and sunset)."""
    days = sim.tb.day_index(times)
    rise = np.array(sim.sunrise_us, dtype=np.int64)[days]
    set_ = np.array(sim.sunset_us, dtype=np.int64)[days]
    phase = (times - rise) / np.maximum(set_ - rise, 1)
    light: FloatArray = np.where((phase > 0) & (phase < 1), np.sin(np.pi * phase), 0.0)
    return light


def daylight_lux(peak: float, light: FloatArray, cloud: FloatArray) -> FloatArray:
    """Return the daylight an indoor illuminance sensor sees (lux)."""
    lux: FloatArray = peak * light**1.3 * (1.0 - 0.6 * cloud)
    return lux


def _inside(starts: IntArray, ends: IntArray, times: IntArray) -> BoolArray:
    """Return whether each time lies inside one of the disjoint sorted intervals."""
    if len(starts) == 0:
        return np.zeros(len(times), dtype=bool)
    index = np.searchsorted(starts, times, side="right") - 1
    inside: BoolArray = (index >= 0) & (times < ends[np.maximum(index, 0)])
    return inside


def _profile(
    profile: str, elapsed: FloatArray, times: IntArray, rng: np.random.Generator
) -> FloatArray:
    """Return an appliance's power draw (W) by seconds since it was switched on."""
    if profile == "coffee":
        level = np.where(elapsed < 90, 1350.0, np.where(elapsed % 300 < 40, 1200.0, 3.0))
    elif profile == "kettle":
        level = np.where(elapsed < 180, 2100.0, 0.8)
    elif profile == "dishwasher":
        level = np.where(
            elapsed < 1200,
            2000.0,
            np.where(elapsed < 5400, 150.0, np.where(elapsed < 6600, 2000.0, 10.0)),
        )
    elif profile == "washer":
        level = np.where(elapsed < 900, 2100.0, 250.0 + 200.0 * np.sin(elapsed / 40.0))
    elif profile == "dryer":
        level = np.where(elapsed < 4800, 2200.0, 200.0)
    elif profile == "fridge":
        period = float(rng.uniform(2100, 2700))
        level = np.where((times / US) % period < 0.35 * period, 85.0, 1.2)
    else:
        level = np.full(len(elapsed), {"tv": 95.0, "monitor": 28.0, "pc": 110.0}.get(profile, 40.0))
    result: FloatArray = level.astype(np.float64)
    return result
