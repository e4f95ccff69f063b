"""Automations asked for in Dutch: its words for when and whether, read through its rewrites."""

from __future__ import annotations

from typing import Any

import pytest

from engine.home.catalog import Area, Catalog, CatalogSource
from engine.query.automation import AutomationParser, normalise
from engine.query.commands import CommandParser
from engine.query.translate import rewrites
from tests.engine.languages import assert_on_then_off, assert_says, call, entity, state


def dutch_home() -> Catalog:
    """A house in Amsterdam, named in Dutch."""
    return Catalog(
        source=CatalogSource.IMPORT,
        time_zone="Europe/Amsterdam",
        areas=[
            Area("gang", "Gang"),
            Area("keuken", "Keuken"),
            Area("woonkamer", "Woonkamer"),
            Area("badkamer", "Badkamer"),
        ],
        entities=[
            entity("light.gang", "Ganglamp", "gang"),
            entity("light.keuken", "Keukenlamp", "keuken"),
            entity("cover.woonkamer", "Gordijnen woonkamer", "woonkamer",
                    device_class="curtain", attributes={"supported_features": 7}),
            entity("binary_sensor.voordeur", "Voordeur", "gang", device_class="door"),
            entity("binary_sensor.gang_beweging", "Bewegingssensor gang", "gang",
                    device_class="motion"),
            entity("lock.voordeur", "Voordeurslot", "gang"),
            entity("switch.koffie", "Koffiezetapparaat", "keuken"),
            entity("fan.badkamer", "Badkamerventilator", "badkamer"),
            entity("sensor.badkamer_vocht", "Luchtvochtigheid badkamer", "badkamer",
                    device_class="humidity", unit_of_measurement="%"),
            entity("sensor.woonkamer_temp", "Temperatuur woonkamer", "woonkamer",
                    device_class="temperature", unit_of_measurement="°C"),
            entity("person.anna", "Anna", None),
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def parser() -> AutomationParser:
    catalog = dutch_home()
    return AutomationParser(catalog, "nl", commands=CommandParser(catalog, "nl"))


def _told(text: str) -> dict[str, Any]:
    """Home Assistant's own notification (Anna has no phone), saying the request as said."""
    message = f"{text[:1].upper()}{text[1:]}."
    return {"action": "persistent_notification.create",
            "data": {"title": "HomeIQ", "message": message}}  # fmt: skip


def _parsed(parser: AutomationParser, text: str) -> dict[str, Any]:
    result = parser.parse(text)
    assert result is not None, text
    assert result.status == "ready", result
    assert result.automation is not None
    return result.automation


WEEKDAYS = {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]}
NOBODY = {"condition": "state", "entity_id": ["zone.home"], "state": "0"}
EMPTY = state("zone.home", "0")
DARK = {"condition": "sun", "after": "sunset", "before": "sunrise"}
HALL_ON = call("light.turn_on", "light.gang")
HALL_OFF = call("light.turn_off", "light.gang")
COFFEE_ON = call("switch.turn_on", "switch.koffie")
DOOR_OPENS = state("binary_sensor.voordeur", "on")
MOTION = state("binary_sensor.gang_beweging", "on")
CURTAINS_CLOSE = call("cover.close_cover", "cover.woonkamer")
# Each request with the triggers, conditions and actions it must give.
DUTCH: list[tuple[str, list[Any], list[Any], list[Any]]] = [
    # When inside the separable verb ("zet ... aan").
    ("Zet elke dag om 7 uur de keukenlamp aan",
     [{"trigger": "time", "at": "07:00:00"}], [], [call("light.turn_on", "light.keuken")]),
    ("Als de voordeur opengaat, zet de ganglamp aan", [DOOR_OPENS], [], [HALL_ON]),
    ("Zet het licht in de gang aan als er beweging in de gang wordt gedetecteerd",
     [MOTION], [], [HALL_ON]),
    ("Doe bij zonsondergang de gordijnen dicht",
     [{"trigger": "sun", "event": "sunset"}], [], [CURTAINS_CLOSE]),
    # "Half zeven" is half an hour before seven; the infinitive said last.
    ("Doordeweeks om half zeven het koffiezetapparaat aanzetten",
     [{"trigger": "time", "at": "06:30:00"}], [WEEKDAYS], [COFFEE_ON]),
    ("Als de luchtvochtigheid in de badkamer boven 70% komt, zet de badkamerventilator aan",
     [{"trigger": "numeric_state", "entity_id": ["sensor.badkamer_vocht"], "above": 70}], [],
     [call("fan.turn_on", "fan.badkamer")]),
    ("Zet de badkamerventilator uit als de luchtvochtigheid in de badkamer onder 60 % zakt",
     [{"trigger": "numeric_state", "entity_id": ["sensor.badkamer_vocht"], "below": 60}], [],
     [call("fan.turn_off", "fan.badkamer")]),
    ("Doe de gordijnen dicht als de temperatuur in de woonkamer boven 25 graden komt",
     [{"trigger": "numeric_state", "entity_id": ["sensor.woonkamer_temp"], "above": 25}], [],
     [CURTAINS_CLOSE]),
    # "22,5": the decimal comma.
    ("Als het in de woonkamer warmer wordt dan 22,5 graden, doe de gordijnen dicht",
     [{"trigger": "numeric_state", "entity_id": ["sensor.woonkamer_temp"], "above": 22.5}], [],
     [CURTAINS_CLOSE]),
    ("Zet de ganglamp aan zodra Anna thuiskomt", [state("person.anna", "home")], [], [HALL_ON]),
    ("Zet 30 minuten voor zonsondergang de keukenlamp aan",
     [{"trigger": "sun", "event": "sunset", "offset": "-00:30:00"}], [],
     [call("light.turn_on", "light.keuken")]),
    ("Doe de gordijnen een kwartier na zonsondergang dicht",
     [{"trigger": "sun", "event": "sunset", "offset": "00:15:00"}], [], [CURTAINS_CLOSE]),
    # "Elke avond om 10 uur": Dutch counts the hours to twelve, the evening says which.
    ("Doe elke avond om 10 uur het voordeurslot op slot",
     [{"trigger": "time", "at": "22:00:00"}], [], [call("lock.lock", "lock.voordeur")]),
    ("Zet om half acht 's avonds de keukenlamp aan",
     [{"trigger": "time", "at": "19:30:00"}], [], [call("light.turn_on", "light.keuken")]),
    ("Als de voordeur opengaat en er niemand thuis is, zet de ganglamp aan",
     [DOOR_OPENS], [NOBODY], [HALL_ON]),
    ("Elke ochtend om 6 uur moet het koffiezetapparaat aangaan",
     [{"trigger": "time", "at": "06:00:00"}], [], [COFFEE_ON]),
    ("Als het donker wordt, zet de ganglamp aan", [{"trigger": "sun", "event": "sunset"}], [],
     [HALL_ON]),
    ("Als het donker is en de voordeur opengaat, zet de ganglamp aan", [DOOR_OPENS], [DARK],
     [HALL_ON]),
    ("Als er 's nachts beweging in de gang is, zet de ganglamp aan", [MOTION], [DARK],
     [HALL_ON]),
    ("Als er 5 minuten geen beweging in de gang is, zet de ganglamp uit",
     [state("binary_sensor.gang_beweging", "off", **{"for": {"minutes": 5}})], [], [HALL_OFF]),
    ("Zet de ganglamp uit als er in de gang tien minuten geen beweging meer is",
     [state("binary_sensor.gang_beweging", "off", **{"for": {"minutes": 10}})], [],
     [HALL_OFF]),
    ("Zet de ganglamp aan als de voordeur opengaat, maar alleen na zonsondergang",
     [DOOR_OPENS], [DARK], [HALL_ON]),
    ("Zet maandag en vrijdag om 7 uur het koffiezetapparaat aan",
     [{"trigger": "time", "at": "07:00:00"}], [{"condition": "time", "weekday": ["mon", "fri"]}],
     [COFFEE_ON]),
    ("Doe in het weekend om 9 uur de gordijnen open",
     [{"trigger": "time", "at": "09:00:00"}], [{"condition": "time", "weekday": ["sat", "sun"]}],
     [call("cover.open_cover", "cover.woonkamer")]),
    ("Zet van maandag tot en met vrijdag om 6.45 uur het koffiezetapparaat aan",
     [{"trigger": "time", "at": "06:45:00"}], [WEEKDAYS], [COFFEE_ON]),
    ("Zet het koffiezetapparaat 30 minuten nadat hij is aangezet weer uit",
     [state("switch.koffie", "on", **{"for": {"minutes": 30}})], [],
     [call("switch.turn_off", "switch.koffie")]),
    # "Zet het uit": what the clause named, said again by name for Home Assistant.
    ("Als het koffiezetapparaat langer dan een uur aan staat, zet het uit",
     [state("switch.koffie", "on", **{"for": {"hours": 1}})], [],
     [call("switch.turn_off", "switch.koffie")]),
    ("Als iedereen weg is, doe het voordeurslot op slot", [EMPTY], [],
     [call("lock.lock", "lock.voordeur")]),
    # The home's only person is who "ik" is.
    ("Als ik thuiskom, zet de ganglamp aan", [state("person.anna", "home")], [], [HALL_ON]),
    # With a time, "als ... niet op slot is" says whether, not when; "het" is the lock.
    ("Doe om 11 uur 's avonds het voordeurslot op slot als het niet op slot is",
     [{"trigger": "time", "at": "23:00:00"}],
     [{"condition": "state", "entity_id": ["lock.voordeur"], "state": "unlocked"}],
     [call("lock.lock", "lock.voordeur")]),
    ("Zet tussen 22 en 6 uur de ganglamp aan bij beweging in de gang", [MOTION],
     [{"condition": "time", "after": "22:00:00", "before": "06:00:00"}], [HALL_ON]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "triggers", "conditions", "actions"), DUTCH)
def test_dutch_requests_become_the_automations_they_say(
    parser: AutomationParser,
    text: str,
    triggers: list[Any],
    conditions: list[Any],
    actions: list[Any],
) -> None:
    assert_says(parser, text, triggers, conditions, actions)


@pytest.mark.parametrize(
    ("said", "at"),
    [
        ("om 7 uur", "07:00:00"),
        ("om 7", "07:00:00"),
        ("om 7:30", "07:30:00"),
        ("om 19.00 uur", "19:00:00"),
        ("om half acht", "07:30:00"),
        ("om half een", "12:30:00"),
        ("om kwart over zeven", "07:15:00"),
        ("om kwart voor acht", "07:45:00"),
        ("om één uur", "01:00:00"),
        ("om 7 uur 's avonds", "19:00:00"),
        ("'s ochtends om 7 uur", "07:00:00"),
        ("iedere avond om half elf", "22:30:00"),
        ("om 12 uur 's nachts", "00:00:00"),
        ("om middernacht", "00:00:00"),
    ],
)
def test_dutch_clock_times(parser: AutomationParser, said: str, at: str) -> None:
    automation = _parsed(parser, f"Zet {said} de keukenlamp aan")
    assert automation["triggers"] == [{"trigger": "time", "at": at}]


def test_for_a_while_in_dutch(parser: AutomationParser) -> None:
    """Said as "5 minuten lang" or "voor 5 minuten": do it, wait, undo it."""
    lasting = [HALL_ON, {"delay": {"minutes": 5}}, HALL_OFF]
    for text in (
        "Zet de ganglamp 5 minuten lang aan als de voordeur opengaat",
        "Als de voordeur opengaat, zet de ganglamp voor 5 minuten aan",
        "Zet de ganglamp vijf minuten aan als er beweging in de gang wordt gedetecteerd",
    ):
        automation = _parsed(parser, text)
        assert automation["actions"] == lasting, text
        assert automation["mode"] == "restart"


def test_notifications_in_dutch_say_the_request_in_its_own_words(
    parser: AutomationParser,
) -> None:
    text = "Als de voordeur langer dan 10 minuten open staat, stuur me een melding"
    told = _parsed(parser, text)
    assert told["triggers"] == [state("binary_sensor.voordeur", "on", **{"for": {"minutes": 10}})]
    assert told["actions"] == [_told(text)]

    text = "Waarschuw me als het voordeurslot niet op slot is"
    assert _parsed(parser, text)["triggers"] == [state("lock.voordeur", "unlocked")]

    text = "Laat het me weten als de luchtvochtigheid in de badkamer hoger dan 70 % wordt"
    humid = _parsed(parser, text)
    assert humid["triggers"] == [
        {"trigger": "numeric_state", "entity_id": ["sensor.badkamer_vocht"], "above": 70}
    ]
    assert humid["actions"] == [_told(text)]

    # When said inside "stuur me ... een melding"; "als ... niet op slot is" then says whether.
    text = "Stuur me om 23 uur een melding als het voordeurslot niet op slot is"
    late = _parsed(parser, text)
    assert late["triggers"] == [{"trigger": "time", "at": "23:00:00"}]
    assert late["conditions"] == [
        {"condition": "state", "entity_id": ["lock.voordeur"], "state": "unlocked"}
    ]
    assert late["actions"] == [_told(text)]


@pytest.mark.parametrize(
    "command",
    [
        "zet de keukenlamp aan",
        "doe de gordijnen dicht",
        "doe de gordijnen open",
        "zet het licht in de gang uit",
        "open de gordijnen in de woonkamer",
        "sluit de gordijnen",
        "doe het voordeurslot op slot",
        "doe het voordeurslot van het slot",
        "zet de ventilator in de badkamer aan",
        "zet de ganglamp aan en de keukenlamp uit",
    ],
)
def test_the_rewrites_leave_what_to_do_as_said(command: str) -> None:
    dutch = rewrites("nl")
    assert dutch is not None
    assert dutch.apply(normalise(command)) == command


def test_two_halves_and_it_in_dutch(parser: AutomationParser) -> None:
    assert_on_then_off(
        parser,
        "Zet de ganglamp aan als de voordeur opengaat,"
        " en zet hem uit als hij dichtgaat of na 2 minuten",
        "binary_sensor.voordeur",
        "light.gang",
    )
    assert_says(
        parser,
        "Als de keukenlamp 2 uur aan is, zet hem uit",
        [state("light.keuken", "on", **{"for": {"hours": 2}})],
        [],
        [call("light.turn_off", "light.keuken")],
    )
