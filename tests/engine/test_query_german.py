"""Automations asked for in German: its words for when and whether, read through its rewrites."""

from __future__ import annotations

from typing import Any

import pytest

from engine.home.catalog import Area, Catalog, CatalogSource, Entity
from engine.query.automation import AutomationParser
from engine.query.commands import CommandParser
from engine.query.translate import rewrites


def _entity(entity_id: str, name: str, area: str | None, **extra: Any) -> Entity:
    return Entity(entity_id=entity_id, name=name, area_id=area, **extra)


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
            _entity("light.flur", "Flurlicht", "flur"),
            _entity("light.kueche", "Küchenlicht", "kueche"),
            _entity("cover.wohnzimmer", "Rollladen", "wohnzimmer", device_class="shutter",
                    attributes={"supported_features": 7}),
            _entity("binary_sensor.haustuer", "Haustür", "flur", device_class="door"),
            _entity("binary_sensor.flur_bewegung", "Bewegungsmelder Flur", "flur",
                    device_class="motion"),
            _entity("lock.haustuer", "Haustürschloss", "flur"),
            _entity("switch.kaffee", "Kaffeemaschine", "kueche"),
            _entity("fan.bad", "Badlüfter", "bad"),
            _entity("sensor.bad_feuchte", "Luftfeuchtigkeit Bad", "bad",
                    device_class="humidity", unit_of_measurement="%"),
            _entity("person.anna", "Anna", None),
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def parser() -> AutomationParser:
    catalog = german_home()
    return AutomationParser(catalog, "de", commands=CommandParser(catalog, "de"))


def _call(action: str, entity_id: str) -> dict[str, Any]:
    return {"action": action, "target": {"entity_id": [entity_id]}, "data": {}}


def _state(entity_id: str, to: str, **extra: Any) -> dict[str, Any]:
    return {"trigger": "state", "entity_id": [entity_id], "to": to, **extra}


WEEKDAYS = {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]}
NOBODY = {"condition": "state", "entity_id": ["zone.home"], "state": "0"}
# Each request with the triggers, conditions and actions it must give.
GERMAN: list[tuple[str, list[Any], list[Any], list[Any]]] = [
    ("Schalte jeden Tag um 7 Uhr das Küchenlicht ein",
     [{"trigger": "time", "at": "07:00:00"}], [], [_call("light.turn_on", "light.kueche")]),
    ("Wenn die Haustür geöffnet wird, schalte das Flurlicht ein",
     [_state("binary_sensor.haustuer", "on")], [], [_call("light.turn_on", "light.flur")]),
    ("Schalte das Flurlicht ein, wenn Bewegung im Flur erkannt wird",
     [_state("binary_sensor.flur_bewegung", "on")], [], [_call("light.turn_on", "light.flur")]),
    ("Schließe bei Sonnenuntergang den Rollladen",
     [{"trigger": "sun", "event": "sunset"}], [],
     [_call("cover.close_cover", "cover.wohnzimmer")]),
    ("Werktags um 6:30 Uhr die Kaffeemaschine einschalten",
     [{"trigger": "time", "at": "06:30:00"}], [WEEKDAYS],
     [_call("switch.turn_on", "switch.kaffee")]),
    ("Wenn die Luftfeuchtigkeit im Bad über 70 % steigt, schalte den Badlüfter ein",
     [{"trigger": "numeric_state", "entity_id": ["sensor.bad_feuchte"], "above": 70}], [],
     [_call("fan.turn_on", "fan.bad")]),
    ("Wenn Anna nach Hause kommt, schalte das Flurlicht ein",
     [_state("person.anna", "home")], [], [_call("light.turn_on", "light.flur")]),
    ("30 Minuten vor Sonnenuntergang schalte das Küchenlicht ein",
     [{"trigger": "sun", "event": "sunset", "offset": "-00:30:00"}], [],
     [_call("light.turn_on", "light.kueche")]),
    ("Schließe das Haustürschloss jeden Abend um 22 Uhr ab",
     [{"trigger": "time", "at": "22:00:00"}], [], [_call("lock.lock", "lock.haustuer")]),
    ("Wenn die Haustür aufgeht und niemand zu Hause ist, schalte das Flurlicht ein",
     [_state("binary_sensor.haustuer", "on")], [NOBODY], [_call("light.turn_on", "light.flur")]),
    ("Jeden Morgen um 6 Uhr soll die Kaffeemaschine angehen",
     [{"trigger": "time", "at": "06:00:00"}], [], [_call("switch.turn_on", "switch.kaffee")]),
    ("Wenn es dunkel wird, schalte das Flurlicht ein",
     [{"trigger": "sun", "event": "sunset"}], [], [_call("light.turn_on", "light.flur")]),
    ("Wenn im Flur 5 Minuten lang keine Bewegung erkannt wird, schalte das Flurlicht aus",
     [_state("binary_sensor.flur_bewegung", "off", **{"for": {"minutes": 5}})], [],
     [_call("light.turn_off", "light.flur")]),
    ("Schalte das Flurlicht ein wenn die Haustür aufgeht aber nur nach Sonnenuntergang",
     [_state("binary_sensor.haustuer", "on")],
     [{"condition": "sun", "after": "sunset", "before": "sunrise"}],
     [_call("light.turn_on", "light.flur")]),
    ("Montags und freitags um 7 Uhr die Kaffeemaschine einschalten",
     [{"trigger": "time", "at": "07:00:00"}], [{"condition": "time", "weekday": ["mon", "fri"]}],
     [_call("switch.turn_on", "switch.kaffee")]),
    ("Schalte die Kaffeemaschine 30 Minuten nachdem sie eingeschaltet wurde aus",
     [_state("switch.kaffee", "on", **{"for": {"minutes": 30}})], [],
     [_call("switch.turn_off", "switch.kaffee")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "triggers", "conditions", "actions"), GERMAN)
def test_german_requests_become_the_automations_they_say(
    parser: AutomationParser,
    text: str,
    triggers: list[Any],
    conditions: list[Any],
    actions: list[Any],
) -> None:
    result = parser.parse(text)
    assert result is not None, text
    assert result.status == "ready", result
    assert result.automation is not None
    got = {key: result.automation[key] for key in ("triggers", "conditions", "actions")}
    assert got == {"triggers": triggers, "conditions": conditions, "actions": actions}
    assert result.automation["description"] == text


def test_for_a_while_and_a_notification_in_german(parser: AutomationParser) -> None:
    lasting = parser.parse(
        "Schalte das Flurlicht für 5 Minuten ein, wenn die Haustür geöffnet wird"
    )
    assert lasting is not None
    assert lasting.automation is not None
    assert lasting.automation["actions"] == [
        _call("light.turn_on", "light.flur"),
        {"delay": {"minutes": 5}},
        _call("light.turn_off", "light.flur"),
    ]
    told = parser.parse("Wenn die Haustür länger als 10 Minuten offen ist, benachrichtige mich")
    assert told is not None
    assert told.automation is not None
    assert told.automation["triggers"] == [
        _state("binary_sensor.haustuer", "on", **{"for": {"minutes": 10}})
    ]
    (notify,) = told.automation["actions"]
    # The message is the request in its own words, not the rewritten ones.
    assert notify["data"]["message"].startswith("Wenn die Haustür länger als 10 Minuten")


def test_rewrites_match_whole_words_only() -> None:
    german = rewrites("de")
    assert german is not None
    # Every alternative of "wenn|falls" is bounded: "wenngleich" and "ebenfalls" stay.
    assert german.apply("wenngleich ebenfalls wenn") == "wenngleich ebenfalls when"
