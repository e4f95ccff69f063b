"""The automation parser: the exact config of every trigger, condition and action form.

Home Assistant's own validation of each of these configs runs in the integration tier
(tests/integration/test_query_automation_validation.py): importing Home Assistant here
would change this process's garbage collection that the engine tests' leak guard sees.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from engine.home.catalog import Area, Catalog, CatalogSource, Entity, Floor, catalog_from_import
from engine.query.automation import AutomationParser, AutomationResult, automation_id
from engine.query.commands import CommandParser
from engine.query.durations import Clock, clock, duration
from engine.query.limits import exceeded
from engine.training.synthetic import generate_home

# Home Assistant's feature bits: media player pause 1, volume set 4, previous 16, next 32,
# play 16384; cover open 1, close 2, set position 4; climate target temperature 1.
MEDIA = 1 | 4 | 16 | 32 | 16384
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
DARK = {"condition": "sun", "after": "sunset", "before": "sunrise"}


def _entity(entity_id: str, name: str, area: str | None, **extra: Any) -> Entity:
    features = extra.pop("features", None)
    attributes = {"supported_features": features} if features is not None else None
    return Entity(entity_id=entity_id, name=name, area_id=area, attributes=attributes, **extra)


def home() -> Catalog:
    """A small home: lights and devices to act on, sensors and people to watch."""
    return Catalog(
        source=CatalogSource.IMPORT,
        time_zone="Europe/Berlin",
        floors=[Floor("ground", "Ground floor"), Floor("upstairs", "Upstairs")],
        areas=[
            Area("kitchen", "Kitchen", "ground"),
            Area("hall", "Hall", "ground"),
            Area("living_room", "Living Room", "ground", aliases=["lounge"]),
            Area("garage", "Garage", "ground"),
            Area("garden", "Garden", "ground"),
            Area("bedroom", "Bedroom", "upstairs"),
            Area("office", "Office", "upstairs"),
        ],
        entities=[
            _entity("light.kitchen", "Kitchen Light", "kitchen"),
            _entity("light.hall", "Hall Light", "hall"),
            _entity("light.porch", "Porch Light", "garden"),
            _entity("light.garage", "Garage Light", "garage"),
            _entity("light.living_room", "Living Room Lamp", "living_room"),
            _entity("light.bedroom", "Bedroom Light", "bedroom"),
            _entity("light.bedroom_lamp", "Lamp", "bedroom"),
            _entity("light.office_lamp", "Lamp", "office"),
            _entity("switch.coffee_maker", "Coffee Maker", "kitchen"),
            _entity("fan.bedroom", "Bedroom Fan", "bedroom"),
            _entity("climate.bedroom", "Bedroom Thermostat", "bedroom", features=1),
            _entity(
                "cover.living_room_blinds",
                "Living Room Blinds",
                "living_room",
                device_class="blind",
                features=7,
            ),
            _entity("cover.garage_door", "Garage Door", "garage", device_class="garage"),
            # A lock and a door contact share a name: opening is the contact's to tell.
            _entity("lock.front_door", "Front Door", "hall"),
            _entity("binary_sensor.front_door", "Front Door", "hall", device_class="door"),
            _entity("binary_sensor.back_door", "Back Door", "kitchen", device_class="door"),
            _entity("binary_sensor.hall_motion", "Hall Motion", "hall", device_class="motion"),
            _entity(
                "binary_sensor.kitchen_motion", "Kitchen Motion", "kitchen", device_class="motion"
            ),
            _entity(
                "binary_sensor.kitchen_presence",
                "Kitchen Presence",
                "kitchen",
                device_class="occupancy",
            ),
            _entity(
                "binary_sensor.bedroom_window", "Bedroom Window", "bedroom", device_class="window"
            ),
            _entity("binary_sensor.skylight", "Skylight", "bedroom", device_class="window"),
            _entity(
                "media_player.living_room_tv",
                "Living Room TV",
                "living_room",
                device_class="tv",
                state="playing",
                features=MEDIA,
            ),
            _entity(
                "sensor.bedroom_temperature",
                "Bedroom Temperature",
                "bedroom",
                device_class="temperature",
                unit_of_measurement="°C",
            ),
            _entity(
                "sensor.bedroom_humidity",
                "Bedroom Humidity",
                "bedroom",
                device_class="humidity",
                unit_of_measurement="%",
            ),
            _entity(
                "sensor.sofa_thermometer",
                "Sofa Thermometer",
                "living_room",
                device_class="temperature",
                unit_of_measurement="°C",
            ),
            _entity(
                "sensor.window_thermometer",
                "Window Thermometer",
                "living_room",
                unit_of_measurement="°C",
            ),
            _entity(
                "sensor.fridge_battery",
                "Fridge Battery",
                "kitchen",
                device_class="battery",
                entity_category="diagnostic",
            ),
            _entity("person.anna", "Anna", None),
            _entity("person.ben", "Ben", None),
            _entity("device_tracker.anna_phone", "Anna's Phone", None),
        ],
    )


@pytest.fixture(scope="module")
def parser() -> AutomationParser:
    catalog = home()
    return AutomationParser(catalog, commands=CommandParser(catalog))


def _call(action: str, *entity_ids: str, **data: Any) -> dict[str, Any]:
    return {"action": action, "target": {"entity_id": sorted(entity_ids)}, "data": data}


def _ready(parser: AutomationParser, text: str, area_id: str | None = None) -> dict[str, Any]:
    # Every config asserted here is one Home Assistant validates in the integration tier.
    assert (text, area_id) in READY, f"add {text!r} to READY"
    result = parser.parse(text, area_id=area_id)
    assert result is not None, text
    assert result.status == "ready", (text, result)
    assert result.automation is not None
    assert result.clarifications == []
    return result.automation


def _not_ready(parser: AutomationParser, text: str, status: str) -> AutomationResult:
    result = parser.parse(text)
    assert result is not None, text
    assert result.status == status, (text, result)
    assert result.automation is None
    assert result.message
    return result


def _values(result: AutomationResult) -> list[list[str]]:
    return [[option["value"] for option in c.options] for c in result.clarifications]


LIGHT_HALL_ON = _call("light.turn_on", "light.hall")

TRIGGERS = [
    pytest.param(
        "at 7 turn on the kitchen light",
        [{"trigger": "time", "at": "07:00:00"}],
        [],
        [_call("light.turn_on", "light.kitchen")],
        id="time",
    ),
    pytest.param(
        "At 7:30 pm, turn off the coffee maker.",
        [{"trigger": "time", "at": "19:30:00"}],
        [],
        [_call("switch.turn_off", "switch.coffee_maker")],
        id="time-pm",
    ),
    pytest.param(
        "every day at 22:00 turn off the hall light",
        [{"trigger": "time", "at": "22:00:00"}],
        [],
        [_call("light.turn_off", "light.hall")],
        id="time-every-day",
    ),
    pytest.param(
        "every evening at 7 turn on the porch light",
        [{"trigger": "time", "at": "19:00:00"}],
        [],
        [_call("light.turn_on", "light.porch")],
        id="time-in-the-evening",
    ),
    pytest.param(
        "every weekday at 7 turn on the kitchen light",
        [{"trigger": "time", "at": "07:00:00"}],
        [{"condition": "time", "weekday": WEEKDAYS}],
        [_call("light.turn_on", "light.kitchen")],
        id="weekdays",
    ),
    pytest.param(
        "on weekends at 9 am open the living room blinds",
        [{"trigger": "time", "at": "09:00:00"}],
        [{"condition": "time", "weekday": ["sat", "sun"]}],
        [_call("cover.open_cover", "cover.living_room_blinds")],
        id="weekends",
    ),
    pytest.param(
        "on mondays and fridays at 18:00 turn on the coffee maker",
        [{"trigger": "time", "at": "18:00:00"}],
        [{"condition": "time", "weekday": ["mon", "fri"]}],
        [_call("switch.turn_on", "switch.coffee_maker")],
        id="named-days",
    ),
    pytest.param(
        "at sunset turn on the porch light",
        [{"trigger": "sun", "event": "sunset"}],
        [],
        [_call("light.turn_on", "light.porch")],
        id="sunset",
    ),
    pytest.param(
        "30 minutes before sunset close the living room blinds",
        [{"trigger": "sun", "event": "sunset", "offset": "-00:30:00"}],
        [],
        [_call("cover.close_cover", "cover.living_room_blinds")],
        id="sunset-offset",
    ),
    pytest.param(
        "open the living room blinds an hour after sunrise",
        [{"trigger": "sun", "event": "sunrise", "offset": "01:00:00"}],
        [],
        [_call("cover.open_cover", "cover.living_room_blinds")],
        id="sunrise-offset-said-last",
    ),
    pytest.param(
        "when it gets dark turn on the porch light",
        [{"trigger": "sun", "event": "sunset"}],
        [],
        [_call("light.turn_on", "light.porch")],
        id="gets-dark",
    ),
    pytest.param(
        "when the front door opens turn on the hall light",
        [{"trigger": "state", "entity_id": ["binary_sensor.front_door"], "to": "on"}],
        [],
        [LIGHT_HALL_ON],
        id="door-sensor-opens",
    ),
    pytest.param(
        "when the garage door opens turn on the garage light",
        [{"trigger": "state", "entity_id": ["cover.garage_door"], "to": "open"}],
        [],
        [_call("light.turn_on", "light.garage")],
        id="cover-opens",
    ),
    pytest.param(
        "when the back door closes turn off the kitchen light",
        [{"trigger": "state", "entity_id": ["binary_sensor.back_door"], "to": "off"}],
        [],
        [_call("light.turn_off", "light.kitchen")],
        id="door-closes",
    ),
    pytest.param(
        "when the garage door is open for 10 minutes, close the garage door",
        [
            {
                "trigger": "state",
                "entity_id": ["cover.garage_door"],
                "to": "open",
                "for": {"minutes": 10},
            }
        ],
        [],
        [_call("cover.close_cover", "cover.garage_door")],
        id="open-for-a-while",
    ),
    pytest.param(
        "when the front door is unlocked turn on the hall light",
        [{"trigger": "state", "entity_id": ["lock.front_door"], "to": "unlocked"}],
        [],
        [LIGHT_HALL_ON],
        id="unlocked",
    ),
    pytest.param(
        "when the tv turns on dim the living room lamp to 30%",
        [
            {
                "trigger": "state",
                "entity_id": ["media_player.living_room_tv"],
                "from": ["off", "standby"],
                "to": ["on", "idle", "playing", "paused", "buffering"],
            }
        ],
        [],
        [_call("light.turn_on", "light.living_room", brightness_pct=30)],
        id="tv-turns-on",
    ),
    pytest.param(
        "when the living room tv starts playing close the living room blinds",
        [{"trigger": "state", "entity_id": ["media_player.living_room_tv"], "to": "playing"}],
        [],
        [_call("cover.close_cover", "cover.living_room_blinds")],
        id="starts-playing",
    ),
    pytest.param(
        "when anna arrives home turn on the hall light",
        [{"trigger": "state", "entity_id": ["person.anna"], "to": "home"}],
        [],
        [LIGHT_HALL_ON],
        id="person-arrives",
    ),
    pytest.param(
        "when Anna leaves, turn off the living room lamp",
        [{"trigger": "state", "entity_id": ["person.anna"], "to": "not_home"}],
        [],
        [_call("light.turn_off", "light.living_room")],
        id="person-leaves",
    ),
    pytest.param(
        "when anna's phone leaves turn off the hall light",
        [{"trigger": "state", "entity_id": ["device_tracker.anna_phone"], "to": "not_home"}],
        [],
        [_call("light.turn_off", "light.hall")],
        id="tracker-leaves",
    ),
    pytest.param(
        "when the temperature in the bedroom goes above 25 turn on the bedroom fan",
        [{"trigger": "numeric_state", "entity_id": ["sensor.bedroom_temperature"], "above": 25}],
        [],
        [_call("fan.turn_on", "fan.bedroom")],
        id="numeric-above",
    ),
    pytest.param(
        "when the bedroom humidity drops below 40.5% for 5 minutes turn off the bedroom fan",
        [
            {
                "trigger": "numeric_state",
                "entity_id": ["sensor.bedroom_humidity"],
                "below": 40.5,
                "for": {"minutes": 5},
            }
        ],
        [],
        [_call("fan.turn_off", "fan.bedroom")],
        id="numeric-below-for",
    ),
    pytest.param(
        "when nobody is home turn off all the lights",
        [{"trigger": "state", "entity_id": ["zone.home"], "to": "0"}],
        [],
        [
            _call(
                "light.turn_off",
                "light.bedroom",
                "light.bedroom_lamp",
                "light.garage",
                "light.hall",
                "light.kitchen",
                "light.living_room",
                "light.office_lamp",
                "light.porch",
            )
        ],
        id="nobody-home",
    ),
    pytest.param(
        "when everyone leaves lock the front door",
        [{"trigger": "state", "entity_id": ["zone.home"], "to": "0"}],
        [],
        [_call("lock.lock", "lock.front_door")],
        id="everyone-leaves",
    ),
    pytest.param(
        "when someone comes home turn on the hall light",
        [{"trigger": "state", "entity_id": ["person.anna", "person.ben"], "to": "home"}],
        [],
        [LIGHT_HALL_ON],
        id="someone-comes-home",
    ),
    pytest.param(
        "when motion is detected in the hall turn on the hall light",
        [{"trigger": "state", "entity_id": ["binary_sensor.hall_motion"], "to": "on"}],
        [],
        [LIGHT_HALL_ON],
        id="motion",
    ),
    pytest.param(
        "when someone enters the kitchen turn on the kitchen light",
        # Any of the kitchen's motion and presence sensors: motion sensors are the kind meant.
        [{"trigger": "state", "entity_id": ["binary_sensor.kitchen_motion"], "to": "on"}],
        [],
        [_call("light.turn_on", "light.kitchen")],
        id="someone-enters",
    ),
    pytest.param(
        "when there is no motion in the hall for 5 minutes turn off the hall light",
        [
            {
                "trigger": "state",
                "entity_id": ["binary_sensor.hall_motion"],
                "to": "off",
                "for": {"minutes": 5},
            }
        ],
        [],
        [_call("light.turn_off", "light.hall")],
        id="no-motion-for-a-while",
    ),
    pytest.param(
        "every 5 minutes turn on the hall light",
        [{"trigger": "time_pattern", "minutes": "/5"}],
        [],
        [LIGHT_HALL_ON],
        id="every-5-minutes",
    ),
    pytest.param(
        "every hour turn off the coffee maker",
        [{"trigger": "time_pattern", "minutes": 0}],
        [],
        [_call("switch.turn_off", "switch.coffee_maker")],
        id="hourly",
    ),
    pytest.param(
        "if the front door opens turn on the hall light",
        [{"trigger": "state", "entity_id": ["binary_sensor.front_door"], "to": "on"}],
        [],
        [LIGHT_HALL_ON],
        id="if-alone-means-when",
    ),
]


@pytest.mark.parametrize(("text", "triggers", "conditions", "actions"), TRIGGERS)
def test_triggers(
    *,
    parser: AutomationParser,
    text: str,
    triggers: list[dict[str, Any]],
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
) -> None:
    automation = _ready(parser, text)
    assert automation["triggers"] == triggers
    assert automation["conditions"] == conditions
    assert automation["actions"] == actions
    assert automation["mode"] == "single"


FRONT_DOOR_OPENS = {"trigger": "state", "entity_id": ["binary_sensor.front_door"], "to": "on"}
CONDITIONS = [
    pytest.param(
        "turn on the hall light when the front door opens between 22:00 and 6:00",
        [FRONT_DOOR_OPENS],
        [{"condition": "time", "after": "22:00:00", "before": "06:00:00"}],
        id="time-window",
    ),
    pytest.param(
        "when the front door opens after 10 pm turn on the hall light",
        [FRONT_DOOR_OPENS],
        [{"condition": "time", "after": "22:00:00"}],
        id="after-a-time",
    ),
    pytest.param(
        "when the front door opens before 7 am turn on the hall light",
        [FRONT_DOOR_OPENS],
        [{"condition": "time", "before": "07:00:00"}],
        id="before-a-time",
    ),
    pytest.param(
        "when the front door opens after sunset turn on the hall light",
        [FRONT_DOOR_OPENS],
        [DARK],
        id="after-sunset",
    ),
    pytest.param(
        "when motion is detected in the hall when it's dark turn on the hall light",
        [{"trigger": "state", "entity_id": ["binary_sensor.hall_motion"], "to": "on"}],
        [DARK],
        id="dark",
    ),
    pytest.param(
        "when the front door opens during the day turn on the hall light",
        [FRONT_DOOR_OPENS],
        [{"condition": "sun", "after": "sunrise", "before": "sunset"}],
        id="daylight",
    ),
    pytest.param(
        "when the front door opens before sunrise turn on the hall light",
        [FRONT_DOOR_OPENS],
        [{"condition": "sun", "before": "sunrise"}],
        id="before-sunrise",
    ),
    pytest.param(
        "when anna arrives home turn on the hall light if the tv is on",
        [{"trigger": "state", "entity_id": ["person.anna"], "to": "home"}],
        [
            {
                "condition": "state",
                "entity_id": ["media_player.living_room_tv"],
                "state": ["on", "idle", "playing", "paused", "buffering"],
            }
        ],
        id="state",
    ),
    pytest.param(
        "at 22:00 turn on the hall light only if the back door is closed",
        [{"trigger": "time", "at": "22:00:00"}],
        [{"condition": "state", "entity_id": ["binary_sensor.back_door"], "state": "off"}],
        id="state-only-if",
    ),
    pytest.param(
        "at 22:00 turn on the hall light if any window in the bedroom is open",
        [{"trigger": "time", "at": "22:00:00"}],
        [
            {
                "condition": "state",
                "entity_id": ["binary_sensor.bedroom_window", "binary_sensor.skylight"],
                "state": "on",
                "match": "any",
            }
        ],
        id="state-any-of",
    ),
    pytest.param(
        "at 22:00 turn on the hall light if the bedroom temperature is below 18",
        [{"trigger": "time", "at": "22:00:00"}],
        [{"condition": "numeric_state", "entity_id": ["sensor.bedroom_temperature"], "below": 18}],
        id="numeric",
    ),
    pytest.param(
        "at 8 pm turn on the hall light if someone is home",
        [{"trigger": "time", "at": "20:00:00"}],
        [{"condition": "numeric_state", "entity_id": ["zone.home"], "above": 0}],
        id="someone-home",
    ),
    pytest.param(
        "at 8 pm turn on the hall light if nobody is home",
        [{"trigger": "time", "at": "20:00:00"}],
        [{"condition": "state", "entity_id": ["zone.home"], "state": "0"}],
        id="nobody-home",
    ),
    pytest.param(
        "when the front door opens and nobody is home turn on the hall light",
        [FRONT_DOOR_OPENS],
        [{"condition": "state", "entity_id": ["zone.home"], "state": "0"}],
        id="and-adds-a-condition",
    ),
    pytest.param(
        "if it's dark when anna arrives turn on the hall light",
        [{"trigger": "state", "entity_id": ["person.anna"], "to": "home"}],
        [DARK],
        id="condition-first",
    ),
    pytest.param(
        "at 8 pm turn on the hall light if anna is home",
        [{"trigger": "time", "at": "20:00:00"}],
        [{"condition": "state", "entity_id": ["person.anna"], "state": "home"}],
        id="person-home",
    ),
    pytest.param(
        "when the front door opens on weekdays turn on the hall light",
        [FRONT_DOOR_OPENS],
        [{"condition": "time", "weekday": WEEKDAYS}],
        id="weekdays-with-a-state-trigger",
    ),
    pytest.param(
        "on weekdays between 7 and 9, when motion is detected in the kitchen, "
        "turn on the hall light",
        [{"trigger": "state", "entity_id": ["binary_sensor.kitchen_motion"], "to": "on"}],
        [{"condition": "time", "after": "07:00:00", "before": "09:00:00", "weekday": WEEKDAYS}],
        id="weekdays-in-a-window",
    ),
]


@pytest.mark.parametrize(("text", "triggers", "conditions"), CONDITIONS)
def test_conditions(
    parser: AutomationParser,
    text: str,
    triggers: list[dict[str, Any]],
    conditions: list[dict[str, Any]],
) -> None:
    automation = _ready(parser, text)
    assert automation["triggers"] == triggers
    assert automation["conditions"] == conditions
    assert automation["actions"] == [LIGHT_HALL_ON]


ACTIONS = [
    pytest.param(
        "at 7 set the hall light to 40%",
        [_call("light.turn_on", "light.hall", brightness_pct=40)],
        id="brightness",
    ),
    pytest.param(
        "at 7 set the bedroom light to 2700 kelvin",
        [_call("light.turn_on", "light.bedroom", color_temp_kelvin=2700)],
        id="colour-temperature",
    ),
    pytest.param(
        "at 7 turn on the bedroom light in warm white",
        [_call("light.turn_on", "light.bedroom", color_temp_kelvin=2700)],
        id="colour-temperature-named",
    ),
    pytest.param(
        "at 7 set the bedroom thermostat to 20 degrees",
        [_call("climate.set_temperature", "climate.bedroom", temperature=20.0)],
        id="temperature",
    ),
    pytest.param(
        "at 7 set the living room blinds to 50%",
        [_call("cover.set_cover_position", "cover.living_room_blinds", position=50)],
        id="position",
    ),
    pytest.param(
        "at 7 set the living room tv volume to 30",
        [_call("media_player.volume_set", "media_player.living_room_tv", volume_level=0.3)],
        id="volume",
    ),
    pytest.param(
        "at 7 turn on the coffee maker and turn off the hall light",
        [_call("switch.turn_on", "switch.coffee_maker"), _call("light.turn_off", "light.hall")],
        id="two-commands",
    ),
]


@pytest.mark.parametrize(("text", "actions"), ACTIONS)
def test_actions(parser: AutomationParser, text: str, actions: list[dict[str, Any]]) -> None:
    automation = _ready(parser, text)
    assert automation["triggers"] == [{"trigger": "time", "at": "07:00:00"}]
    assert automation["actions"] == actions
    assert automation["mode"] == "single"


FOR_A_WHILE = [
    pytest.param(
        "when the front door opens after sunset, turn on the hall light for 5 minutes",
        {"minutes": 5},
        _call("light.turn_off", "light.hall"),
        id="light",
    ),
    pytest.param(
        "when the front door opens after sunset, open the living room blinds for an hour "
        "and a half",
        {"hours": 1, "minutes": 30},
        _call("cover.close_cover", "cover.living_room_blinds"),
        id="cover",
    ),
    pytest.param(
        "when the front door opens after sunset, turn off the coffee maker for 30 seconds",
        {"seconds": 30},
        _call("switch.turn_on", "switch.coffee_maker"),
        id="off-then-on",
    ),
]


@pytest.mark.parametrize(("text", "wait", "undo"), FOR_A_WHILE)
def test_for_a_while_then_undo_restarts_on_a_retrigger(
    parser: AutomationParser,
    text: str,
    wait: dict[str, int],
    undo: dict[str, Any],
) -> None:
    automation = _ready(parser, text)
    assert automation["triggers"] == [FRONT_DOOR_OPENS]
    assert automation["conditions"] == [DARK]
    assert automation["actions"][1:] == [{"delay": wait}, undo]
    # Opened again while the light is on: the five minutes start over.
    assert automation["mode"] == "restart"


DESIGN_EXAMPLE = "When the front door opens after sunset, turn on the hall light for 5 minutes."


def test_the_design_example_in_full(parser: AutomationParser) -> None:
    automation = _ready(parser, DESIGN_EXAMPLE)
    assert automation == {
        "id": automation_id(DESIGN_EXAMPLE),
        "alias": "When the front door opens after sunset, turn on the hall…",
        "description": DESIGN_EXAMPLE,
        "mode": "restart",
        "triggers": [FRONT_DOOR_OPENS],
        "conditions": [DARK],
        "actions": [
            LIGHT_HALL_ON,
            {"delay": {"minutes": 5}},
            _call("light.turn_off", "light.hall"),
        ],
    }


def test_the_id_is_stable_for_the_same_words(parser: AutomationParser) -> None:
    first = parser.parse("Every weekday at 7, turn on the kitchen light.")
    again = parser.parse("every  weekday at 7 turn on the KITCHEN light")
    other = parser.parse("every weekday at 8 turn on the kitchen light")
    assert first is not None
    assert again is not None
    assert other is not None
    assert first.automation is not None
    assert again.automation is not None
    assert other.automation is not None
    assert first.automation["id"] == again.automation["id"]
    assert first.automation["id"].startswith("query_")
    assert other.automation["id"] != first.automation["id"]
    assert first.automation["alias"] == "Every weekday at 7, turn on the kitchen light"
    assert first.automation["description"] == "Every weekday at 7, turn on the kitchen light."
    # Said in another room, the same words may mean other devices: another automation.
    assert automation_id("turn on the light at 7", "hall") != automation_id(
        "turn on the light at 7", "kitchen"
    )


IN_AN_AREA = [
    ("when motion is detected turn on the light", "hall"),
    ("when the temperature drops below 18 turn on the lamp", "bedroom"),
]


def test_the_area_spoken_in_decides_what_is_meant(parser: AutomationParser) -> None:
    automation = _ready(parser, *IN_AN_AREA[0])
    assert automation["triggers"] == [
        {"trigger": "state", "entity_id": ["binary_sensor.hall_motion"], "to": "on"}
    ]
    assert automation["actions"] == [LIGHT_HALL_ON]
    automation = _ready(parser, *IN_AN_AREA[1])
    assert automation["triggers"] == [
        {"trigger": "numeric_state", "entity_id": ["sensor.bedroom_temperature"], "below": 18}
    ]
    assert automation["actions"] == [_call("light.turn_on", "light.bedroom_lamp")]


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("every weekday turn on the kitchen light", ["06:00", "07:00", "08:00"]),
        ("every evening turn on the porch light", ["18:00", "19:00", "20:00"]),
        ("daily turn off the coffee maker", ["06:00", "07:00", "08:00"]),
    ],
)
def test_a_missing_time_is_asked_for(
    parser: AutomationParser, text: str, options: list[str]
) -> None:
    result = _not_ready(parser, text, "needs_clarification")
    assert [c.id for c in result.clarifications] == ["time"]
    assert result.message == "At what time?"
    assert _values(result) == [options]


def test_a_request_that_never_says_when_asks_when(parser: AutomationParser) -> None:
    result = _not_ready(parser, "turn on the porch light between 6 and 8 pm", "needs_clarification")
    assert [c.id for c in result.clarifications] == ["when"]
    assert result.message == "When should this happen?"
    assert "at sunset" in _values(result)[0]


def test_an_ambiguous_device_to_watch_is_asked_about(parser: AutomationParser) -> None:
    result = _not_ready(
        parser, "when the lamp turns on turn on the hall light", "needs_clarification"
    )
    assert [c.id for c in result.clarifications] == ["trigger"]
    assert result.message == "Which light do you mean?"
    assert _values(result) == [["light.bedroom_lamp", "light.office_lamp", "all"]]
    assert result.clarifications[0].options[0]["label"] == "Lamp (Bedroom)"


def test_an_ambiguous_measurement_is_asked_about(parser: AutomationParser) -> None:
    result = _not_ready(
        parser, "when the temperature drops below 18 turn on the hall light", "needs_clarification"
    )
    assert result.message == "Which temperature sensor do you mean?"
    assert _values(result) == [
        [
            "sensor.bedroom_temperature",
            "sensor.sofa_thermometer",
            "sensor.window_thermometer",
            "all",
        ]
    ]


def test_an_ambiguous_device_to_act_on_is_the_command_parsers_question(
    parser: AutomationParser,
) -> None:
    result = _not_ready(parser, "at 7 turn on the lamp", "needs_clarification")
    assert [c.id for c in result.clarifications] == ["target"]
    assert result.message == "Which 'Lamp' do you mean?"
    assert _values(result) == [["light.bedroom_lamp", "light.office_lamp"]]


def test_questions_about_when_and_what_come_together(parser: AutomationParser) -> None:
    result = _not_ready(parser, "when the lamp turns on turn on the lamp", "needs_clarification")
    assert [c.id for c in result.clarifications] == ["trigger", "target"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "when the pool pump turns on turn on the porch light",
            "I could not find 'pool pump' in this home.",
        ),
        ("at 7 turn on the jacuzzi", "I could not find 'jacuzzi' in this home."),
        (
            "when the coffee maker opens turn on the hall light",
            "Coffee Maker does not report opening or closing.",
        ),
        (
            "when the moon is full turn on the porch light",
            "I did not understand 'when the moon is full'.",
        ),
        ("at 7 turn on the porch light tomorrow", "I did not understand 'tomorrow'."),
        ("at 25:00 turn on the hall light", "I did not understand 'at 25:00'."),
        (
            # Anna coming home makes one: a literal "nobody is home" would never hold.
            "when anna comes home and nobody else is home turn on the hall light",
            "I could not find 'nobody else' in this home.",
        ),
        (
            "at 7 set the bedroom thermostat to 2700 kelvin",
            "Only lights have a colour temperature.",
        ),
        (
            "when the front door opens lock the front door for 5 minutes",
            "I cannot undo lock.lock after a while.",
        ),
        (
            "at 7 turn on the hall light if the bedroom temperature is above 25 for 5 minutes",
            "Home Assistant cannot check how long a value has been so.",
        ),
    ],
)
def test_what_cannot_be_done_says_what_was_not_understood(
    parser: AutomationParser, text: str, message: str
) -> None:
    result = _not_ready(parser, text, "unsupported")
    assert result.message == message
    assert result.clarifications == []


@pytest.mark.parametrize(
    "text", ["when the front door opens do something nice", "at sunset make it cozy"]
)
def test_a_vague_action_is_asked_for(parser: AutomationParser, text: str) -> None:
    result = _not_ready(parser, text, "needs_clarification")
    assert [c.id for c in result.clarifications] == ["action"]
    assert result.message == "What should happen then?"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "every 30 seconds turn on the hall light",
            "A time pattern on seconds ('/30') runs more than once a minute.",
        ),
        (
            "when the front door opens turn on the hall light for 25 hours",
            "A delay may be at most 24 hours.",
        ),
        (
            "at sunset turn on the porch light and keep blinking it forever",
            "An automation may not repeat without end.",
        ),
        (
            "every 90 minutes turn on the hall light",
            "Repeats can be every 1 to 59 minutes or every 1 to 23 hours.",
        ),
    ],
)
def test_the_safety_limits_are_refused(parser: AutomationParser, text: str, message: str) -> None:
    assert _not_ready(parser, text, "unsupported").message == message


# Valid for Home Assistant (the integration tier checks): the limits are the safety policy's.
TOO_FAST = {
    "id": "fast",
    "alias": "Fast",
    "triggers": [{"trigger": "time_pattern", "seconds": "/30"}],
    "actions": [_call("light.turn_on", "light.hall")],
}
TOO_LONG = {
    "id": "slow",
    "alias": "Slow",
    "triggers": [{"trigger": "time", "at": "07:00:00"}],
    "actions": [{"delay": {"hours": 24, "seconds": 1}}],
}


def test_the_limits_hold_for_any_config() -> None:
    fast, slow = TOO_FAST, TOO_LONG
    assert exceeded(fast) == "A time pattern on seconds ('/30') runs more than once a minute."
    assert exceeded(slow) == "A delay may be at most 24 hours."
    unbounded = {**slow, "actions": [{"repeat": {"while": [], "sequence": []}}]}
    assert exceeded(unbounded) is not None
    assert exceeded({**fast, "triggers": [{"trigger": "time_pattern", "minutes": "/1"}]}) is None
    assert exceeded({**slow, "actions": [{"delay": {"hours": 24}}]}) is None


@pytest.mark.parametrize(
    "text",
    [
        "turn on the kitchen light",
        "what is the temperature in the kitchen",
        "when is sunset?",
        "when is sunset",
        "is the front door locked",
        "turn off the coffee maker in 10 minutes",
        "",
    ],
)
def test_requests_that_are_no_automation_return_none(parser: AutomationParser, text: str) -> None:
    assert parser.parse(text) is None


def test_a_language_without_rewrites_is_left_to_the_command_parser() -> None:
    # Italian has no engine/query/automations/it.yaml (German has: test_query_german.py).
    parser = AutomationParser(home(), language="it")
    assert parser.parse("Accendi la luce della cucina ogni giorno alle 7") is None
    assert parser.parse("at 7 turn on the kitchen light") is None


def family_house() -> Catalog:
    """A generated family house: names, areas and device classes as a real home has them."""
    generated = generate_home("family_house", days=1, seed=7)
    return catalog_from_import(generated.catalog, CatalogSource.SYNTHETIC)


# Each request with its triggers and conditions.
FAMILY_HOUSE: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    "when the front door opens after sunset turn on the hallway ceiling for 2 minutes": (
        [{"trigger": "state", "entity_id": ["binary_sensor.front_door"], "to": "on"}],
        [DARK],
    ),
    "when the washing machine power drops below 5 watts for 3 minutes turn off the "
    "washing machine": (
        [
            {
                "trigger": "numeric_state",
                "entity_id": ["sensor.washing_machine_power"],
                "below": 5,
                "for": {"minutes": 3},
            }
        ],
        [],
    ),
    "when the outdoor temperature drops below 3 turn on the porch light if someone is home": (
        [{"trigger": "numeric_state", "entity_id": ["sensor.outdoor_temperature"], "below": 3}],
        [{"condition": "numeric_state", "entity_id": ["zone.home"], "above": 0}],
    ),
    "when there is no motion in the bathroom for 10 minutes turn off the bathroom fan": (
        [
            {
                "trigger": "state",
                "entity_id": ["binary_sensor.bathroom_motion"],
                "to": "off",
                "for": {"minutes": 10},
            }
        ],
        [],
    ),
    "when noah gets home turn on noah's room ceiling": (
        [{"trigger": "state", "entity_id": ["person.noah"], "to": "home"}],
        [],
    ),
}


def test_a_synthetic_family_house() -> None:
    parser = AutomationParser(family_house())
    for text, (triggers, conditions) in FAMILY_HOUSE.items():
        result = parser.parse(text)
        assert result is not None, text
        assert result.automation is not None, (text, result)
        automation = result.automation
        assert automation["triggers"] == triggers, text
        assert automation["conditions"] == conditions, text
        assert automation["actions"], text


@pytest.mark.parametrize(
    ("said", "time"),
    [
        ("7", Clock(7, 0, explicit=False)),
        ("7:30 pm", Clock(19, 30)),
        ("12 am", Clock(0, 0)),
        ("12 pm", Clock(12, 0)),
        ("07.15", Clock(7, 15)),
        ("11 at night", Clock(23, 0)),
        ("2 at night", Clock(2, 0)),
        ("6 in the evening", Clock(18, 0)),
        ("midnight", Clock(0, 0)),
        ("24:00", None),
        ("13 pm", None),
        ("7:75", None),
    ],
)
def test_times_of_day(said: str, time: Clock | None) -> None:
    assert clock(said) == time


@pytest.mark.parametrize(
    ("said", "period"),
    [
        ("5 minutes", {"minutes": 5}),
        ("an hour", {"hours": 1}),
        ("half an hour", {"minutes": 30}),
        ("1.5 hours", {"hours": 1, "minutes": 30}),
        ("2 hours and 15 minutes", {"hours": 2, "minutes": 15}),
        ("ninety seconds", {"minutes": 1, "seconds": 30}),
    ],
)
def test_durations(said: str, period: dict[str, int]) -> None:
    spoken = duration(said)
    assert spoken is not None
    assert spoken.as_dict() == period


def test_a_warmed_parse_takes_a_few_milliseconds(parser: AutomationParser) -> None:
    text = "when the front door opens after sunset, turn on the hall light for 5 minutes"
    parser.parse(text)
    start = time.perf_counter()
    for _ in range(20):
        parser.parse(text)
    # Most of it is Home Assistant's sentence matching of what to do, as for a command.
    assert (time.perf_counter() - start) / 20 < 0.05


# Every request whose config a test here asserts, with the area it is said in; the
# integration tier has Home Assistant validate each one.
READY: list[tuple[str, str | None]] = list(
    dict.fromkeys(
        [
            *((str(case.values[0]), None) for case in (*TRIGGERS, *CONDITIONS, *ACTIONS)),
            *((str(case.values[0]), None) for case in FOR_A_WHILE),
            (DESIGN_EXAMPLE, None),
            *IN_AN_AREA,
        ]
    )
)


def test_picked_options_settle_the_questions(parser: AutomationParser) -> None:
    text = "when the lamp turns on turn on the hall light"
    assert _not_ready(parser, text, "needs_clarification").clarifications[0].id == "trigger"
    answered = parser.parse(text, chosen=frozenset({"light.bedroom_lamp"}))
    assert answered is not None
    assert answered.status == "ready", answered
    assert answered.automation is not None
    assert answered.automation["triggers"] == [
        {"trigger": "state", "entity_id": ["light.bedroom_lamp"], "to": "on"}
    ]
    every = parser.parse(text, chosen=frozenset({"all"}))
    assert every is not None
    assert every.automation is not None
    assert every.automation["triggers"][0]["entity_id"] == [
        "light.bedroom_lamp",
        "light.office_lamp",
    ]
    # Answers belong to one parse: the next one without them asks again.
    again = parser.parse("at 7 turn on the lamp")
    assert again is not None
    assert again.status == "needs_clarification"
    picked = parser.parse("at 7 turn on the lamp", chosen=frozenset({"light.office_lamp"}))
    assert picked is not None
    assert picked.automation is not None
    assert picked.automation["actions"][0]["target"]["entity_id"] == ["light.office_lamp"]
