"""The command parser: each intent's service calls, entity resolution, and when it asks."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest

from engine.errors import BadRequestError
from engine.home.catalog import Area, Catalog, CatalogSource, Entity, Floor
from engine.query import intents
from engine.query.commands import (
    COMMAND_DOMAINS,
    MAX_PARTS,
    CommandParser,
    CommandParsers,
    CommandResult,
)
from engine.query.errors import UnsupportedLanguageError
from engine.query.intents import load_grammar

# Home Assistant's feature bits: media player pause 1, volume set 4, previous 16, next 32,
# play 16384; cover open 1, close 2, set position 4; climate target temperature 1.
MEDIA = 1 | 4 | 16 | 32 | 16384


def _entity(entity_id: str, name: str, area: str | None, **extra: Any) -> Entity:
    features = extra.pop("features", None)
    attributes = {"supported_features": features} if features is not None else None
    return Entity(entity_id=entity_id, name=name, area_id=area, attributes=attributes, **extra)


def home() -> Catalog:
    """A small home with a bit of everything, and a few names that collide."""
    return Catalog(
        source=CatalogSource.IMPORT,
        time_zone="Europe/Berlin",
        floors=[
            Floor("ground", "Ground floor", aliases=["downstairs"]),
            Floor("upstairs", "Upstairs"),
        ],
        areas=[
            Area("kitchen", "Kitchen", "ground"),
            Area("living_room", "Living Room", "ground", aliases=["lounge"]),
            Area("hall", "Hall", "ground"),
            Area("garage", "Garage", "ground"),
            Area("garden", "Garden", "ground"),
            Area("bedroom", "Bedroom", "upstairs"),
            Area("office", "Office", "upstairs"),
        ],
        entities=[
            _entity("light.kitchen", "Kitchen Light", "kitchen"),
            _entity("light.kitchen_spots", "Kitchen Spots", "kitchen"),
            _entity(
                "light.living_room", "Living Room Lamp", "living_room", aliases=["Reading lamp"]
            ),
            _entity("light.bedroom", "Bedroom Light", "bedroom"),
            _entity("light.bedroom_lamp", "Lamp", "bedroom"),
            _entity("light.office_lamp", "Lamp", "office"),
            _entity("switch.coffee_maker", "Coffee Maker", "kitchen"),
            _entity("switch.config", "Child Lock", "kitchen", entity_category="config"),
            _entity("climate.bedroom", "Bedroom Thermostat", "bedroom", features=1),
            _entity("climate.living_room", "Living Room Thermostat", "living_room", features=1),
            _entity(
                "cover.living_room_blinds",
                "Living Room Blinds",
                "living_room",
                device_class="blind",
                features=7,
            ),
            _entity("cover.garage_door", "Garage Door", "garage", device_class="garage"),
            _entity("lock.front_door", "Front Door", "hall"),
            _entity("lock.back_door", "Back Door", "kitchen"),
            _entity("valve.garden", "Garden Sprinkler", "garden"),
            _entity(
                "media_player.living_room_tv",
                "Living Room TV",
                "living_room",
                device_class="tv",
                state="playing",
                features=MEDIA,
            ),
            _entity(
                "media_player.kitchen_speaker",
                "Kitchen Speaker",
                "kitchen",
                device_class="speaker",
                state="paused",
                features=MEDIA,
            ),
            _entity("vacuum.roborock", "Roborock", "living_room"),
            _entity("fan.ceiling", "Ceiling Fan", "bedroom"),
            _entity("todo.shopping_list", "Shopping List", None),
            _entity("todo.chores", "Chores", None),
            _entity("scene.movie_night", "Movie Night", "living_room"),
            _entity("sensor.kitchen_temperature", "Kitchen Temperature", "kitchen"),
        ],
    )


@pytest.fixture(scope="module")
def parser() -> CommandParser:
    return CommandParser(home())


def _call(action: str, *entity_ids: str, **data: Any) -> dict[str, Any]:
    return {"action": action, "target": {"entity_id": sorted(entity_ids)}, "data": data}


def _ready(parser: CommandParser, text: str, area_id: str | None = None) -> list[dict[str, Any]]:
    result = parser.parse(text, area_id=area_id)
    assert result is not None, text
    assert result.status == "ready", (text, result)
    return result.actions


def _asked(parser: CommandParser, text: str, area_id: str | None = None) -> CommandResult:
    result = parser.parse(text, area_id=area_id)
    assert result is not None, text
    assert result.status == "needs_clarification", (text, result)
    assert not result.actions
    assert result.clarifications
    assert result.message == result.clarifications[0].question
    return result


def _option_values(result: CommandResult) -> set[str]:
    return {option["value"] for option in result.clarifications[0].options}


@pytest.mark.parametrize(
    ("text", "area_id", "actions"),
    [
        # On/off: one name, an area, a floor, a device class.
        ("turn on the kitchen light", None, [_call("light.turn_on", "light.kitchen")]),
        ("Kitchen light off", None, [_call("light.turn_off", "light.kitchen")]),
        (
            "turn off the lights in the kitchen",
            None,
            [_call("light.turn_off", "light.kitchen", "light.kitchen_spots")],
        ),
        (
            "turn off the lights upstairs",
            None,
            [_call("light.turn_off", "light.bedroom", "light.bedroom_lamp", "light.office_lamp")],
        ),
        (
            "shut off the downstairs lights",
            None,
            [_call("light.turn_off", "light.kitchen", "light.kitchen_spots", "light.living_room")],
        ),
        ("switch on the reading lamp", None, [_call("light.turn_on", "light.living_room")]),
        ("turn on the lounge lights", None, [_call("light.turn_on", "light.living_room")]),
        ("turn on the coffee maker", None, [_call("switch.turn_on", "switch.coffee_maker")]),
        ("turn on the ceiling fan", None, [_call("fan.turn_on", "fan.ceiling")]),
        ("activate movie night", None, [_call("scene.turn_on", "scene.movie_night")]),
        # Covers, locks and valves: what HA's on/off handler calls for them.
        (
            "close the blinds in the living room",
            None,
            [_call("cover.close_cover", "cover.living_room_blinds")],
        ),
        ("open the garage door", None, [_call("cover.open_cover", "cover.garage_door")]),
        ("lock the front door", None, [_call("lock.lock", "lock.front_door")]),
        ("unlock the back door", None, [_call("lock.unlock", "lock.back_door")]),
        ("open the garden sprinkler", None, [_call("valve.open_valve", "valve.garden")]),
        ("close the garden sprinkler", None, [_call("valve.close_valve", "valve.garden")]),
        ("turn on the water in the garden", None, [_call("valve.open_valve", "valve.garden")]),
        # Positions, brightness, colour, temperature, fan speed.
        (
            "set the living room blinds to 40%",
            None,
            [_call("cover.set_cover_position", "cover.living_room_blinds", position=40)],
        ),
        (
            "set the garden sprinkler to 50%",
            None,
            [_call("valve.set_valve_position", "valve.garden", position=50)],
        ),
        (
            "set the kitchen light to 50%",
            None,
            [_call("light.turn_on", "light.kitchen", brightness_pct=50)],
        ),
        (
            "dim the kitchen light to 20%",
            None,
            [_call("light.turn_on", "light.kitchen", brightness_pct=20)],
        ),
        (
            "set the kitchen light brightness to 20 percent",
            None,
            [_call("light.turn_on", "light.kitchen", brightness_pct=20)],
        ),
        (
            "turn the kitchen light red",
            None,
            [_call("light.turn_on", "light.kitchen", color_name="red")],
        ),
        (
            "set the bedroom to 21 degrees",
            None,
            [_call("climate.set_temperature", "climate.bedroom", temperature=21.0)],
        ),
        (
            "set the temperature in the living room to 19.5",
            None,
            [_call("climate.set_temperature", "climate.living_room", temperature=19.5)],
        ),
        # Thermostats step by tenths too: Home Assistant's grammar takes halves only.
        (
            "set the bedroom thermostat to 20.3 degrees",
            None,
            [_call("climate.set_temperature", "climate.bedroom", temperature=20.3)],
        ),
        (
            "set the bedroom to twenty point five degrees",
            None,
            [_call("climate.set_temperature", "climate.bedroom", temperature=20.5)],
        ),
        (
            "set the bedroom to nineteen point seven degrees",
            None,
            [_call("climate.set_temperature", "climate.bedroom", temperature=19.7)],
        ),
        (
            "set the thermostat in the bedroom to 21 degrees",
            None,
            [_call("climate.set_temperature", "climate.bedroom", temperature=21.0)],
        ),
        (
            "set the heating in the living room to 19.5",
            None,
            [_call("climate.set_temperature", "climate.living_room", temperature=19.5)],
        ),
        (
            "set the temperature to 20 degrees",
            "bedroom",
            [_call("climate.set_temperature", "climate.bedroom", temperature=20.0)],
        ),
        (
            "set the ceiling fan to 30%",
            None,
            [_call("fan.set_percentage", "fan.ceiling", percentage=30)],
        ),
        # Media players.
        (
            "pause the living room tv",
            None,
            [_call("media_player.media_pause", "media_player.living_room_tv")],
        ),
        (
            "pause the music",
            None,
            [_call("media_player.media_pause", "media_player.living_room_tv")],
        ),
        (
            "resume the kitchen speaker",
            None,
            [_call("media_player.media_play", "media_player.kitchen_speaker")],
        ),
        (
            "next track",
            "living_room",
            [_call("media_player.media_next_track", "media_player.living_room_tv")],
        ),
        (
            "previous track on the living room tv",
            None,
            [_call("media_player.media_previous_track", "media_player.living_room_tv")],
        ),
        (
            "set living room tv volume to 30%",
            None,
            [_call("media_player.volume_set", "media_player.living_room_tv", volume_level=0.3)],
        ),
        ("turn off the tv", None, [_call("media_player.turn_off", "media_player.living_room_tv")]),
        # Vacuums.
        ("start the vacuum", None, [_call("vacuum.start", "vacuum.roborock")]),
        ("start roborock", None, [_call("vacuum.start", "vacuum.roborock")]),
        ("clean the living room", None, [_call("vacuum.start", "vacuum.roborock")]),
        (
            "send the vacuum back to the dock",
            None,
            [_call("vacuum.return_to_base", "vacuum.roborock")],
        ),
        ("return roborock to base", None, [_call("vacuum.return_to_base", "vacuum.roborock")]),
        # To-do lists.
        (
            "add milk to the shopping list",
            None,
            [_call("todo.add_item", "todo.shopping_list", item="milk")],
        ),
        (
            "add laundry to my chores list",
            None,
            [_call("todo.add_item", "todo.chores", item="laundry")],
        ),
        (
            "check off milk from the shopping list",
            None,
            [_call("todo.update_item", "todo.shopping_list", item="milk", status="completed")],
        ),
        (
            "remove milk from my chores list",
            None,
            [_call("todo.remove_item", "todo.chores", item="milk")],
        ),
        # The device spoken to picks the area, and between equal names.
        (
            "turn off the lights",
            "kitchen",
            [_call("light.turn_off", "light.kitchen", "light.kitchen_spots")],
        ),
        ("turn on the lamp", "office", [_call("light.turn_on", "light.office_lamp")]),
        ("turn on the lamp in the bedroom", None, [_call("light.turn_on", "light.bedroom_lamp")]),
        # Near names: plurals, typos, part of a name.
        ("turn on the kitchn light", None, [_call("light.turn_on", "light.kitchen")]),
        (
            "open the living room blind",
            None,
            [_call("cover.open_cover", "cover.living_room_blinds")],
        ),
        # Everything, when asked for everything.
        (
            "turn on all the lights",
            None,
            [
                _call(
                    "light.turn_on",
                    "light.bedroom",
                    "light.bedroom_lamp",
                    "light.kitchen",
                    "light.kitchen_spots",
                    "light.living_room",
                    "light.office_lamp",
                )
            ],
        ),
        # Several commands in one sentence, in order.
        (
            "turn on the kitchen light and then turn off the bedroom light",
            None,
            [_call("light.turn_on", "light.kitchen"), _call("light.turn_off", "light.bedroom")],
        ),
        (
            "turn off the bedroom light, then lock the front door",
            None,
            [_call("light.turn_off", "light.bedroom"), _call("lock.lock", "lock.front_door")],
        ),
        (
            "turn on the kitchen and bedroom lights",
            None,
            [
                _call(
                    "light.turn_on",
                    "light.bedroom",
                    "light.bedroom_lamp",
                    "light.kitchen",
                    "light.kitchen_spots",
                )
            ],
        ),
    ],
)
def test_commands_map_to_home_assistant_service_calls(
    parser: CommandParser, text: str, area_id: str | None, actions: list[dict[str, Any]]
) -> None:
    assert _ready(parser, text, area_id) == actions


@pytest.mark.parametrize(
    ("text", "area_id", "options"),
    [
        # The same name twice: Home Assistant fails, the parser asks.
        ("turn on the lamp", None, {"light.bedroom_lamp", "light.office_lamp"}),
        # No area and several candidates.
        ("set the temperature to 21", None, {"climate.bedroom", "climate.living_room"}),
        (
            "turn off the light",
            None,
            {
                "light.kitchen",
                "light.kitchen_spots",
                "light.living_room",
                "light.bedroom",
                "light.bedroom_lamp",
                "light.office_lamp",
            },
        ),
        # Part of several names, of different kinds.
        (
            "turn on the kitchen",
            None,
            {"light.kitchen", "light.kitchen_spots", "media_player.kitchen_speaker"},
        ),
        # Locks, doors and water: never several at once without asking, even when "all".
        ("lock all the doors", None, {"lock.front_door", "lock.back_door", "all"}),
        ("unlock the door", None, {"lock.front_door", "lock.back_door"}),
    ],
)
def test_ambiguous_requests_ask_instead_of_guessing(
    parser: CommandParser, text: str, area_id: str | None, options: set[str]
) -> None:
    result = _asked(parser, text, area_id)
    assert options <= _option_values(result)
    for option in result.clarifications[0].options:
        assert option["label"]


def test_a_question_names_the_choices_with_their_areas(parser: CommandParser) -> None:
    result = _asked(parser, "turn on the lamp")
    clarification = result.clarifications[0]
    assert clarification.id == "target"
    assert clarification.question == "Which 'Lamp' do you mean?"
    assert clarification.options == [
        {"value": "light.bedroom_lamp", "label": "Lamp (Bedroom)"},
        {"value": "light.office_lamp", "label": "Lamp (Office)"},
    ]


def test_part_of_an_area_name_asks_which_area() -> None:
    catalog = home()
    catalog.areas.extend([Area("bedroom_1", "Bedroom 1"), Area("bedroom_2", "Bedroom 2")])
    catalog.areas[:] = [area for area in catalog.areas if area.area_id != "bedroom"]
    catalog.entities.extend(
        [_entity("light.b1", "Ceiling", "bedroom_1"), _entity("light.b2", "Ceiling", "bedroom_2")]
    )
    parser = CommandParser(catalog)
    result = _asked(parser, "turn on the lights in the bedroom")
    assert result.clarifications[0].id == "area"
    assert _option_values(result) == {"bedroom_1", "bedroom_2"}
    # Unless only one of them has what is asked for, or all of them are asked for.
    catalog.entities.append(_entity("fan.b2", "Fan", "bedroom_2"))
    assert _ready(CommandParser(catalog), "turn on the fan in the bedroom") == [
        _call("fan.turn_on", "fan.b2")
    ]
    assert _ready(parser, "turn on all the lights in the bedroom") == [
        _call("light.turn_on", "light.b1", "light.b2")
    ]


def test_a_typo_in_an_area_is_forgiven(parser: CommandParser) -> None:
    assert _ready(parser, "turn on the lights in the bedrom") == [
        _call("light.turn_on", "light.bedroom", "light.bedroom_lamp")
    ]


def test_without_a_shopping_list_the_list_is_asked_for() -> None:
    catalog = home()
    catalog.entities[:] = [e for e in catalog.entities if e.entity_id != "todo.shopping_list"]
    catalog.entities.append(_entity("todo.groceries", "Groceries", None))
    result = _asked(CommandParser(catalog), "put milk on the list")
    assert _option_values(result) == {"todo.chores", "todo.groceries"}


def test_the_state_singles_out_the_player_meant(parser: CommandParser) -> None:
    # Only the TV plays: "set the volume" means it; with two playing, the parser asks.
    assert _ready(parser, "set the volume to 20%") == [
        _call("media_player.volume_set", "media_player.living_room_tv", volume_level=0.2)
    ]
    catalog = home()
    catalog.entities[:] = [
        replace(e, state="playing") if e.domain == "media_player" else e for e in catalog.entities
    ]
    result = _asked(CommandParser(catalog), "set the volume to 20%")
    assert _option_values(result) == {
        "media_player.living_room_tv",
        "media_player.kitchen_speaker",
    }


def test_same_name_of_two_kinds_asks(parser: CommandParser) -> None:
    catalog = home()
    catalog.entities.append(_entity("switch.kitchen_light", "Kitchen Light", "kitchen"))
    result = _asked(CommandParser(catalog), "turn on the kitchen light")
    assert _option_values(result) == {"light.kitchen", "switch.kitchen_light"}


def test_several_locks_in_one_area_are_locked_only_when_all_are_asked_for() -> None:
    catalog = home()
    catalog.entities.append(_entity("lock.side_door", "Side Door", "kitchen"))
    parser = CommandParser(catalog)
    result = _asked(parser, "unlock the door in the kitchen")
    assert _option_values(result) == {"lock.back_door", "lock.side_door", "all"}
    assert _ready(parser, "lock all the doors in the kitchen") == [
        _call("lock.lock", "lock.back_door", "lock.side_door")
    ]


def test_the_only_one_of_a_kind_needs_no_area(parser: CommandParser) -> None:
    assert _ready(parser, "turn on the fan") == [_call("fan.turn_on", "fan.ceiling")]


@pytest.mark.parametrize(
    "text",
    [
        "set a timer for 5 minutes",
        "what time is it",
        "tell me a joke about penguins",
        "",
    ],
)
def test_sentences_that_are_no_command_return_none(parser: CommandParser, text: str) -> None:
    assert parser.parse(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "turn on the kitchen light at sunset",
        "when the front door opens turn on the hall light",
        "every weekday at 7 turn on the kitchen light",
        "turn off the coffee maker in 10 minutes",
    ],
)
def test_automations_are_left_to_the_automation_parser(parser: CommandParser, text: str) -> None:
    assert parser.parse(text) is None


def test_a_device_of_another_kind_is_not_guessed(parser: CommandParser) -> None:
    result = parser.parse("open the front door")
    assert result is not None
    assert result.status == "unsupported"
    assert result.message == "Front Door cannot do that."


def test_nothing_in_the_home_fits(parser: CommandParser) -> None:
    result = parser.parse("open the curtains in the kitchen")
    assert result is not None
    assert result.status == "unsupported"
    assert result.actions == []
    assert result.message


def test_an_unknown_name_asks_with_what_could_be_meant(parser: CommandParser) -> None:
    result = _asked(parser, "lock the patio door")
    # The locks, or the areas that have one.
    assert _option_values(result) in ({"lock.front_door", "lock.back_door"}, {"hall", "kitchen"})


def test_one_part_of_several_unclear_means_no_actions(parser: CommandParser) -> None:
    result = _asked(parser, "turn on the kitchen light, then turn on the lamp")
    assert [c.id for c in result.clarifications] == ["target_2"]


def test_the_context_area_is_only_a_preference(parser: CommandParser) -> None:
    # Nothing to start in the office: the one vacuum of the home is meant.
    assert _ready(parser, "start the vacuum", "office") == [
        _call("vacuum.start", "vacuum.roborock")
    ]
    # An unknown area id is ignored rather than trusted.
    assert _ready(parser, "turn on the fan", "attic") == [_call("fan.turn_on", "fan.ceiling")]


def test_config_entities_and_sensors_are_no_targets(parser: CommandParser) -> None:
    result = parser.parse("turn on the child lock")
    assert result is None or result.status != "ready"


def test_unknown_language_is_a_typed_error() -> None:
    with pytest.raises(UnsupportedLanguageError) as caught:
        CommandParser(home(), language="xx")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, BadRequestError)
    assert caught.value.details["field"] == "language"
    assert "en" in caught.value.details["supported"]


def test_language_variants_use_their_base_language() -> None:
    assert CommandParser(home(), language="en-US").language == "en"
    assert CommandParser(home(), language="de-CH").language == "de-CH"


def test_other_languages_use_home_assistants_grammar() -> None:
    parser = CommandParser(home(), language="de")
    assert _ready(parser, "Schalte Kitchen Light ein") == [_call("light.turn_on", "light.kitchen")]
    assert _ready(parser, "Schalte das Licht im Kitchen aus") == [
        _call("light.turn_off", "light.kitchen", "light.kitchen_spots")
    ]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Stelle die Temperatur im Bedroom auf 21,3 Grad"),
        ("de", "Stelle die Temperatur im Bedroom auf einundzwanzig Komma drei Grad"),
        ("es", "Pon la temperatura del Bedroom a 21,3 grados"),
        ("fr", "Règle Bedroom à 21,3 degrés"),
    ],
)
def test_temperatures_take_tenths_in_every_language(language: str, text: str) -> None:
    parser = CommandParser(home(), language=language)
    assert _ready(parser, text) == [
        _call("climate.set_temperature", "climate.bedroom", temperature=21.3)
    ]


def test_the_grammar_is_built_once_per_language() -> None:
    assert load_grammar("en") is load_grammar("EN-gb")


def test_parsers_are_kept_per_catalog_version_and_language() -> None:
    parsers = CommandParsers()
    catalog = home()
    parser = parsers.get(catalog, "en-US")
    assert parsers.get(catalog, "en") is parser
    assert parsers.get(catalog, "de") is not parser
    # A replaced catalog (the home service never mutates one) gets a new parser.
    assert parsers.get(home(), "en") is not parser


def test_command_domains_cover_every_mapped_service() -> None:
    assert {"light", "cover", "lock", "valve", "todo", "vacuum", "media_player"} <= COMMAND_DOMAINS


def test_a_warmed_parse_takes_a_few_milliseconds(parser: CommandParser) -> None:
    parser.parse("turn on the kitchen light")
    start = time.perf_counter()
    for _ in range(20):
        parser.parse("turn on the kitchen light")
    assert (time.perf_counter() - start) / 20 < 0.05


def test_a_picked_option_settles_the_question(parser: CommandParser) -> None:
    asked = parser.parse("turn on the lamp")
    assert asked is not None
    assert asked.status == "needs_clarification"
    first = sorted(_option_values(asked) - {"all"})[0]
    settled = parser.parse("turn on the lamp", chosen=frozenset({first}))
    assert settled is not None
    assert settled.status == "ready", settled
    assert [a["target"]["entity_id"] for a in settled.actions] == [[first]]
    # A value that is no option of the question changes nothing.
    unrelated = parser.parse("turn on the lamp", chosen=frozenset({"light.nowhere"}))
    assert unrelated is not None
    assert unrelated.status == "needs_clarification"


# The states questions are answered from (the catalog mirrors them from Home Assistant).
_STATES: dict[str, tuple[str, dict[str, Any]]] = {
    "light.kitchen": ("on", {}),
    "light.kitchen_spots": ("off", {}),
    "light.living_room": ("on", {}),
    "light.bedroom": ("off", {}),
    "light.bedroom_lamp": ("off", {}),
    "light.office_lamp": ("off", {}),
    "lock.front_door": ("locked", {}),
    "lock.back_door": ("unlocked", {}),
    "cover.living_room_blinds": ("open", {"supported_features": 7}),
    "climate.living_room": ("heat", {"supported_features": 1, "current_temperature": 21.5}),
    "climate.bedroom": ("off", {"supported_features": 1, "current_temperature": 18}),
}


@pytest.fixture(scope="module")
def answering() -> CommandParser:
    """A parser over the small home with states, a hall door contact and a weather entity."""
    catalog = home()
    entities = [
        replace(entity, state=_STATES[entity.entity_id][0], attributes=_STATES[entity.entity_id][1])
        if entity.entity_id in _STATES
        else entity
        for entity in catalog.entities
        if entity.entity_id != "sensor.kitchen_temperature"
    ]
    entities += [
        _entity(
            "sensor.kitchen_temperature",
            "Kitchen Temperature",
            "kitchen",
            device_class="temperature",
            unit_of_measurement="°C",
            state="22.5",
        ),
        _entity(
            "binary_sensor.hall_door", "Hall Door Contact", "hall", device_class="door", state="on"
        ),
        Entity(
            entity_id="weather.home",
            name="Forecast Home",
            state="partlycloudy",
            attributes={"temperature": 14, "temperature_unit": "°C"},
        ),
    ]
    return CommandParser(replace(catalog, entities=entities))


def _answer(parser: CommandParser, text: str) -> CommandResult:
    result = parser.parse(text)
    assert result is not None, text
    assert (result.status, result.kind, result.actions) == ("ready", "question", []), result
    assert result.answer is not None
    return result


@pytest.mark.parametrize(
    ("text", "message", "value"),
    [
        ("is the kitchen light on?", "Yes, Kitchen Light is on.", True),
        ("is the kitchen spots on", "No, Kitchen Spots is off.", False),
        ("is the front door locked", "Yes, Front Door is locked.", True),
        ("is the back door locked", "No, Back Door is unlocked.", False),
        # A lock asked whether it is open: what it reports answers.
        ("is the front door open", "No, Front Door is locked.", False),
        ("are the blinds open", "Yes, Living Room Blinds is open.", True),
        # A door contact's "on" is said as the grammar says it: open.
        ("is the hall door contact open", "Yes, Hall Door Contact is open.", True),
        ("which lights are on in the kitchen", "Kitchen Light is on.", ["light.kitchen"]),
        ("how many lights are on", "2 of 6 lights are on.", 2),
        ("are any lights on in the bedroom", "No, no light is on.", False),
        ("are all the lights off in the bedroom", "Yes.", True),
        ("which locks are unlocked", "Back Door is unlocked.", ["lock.back_door"]),
        (
            "what is the temperature in the living room",
            "It is 21.5 degrees (Living Room Thermostat).",
            21.5,
        ),
        # No thermostat in the kitchen: its temperature sensor answers.
        ("what is the temperature in the kitchen", "It is 22.5 °C (Kitchen Temperature).", 22.5),
        ("what is the kitchen temperature", "Kitchen Temperature is 22.5 °C.", "22.5"),
        ("what's the weather like", "Forecast Home: partly cloudy, 14 °C.", 14),
    ],
)
def test_questions_are_answered_from_the_current_states(
    answering: CommandParser, text: str, message: str, value: Any
) -> None:
    result = _answer(answering, text)
    assert result.message == message
    assert result.answer is not None
    assert result.answer["value"] == value


def test_an_answer_lists_the_entities_it_read(answering: CommandParser) -> None:
    result = _answer(answering, "which lights are on in the kitchen")
    assert result.answer == {
        "intent": "HassGetState",
        "entities": [
            {"entity_id": "light.kitchen", "name": "Kitchen Light", "state": "on", "matched": True},
            {
                "entity_id": "light.kitchen_spots",
                "name": "Kitchen Spots",
                "state": "off",
                "matched": False,
            },
        ],
        "value": ["light.kitchen"],
    }


def test_an_ambiguous_question_asks_which_device_and_a_pick_answers(
    answering: CommandParser,
) -> None:
    asked = _asked(answering, "is the lamp on")
    assert asked.kind == "question"
    assert _option_values(asked) == {"light.bedroom_lamp", "light.office_lamp"}
    # Two thermostats and no area: which one's temperature is the question.
    assert _option_values(_asked(answering, "what is the temperature")) == {
        "climate.bedroom",
        "climate.living_room",
    }
    settled = answering.parse("is the lamp on", chosen=frozenset({"light.office_lamp"}))
    assert settled is not None
    assert (settled.status, settled.kind, settled.message) == (
        "ready",
        "question",
        "No, Lamp is off.",
    )


def test_the_area_spoken_in_answers_a_question_without_an_area(answering: CommandParser) -> None:
    result = answering.parse("what is the temperature", area_id="bedroom")
    assert result is not None
    assert result.message == "It is 18 degrees (Bedroom Thermostat)."


def test_reading_locks_needs_no_question_first(answering: CommandParser) -> None:
    # Acting on every lock is asked about first; counting them is not.
    assert _answer(answering, "how many locks are unlocked").message == "1 of 2 locks is unlocked."


@pytest.mark.parametrize(
    ("text", "status", "message"),
    [
        # Unknown devices: the devices it could be, or why there is nothing to ask about.
        (
            "is the patio door locked",
            "needs_clarification",
            "Which device do you mean by 'patio door'?",
        ),
        (
            "is the garage light on",
            "needs_clarification",
            "Which device do you mean by 'garage light'?",
        ),
        ("are any fans on in the garage", "unsupported", "There is no fan in Garage."),
        (
            "what is the temperature in the garage",
            "unsupported",
            "There is no thermostat in Garage.",
        ),
    ],
)
def test_a_question_about_an_unknown_device_asks_or_says_why_not(
    answering: CommandParser, text: str, status: str, message: str
) -> None:
    result = answering.parse(text)
    assert result is not None, text
    assert (result.status, result.kind, result.message) == (status, "question", message)
    assert result.actions == []
    assert result.answer is None


def test_a_question_without_a_weather_entity_says_so(parser: CommandParser) -> None:
    result = parser.parse("what is the weather like")
    assert result is not None
    assert (result.status, result.kind) == ("unsupported", "question")
    assert result.message == "There is no weather service in this home."


def test_a_question_within_a_longer_sentence_is_no_command(answering: CommandParser) -> None:
    result = answering.parse("turn on the hall light and is the kitchen light on")
    assert result is None or (result.kind == "command" and result.status != "ready")


def test_a_shortened_area_name_is_that_area() -> None:
    catalog = Catalog(
        source=CatalogSource.IMPORT,
        time_zone="UTC",
        areas=[Area("hallway", "Hallway"), Area("bathroom", "Bathroom"), Area("bed", "Bed")],
        entities=[
            _entity("light.ceiling", "Ceiling light", "hallway"),
            _entity("light.mirror", "Mirror", "bathroom"),
            _entity("light.reading", "Reading light", "bed"),
        ],
    )
    parser = CommandParser(catalog)
    for text, entity_id in (
        ("turn on the light in the hall", "light.ceiling"),
        ("turn on the hall light", "light.ceiling"),
        ("turn off the lights in the bath", "light.mirror"),
    ):
        result = parser.parse(text)
        assert result is not None, text
        assert result.status == "ready", (text, result)
        assert [action["target"] for action in result.actions] == [{"entity_id": [entity_id]}]
    # Three letters say too little: "bat" is no shortened "Bathroom".
    result = parser.parse("turn off the lights in the bat")
    assert result is None or result.status != "ready"


@pytest.mark.parametrize(
    "text",
    [
        ("turn on the kitchen light and " * 40)[:1000],
        ("turn on the kitchen light, then " * 40)[:1000],
        " ".join(["and"] * 250),
    ],
    ids=["and", "then", "only-and"],
)
def test_the_work_of_a_long_request_is_bounded(
    parser: CommandParser, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each part of a sentence is matched in up to four readings: a thousand characters of
    # parts once took seconds; beyond MAX_PARTS parts a sentence is read whole only.
    calls: list[str] = []
    matched = intents.recognize

    def counted(grammar: Any, text: str, *args: Any) -> Any:
        calls.append(text)
        return matched(grammar, text, *args)

    monkeypatch.setattr("engine.query.commands.recognize", counted)
    assert len(text) <= 1000
    parser.parse(text)
    assert len(calls) <= 2 * (1 + 4 * MAX_PARTS)
    calls.clear()
    eight = " and ".join(["turn on the kitchen light"] * MAX_PARTS)
    assert parser.parse(eight) is not None
    assert calls
