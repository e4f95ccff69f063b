"""Automations people ask for: notifications, "after it turns on", "it", people, two parts."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from engine.home.catalog import Catalog, Device
from engine.query.automation import AutomationParser, AutomationResult
from engine.query.commands import CommandParser
from tests.engine.test_query_automation import _entity, home


def requests_home(*, phones: tuple[str, ...] = ("anna",), speech: bool = True) -> Catalog:
    """The automation tests' home with an alarm, a pantry, a bathroom, a vacuum and phones."""
    base = home()
    devices = [Device(f"phone_{who}", f"{who.title()}'s Pixel") for who in phones]
    people = {entity.entity_id: entity for entity in base.entities if entity.domain == "person"}
    for who in phones:
        person = people[f"person.{who}"]
        people[person.entity_id] = dataclasses.replace(
            person, attributes={"device_trackers": [f"device_tracker.{who}_pixel"]}
        )
    extra = [
        *(_entity(f"device_tracker.{who}_pixel", f"{who.title()}'s Pixel", None,
                  device_id=f"phone_{who}") for who in phones),
        _entity("light.kids_room", "Kids Room Light", "bedroom"),
        _entity("alarm_control_panel.home", "Alarm", "hall"),
        _entity("light.pantry", "Pantry Light", "kitchen"),
        _entity("binary_sensor.pantry_door", "Pantry Door", "kitchen", device_class="door"),
        _entity("vacuum.robo", "Robo", "living_room", features=4 | 16 | 8192),
        _entity("binary_sensor.living_room_motion", "Living Room Motion", "living_room",
                device_class="motion"),
        _entity("media_player.kitchen_speaker", "Kitchen Speaker", "kitchen",
                device_class="speaker"),
        _entity("fan.bathroom", "Bathroom Fan", "hall"),
        _entity("sensor.bathroom_humidity", "Bathroom Humidity", "hall",
                device_class="humidity", unit_of_measurement="%"),
        *([_entity("tts.google_en_com", "Google en com", None)] if speech else []),
    ]  # fmt: skip
    entities = [people.get(entity.entity_id, entity) for entity in base.entities]
    return dataclasses.replace(
        base, devices=[*base.devices, *devices], entities=[*entities, *extra]
    )


def _parser(catalog: Catalog) -> AutomationParser:
    return AutomationParser(catalog, commands=CommandParser(catalog))


@pytest.fixture(scope="module")
def parser() -> AutomationParser:
    return _parser(requests_home())


def _call(action: str, *entity_ids: str, **data: Any) -> dict[str, Any]:
    return {"action": action, "target": {"entity_id": sorted(entity_ids)}, "data": data}


def _state(entity_id: str, to: str, **extra: Any) -> dict[str, Any]:
    return {"trigger": "state", "entity_id": [entity_id], "to": to, **extra}


def _ready(parser: AutomationParser, text: str, **kwargs: Any) -> dict[str, Any]:
    result = parser.parse(text, **kwargs)
    assert result is not None, text
    assert result.status == "ready", (text, result)
    assert result.automation is not None
    return result.automation


def _asked(parser: AutomationParser, text: str) -> AutomationResult:
    result = parser.parse(text)
    assert result is not None, text
    assert result.status == "needs_clarification", (text, result)
    return result


# Every request here is ready, and Home Assistant validates each config in the
# integration tier (tests/integration/engine_output.py).
REQUESTS: list[str] = [
    "send me a notification when the garage door has been open for 10 minutes",
    "notify Anna when the back door opens",
    "when the back door opens notify Ben that the back door is open",
    "turn off the coffee maker 30 minutes after it turns on",
    "when the kids room light has been on for 2 hours, turn it off",
    "disarm the alarm every day at 7 am",
    "arm the alarm in night mode at 11 pm",
    "lock the front door every night at 11 pm if it's unlocked",
    "when Anna gets home turn on the hall light",
    "when the front door opens turn on the hall light if nobody is home",
    "when the hall motion detects motion turn on the hall light only when the TV is off",
    "every day at 7 open the blinds and start the coffee maker",
    "turn on the porch light at sunset and turn it off at sunrise",
    "turn on the pantry light when the pantry door opens and turn it off when it closes "
    "or after 2 minutes",
    "play an alert on the kitchen speaker when the front door is left open for 15 minutes",
    "turn on the bathroom fan when the bathroom humidity goes above 70% and turn it off "
    "when it drops below 60%",
    "pause the vacuum when motion is detected in the living room while it is cleaning",
]


def test_every_request_is_understood(parser: AutomationParser) -> None:
    for text in REQUESTS:
        _ready(parser, text)


def test_a_notification_goes_to_the_persons_phone_with_the_requests_words(
    parser: AutomationParser,
) -> None:
    automation = _ready(parser, REQUESTS[0])
    assert automation["triggers"] == [
        _state("cover.garage_door", "open", **{"for": {"minutes": 10}})
    ]
    assert automation["actions"] == [
        {
            "action": "notify.mobile_app_annas_pixel",
            "data": {"message": "The garage door has been open for 10 minutes."},
        }
    ]
    anna = _ready(parser, "notify Anna when the back door opens")
    assert [action["action"] for action in anna["actions"]] == ["notify.mobile_app_annas_pixel"]


def test_a_person_without_a_phone_gets_home_assistants_own_notification(
    parser: AutomationParser,
) -> None:
    automation = _ready(parser, "when the back door opens notify Ben that the back door is open")
    assert automation["actions"] == [
        {
            "action": "persistent_notification.create",
            "data": {"title": "HomeIQ", "message": "The back door is open."},
        }
    ]
    unknown = parser.parse("when the back door opens notify Zoe")
    assert unknown is not None
    assert unknown.status == "unsupported"
    assert "zoe" in (unknown.message or "").casefold()


def test_me_with_two_phones_asks_whose_and_the_answer_settles_it() -> None:
    parser = _parser(requests_home(phones=("anna", "ben")))
    text = "send me a notification when the garage door has been open for 10 minutes"
    asked = _asked(parser, text)
    options = {option["value"] for option in asked.clarifications[0].options}
    assert options == {"notify.mobile_app_annas_pixel", "notify.mobile_app_bens_pixel"}
    picked = _ready(parser, text, chosen=frozenset({"notify.mobile_app_bens_pixel"}))
    assert [action["action"] for action in picked["actions"]] == ["notify.mobile_app_bens_pixel"]


def test_minutes_after_it_turns_on_watches_what_is_turned_off(parser: AutomationParser) -> None:
    automation = _ready(parser, "turn off the coffee maker 30 minutes after it turns on")
    assert automation["triggers"] == [
        _state("switch.coffee_maker", "on", **{"for": {"minutes": 30}})
    ]
    assert automation["actions"] == [_call("switch.turn_off", "switch.coffee_maker")]


def test_it_stands_for_what_the_request_names(parser: AutomationParser) -> None:
    kids = _ready(parser, "when the kids room light has been on for 2 hours, turn it off")
    assert kids["triggers"] == [_state("light.kids_room", "on", **{"for": {"hours": 2}})]
    assert kids["actions"] == [_call("light.turn_off", "light.kids_room")]
    lock = _ready(parser, "lock the front door every night at 11 pm if it's unlocked")
    assert lock["triggers"] == [{"trigger": "time", "at": "23:00:00"}]
    assert lock["conditions"] == [
        {"condition": "state", "entity_id": ["lock.front_door"], "state": "unlocked"}
    ]
    assert lock["actions"] == [_call("lock.lock", "lock.front_door")]


def test_alarms_are_armed_in_the_mode_said_and_disarmed(parser: AutomationParser) -> None:
    disarm = _ready(parser, "disarm the alarm every day at 7 am")
    assert disarm["actions"] == [
        _call("alarm_control_panel.alarm_disarm", "alarm_control_panel.home")
    ]
    night = _ready(parser, "arm the alarm in night mode at 11 pm")
    assert night["actions"] == [
        _call("alarm_control_panel.alarm_arm_night", "alarm_control_panel.home")
    ]


def test_when_i_get_home_asks_who_with_the_homes_people(parser: AutomationParser) -> None:
    text = "when I get home turn on the hall light"
    asked = _asked(parser, text)
    assert {option["value"] for option in asked.clarifications[0].options} == {
        "person.anna",
        "person.ben",
    }
    picked = _ready(parser, text, chosen=frozenset({"person.ben"}))
    assert picked["triggers"] == [_state("person.ben", "home")]
    named = _ready(parser, "when Anna gets home turn on the hall light")
    assert named["triggers"] == [_state("person.anna", "home")]


def test_two_parts_are_one_automation_choosing_by_trigger(parser: AutomationParser) -> None:
    pantry = _ready(parser, REQUESTS[13])
    assert pantry["mode"] == "queued"
    assert pantry["triggers"] == [
        {**_state("binary_sensor.pantry_door", "on"), "id": "first"},
        {**_state("binary_sensor.pantry_door", "off"), "id": "second"},
        {**_state("binary_sensor.pantry_door", "on"), "for": {"minutes": 2}, "id": "second"},
    ]
    assert pantry["actions"] == [
        {
            "choose": [
                {
                    "conditions": [{"condition": "trigger", "id": "first"}],
                    "sequence": [_call("light.turn_on", "light.pantry")],
                },
                {
                    "conditions": [{"condition": "trigger", "id": "second"}],
                    "sequence": [_call("light.turn_off", "light.pantry")],
                },
            ]
        }
    ]
    fan = _ready(parser, REQUESTS[15])
    humidity = ["sensor.bathroom_humidity"]
    assert fan["triggers"] == [
        {"trigger": "numeric_state", "entity_id": humidity, "above": 70, "id": "first"},
        {"trigger": "numeric_state", "entity_id": humidity, "below": 60, "id": "second"},
    ]
    sequences = [option["sequence"] for option in fan["actions"][0]["choose"]]
    assert sequences == [
        [_call("fan.turn_on", "fan.bathroom")],
        [_call("fan.turn_off", "fan.bathroom")],
    ]


def test_an_alert_is_spoken_on_the_speaker_said(parser: AutomationParser) -> None:
    automation = _ready(parser, REQUESTS[14])
    assert automation["triggers"] == [
        _state("binary_sensor.front_door", "on", **{"for": {"minutes": 15}})
    ]
    assert automation["actions"] == [
        {
            "action": "tts.speak",
            "target": {"entity_id": ["tts.google_en_com"]},
            "data": {
                "media_player_entity_id": ["media_player.kitchen_speaker"],
                "message": "The front door is left open for 15 minutes.",
            },
        }
    ]
    silent = _parser(requests_home(speech=False)).parse(REQUESTS[14])
    assert silent is not None
    assert silent.status == "unsupported"
    assert "text-to-speech" in (silent.message or "")


def test_a_condition_on_a_devices_state_uses_it(parser: AutomationParser) -> None:
    automation = _ready(parser, REQUESTS[16])
    assert automation["conditions"] == [
        {"condition": "state", "entity_id": ["vacuum.robo"], "state": "cleaning"}
    ]
    assert automation["actions"] == [_call("vacuum.pause", "vacuum.robo")]


@pytest.mark.parametrize("text", ["every day at 7", "when the front door opens"])
def test_what_should_happen_always_offers_options(parser: AutomationParser, text: str) -> None:
    asked = _asked(parser, text)
    question = next(c for c in asked.clarifications if c.id == "action")
    values = [option["value"] for option in question.options]
    assert len(values) >= 2
    assert "send me a notification" in values
    # Each option, said after the request, makes it ready (as a refine does).
    for value in values:
        _ready(parser, f"{text}, {value}")
