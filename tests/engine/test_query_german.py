"""Automations asked for in German: its words for when and whether, read through its rewrites."""

from __future__ import annotations

from typing import Any

import pytest

from engine.home.catalog import Area, Catalog, CatalogSource
from engine.query.automation import AutomationParser
from engine.query.commands import CommandParser
from engine.query.translate import rewrites
from tests.engine.languages import assert_on_then_off, assert_says, call, entity, state


def german_home() -> Catalog:
    """A flat in Berlin, named in German."""
    return Catalog(
        source=CatalogSource.IMPORT,
        time_zone="Europe/Berlin",
        areas=[
            Area("flur", "Flur"),
            Area("kueche", "Küche"),
            Area("wohnzimmer", "Wohnzimmer"),
            Area("bad", "Badezimmer"),
        ],
        entities=[
            entity("light.flur", "Flurlicht", "flur"),
            entity("light.kueche", "Küchenlicht", "kueche"),
            entity("cover.wohnzimmer", "Rollladen", "wohnzimmer", device_class="shutter",
                    attributes={"supported_features": 7}),
            entity("binary_sensor.haustuer", "Haustür", "flur", device_class="door"),
            entity("binary_sensor.flur_bewegung", "Bewegungsmelder Flur", "flur",
                    device_class="motion"),
            entity("lock.haustuer", "Haustürschloss", "flur"),
            entity("switch.kaffee", "Kaffeemaschine", "kueche"),
            entity("fan.bad", "Badlüfter", "bad"),
            entity("sensor.bad_feuchte", "Luftfeuchtigkeit Bad", "bad",
                    device_class="humidity", unit_of_measurement="%"),
            entity("person.anna", "Anna", None),
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def parser() -> AutomationParser:
    catalog = german_home()
    return AutomationParser(catalog, "de", commands=CommandParser(catalog, "de"))


WEEKDAYS = {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]}
NOBODY = {"condition": "state", "entity_id": ["zone.home"], "state": "0"}
# Each request with the triggers, conditions and actions it must give.
GERMAN: list[tuple[str, list[Any], list[Any], list[Any]]] = [
    ("Schalte jeden Tag um 7 Uhr das Küchenlicht ein",
     [{"trigger": "time", "at": "07:00:00"}], [], [call("light.turn_on", "light.kueche")]),
    ("Wenn die Haustür geöffnet wird, schalte das Flurlicht ein",
     [state("binary_sensor.haustuer", "on")], [], [call("light.turn_on", "light.flur")]),
    ("Schalte das Flurlicht ein, wenn Bewegung im Flur erkannt wird",
     [state("binary_sensor.flur_bewegung", "on")], [], [call("light.turn_on", "light.flur")]),
    ("Schließe bei Sonnenuntergang den Rollladen",
     [{"trigger": "sun", "event": "sunset"}], [],
     [call("cover.close_cover", "cover.wohnzimmer")]),
    ("Werktags um 6:30 Uhr die Kaffeemaschine einschalten",
     [{"trigger": "time", "at": "06:30:00"}], [WEEKDAYS],
     [call("switch.turn_on", "switch.kaffee")]),
    ("Wenn die Luftfeuchtigkeit im Bad über 70 % steigt, schalte den Badlüfter ein",
     [{"trigger": "numeric_state", "entity_id": ["sensor.bad_feuchte"], "above": 70}], [],
     [call("fan.turn_on", "fan.bad")]),
    ("Wenn Anna nach Hause kommt, schalte das Flurlicht ein",
     [state("person.anna", "home")], [], [call("light.turn_on", "light.flur")]),
    ("30 Minuten vor Sonnenuntergang schalte das Küchenlicht ein",
     [{"trigger": "sun", "event": "sunset", "offset": "-00:30:00"}], [],
     [call("light.turn_on", "light.kueche")]),
    ("Schließe das Haustürschloss jeden Abend um 22 Uhr ab",
     [{"trigger": "time", "at": "22:00:00"}], [], [call("lock.lock", "lock.haustuer")]),
    ("Wenn die Haustür aufgeht und niemand zu Hause ist, schalte das Flurlicht ein",
     [state("binary_sensor.haustuer", "on")], [NOBODY], [call("light.turn_on", "light.flur")]),
    ("Jeden Morgen um 6 Uhr soll die Kaffeemaschine angehen",
     [{"trigger": "time", "at": "06:00:00"}], [], [call("switch.turn_on", "switch.kaffee")]),
    ("Wenn es dunkel wird, schalte das Flurlicht ein",
     [{"trigger": "sun", "event": "sunset"}], [], [call("light.turn_on", "light.flur")]),
    ("Wenn im Flur 5 Minuten lang keine Bewegung erkannt wird, schalte das Flurlicht aus",
     [state("binary_sensor.flur_bewegung", "off", **{"for": {"minutes": 5}})], [],
     [call("light.turn_off", "light.flur")]),
    ("Schalte das Flurlicht ein wenn die Haustür aufgeht aber nur nach Sonnenuntergang",
     [state("binary_sensor.haustuer", "on")],
     [{"condition": "sun", "after": "sunset", "before": "sunrise"}],
     [call("light.turn_on", "light.flur")]),
    ("Montags und freitags um 7 Uhr die Kaffeemaschine einschalten",
     [{"trigger": "time", "at": "07:00:00"}], [{"condition": "time", "weekday": ["mon", "fri"]}],
     [call("switch.turn_on", "switch.kaffee")]),
    ("Schalte die Kaffeemaschine 30 Minuten nachdem sie eingeschaltet wurde aus",
     [state("switch.kaffee", "on", **{"for": {"minutes": 30}})], [],
     [call("switch.turn_off", "switch.kaffee")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "triggers", "conditions", "actions"), GERMAN)
def test_german_requests_become_the_automations_they_say(
    parser: AutomationParser,
    text: str,
    triggers: list[Any],
    conditions: list[Any],
    actions: list[Any],
) -> None:
    assert_says(parser, text, triggers, conditions, actions)


def test_for_a_while_and_a_notification_in_german(parser: AutomationParser) -> None:
    lasting = parser.parse(
        "Schalte das Flurlicht für 5 Minuten ein, wenn die Haustür geöffnet wird"
    )
    assert lasting is not None
    assert lasting.automation is not None
    assert lasting.automation["actions"] == [
        call("light.turn_on", "light.flur"),
        {"delay": {"minutes": 5}},
        call("light.turn_off", "light.flur"),
    ]
    told = parser.parse("Wenn die Haustür länger als 10 Minuten offen ist, benachrichtige mich")
    assert told is not None
    assert told.automation is not None
    assert told.automation["triggers"] == [
        state("binary_sensor.haustuer", "on", **{"for": {"minutes": 10}})
    ]
    (notify,) = told.automation["actions"]
    # The message is the request in its own words, not the rewritten ones.
    assert notify["data"]["message"].startswith("Wenn die Haustür länger als 10 Minuten")


def test_rewrites_match_whole_words_only() -> None:
    german = rewrites("de")
    assert german is not None
    # Every alternative of "wenn|falls" is bounded: "wenngleich" and "ebenfalls" stay.
    assert german.apply("wenngleich ebenfalls wenn") == "wenngleich ebenfalls when"


def test_questions_back_are_german_and_their_options_answer_them(parser: AutomationParser) -> None:
    text = "Wenn die Haustür geöffnet wird"
    asked = parser.parse(text)
    assert asked is not None
    assert asked.status == "needs_clarification", asked
    (question,) = asked.clarifications
    assert question.question == "Was soll dann passieren?"
    labels = [option["label"] for option in question.options]
    # The hall's own light first: the door is in the hall.
    assert labels[0] == "Flurlicht einschalten"
    for option in question.options:
        answered = parser.parse(f"{text}, {option['value']}")
        assert answered is not None
        assert answered.status == "ready", (option, answered)
    when = parser.parse("Schalte das Flurlicht werktags ein")
    assert when is not None
    assert [c.question for c in when.clarifications] == ["Um wie viel Uhr?"]


def test_two_halves_and_it_in_german(parser: AutomationParser) -> None:
    assert_on_then_off(
        parser,
        "Schalte das Flurlicht ein, wenn die Haustür aufgeht, und schalte es aus, wenn sie "
        "zugeht oder nach 2 Minuten",
        "binary_sensor.haustuer",
        "light.flur",
    )
    assert_says(
        parser,
        "Wenn das Küchenlicht 2 Stunden an ist, schalte es aus",
        [state("light.kueche", "on", **{"for": {"hours": 2}})],
        [],
        [call("light.turn_off", "light.kueche")],
    )


def test_refusals_are_german(parser: AutomationParser) -> None:
    result = parser.parse("Wenn blubb, schalte das Küchenlicht ein")
    assert result is not None
    assert result.status == "unsupported"
    assert result.message is not None
    assert result.message.startswith("Ich habe ")
    assert result.message.endswith(" nicht verstanden.")
