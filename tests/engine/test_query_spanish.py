"""Automations asked for in Spanish: its words for when and whether, read through its rewrites."""

from __future__ import annotations

from typing import Any

import pytest

from engine.home.catalog import Area, Catalog, CatalogSource
from engine.query.automation import AutomationParser
from engine.query.commands import CommandParser
from tests.engine.languages import assert_on_then_off, assert_says, call, entity, state


def spanish_home() -> Catalog:
    """A flat in Madrid, named in Spanish."""
    return Catalog(
        source=CatalogSource.IMPORT,
        time_zone="Europe/Madrid",
        areas=[
            Area("pasillo", "Pasillo"),
            Area("cocina", "Cocina"),
            Area("salon", "Salón"),
            Area("bano", "Baño"),
        ],
        entities=[
            entity("light.pasillo", "Luz del pasillo", "pasillo"),
            entity("light.cocina", "Luz de la cocina", "cocina"),
            entity("cover.salon", "Persiana del salón", "salon", device_class="shutter",
                    attributes={"supported_features": 7}),
            entity("binary_sensor.puerta", "Puerta principal", "pasillo", device_class="door"),
            entity("binary_sensor.pasillo_movimiento", "Sensor de movimiento del pasillo",
                    "pasillo", device_class="motion"),
            entity("lock.puerta", "Cerradura de la puerta", "pasillo"),
            entity("switch.cafetera", "Cafetera", "cocina"),
            entity("fan.bano", "Ventilador del baño", "bano"),
            entity("sensor.bano_humedad", "Humedad del baño", "bano",
                    device_class="humidity", unit_of_measurement="%"),
            entity("sensor.salon_temperatura", "Temperatura del salón", "salon",
                    device_class="temperature", unit_of_measurement="°C"),
            entity("person.anna", "Anna", None),
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def parser() -> AutomationParser:
    catalog = spanish_home()
    return AutomationParser(catalog, "es", commands=CommandParser(catalog, "es"))


def _at(time: str) -> dict[str, Any]:
    return {"trigger": "time", "at": time}


WEEKDAYS = {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]}
NOBODY = {"condition": "state", "entity_id": ["zone.home"], "state": "0"}
DARK = {"condition": "sun", "after": "sunset", "before": "sunrise"}
HALL_ON = call("light.turn_on", "light.pasillo")
# Each request with the triggers, conditions and actions it must give.
SPANISH: list[tuple[str, list[Any], list[Any], list[Any]]] = [
    ("Enciende la luz de la cocina todos los días a las 7",
     [_at("07:00:00")], [], [call("light.turn_on", "light.cocina")]),
    ("Cuando se abra la puerta principal, enciende la luz del pasillo",
     [state("binary_sensor.puerta", "on")], [], [HALL_ON]),
    ("Enciende la luz del pasillo cuando se detecte movimiento en el pasillo",
     [state("binary_sensor.pasillo_movimiento", "on")], [], [HALL_ON]),
    ("Cierra la persiana del salón al atardecer",
     [{"trigger": "sun", "event": "sunset"}], [], [call("cover.close_cover", "cover.salon")]),
    ("Entre semana a las 6:30 enciende la cafetera",
     [_at("06:30:00")], [WEEKDAYS], [call("switch.turn_on", "switch.cafetera")]),
    ("De lunes a viernes, a las siete y media de la mañana, sube la persiana del salón",
     [_at("07:30:00")], [WEEKDAYS], [call("cover.open_cover", "cover.salon")]),
    ("Cuando la humedad del baño supere el 70 %, enciende el ventilador del baño",
     [{"trigger": "numeric_state", "entity_id": ["sensor.bano_humedad"], "above": 70}], [],
     [call("fan.turn_on", "fan.bano")]),
    ("Apaga el ventilador del baño cuando la humedad del baño baje de 60 %",
     [{"trigger": "numeric_state", "entity_id": ["sensor.bano_humedad"], "below": 60}], [],
     [call("fan.turn_off", "fan.bano")]),
    ("Cuando la temperatura del salón supere los 25 grados, baja la persiana del salón",
     [{"trigger": "numeric_state", "entity_id": ["sensor.salon_temperatura"], "above": 25}],
     [], [call("cover.close_cover", "cover.salon")]),
    ("Cuando Anna llegue a casa, enciende la luz del pasillo",
     [state("person.anna", "home")], [], [HALL_ON]),
    # "Llegue" with no one before it is the speaker: the home's only person.
    ("Cuando llegue a casa enciende la luz del pasillo",
     [state("person.anna", "home")], [], [HALL_ON]),
    ("Cuando todos se vayan, apaga todas las luces",
     [{"trigger": "state", "entity_id": ["zone.home"], "to": "0"}], [],
     [call("light.turn_off", "light.cocina", "light.pasillo")]),
    ("Media hora antes de la puesta de sol enciende la luz de la cocina",
     [{"trigger": "sun", "event": "sunset", "offset": "-00:30:00"}], [],
     [call("light.turn_on", "light.cocina")]),
    ("Todas las noches a las 23:00 echa la llave de la puerta",
     [_at("23:00:00")], [], [call("lock.lock", "lock.puerta")]),
    # A bare hour said with the part of the day: "cada noche a las 10" is 22:00.
    ("Cada noche a las 10 apaga la luz del pasillo",
     [_at("22:00:00")], [], [call("light.turn_off", "light.pasillo")]),
    ("A las 8 de la tarde baja la persiana del salón",
     [_at("20:00:00")], [], [call("cover.close_cover", "cover.salon")]),
    ("Cuando se cierre la puerta principal y no haya nadie en casa, "
     "cierra la cerradura de la puerta",
     [state("binary_sensor.puerta", "off")], [NOBODY], [call("lock.lock", "lock.puerta")]),
    ("Si no hay nadie en casa a las 9, apaga la cafetera",
     [_at("09:00:00")], [NOBODY], [call("switch.turn_off", "switch.cafetera")]),
    ("Cuando oscurezca baja la persiana del salón",
     [{"trigger": "sun", "event": "sunset"}], [], [call("cover.close_cover", "cover.salon")]),
    ("Cuando no haya movimiento en el pasillo durante cinco minutos, "
     "apaga la luz del pasillo",
     [state("binary_sensor.pasillo_movimiento", "off", **{"for": {"minutes": 5}})], [],
     [call("light.turn_off", "light.pasillo")]),
    ("Enciende la luz del pasillo cuando se abra la puerta principal, "
     "pero solo después del atardecer",
     [state("binary_sensor.puerta", "on")], [DARK], [HALL_ON]),
    ("Cuando haya movimiento en el pasillo por la noche, enciende la luz del pasillo",
     [state("binary_sensor.pasillo_movimiento", "on")], [DARK], [HALL_ON]),
    ("Enciende la luz de la cocina cuando Anna llegue a casa, sólo si está oscuro",
     [state("person.anna", "home")], [DARK], [call("light.turn_on", "light.cocina")]),
    ("Los lunes y viernes a las 7 enciende la cafetera",
     [_at("07:00:00")], [{"condition": "time", "weekday": ["mon", "fri"]}],
     [call("switch.turn_on", "switch.cafetera")]),
    ("Los fines de semana a las 9:30 abre la persiana del salón",
     [_at("09:30:00")], [{"condition": "time", "weekday": ["sat", "sun"]}],
     [call("cover.open_cover", "cover.salon")]),
    ("Apaga la cafetera 30 minutos después de que se encienda",
     [state("switch.cafetera", "on", **{"for": {"minutes": 30}})], [],
     [call("switch.turn_off", "switch.cafetera")]),
    ("Apaga la luz de la cocina cuando lleve encendida más de una hora",
     [state("light.cocina", "on", **{"for": {"hours": 1}})], [],
     [call("light.turn_off", "light.cocina")]),
    ("Después de las 22, cuando se abra la puerta principal, enciende la luz del pasillo",
     [state("binary_sensor.puerta", "on")], [{"condition": "time", "after": "22:00:00"}],
     [HALL_ON]),
    ("Cuando la cerradura de la puerta se abra, enciende la luz del pasillo",
     [state("lock.puerta", "unlocked")], [], [HALL_ON]),
    ("Enciende a las 19:00 la luz del pasillo", [_at("19:00:00")], [], [HALL_ON]),
    ("¡Enciende la luz de la cocina cuando se abra la puerta principal!",
     [state("binary_sensor.puerta", "on")], [], [call("light.turn_on", "light.cocina")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "triggers", "conditions", "actions"), SPANISH)
def test_spanish_requests_become_the_automations_they_say(
    parser: AutomationParser,
    text: str,
    triggers: list[Any],
    conditions: list[Any],
    actions: list[Any],
) -> None:
    assert_says(parser, text, triggers, conditions, actions)


@pytest.mark.parametrize(
    "text",
    [
        "Enciende la luz del pasillo durante 5 minutos cuando se abra la puerta principal",
        "Cuando se abra la puerta principal, enciende la luz del pasillo durante cinco minutos",
    ],
)
def test_for_a_while_in_spanish(parser: AutomationParser, text: str) -> None:
    lasting = parser.parse(text)
    assert lasting is not None
    assert lasting.automation is not None
    assert lasting.automation["triggers"] == [state("binary_sensor.puerta", "on")]
    assert lasting.automation["actions"] == [
        HALL_ON,
        {"delay": {"minutes": 5}},
        call("light.turn_off", "light.pasillo"),
    ]


@pytest.mark.parametrize(
    ("text", "triggers", "conditions"),
    [
        ("Cuando la puerta principal esté abierta más de 10 minutos, envíame una notificación",
         [state("binary_sensor.puerta", "on", **{"for": {"minutes": 10}})], []),
        ("Avísame si la puerta principal lleva abierta 10 minutos",
         [state("binary_sensor.puerta", "on", **{"for": {"minutes": 10}})], []),
        ("Mándame un mensaje cuando Anna llegue a casa", [state("person.anna", "home")], []),
        ("A las 23:00, si la cerradura de la puerta no está cerrada con llave, avísame",
         [_at("23:00:00")],
         [{"condition": "state", "entity_id": ["lock.puerta"], "state": "unlocked"}]),
    ],
)  # fmt: skip
def test_notifications_in_spanish(
    parser: AutomationParser, text: str, triggers: list[Any], conditions: list[Any]
) -> None:
    told = parser.parse(text)
    assert told is not None
    assert told.status == "ready", told
    assert told.automation is not None
    assert told.automation["triggers"] == triggers
    assert told.automation["conditions"] == conditions
    (notify,) = told.automation["actions"]
    # The message is the request in its own words, not the rewritten ones.
    assert notify["data"]["message"] == f"{text}."


def test_spanish_commands_are_left_to_home_assistant(parser: AutomationParser) -> None:
    # What to do alone is a command, not an automation; its numbers stay words.
    assert parser.parse("Enciende la luz de la cocina") is None
    assert parser.parse("Enciende las dos luces") is None


def test_two_halves_and_it_in_spanish(parser: AutomationParser) -> None:
    assert_on_then_off(
        parser,
        "Enciende la luz del pasillo cuando se abra la puerta"
        " principal, y apágala cuando se cierre o después de 2 minutos",
        "binary_sensor.puerta",
        "light.pasillo",
    )
    assert_says(
        parser,
        "Cuando la luz de la cocina lleve encendida 2 horas, apágala",
        [state("light.cocina", "on", **{"for": {"hours": 2}})],
        [],
        [call("light.turn_off", "light.cocina")],
    )
