"""Every intent of Home Assistant's grammar that acts on a home, by each scope it is said with."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from hassil.intents import Intents, SlotList, TextSlotList
from hassil.sample import sample_sentence

from engine.home.catalog import Area, Catalog, CatalogSource, Entity, Floor
from engine.query.commands import CommandParser, CommandResult
from engine.query.intents import load_grammar, supported_languages

# Feature bits (Home Assistant's *EntityFeature): media pause 1, volume set 4, mute 8,
# previous 16, next 32, volume step 1024, play 16384; fan set speed 1; climate target
# temperature 1, fan mode 8; vacuum pause 4, return 16, start 8192.
MEDIA = 1 | 4 | 8 | 16 | 32 | 1024 | 16384


def _entity(entity_id: str, name: str, area: str | None, **extra: Any) -> Entity:
    features = extra.pop("features", None)
    attributes = {"supported_features": features} if features is not None else None
    return Entity(entity_id=entity_id, name=name, area_id=area, attributes=attributes, **extra)


def levelled_home() -> Catalog:
    """Two floors numbered as Home Assistant numbers them, a garden, and one of each kind."""
    return Catalog(
        source=CatalogSource.IMPORT,
        time_zone="Europe/Amsterdam",
        floors=[Floor("ground", "Ground", level=0), Floor("first", "First", level=1)],
        areas=[
            Area("kitchen", "Kitchen", "ground"),
            Area("living_room", "Living Room", "ground"),
            Area("bedroom", "Bedroom", "first"),
            Area("kids_room", "Kids Room", "first"),
            Area("garden", "Garden", None),
        ],
        entities=[
            _entity("light.kitchen", "Kitchen Light", "kitchen"),
            _entity("light.living_room", "Living Room Lamp", "living_room"),
            _entity("light.bedroom_lamp", "Bedroom Lamp", "bedroom"),
            _entity("light.kids_room", "Kids Room Light", "kids_room"),
            _entity("cover.living_room", "Living Room Curtains", "living_room",
                    device_class="curtain", features=7),
            _entity("cover.bedroom", "Bedroom Curtains", "bedroom",
                    device_class="curtain", features=7),
            _entity("media_player.tv", "TV", "living_room", device_class="tv",
                    state="playing", features=MEDIA),
            _entity("lawn_mower.clippy", "Clippy", "garden"),
            _entity("fan.ceiling", "Ceiling Fan", "bedroom", features=1),
            _entity("vacuum.robo", "Robo", "living_room", features=4 | 16 | 8192),
            _entity("climate.thermostat", "Thermostat", "living_room", features=1 | 8),
            _entity("valve.garden", "Garden Valve", "garden", features=1 | 2 | 4),
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def parser() -> CommandParser:
    return CommandParser(levelled_home())


def _call(action: str, *entity_ids: str, **data: Any) -> dict[str, Any]:
    return {"action": action, "target": {"entity_id": sorted(entity_ids)}, "data": data}


def _parse(parser: CommandParser, text: str, **kwargs: Any) -> CommandResult:
    result = parser.parse(text, **kwargs)
    assert result is not None, text
    return result


FLOOR_GROUND = ("light.kitchen", "light.living_room")
FLOOR_FIRST = ("light.bedroom_lamp", "light.kids_room")


@pytest.mark.parametrize(
    ("text", "actions"),
    [
        # Colour temperature, in Kelvin and by the named whites; colour; brightness.
        ("set the bedroom lamp to 2700 Kelvin",
         [_call("light.turn_on", "light.bedroom_lamp", color_temp_kelvin=2700)]),
        ("set the bedroom lamp to warm white",
         [_call("light.turn_on", "light.bedroom_lamp", color_temp_kelvin=2700)]),
        ("set the color temperature of the bedroom lamp to 4000",
         [_call("light.turn_on", "light.bedroom_lamp", color_temp_kelvin=4000)]),
        ("set the kitchen color temperature to daylight",
         [_call("light.turn_on", "light.kitchen", color_temp_kelvin=6500)]),
        ("set the bedroom lamp to red",
         [_call("light.turn_on", "light.bedroom_lamp", color_name="red")]),
        ("set the bedroom lamp to 40%",
         [_call("light.turn_on", "light.bedroom_lamp", brightness_pct=40)]),
        # Media: mute, volume, pause, next, previous, play.
        ("mute the tv", [_call("media_player.volume_mute", "media_player.tv",
                               is_volume_muted=True)]),
        ("unmute the tv", [_call("media_player.volume_mute", "media_player.tv",
                                 is_volume_muted=False)]),
        ("set the tv volume to 30", [_call("media_player.volume_set", "media_player.tv",
                                           volume_level=0.3)]),
        ("turn up the volume on the tv", [_call("media_player.volume_up", "media_player.tv")]),
        ("turn the tv volume down", [_call("media_player.volume_down", "media_player.tv")]),
        ("pause the tv", [_call("media_player.media_pause", "media_player.tv")]),
        ("next track on the tv", [_call("media_player.media_next_track", "media_player.tv")]),
        ("previous track on the tv",
         [_call("media_player.media_previous_track", "media_player.tv")]),
        # Fans, lawn mowers, vacuums, valves, covers with position, climate.
        ("ceiling fan 50%", [_call("fan.set_percentage", "fan.ceiling", percentage=50)]),
        ("set the ceiling fan to 20 percent",
         [_call("fan.set_percentage", "fan.ceiling", percentage=20)]),
        ("start clippy", [_call("lawn_mower.start_mowing", "lawn_mower.clippy")]),
        ("dock clippy", [_call("lawn_mower.dock", "lawn_mower.clippy")]),
        ("start the vacuum", [_call("vacuum.start", "vacuum.robo")]),
        ("pause the vacuum", [_call("vacuum.pause", "vacuum.robo")]),
        ("pause robo", [_call("vacuum.pause", "vacuum.robo")]),
        ("return robo to the dock", [_call("vacuum.return_to_base", "vacuum.robo")]),
        ("open the garden valve", [_call("valve.open_valve", "valve.garden")]),
        ("close the garden valve", [_call("valve.close_valve", "valve.garden")]),
        ("set the living room curtains to 50%",
         [_call("cover.set_cover_position", "cover.living_room", position=50)]),
        ("set the thermostat to 21 degrees",
         [_call("climate.set_temperature", "climate.thermostat", temperature=21.0)]),
        ("set the thermostat fan mode to low",
         [_call("climate.set_fan_mode", "climate.thermostat", fan_mode="low")]),
        # Scopes: area, floor by name, floor by the words people use, device class, all.
        ("turn off the lights in the kitchen", [_call("light.turn_off", "light.kitchen")]),
        ("turn off the lights on the first floor", [_call("light.turn_off", *FLOOR_FIRST)]),
        ("turn off all the lights downstairs", [_call("light.turn_off", *FLOOR_GROUND)]),
        ("turn off all the lights upstairs", [_call("light.turn_off", *FLOOR_FIRST)]),
        ("turn off the lights on the ground floor", [_call("light.turn_off", *FLOOR_GROUND)]),
        ("open the first floor curtains", [_call("cover.open_cover", "cover.bedroom")]),
        ("open the curtains upstairs", [_call("cover.open_cover", "cover.bedroom")]),
        ("close all the curtains downstairs", [_call("cover.close_cover", "cover.living_room")]),
        ("close all the curtains",
         [_call("cover.close_cover", "cover.bedroom", "cover.living_room")]),
        # Numbers, times and percentages are no unknown words, in a part of a sentence too.
        ("turn on the kitchen light and set the living room curtains to 40%",
         [_call("light.turn_on", "light.kitchen"),
          _call("cover.set_cover_position", "cover.living_room", position=40)]),
    ],
)  # fmt: skip
def test_each_intent_and_scope_makes_home_assistants_call(
    parser: CommandParser, text: str, actions: list[dict[str, Any]]
) -> None:
    result = _parse(parser, text)
    assert (result.status, result.actions) == ("ready", actions), result


@pytest.mark.parametrize(
    "text",
    [
        "turn off all the lights in here",
        "turn off the lights here",
        "open the curtains in here",
    ],
)
def test_here_without_a_known_room_asks_which_room(parser: CommandParser, text: str) -> None:
    result = _parse(parser, text)
    assert result.status == "needs_clarification", result
    options = [option["value"] for option in result.clarifications[0].options]
    assert options
    assert set(options) <= {"kitchen", "living_room", "bedroom", "kids_room"}
    # The room picked is the one acted in, nothing wider.
    picked = _parse(parser, text, chosen=frozenset({options[-1]}))
    assert picked.status == "ready", picked
    acted = {entity_id for action in picked.actions for entity_id in action["target"]["entity_id"]}
    home = {entity.entity_id: entity.area_id for entity in levelled_home().entities}
    assert acted
    assert {home[entity_id] for entity_id in acted} == {options[-1]}


def test_here_with_the_room_of_the_device_spoken_to_acts_there(parser: CommandParser) -> None:
    result = _parse(parser, "turn off the lights in here", area_id="bedroom")
    assert result.actions == [_call("light.turn_off", "light.bedroom_lamp")]


@pytest.mark.parametrize(
    "text",
    [
        "turn off all the lights downstairs",
        "turn off all the lights upstairs",
        "open the curtains upstairs",
        "turn on the lights in the basement",
        "turn off all the lights in the attic",
    ],
)
def test_a_floor_word_the_home_cannot_place_never_widens_the_request(text: str) -> None:
    # Floors without levels: "downstairs" means nothing the engine knows, so it asks or
    # refuses; acting on every light of the house would be more than was asked.
    flat = levelled_home()
    unlevelled = Catalog(
        source=flat.source,
        time_zone=flat.time_zone,
        floors=[Floor(floor.floor_id, floor.name) for floor in flat.floors],
        areas=flat.areas,
        entities=flat.entities,
    )
    result = CommandParser(unlevelled).parse(text)
    assert result is None or result.status != "ready", result


def _home_in(areas: dict[str, tuple[str, str]], lights: dict[str, str]) -> Catalog:
    """A two-floor home named in another language: area id -> (name, floor id)."""
    return Catalog(
        source=CatalogSource.IMPORT,
        time_zone="Europe/Berlin",
        floors=[Floor("ground", "G", level=0), Floor("first", "F", level=1)],
        areas=[Area(area_id, name, floor) for area_id, (name, floor) in areas.items()],
        entities=[_entity(f"light.{area}", name, area) for area, name in lights.items()],
    )


# Per language: its home, and sentences with the lights they turn on (+) or off (-).
LANGUAGES: dict[str, tuple[Catalog, list[tuple[str, str, tuple[str, ...]]]]] = {
    "de": (
        _home_in(
            {"kitchen": ("Küche", "ground"), "bedroom": ("Schlafzimmer", "first")},
            {"kitchen": "Deckenlampe", "bedroom": "Nachttischlampe"},
        ),
        [
            ("schalte die Deckenlampe ein", "light.turn_on", ("light.kitchen",)),
            ("schalte das Licht in der Küche aus", "light.turn_off", ("light.kitchen",)),
            ("schalte alle Lichter aus", "light.turn_off", ("light.bedroom", "light.kitchen")),
            ("schalte das Licht oben aus", "light.turn_off", ("light.bedroom",)),
        ],
    ),
    "fr": (
        _home_in(
            {"kitchen": ("Cuisine", "ground"), "bedroom": ("Chambre", "first")},
            {"kitchen": "Plafonnier", "bedroom": "Lampe de chevet"},
        ),
        [
            ("allume le plafonnier", "light.turn_on", ("light.kitchen",)),
            ("éteins la lumière de la cuisine", "light.turn_off", ("light.kitchen",)),
            ("éteins toutes les lumières", "light.turn_off", ("light.bedroom", "light.kitchen")),
            ("éteins les lumières en haut", "light.turn_off", ("light.bedroom",)),
        ],
    ),
    "es": (
        _home_in(
            {"kitchen": ("Cocina", "ground"), "bedroom": ("Dormitorio", "first")},
            {"kitchen": "Lámpara de techo", "bedroom": "Lámpara de noche"},
        ),
        [
            ("enciende la lámpara de techo", "light.turn_on", ("light.kitchen",)),
            ("apaga la luz de la cocina", "light.turn_off", ("light.kitchen",)),
            ("apaga todas las luces", "light.turn_off", ("light.bedroom", "light.kitchen")),
            ("apaga las luces de arriba", "light.turn_off", ("light.bedroom",)),
        ],
    ),
    "nl": (
        _home_in(
            {"kitchen": ("Keuken", "ground"), "bedroom": ("Slaapkamer", "first")},
            {"kitchen": "Plafondlamp", "bedroom": "Bedlampje"},
        ),
        [
            ("zet de plafondlamp aan", "light.turn_on", ("light.kitchen",)),
            ("doe het licht in de keuken uit", "light.turn_off", ("light.kitchen",)),
            ("zet alle lampen uit", "light.turn_off", ("light.bedroom", "light.kitchen")),
            ("zet de lampen boven uit", "light.turn_off", ("light.bedroom",)),
        ],
    ),
}


@pytest.mark.parametrize(
    ("language", "index"),
    [(language, index) for language, (_, said) in LANGUAGES.items() for index in range(len(said))],
)
def test_commands_in_other_languages_by_name_area_all_and_floor_word(
    language: str, index: int
) -> None:
    catalog, said = LANGUAGES[language]
    text, action, entity_ids = said[index]
    result = _parse(CommandParser(catalog, language), text)
    assert (result.status, result.actions) == ("ready", [_call(action, *entity_ids)]), result


def test_every_language_of_the_intents_package_turns_on_a_named_light() -> None:
    # One sentence per language, sampled from that language's own "turn on <name>"
    # template: what its speakers say, not a translation of ours.
    catalog = Catalog(
        source=CatalogSource.IMPORT,
        time_zone="UTC",
        areas=[Area("room", "Zorblax")],
        entities=[_entity("light.q", "Quibbleflux", "room")],
    )
    names = {"name": TextSlotList.from_strings(["Quibbleflux"])}
    failed: list[tuple[str, str | None, str | None]] = []
    languages = supported_languages()
    for language in languages:
        intents = load_grammar(language).intents
        said = next(_turn_on_sentences(intents, names, language), None)
        result = CommandParser(catalog, language).parse(said) if said else None
        if result is None or result.actions != [_call("light.turn_on", "light.q")]:
            failed.append((language, said, result.status if result else None))
    assert len(languages) >= 60
    assert not failed, failed


def _turn_on_sentences(
    intents: Intents, names: Mapping[str, SlotList], language: str
) -> Iterator[str]:
    """Yield sentences of a language's HassTurnOn templates for a light named by itself."""
    for data in intents.intents["HassTurnOn"].data:
        domains = data.requires_context.get("domain")
        domains = [domains] if isinstance(domains, str) else (domains or [])
        combination = (data.metadata or {}).get("slot_combination")
        if "light" not in domains or combination != "name_only":
            continue
        rules = {**intents.expansion_rules, **data.expansion_rules}
        for sentence in data.sentences:
            yield from itertools.islice(
                sample_sentence(
                    sentence, dict(names), rules, language=language, expand_ranges=False
                ),
                1,
            )


@pytest.mark.parametrize(
    ("language", "text", "question"),
    [
        ("de", "schalte die Lampe ein", "Welches 'Lampe' meinst du?"),
        ("fr", "allume la Lampe", "De quel 'Lampe' parlez-vous ?"),
        ("es", "enciende la Lampe", "¿Qué 'Lampe' quieres decir?"),
        ("nl", "zet de Lampe aan", "Welke 'Lampe' bedoel je?"),
    ],
)
def test_a_question_back_is_asked_in_the_requests_language(
    language: str, text: str, question: str
) -> None:
    # Two lights share a name: which one is the user's to say, in their own language.
    catalog = Catalog(
        source=CatalogSource.IMPORT,
        time_zone="Europe/Berlin",
        areas=[Area("one", "Eins"), Area("two", "Zwei")],
        entities=[_entity("light.one", "Lampe", "one"), _entity("light.two", "Lampe", "two")],
    )
    result = _parse(CommandParser(catalog, language), text)
    assert result.status == "needs_clarification", result
    assert result.message == question
    assert [option["value"] for option in result.clarifications[0].options] == [
        "light.one",
        "light.two",
    ]
