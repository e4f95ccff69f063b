"""Automations asked for in French: its words for when and whether, read through its rewrites."""

from __future__ import annotations

from typing import Any

import pytest

from engine.home.catalog import Area, Catalog, CatalogSource
from engine.query.automation import AutomationParser
from engine.query.commands import CommandParser
from tests.engine.languages import assert_on_then_off, assert_says, call, entity, state


def french_home() -> Catalog:
    """A flat in Paris, named in French."""
    return Catalog(
        source=CatalogSource.IMPORT,
        time_zone="Europe/Paris",
        areas=[
            Area("couloir", "Couloir"),
            Area("cuisine", "Cuisine"),
            Area("salon", "Salon"),
            Area("salle_de_bain", "Salle de bain"),
        ],
        entities=[
            entity("light.couloir", "Plafonnier du couloir", "couloir"),
            entity("light.cuisine", "Lumière de la cuisine", "cuisine"),
            entity("cover.salon", "Volets du salon", "salon", device_class="shutter",
                    attributes={"supported_features": 7}),
            entity("binary_sensor.porte_entree", "Porte d'entrée", "couloir",
                    device_class="door"),
            entity("binary_sensor.couloir_mouvement", "Détecteur de mouvement du couloir",
                    "couloir", device_class="motion"),
            entity("lock.porte_entree", "Serrure de la porte d'entrée", "couloir"),
            entity("switch.cafetiere", "Cafetière", "cuisine"),
            entity("fan.salle_de_bain", "Ventilateur de la salle de bain", "salle_de_bain"),
            entity("sensor.salle_de_bain_humidite", "Humidité de la salle de bain",
                    "salle_de_bain", device_class="humidity", unit_of_measurement="%"),
            entity("sensor.salon_temperature", "Température du salon", "salon",
                    device_class="temperature", unit_of_measurement="°C"),
            entity("person.anna", "Anna", None),
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def parser() -> AutomationParser:
    catalog = french_home()
    return AutomationParser(catalog, "fr", commands=CommandParser(catalog, "fr"))


def _numeric(entity_id: str, **limit: float) -> dict[str, Any]:
    return {"trigger": "numeric_state", "entity_id": [entity_id], **limit}


WEEKDAYS = {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]}
NOBODY = {"condition": "state", "entity_id": ["zone.home"], "state": "0"}
DARK = {"condition": "sun", "after": "sunset", "before": "sunrise"}
DOOR_OPENS = state("binary_sensor.porte_entree", "on")
MOTION = state("binary_sensor.couloir_mouvement", "on")
ALL_LIGHTS_OFF = call("light.turn_off", "light.couloir", "light.cuisine")
# Each request with the triggers, conditions and actions it must give.
FRENCH: list[tuple[str, list[Any], list[Any], list[Any]]] = [
    ("Allume la lumière de la cuisine tous les jours à 7 heures",
     [{"trigger": "time", "at": "07:00:00"}], [], [call("light.turn_on", "light.cuisine")]),
    ("Quand la porte d'entrée s'ouvre, allume le plafonnier du couloir",
     [DOOR_OPENS], [], [call("light.turn_on", "light.couloir")]),
    ("Allume le plafonnier quand un mouvement est détecté dans le couloir",
     [MOTION], [], [call("light.turn_on", "light.couloir")]),
    # No comma after the place: the command that follows ends it.
    ("Quand il y a du mouvement dans le couloir allume le plafonnier",
     [MOTION], [], [call("light.turn_on", "light.couloir")]),
    ("Ferme les volets au coucher du soleil",
     [{"trigger": "sun", "event": "sunset"}], [], [call("cover.close_cover", "cover.salon")]),
    ("En semaine à 6h30, allume la cafetière",
     [{"trigger": "time", "at": "06:30:00"}], [WEEKDAYS],
     [call("switch.turn_on", "switch.cafetiere")]),
    ("Du lundi au vendredi à 19h30, ferme les volets du salon",
     [{"trigger": "time", "at": "19:30:00"}], [WEEKDAYS],
     [call("cover.close_cover", "cover.salon")]),
    ("Quand l'humidité de la salle de bain dépasse 70 %, allume le ventilateur de la salle de bain",
     [_numeric("sensor.salle_de_bain_humidite", above=70)], [],
     [call("fan.turn_on", "fan.salle_de_bain")]),
    ("Éteins le ventilateur quand l'humidité de la salle de bain descend en dessous de 60 %",
     [_numeric("sensor.salle_de_bain_humidite", below=60)], [],
     [call("fan.turn_off", "fan.salle_de_bain")]),
    ("Quand la température du salon dépasse vingt-cinq degrés, ferme les volets",
     [_numeric("sensor.salon_temperature", above=25)], [],
     [call("cover.close_cover", "cover.salon")]),
    ("Quand Anna rentre à la maison, allume le plafonnier du couloir",
     [state("person.anna", "home")], [], [call("light.turn_on", "light.couloir")]),
    ("Quand je rentre, allume la lumière de la cuisine",
     [state("person.anna", "home")], [], [call("light.turn_on", "light.cuisine")]),
    ("Quand tout le monde est parti, éteins toutes les lumières",
     [{"trigger": "state", "entity_id": ["zone.home"], "to": "0"}], [], [ALL_LIGHTS_OFF]),
    ("30 minutes avant le coucher du soleil, allume la lumière de la cuisine",
     [{"trigger": "sun", "event": "sunset", "offset": "-00:30:00"}], [],
     [call("light.turn_on", "light.cuisine")]),
    ("Ouvre les volets du salon une demi-heure après le lever du soleil",
     [{"trigger": "sun", "event": "sunrise", "offset": "00:30:00"}], [],
     [call("cover.open_cover", "cover.salon")]),
    ("Verrouille la porte d'entrée chaque soir à 22h",
     [{"trigger": "time", "at": "22:00:00"}], [], [call("lock.lock", "lock.porte_entree")]),
    ("Quand la porte d'entrée s'ouvre et que personne n'est à la maison, allume le plafonnier",
     [DOOR_OPENS], [NOBODY], [call("light.turn_on", "light.couloir")]),
    ("Éteins la lumière de la cuisine à 23h si personne n'est à la maison",
     [{"trigger": "time", "at": "23:00:00"}], [NOBODY],
     [call("light.turn_off", "light.cuisine")]),
    ("Quand il commence à faire nuit, allume le plafonnier du couloir",
     [{"trigger": "sun", "event": "sunset"}], [], [call("light.turn_on", "light.couloir")]),
    ("Quand il n'y a plus de mouvement dans le couloir pendant 5 minutes, éteins le plafonnier",
     [state("binary_sensor.couloir_mouvement", "off", **{"for": {"minutes": 5}})], [],
     [call("light.turn_off", "light.couloir")]),
    ("Allume le plafonnier quand la porte d'entrée s'ouvre "
     "mais seulement après le coucher du soleil",
     [DOOR_OPENS], [DARK], [call("light.turn_on", "light.couloir")]),
    ("Dès qu'un mouvement est détecté dans le couloir, "
     "allume le plafonnier seulement s'il fait nuit",
     [MOTION], [DARK], [call("light.turn_on", "light.couloir")]),
    ("Le lundi et le vendredi à 7h, allume la cafetière",
     [{"trigger": "time", "at": "07:00:00"}], [{"condition": "time", "weekday": ["mon", "fri"]}],
     [call("switch.turn_on", "switch.cafetiere")]),
    ("Le week-end à 9h, ouvre les volets du salon",
     [{"trigger": "time", "at": "09:00:00"}], [{"condition": "time", "weekday": ["sat", "sun"]}],
     [call("cover.open_cover", "cover.salon")]),
    ("Éteins la cafetière 30 minutes après qu'elle s'est allumée",
     [state("switch.cafetiere", "on", **{"for": {"minutes": 30}})], [],
     [call("switch.turn_off", "switch.cafetiere")]),
    ("Quand la serrure de la porte d'entrée est déverrouillée depuis dix minutes, "
     "verrouille la porte d'entrée",
     [state("lock.porte_entree", "unlocked", **{"for": {"minutes": 10}})], [],
     [call("lock.lock", "lock.porte_entree")]),
    ("Quand Anna quitte la maison, éteins toutes les lumières",
     [state("person.anna", "not_home")], [], [ALL_LIGHTS_OFF]),
    ("Allume la lumière de la cuisine à 7 heures du soir",
     [{"trigger": "time", "at": "19:00:00"}], [], [call("light.turn_on", "light.cuisine")]),
    # Numbers in what to do stay its own ("cinquante pour cent" is the brightness).
    ("Règle la lumière de la cuisine à cinquante pour cent tous les soirs à 21h",
     [{"trigger": "time", "at": "21:00:00"}], [],
     [call("light.turn_on", "light.cuisine", brightness_pct=50)]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "triggers", "conditions", "actions"), FRENCH)
def test_french_requests_become_the_automations_they_say(
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
        "Allume le plafonnier pendant 5 minutes quand la porte d'entrée s'ouvre",
        "Quand la porte d'entrée s'ouvre, allume le plafonnier puis éteins-le au bout de 5 minutes",
    ],
)
def test_for_a_while_in_french(parser: AutomationParser, text: str) -> None:
    lasting = parser.parse(text)
    assert lasting is not None
    assert lasting.automation is not None
    assert lasting.automation["triggers"] == [DOOR_OPENS]
    assert lasting.automation["actions"] == [
        call("light.turn_on", "light.couloir"),
        {"delay": {"minutes": 5}},
        call("light.turn_off", "light.couloir"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Quand la porte d'entrée est ouverte depuis plus de 10 minutes, préviens-moi",
        "Quand la porte d'entrée reste ouverte plus de dix minutes, envoie-moi une notification",
    ],
)
def test_a_notification_in_french(parser: AutomationParser, text: str) -> None:
    told = parser.parse(text)
    assert told is not None
    assert told.automation is not None
    assert told.automation["triggers"] == [
        state("binary_sensor.porte_entree", "on", **{"for": {"minutes": 10}})
    ]
    (notify,) = told.automation["actions"]
    # The message is the request in its own words, not the rewritten ones.
    assert notify["data"]["message"] == f"{text}."


@pytest.mark.parametrize(
    "text",
    [
        "Allume la lumière de la cuisine",
        "Ferme les volets",
        "Mets la lumière de la cuisine à 50 %",
        "Verrouille la porte d'entrée",
        "Quelle est la température du salon",
        "Est-ce que quelqu'un est à la maison",
    ],
)
def test_french_commands_and_questions_are_no_automation(
    parser: AutomationParser, text: str
) -> None:
    # Left to the command parser: the rewrites find no word of when in them.
    assert parser.parse(text) is None


def test_two_halves_and_it_in_french(parser: AutomationParser) -> None:
    assert_on_then_off(
        parser,
        "Allume le plafonnier du couloir quand la porte d'entrée"
        " s'ouvre, et éteins-le quand elle se ferme ou après 2 minutes",
        "binary_sensor.porte_entree",
        "light.couloir",
    )
    assert_says(
        parser,
        "Quand la lumière de la cuisine est allumée depuis 2 heures, éteins-la",
        [state("light.cuisine", "on", **{"for": {"hours": 2}})],
        [],
        [call("light.turn_off", "light.cuisine")],
    )
