"""generate_home: a whole synthetic home, its history, and the ground truth planted in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from engine.training.synthetic.builder import HomeBuilder
from engine.training.synthetic.chatter import Chatter, Environment, Series
from engine.training.synthetic.days import Draws
from engine.training.synthetic.homes import BUILDERS, TIME_ZONE
from engine.training.synthetic.household import MINUTE_US
from engine.training.synthetic.implied import implied_truth
from engine.training.synthetic.intervals import Interval
from engine.training.synthetic.lit import LitPass
from engine.training.synthetic.model import (
    ORIGIN_LABELS,
    ORIGIN_MANUAL,
    ORIGIN_SYSTEM,
    Layout,
    SimEntity,
)
from engine.training.synthetic.motion_lit import HOME_TYPE as MOTION_LIT
from engine.training.synthetic.motion_lit import LitPlan, MotionLitHome
from engine.training.synthetic.resident import ResidentSimulation
from engine.training.synthetic.security import SecurityPass, SecurityPlan, add_alarm
from engine.training.synthetic.sensor_only import HOME_TYPE as SENSOR_ONLY
from engine.training.synthetic.sensor_only import SensorOnlyBuilder
from engine.training.synthetic.simulate import Simulation
from engine.training.synthetic.timebase import US, TimeBase

# The household types the home-type classifier learns, and a random home is drawn from.
HOME_TYPES: tuple[str, ...] = ("studio_apartment", "family_house", "shared_flat", "home_office")
# Every type the generator makes: the households, plus homes made for the pattern detectors.
ALL_HOME_TYPES: tuple[str, ...] = (*HOME_TYPES, SENSOR_ONLY, MOTION_LIT)
# The default window ends here, so the default output never depends on the clock.
DEFAULT_END = datetime(2026, 1, 5, tzinfo=ZoneInfo(TIME_ZONE))
MAX_DAYS = 365
# Heating runs (and thermostats switch to "off" when the home is empty) below this mean.
HEATING_BELOW_C = 14.0


@dataclass(frozen=True)
class SyntheticHome:
    """A generated home: the import body of its catalog, its events, and the ground truth."""

    home_type: str
    seed: int
    days: int
    catalog: dict[str, Any]
    events: list[dict[str, Any]]
    routines: list[dict[str, Any]]
    # What follows physically from the routines (implied.py): real regularities, not plans.
    implied: list[dict[str, Any]] = field(default_factory=list)


def generate_home(
    home_type: str | None = None, *, days: int = 30, seed: int = 0, end: datetime | None = None
) -> SyntheticHome:
    """Return a synthetic home; the same arguments always give the same home, byte for byte."""
    if home_type is not None and home_type not in ALL_HOME_TYPES:
        raise ValueError(f"home_type must be one of {', '.join(ALL_HOME_TYPES)}, not {home_type!r}")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be an integer from 1 to {MAX_DAYS}, not {days!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    if end is not None and end.utcoffset() is None:
        raise ValueError("end must be a timezone-aware datetime")
    if home_type is None:
        home_type = HOME_TYPES[int(np.random.Generator(np.random.PCG64(seed)).integers(4))]
    # One stream per home type and seed, split so the catalog does not depend on `days`.
    root = np.random.Generator(np.random.PCG64([seed, ALL_HOME_TYPES.index(home_type)]))
    streams = _Streams(*root.spawn(4), *root.spawn(1))
    if home_type == SENSOR_ONLY:
        return _sensor_only(seed, days, end or DEFAULT_END, streams)
    return _lived_in(home_type, seed, days, end or DEFAULT_END, streams)


@dataclass(frozen=True)
class _Streams:
    """The random streams of one home: each part of the generation draws from its own."""

    layout: np.random.Generator
    plan: np.random.Generator
    env: np.random.Generator
    chatter: np.random.Generator
    # What came after the first four parts draws from here, so the households keep the
    # homes they had (the classifier and the detectors' measurements rest on them).
    extra: np.random.Generator


def _lived_in(
    home_type: str, seed: int, days: int, end: datetime, streams: _Streams
) -> SyntheticHome:
    """Return a home whose occupants use its devices (every type but sensor_only)."""
    builder = HomeBuilder(streams.layout)
    lit: LitPlan | None = None
    if home_type == MOTION_LIT:
        home = MotionLitHome(builder)
        layout = home.build()
        lit = home.plan
    else:
        layout = BUILDERS[home_type](builder)
    security_layout, security_plan, lit_plan = streams.extra.spawn(3)
    # What is added from here on draws from a stream of its own.
    builder.rng = security_layout
    security = SecurityPlan(
        add_alarm(builder, layout), lit.garage if lit else None, lit.driver if lit else None
    )
    tb = TimeBase(layout.time_zone, end, days)
    env = Environment(tb, layout.location["latitude"], streams.env)
    heating = env.window_mean() < HEATING_BELOW_C
    if not heating:
        for entity in layout.entities:
            if entity.kind == "climate":
                entity.idle = "off"
    sim = Simulation(layout, tb, streams.plan, heating=heating)
    sim.run()
    extra = LitPass(lit, layout, sim, env, lit_plan).run() if lit is not None else []
    extra += SecurityPass(security, layout, sim, security_plan).run()
    chatter = Chatter(layout, sim, env, streams.chatter, heating=heating)
    events, last_states = _assemble(layout, tb, sim.merged, sim.d, chatter.series())
    catalog = _catalog(layout, last_states)
    return SyntheticHome(
        home_type,
        seed,
        days,
        catalog,
        events,
        _routines(sim, tb, extra),
        implied_truth(layout, sim, tb),
    )


def _sensor_only(seed: int, days: int, end: datetime, streams: _Streams) -> SyntheticHome:
    """Return a single resident's home seen only through people-sensors."""
    home = SensorOnlyBuilder(HomeBuilder(streams.layout)).build()
    layout = home.layout
    tb = TimeBase(layout.time_zone, end, days)
    env = Environment(tb, layout.location["latitude"], streams.env)
    sim = ResidentSimulation(home, tb, streams.plan)
    sim.run()
    chatter = Chatter(layout, sim, env, streams.chatter, heating=False)
    events, last_states = _assemble(layout, tb, sim.merged, sim.d, chatter.series())
    catalog = _catalog(layout, last_states)
    return SyntheticHome(SENSOR_ONLY, seed, days, catalog, events, sim.routines(), sim.implied())


class _Vocabulary:
    """State strings as small integers, so events are sorted and compared as arrays."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._codes: dict[str, int] = {}

    def code(self, state: str) -> int:
        """Return the code of a state string."""
        code = self._codes.get(state)
        if code is None:
            code = self._codes[state] = len(self.strings)
            self.strings.append(state)
        return code

    def codes(self, states: list[str]) -> npt.NDArray[np.int64]:
        """Return the codes of many state strings."""
        return np.array([self.code(state) for state in states], dtype=np.int64)


def _interval_events(
    entity: SimEntity, items: list[Interval], vocab: _Vocabulary, draws: Draws
) -> tuple[list[int], list[int], list[int]]:
    """Return (times, state codes, origins) of an entity's resolved intervals."""
    times: list[int] = []
    states: list[int] = []
    origins: list[int] = []
    active, idle = vocab.code(entity.active), vocab.code(entity.idle)
    start_transient = vocab.code(entity.start_transient) if entity.start_transient else None
    end_transient = vocab.code(entity.end_transient) if entity.end_transient else None
    paused, playing = vocab.code("paused"), vocab.code("playing")
    for item in items:
        if start_transient is not None:
            times += [item.start, item.start + item.travel_start]
            states += [start_transient, active]
            origins += [item.origin_start, ORIGIN_SYSTEM]
        else:
            times.append(item.start)
            states.append(active)
            origins.append(item.origin_start)
        # A long show gets paused now and then (someone fetches a drink).
        if entity.kind == "media" and item.end - item.start > 30 * MINUTE_US and draws.chance(0.4):
            pause = item.start + round(draws.uniform(0.2, 0.8) * (item.end - item.start))
            resume = pause + round(draws.uniform(1, 6) * MINUTE_US)
            if resume < item.end - 10 * US:
                times += [pause, resume]
                states += [paused, playing]
                origins += [ORIGIN_MANUAL, ORIGIN_MANUAL]
        if end_transient is not None:
            times += [item.end, item.end + item.travel_end]
            states += [end_transient, idle]
            origins += [item.origin_end, ORIGIN_SYSTEM]
        else:
            times.append(item.end)
            states.append(idle)
            origins.append(item.origin_end)
    return times, states, origins


def _series_codes(series: Series, vocab: _Vocabulary) -> npt.NDArray[np.int64]:
    """Return state codes of a series, formatting numbers at the sensor's resolution."""
    if series.values is None:
        return vocab.codes(series.states or [])
    scaled = np.round(series.values * 10**series.decimals).astype(np.int64)
    unique, inverse = np.unique(scaled, return_inverse=True)
    scale = 10**series.decimals
    if series.decimals:
        text = [f"{value / scale:.{series.decimals}f}" for value in unique.tolist()]
    else:
        text = [str(value) for value in unique.tolist()]
    # "-0.0" is not a value a sensor reports.
    text = [value[1:] if value.startswith("-") and float(value) == 0 else value for value in text]
    codes = vocab.codes(text)
    mapped: npt.NDArray[np.int64] = codes[inverse]
    return mapped


def _assemble(
    layout: Layout,
    tb: TimeBase,
    merged: dict[str, list[Interval]],
    draws: Draws,
    series: list[Series],
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Return the events sorted by time, and each entity's last state."""
    vocab = _Vocabulary()
    index = {entity.entity_id: i for i, entity in enumerate(layout.entities)}
    parts_entity: list[npt.NDArray[np.int64]] = []
    parts_time: list[npt.NDArray[np.int64]] = []
    parts_state: list[npt.NDArray[np.int64]] = []
    parts_origin: list[npt.NDArray[np.int64]] = []
    for entity in layout.entities:
        items = merged.get(entity.entity_id)
        if not items:
            continue
        times, states, origins = _interval_events(entity, items, vocab, draws)
        parts_entity.append(np.full(len(times), index[entity.entity_id], dtype=np.int64))
        parts_time.append(np.array(times, dtype=np.int64))
        parts_state.append(np.array(states, dtype=np.int64))
        parts_origin.append(np.array(origins, dtype=np.int64))
    for item in series:
        parts_entity.append(np.full(len(item.times), index[item.entity_id], dtype=np.int64))
        parts_time.append(item.times)
        parts_state.append(_series_codes(item, vocab))
        parts_origin.append(np.full(len(item.times), ORIGIN_SYSTEM, dtype=np.int64))
    entity_col = np.concatenate(parts_entity)
    time_col = np.concatenate(parts_time)
    state_col = np.concatenate(parts_state)
    origin_col = np.concatenate(parts_origin)
    inside = (time_col >= tb.start_us) & (time_col < tb.end_us)
    entity_col, time_col = entity_col[inside], time_col[inside]
    state_col, origin_col = state_col[inside], origin_col[inside]
    # Per entity in time order, keep only changes: Home Assistant records a new state only
    # when it differs, and this also drops any repeated (entity, time, state).
    order = np.lexsort((state_col, time_col, entity_col))
    entity_col, time_col = entity_col[order], time_col[order]
    state_col, origin_col = state_col[order], origin_col[order]
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = (entity_col[1:] != entity_col[:-1]) | (state_col[1:] != state_col[:-1])
    entity_col, time_col = entity_col[keep], time_col[keep]
    state_col, origin_col = state_col[keep], origin_col[keep]
    last = np.ones(len(entity_col), dtype=bool)
    last[:-1] = entity_col[1:] != entity_col[:-1]
    names = [entity.entity_id for entity in layout.entities]
    strings = np.array(vocab.strings, dtype=object)
    last_states = {
        names[e]: str(strings[s])
        for e, s in zip(entity_col[last].tolist(), state_col[last].tolist(), strict=True)
    }
    order = np.lexsort((entity_col, time_col))
    entity_col, time_col = entity_col[order], time_col[order]
    state_col, origin_col = state_col[order], origin_col[order]
    entity_names = np.array(names, dtype=object)[entity_col].tolist()
    state_names = strings[state_col].tolist()
    origin_names = np.array(ORIGIN_LABELS, dtype=object)[origin_col].tolist()
    events = [
        {"entity_id": e, "state": s, "time": t, "origin": o}
        for e, s, t, o in zip(
            entity_names, state_names, tb.format(time_col), origin_names, strict=True
        )
    ]
    return events, last_states


def _default_state(entity: SimEntity) -> str:
    """Return the state of an entity that never changed in the window."""
    if entity.kind == "fixed":
        return "on"
    if entity.kind in ("numeric", "weather", "sun"):
        return "unknown"
    return entity.idle


def _catalog(layout: Layout, last_states: dict[str, str]) -> dict[str, Any]:
    """Return the body of POST /api/v1/home/import, entities carrying their last state."""
    entities = []
    for entity in layout.entities:
        item = entity.to_catalog()
        item["state"] = last_states.get(entity.entity_id, _default_state(entity))
        entities.append(item)
    return {
        "time_zone": layout.time_zone,
        "location": dict(layout.location),
        "floors": layout.floors,
        "areas": layout.areas,
        "devices": layout.devices,
        "entities": entities,
    }


def _routines(sim: Simulation, tb: TimeBase, extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the ground truth: every planted routine with its support, then the anomalies."""
    order = {"time_of_day": 0, "co_occurrence": 1, "chain": 2}
    planted = [{**record.routine, "support_days": record.support_days()} for record in sim.records]
    routines = sorted(planted + extra, key=lambda routine: order[routine["kind"]])
    if sim.anomalies:
        stamps = tb.format(np.array([a["at_us"] for a in sim.anomalies], dtype=np.int64))
        for anomaly, stamp in zip(sim.anomalies, stamps, strict=True):
            routine = {key: value for key, value in anomaly.items() if key != "at_us"}
            routine["at"] = stamp
            routines.append(routine)
    return routines
