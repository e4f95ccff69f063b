"""The command parser on Home Assistant's assist datasets: right, asked, or wrong, per home."""

from __future__ import annotations

import copy
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.home.catalog import Area, Catalog, CatalogSource, Device, Entity, Floor
from engine.query.commands import CommandParser, CommandResult

DATA = Path(__file__).parents[2].parent / "shared" / "data" / "assist"
DATASETS = ("assist", "assist-mini")
# A wrong action is worse than a question: at most this share of sentences may act wrongly.
MAX_WRONG = 0.05

# A parser that understands little fails: at least this share must be acted on right
# (115 of 145 with the grammar of home-assistant-intents 2026.12).
MIN_CORRECT = 0.75

# Values of Home Assistant's *EntityFeature flags the fixtures name (its enums, 2025.4).
FEATURES = {
    "ClimateEntityFeature": {"TARGET_TEMPERATURE": 1, "TARGET_TEMPERATURE_RANGE": 2,
                             "FAN_MODE": 8, "TURN_OFF": 128, "TURN_ON": 256},
    "CoverEntityFeature": {"OPEN": 1, "CLOSE": 2, "SET_POSITION": 4, "STOP": 8},
    "FanEntityFeature": {"SET_SPEED": 1, "OSCILLATE": 2},
    "MediaPlayerEntityFeature": {"PAUSE": 1, "VOLUME_SET": 4, "VOLUME_MUTE": 8,
                                 "PREVIOUS_TRACK": 16, "NEXT_TRACK": 32, "TURN_ON": 128,
                                 "TURN_OFF": 256, "VOLUME_STEP": 1024, "STOP": 4096,
                                 "PLAY": 16384},
    "TodoListEntityFeature": {"CREATE_TODO_ITEM": 1, "DELETE_TODO_ITEM": 2},
    "VacuumEntityFeature": {"PAUSE": 4, "STOP": 8, "RETURN_HOME": 16, "STATE": 4096,
                            "START": 8192},
    "ValveEntityFeature": {"OPEN": 1, "CLOSE": 2, "SET_POSITION": 4},
}  # fmt: skip

type States = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Home:
    """A dataset home: its fixtures and its test records."""

    name: str
    fixtures: dict[str, Any]
    records: list[dict[str, Any]]


def load_homes() -> list[Home]:
    # Missing data fails the test rather than skipping it: ../shared is part of every checkout.
    assert DATA.is_dir(), f"the assist datasets are not at {DATA} (../shared/data/assist)"
    homes: list[Home] = []
    for dataset in DATASETS:
        for folder in sorted((DATA / dataset).iterdir()):
            fixtures_path = folder / "_fixtures.yaml"
            if not fixtures_path.is_file():
                continue
            records: list[dict[str, Any]] = []
            for path in sorted(folder.glob("*.yaml")):
                if path.name != "_fixtures.yaml":
                    records.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["tests"])
            fixtures = yaml.safe_load(fixtures_path.read_text(encoding="utf-8"))
            homes.append(Home(f"{dataset}/{folder.name}", fixtures, records))
    return homes


def _slug(name: str) -> str:
    return re.sub(r"\W+", "_", name.casefold()).strip("_")


def _enum_value(value: Any) -> Any:
    """Return "garage" for "cover.CoverDeviceClass.GARAGE" (how the fixtures spell enums)."""
    if isinstance(value, str) and value.count(".") == 2:
        return value.rpartition(".")[2].lower()
    return value


def _features(names: list[str]) -> int:
    bits = 0
    for name in names:
        _domain, enum, member = name.split(".")
        bits |= FEATURES[enum][member]
    return bits


def initial_states(fixtures: dict[str, Any]) -> States:
    """Return each entity's state and attributes as the synthetic home starts them."""
    states: States = {}
    for item in fixtures["entities"]:
        attributes = {
            key: _enum_value(value) for key, value in (item.get("attributes") or {}).items()
        }
        if "supported_features" in attributes:
            attributes["supported_features"] = _features(attributes["supported_features"])
        state = item.get("state")
        if isinstance(state, bool):
            state = "on" if state else "off"
        if item["id"].startswith("todo."):
            state = str(len(attributes.get("todo_items") or []))
        states[item["id"]] = {
            "state": None if state is None else str(state),
            "attributes": attributes,
        }
    return states


def apply_setup(states: States, setup: dict[str, Any] | None) -> States:
    """Return the states with a record's setup applied."""
    states = copy.deepcopy(states)
    for entity_id, change in (setup or {}).items():
        if "state" in change:
            states[entity_id]["state"] = str(change["state"])
        states[entity_id]["attributes"].update(change.get("attributes") or {})
    return states


def catalog(fixtures: dict[str, Any], states: States) -> Catalog:
    """Return the home's catalog with the given states, as the engine would mirror it."""
    floors = dict.fromkeys(area["floor"] for area in fixtures["areas"] if area.get("floor"))
    entities = []
    for item in fixtures["entities"]:
        attributes = states[item["id"]]["attributes"]
        entities.append(
            Entity(
                entity_id=item["id"],
                name=item["name"],
                area_id=item.get("area"),
                device_id=item.get("device"),
                device_class=attributes.get("device_class"),
                state=states[item["id"]]["state"],
                attributes=attributes,
            )
        )
    return Catalog(
        source=CatalogSource.IMPORT,
        time_zone="UTC",
        floors=[Floor(floor_id=_slug(name), name=name) for name in floors],
        areas=[
            Area(
                area_id=area["id"],
                name=area["name"],
                floor_id=_slug(area["floor"]) if area.get("floor") else None,
            )
            for area in fixtures["areas"]
        ],
        devices=[
            Device(device_id=device["id"], name=device["name"], area_id=device.get("area"))
            for device in fixtures.get("devices") or []
        ],
        entities=entities,
    )


# How the synthetic home's entities change on each service call (its platforms' code).
def _turn(state: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def effect(entity: dict[str, Any], _data: dict[str, Any]) -> None:
        entity["state"] = state

    return effect


def _light_on(entity: dict[str, Any], data: dict[str, Any]) -> None:
    entity["state"] = "on"
    if "brightness_pct" in data:
        entity["attributes"]["brightness"] = round(data["brightness_pct"] * 255 / 100)


def _light_off(entity: dict[str, Any], _data: dict[str, Any]) -> None:
    entity["state"] = "off"
    if "brightness" in entity["attributes"]:
        # As the datasets record it: a dimmable light that is off reports neither.
        entity["attributes"].update(brightness=None, color_mode=None)


def _fan_on(entity: dict[str, Any], data: dict[str, Any]) -> None:
    entity["state"] = "on"
    entity["attributes"]["percentage"] = data.get("percentage", 100)


def _fan_off(entity: dict[str, Any], _data: dict[str, Any]) -> None:
    entity["state"] = "off"
    entity["attributes"]["percentage"] = 0


def _fan_speed(entity: dict[str, Any], data: dict[str, Any]) -> None:
    entity["state"] = "on" if data["percentage"] else "off"
    entity["attributes"]["percentage"] = data["percentage"]


def _position(position: int | None) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def effect(entity: dict[str, Any], data: dict[str, Any]) -> None:
        value = data["position"] if position is None else position
        entity["state"] = "open" if value else "closed"
        entity["attributes"]["current_position"] = value

    return effect


def _next_track(entity: dict[str, Any], _data: dict[str, Any]) -> None:
    entity["state"] = "playing"
    entity["attributes"]["media_track"] = entity["attributes"].get("media_track", 0) + 1


def _volume(entity: dict[str, Any], data: dict[str, Any]) -> None:
    entity["attributes"]["volume_level"] = data["volume_level"]


def _mute(entity: dict[str, Any], data: dict[str, Any]) -> None:
    # The datasets' synthetic home mutes a player by setting its volume to 0.
    if data["is_volume_muted"]:
        entity["attributes"]["volume_level"] = 0.0


def _volume_step(step: float) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def effect(entity: dict[str, Any], _data: dict[str, Any]) -> None:
        level = float(entity["attributes"].get("volume_level") or 0) + step
        entity["attributes"]["volume_level"] = round(min(1.0, max(0.0, level)), 2)

    return effect


def _fan_mode(entity: dict[str, Any], data: dict[str, Any]) -> None:
    entity["attributes"]["fan_mode"] = data["fan_mode"]


def _temperature(entity: dict[str, Any], data: dict[str, Any]) -> None:
    entity["attributes"]["temperature"] = data["temperature"]


def _add_item(entity: dict[str, Any], _data: dict[str, Any]) -> None:
    entity["state"] = str(int(entity["state"] or 0) + 1)


EFFECTS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "light.turn_on": _light_on,
    "light.turn_off": _light_off,
    "switch.turn_on": _turn("on"),
    "switch.turn_off": _turn("off"),
    "fan.turn_on": _fan_on,
    "fan.turn_off": _fan_off,
    "fan.set_percentage": _fan_speed,
    "cover.open_cover": _position(100),
    "cover.close_cover": _position(0),
    "cover.set_cover_position": _position(None),
    "valve.open_valve": _position(100),
    "valve.close_valve": _position(0),
    "valve.set_valve_position": _position(None),
    "lock.lock": _turn("locked"),
    "lock.unlock": _turn("unlocked"),
    "vacuum.start": _turn("cleaning"),
    "vacuum.return_to_base": _turn("returning"),
    "media_player.turn_on": _turn("playing"),
    "media_player.turn_off": _turn("off"),
    "media_player.media_pause": _turn("paused"),
    "media_player.media_play": _turn("playing"),
    "media_player.media_next_track": _next_track,
    "media_player.volume_set": _volume,
    "media_player.volume_mute": _mute,
    # Home Assistant's default volume step is a tenth.
    "media_player.volume_up": _volume_step(0.1),
    "media_player.volume_down": _volume_step(-0.1),
    "vacuum.pause": _turn("paused"),
    "lawn_mower.start_mowing": _turn("mowing"),
    "lawn_mower.dock": _turn("docked"),
    "climate.set_fan_mode": _fan_mode,
    "climate.set_temperature": _temperature,
    "climate.turn_on": _turn("heat"),
    "climate.turn_off": _turn("off"),
    "todo.add_item": _add_item,
}


def simulate(states: States, actions: list[dict[str, Any]]) -> States:
    """Return the states after the actions, as the synthetic home would change them."""
    states = copy.deepcopy(states)
    for action in actions:
        effect = EFFECTS[action["action"]]
        for entity_id in action["target"]["entity_id"]:
            assert entity_id.partition(".")[0] == action["action"].partition(".")[0]
            effect(states[entity_id], action["data"])
    return states


def expected_states(states: States, record: dict[str, Any]) -> States:
    """Return the states a correct response leaves (the dataset's expect_changes)."""
    states = copy.deepcopy(states)
    for entity_id, change in (record.get("expect_changes") or {}).items():
        if change.get("state") is not None:
            states[entity_id]["state"] = str(change["state"])
        states[entity_id]["attributes"].update(change.get("attributes") or {})
    return states


def differences(expected: States, actual: States, ignore: dict[str, Any]) -> dict[str, Any]:
    """Return the entities whose state or attributes differ, apart from ignored attributes."""
    found: dict[str, Any] = {}
    for entity_id, want in expected.items():
        got = actual[entity_id]
        ignored = set(ignore.get(entity_id) or [])
        left = {"state": want["state"], **want["attributes"]}
        right = {"state": got["state"], **got["attributes"]}
        keys = {key for key in left.keys() | right.keys() if key not in ignored}
        diff = {
            key: (left.get(key), right.get(key)) for key in keys if left.get(key) != right.get(key)
        }
        if diff:
            found[entity_id] = diff
    return found


def device_area(fixtures: dict[str, Any], device_id: str | None) -> str | None:
    for device in fixtures.get("devices") or []:
        if device["id"] == device_id:
            return str(device["area"]) if device.get("area") else None
    return None


@dataclass(frozen=True)
class Outcome:
    """How one sentence went."""

    home: str
    sentence: str
    verdict: str  # correct | clarified | unsupported | wrong
    detail: str
    # The right response changes nothing (an ambiguous request): asking is then correct.
    no_change: bool


def evaluate(home: Home) -> Iterator[tuple[Outcome, float]]:
    """Yield how each sentence of a home went, and how long its parse took."""
    base = initial_states(home.fixtures)
    for record in home.records:
        states = apply_setup(base, record.get("setup"))
        parser = CommandParser(catalog(home.fixtures, states))
        area_id = device_area(home.fixtures, record.get("context_device"))
        expected = expected_states(states, record)
        ignore = record.get("ignore_changes") or {}
        no_change = not differences(expected, states, {})
        for sentence in record["sentences"]:
            start = time.perf_counter()
            result = parser.parse(sentence, area_id=area_id)
            elapsed = time.perf_counter() - start
            verdict, detail = judge(result, states, expected, ignore)
            yield Outcome(home.name, sentence, verdict, detail, no_change), elapsed


def judge(
    result: CommandResult | None, states: States, expected: States, ignore: dict[str, Any]
) -> tuple[str, str]:
    """Return the verdict on a parse and why: what its actions did to the home, or it asked."""
    if result is None:
        return "unsupported", "not a command"
    if result.status != "ready":
        verdict = "clarified" if result.status == "needs_clarification" else "unsupported"
        return verdict, str(result.message)
    try:
        actual = simulate(states, result.actions)
    except (KeyError, AssertionError) as err:
        return "wrong", f"{result.actions}: {err!r}"
    diff = differences(expected, actual, ignore)
    return ("wrong" if diff else "correct"), f"{result.actions} {diff or ''}"


@pytest.fixture(scope="module")
def outcomes() -> tuple[list[Outcome], list[float]]:
    results = [item for home in load_homes() for item in evaluate(home)]
    return [outcome for outcome, _ in results], [elapsed for _, elapsed in results]


def test_assist_datasets_act_right_or_ask(outcomes: tuple[list[Outcome], list[float]]) -> None:
    found, latencies = outcomes
    verdicts = ("correct", "clarified", "unsupported", "wrong")
    by_home: dict[str, Counter[str]] = {}
    for outcome in found:
        by_home.setdefault(outcome.home, Counter())[outcome.verdict] += 1
    print(f"\n{'home':34} {'n':>4} " + " ".join(f"{v:>11}" for v in verdicts))
    for home, counts in [*by_home.items(), ("all", sum(by_home.values(), Counter()))]:
        total = sum(counts.values())
        print(f"{home:34} {total:4} " + " ".join(f"{counts[v]:11}" for v in verdicts))
    asked_right = sum(
        1 for outcome in found if outcome.verdict == "clarified" and outcome.no_change
    )
    print(f"clarified where the dataset expects nothing to change: {asked_right}")
    for outcome in found:
        if outcome.verdict != "correct":
            print(
                f"  {outcome.verdict:11} {outcome.home:34} {outcome.sentence!r}: {outcome.detail}"
            )
    latencies.sort()
    print(
        f"parse latency: median {latencies[len(latencies) // 2] * 1000:.1f} ms, "
        f"p90 {latencies[int(len(latencies) * 0.9)] * 1000:.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms"
    )
    assert found, "no sentences found in the datasets"
    correct = sum(1 for outcome in found if outcome.verdict == "correct")
    assert correct >= MIN_CORRECT * len(found), f"{correct} of {len(found)} correct"
    wrong = [outcome for outcome in found if outcome.verdict == "wrong"]
    assert len(wrong) <= MAX_WRONG * len(found), wrong
    for home, counts in by_home.items():
        assert counts["wrong"] <= MAX_WRONG * sum(counts.values()), (home, wrong)
