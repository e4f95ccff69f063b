"""Automation configs: schemas, YAML, legacy syntax, catalog checks and the safety policy."""

from __future__ import annotations

import copy
from typing import Any, Final

import pytest
import yaml

from engine.automation.safety import SAFETY_WEIGHTS
from engine.automation.validate import ValidationResult, validate_automation
from engine.automation.yaml_render import automation_to_yaml, normalise_automation
from engine.home.catalog import Area, Catalog, CatalogSource, Entity

KITCHEN_LIGHT: Final = {"action": "light.turn_on", "target": {"entity_id": "light.kitchen"}}
AT_SEVEN: Final = {"trigger": "time", "at": "07:00:00"}
IS_ON: Final = {"condition": "state", "entity_id": "light.kitchen", "state": "on"}


def home() -> Catalog:
    """A small home with one entity of every kind the safety policy cares about."""
    entities = [
        Entity("light.kitchen", "Kitchen light", area_id="kitchen"),
        Entity("light.hall", "Hall light"),
        Entity("switch.coffee_maker", "Coffee maker", area_id="kitchen"),
        Entity("binary_sensor.front_door", "Front door", device_class="door"),
        Entity("sensor.living_room_temperature", "Temperature", device_class="temperature"),
        Entity("person.anna", "Anna"),
        Entity("zone.work", "Work"),
        Entity("lock.front_door", "Front door lock"),
        Entity("alarm_control_panel.home", "Alarm"),
        Entity("cover.left_door", "Left door", area_id="garage", device_class="garage"),
        Entity("cover.garage_door", "Garage door", device_class="door"),
        Entity("cover.living_room_blinds", "Blinds", device_class="blind"),
        Entity("valve.garden_water", "Garden water"),
        Entity("climate.living_room", "Thermostat"),
    ]
    areas = [Area("kitchen", "Kitchen"), Area("garage", "Garage")]
    return Catalog(CatalogSource.IMPORT, "Europe/Berlin", areas=areas, entities=entities)


HOME: Final = home()


def automation(
    triggers: list[dict[str, Any]] | None = None,
    conditions: list[dict[str, Any]] | None = None,
    actions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return a valid automation with the given parts, the others a plain default."""
    config: dict[str, Any] = {
        "id": "homeiq_test",
        "alias": "Test",
        "description": "Made by HomeIQ",
        "mode": "single",
        "triggers": triggers or [AT_SEVEN],
        "actions": actions or [KITCHEN_LIGHT],
    }
    if conditions is not None:
        config["conditions"] = conditions
    return config


def validate(config: dict[str, Any]) -> ValidationResult:
    return validate_automation(config, HOME)


def codes(result: ValidationResult) -> list[tuple[str, str]]:
    """Return every error and warning as (code, path)."""
    return [(found.code, found.path) for found in [*result.errors, *result.warnings]]


VALID_TRIGGERS: Final[list[dict[str, Any]]] = [
    {"trigger": "time", "at": "07:30"},
    {"trigger": "time", "at": ["07:30:00", "19:00:00"]},
    {"trigger": "sun", "event": "sunset"},
    {"trigger": "sun", "event": "sunrise", "offset": "-00:30:00"},
    {"trigger": "sun", "event": "sunset", "offset": "+01:00:00"},
    {"trigger": "state", "entity_id": "binary_sensor.front_door", "to": "on"},
    {
        "trigger": "state",
        "entity_id": ["binary_sensor.front_door", "light.hall"],
        "from": ["off", "unavailable"],
        "to": "on",
        "for": "00:05:00",
    },
    {"trigger": "state", "entity_id": ["person.anna"], "to": "home", "for": {"minutes": 5}},
    {"trigger": "numeric_state", "entity_id": "sensor.living_room_temperature", "above": 25},
    {
        "trigger": "numeric_state",
        "entity_id": ["sensor.living_room_temperature"],
        "above": 18,
        "below": 22.5,
        "for": {"hours": 1, "minutes": 30},
    },
    {"trigger": "time_pattern", "minutes": "/15"},
    {"trigger": "time_pattern", "hours": "/2", "minutes": 0},
    {"trigger": "time_pattern", "minutes": "*", "seconds": 0},
    {"trigger": "zone", "entity_id": "person.anna", "zone": "zone.home", "event": "leave"},
    {"trigger": "zone", "entity_id": ["person.anna"], "zone": "zone.work"},
]
VALID_CONDITIONS: Final[list[dict[str, Any]]] = [
    {"condition": "time", "after": "22:00:00", "before": "06:00"},
    {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]},
    {"condition": "time", "weekday": "sat"},
    {"condition": "sun", "after": "sunset"},
    {"condition": "sun", "after": "sunset", "after_offset": "-00:30:00", "before": "sunrise"},
    {"condition": "sun", "before": "sunrise", "before_offset": "01:00:00"},
    IS_ON,
    {
        "condition": "state",
        "entity_id": ["light.kitchen", "light.hall"],
        "state": ["on", "unavailable"],
        "match": "any",
        "for": {"minutes": 10},
    },
    {"condition": "numeric_state", "entity_id": "sensor.living_room_temperature", "below": 19},
    {"condition": "and", "conditions": [IS_ON, {"condition": "sun", "after": "sunset"}]},
    {"condition": "or", "conditions": [IS_ON, {"condition": "not", "conditions": [IS_ON]}]},
    {"condition": "not", "conditions": [{"condition": "time", "weekday": ["sat", "sun"]}]},
    {"condition": "zone", "entity_id": "person.anna", "zone": "zone.home"},
]
VALID_ACTIONS: Final[list[dict[str, Any]]] = [
    KITCHEN_LIGHT,
    {
        "action": "light.turn_on",
        "target": {"entity_id": ["light.kitchen", "light.hall"]},
        "data": {"brightness_pct": 40, "color_temp_kelvin": 2700, "transition": 1.5},
    },
    {"action": "light.turn_off", "target": {"area_id": "kitchen"}, "data": {}},
    {"action": "homeassistant.turn_off", "target": {"area_id": ["kitchen"]}},
    {"action": "notify.notify", "data": {"message": "The door is open", "title": "Home"}},
    {"action": "notify.mobile_app_anna", "data": {"message": "Hi", "data": {"push": {"x": [1]}}}},
    {"delay": "00:05:00"},
    {"delay": {"minutes": 5}},
    {
        "wait_for_trigger": [{"trigger": "state", "entity_id": "light.hall", "to": "off"}],
        "timeout": {"minutes": 10},
        "continue_on_timeout": False,
    },
    {
        "choose": [{"conditions": [IS_ON], "sequence": [{"delay": {"seconds": 30}}]}],
        "default": [KITCHEN_LIGHT],
    },
    {"if": [IS_ON], "then": [KITCHEN_LIGHT], "else": [{"delay": "00:00:10"}]},
    {"repeat": {"count": 3, "sequence": [KITCHEN_LIGHT, {"delay": {"seconds": 1}}]}},
    {"stop": "Nobody is home"},
    {"stop": "Something went wrong", "error": True},
]
# Valid config that the safety policy refuses: Home Assistant would run it.
UNBOUNDED_REPEATS: Final[list[dict[str, Any]]] = [
    {"repeat": {"while": [IS_ON], "sequence": [{"delay": {"minutes": 1}}]}},
    {"repeat": {"until": [IS_ON], "sequence": [{"delay": {"minutes": 1}}]}},
]
# One automation with a trigger per case, choosing by the trigger's id (on at 7, off at 8).
BY_TRIGGER_ID: Final[dict[str, Any]] = {
    "alias": "On and off",
    "triggers": [{**AT_SEVEN, "id": "on"}, {"trigger": "time", "at": "08:00:00", "id": "off"}],
    "conditions": [
        {"condition": "template", "value_template": "{{ this.attributes.last_triggered is none }}"}
    ],
    "actions": [
        {
            "choose": [
                {"conditions": [{"condition": "trigger", "id": "on"}], "sequence": [KITCHEN_LIGHT]},
                {
                    "conditions": [{"condition": "trigger", "id": ["off"]}],
                    "sequence": [{"delay": {"seconds": 1}}],
                },
            ]
        }
    ],
}
VALID_AUTOMATIONS: Final[list[dict[str, Any]]] = [
    BY_TRIGGER_ID,
    {"alias": "Only what is required", "triggers": [AT_SEVEN], "actions": [KITCHEN_LIGHT]},
    {**automation(), "mode": "queued", "max": 5},
    {**automation(), "mode": "parallel", "max": 2},
    {**automation(), "mode": "restart", "conditions": []},
]


@pytest.mark.parametrize("trigger", VALID_TRIGGERS)
def test_every_trigger_form_is_accepted(trigger: dict[str, Any]) -> None:
    assert codes(validate(automation(triggers=[trigger]))) == []


@pytest.mark.parametrize("condition", VALID_CONDITIONS)
def test_every_condition_form_is_accepted(condition: dict[str, Any]) -> None:
    assert codes(validate(automation(conditions=[condition]))) == []


@pytest.mark.parametrize("action", VALID_ACTIONS)
def test_every_action_form_is_accepted(action: dict[str, Any]) -> None:
    assert codes(validate(automation(actions=[action]))) == []


@pytest.mark.parametrize("config", VALID_AUTOMATIONS)
def test_every_top_level_form_is_accepted(config: dict[str, Any]) -> None:
    assert codes(validate(config)) == []


def test_repeats_on_a_condition_are_well_formed() -> None:
    for action in UNBOUNDED_REPEATS:
        result = validate(automation(actions=[action]))
        assert [found.code for found in result.errors] == ["unbounded_repeat"]


BROKEN_TRIGGERS: Final[list[tuple[dict[str, Any], str]]] = [
    ({"trigger": "time", "at": "7 am"}, "triggers[0].at"),
    ({"trigger": "time", "at": ["07:00", "24:00"]}, "triggers[0].at[1]"),
    # Home Assistant 2025.4's time trigger has no weekday (a time condition has).
    ({"trigger": "time", "at": "07:00", "weekday": ["mon"]}, "triggers[0].weekday"),
    ({"trigger": "sun", "event": "noon"}, "triggers[0].event"),
    ({"trigger": "sun", "event": "sunset", "offset": "half an hour"}, "triggers[0].offset"),
    ({"trigger": "state", "entity_id": "Front Door", "to": "on"}, "triggers[0].entity_id"),
    ({"trigger": "state", "entity_id": [], "to": "on"}, "triggers[0].entity_id"),
    ({"trigger": "state", "entity_id": "light.hall", "to": True}, "triggers[0].to"),
    ({"trigger": "state", "entity_id": "light.hall", "for": "5 min"}, "triggers[0].for"),
    ({"trigger": "state", "entity_id": "light.hall", "for": {"weeks": 1}}, "triggers[0].for"),
    ({"trigger": "numeric_state", "entity_id": "sensor.living_room_temperature"}, "triggers[0]"),
    (
        {
            "trigger": "numeric_state",
            "entity_id": "sensor.living_room_temperature",
            "above": 25,
            "below": 20,
        },
        "triggers[0].above",
    ),
    (
        {
            "trigger": "numeric_state",
            "entity_id": "sensor.living_room_temperature",
            "above": "warm",
        },
        "triggers[0].above",
    ),
    ({"trigger": "time_pattern"}, "triggers[0]"),
    ({"trigger": "time_pattern", "minutes": 60}, "triggers[0].minutes"),
    ({"trigger": "time_pattern", "hours": "/0"}, "triggers[0].hours"),
    ({"trigger": "zone", "entity_id": "person.anna", "zone": "home"}, "triggers[0].zone"),
    (
        {"trigger": "zone", "entity_id": "person.anna", "zone": "zone.home", "event": "in"},
        "triggers[0].event",
    ),
    ({"trigger": "webhook", "webhook_id": "x"}, "triggers[0].trigger"),
    ({"platform": "sun", "event": "sunset"}, "triggers[0].platform"),
]
BROKEN_CONDITIONS: Final[list[tuple[dict[str, Any], str]]] = [
    ({"condition": "time"}, "conditions[0]"),
    ({"condition": "time", "after": "late"}, "conditions[0].after"),
    ({"condition": "time", "weekday": ["mon", "funday"]}, "conditions[0].weekday[1]"),
    ({"condition": "sun", "after_offset": "-00:30:00"}, "conditions[0]"),
    ({"condition": "sun", "after": "dusk"}, "conditions[0].after"),
    (
        {"condition": "sun", "before": "sunrise", "before_offset": "1h"},
        "conditions[0].before_offset",
    ),
    ({"condition": "state", "entity_id": "light.kitchen"}, "conditions[0].state"),
    ({**IS_ON, "match": "some"}, "conditions[0].match"),
    (
        {"condition": "numeric_state", "entity_id": "light.hall", "above": 1, "for": "00:01:00"},
        "conditions[0].for",
    ),
    ({"condition": "and", "conditions": []}, "conditions[0].conditions"),
    (
        {"condition": "or", "conditions": [IS_ON, {"condition": "time", "after": "x"}]},
        "conditions[0].conditions[1].after",
    ),
    ({"condition": "zone", "entity_id": "person.anna"}, "conditions[0].zone"),
    ({"entity_id": "light.kitchen", "state": "on"}, "conditions[0].condition"),
]
BROKEN_ACTIONS: Final[list[tuple[dict[str, Any], str]]] = [
    ({"action": "turn on the light"}, "actions[0].action"),
    ({"action": "light.turn_on", "target": {}}, "actions[0].target"),
    (
        {"action": "light.turn_on", "target": {"entity_id": "kitchen"}},
        "actions[0].target.entity_id",
    ),
    ({"action": "light.turn_on", "target": {"device_id": "abc"}}, "actions[0].target.device_id"),
    ({**KITCHEN_LIGHT, "data": ["brightness"]}, "actions[0].data"),
    ({**KITCHEN_LIGHT, "data": {"when": object()}}, "actions[0].data.when"),
    ({"action": "notify.notify", "data": {"title": "Hi"}}, "actions[0].data.message"),
    ({"action": "notify.notify"}, "actions[0].data"),
    ({"service": "light.turn_on", "target": {"entity_id": "light.hall"}}, "actions[0].service"),
    ({"delay": "five minutes"}, "actions[0].delay"),
    ({"delay": {"minutes": -5}}, "actions[0].delay"),
    ({"wait_for_trigger": []}, "actions[0].wait_for_trigger"),
    ({"wait_for_trigger": [AT_SEVEN], "timeout": "soon"}, "actions[0].timeout"),
    ({"choose": [{"conditions": [IS_ON], "sequence": []}]}, "actions[0].choose[0].sequence"),
    ({"choose": [{"sequence": [KITCHEN_LIGHT]}]}, "actions[0].choose[0].conditions"),
    (
        {"choose": [{"conditions": [IS_ON], "sequence": [{"delay": "x"}]}]},
        "actions[0].choose[0].sequence[0].delay",
    ),
    ({"if": [IS_ON]}, "actions[0].then"),
    ({"if": [IS_ON], "then": [KITCHEN_LIGHT], "else": [{"stop": ""}]}, "actions[0].else[0].stop"),
    ({"repeat": {"sequence": [KITCHEN_LIGHT]}}, "actions[0].repeat"),
    ({"repeat": {"count": 0, "sequence": [KITCHEN_LIGHT]}}, "actions[0].repeat.count"),
    ({"repeat": {"count": 2, "while": [IS_ON], "sequence": [KITCHEN_LIGHT]}}, "actions[0].repeat"),
    ({"stop": "Done", "error": "yes"}, "actions[0].error"),
    ({"event": "homeiq_fired"}, "actions[0].action"),
    ({**KITCHEN_LIGHT, "continue_on_error": True}, "actions[0].continue_on_error"),
]
BROKEN_AUTOMATIONS: Final[list[tuple[dict[str, Any], str]]] = [
    ({**automation(), "alias": ""}, "alias"),
    ({key: value for key, value in automation().items() if key != "alias"}, "alias"),
    ({**automation(), "id": 7}, "id"),
    ({**automation(), "mode": "once"}, "mode"),
    ({**automation(), "max": 3}, "max"),
    ({**automation(), "mode": "queued", "max": 0}, "max"),
    ({**automation(), "triggers": []}, "triggers"),
    ({**automation(), "actions": []}, "actions"),
    ({**automation(), "conditions": IS_ON}, "conditions"),
    ({**automation(), "initial_state": True}, "initial_state"),
]


@pytest.mark.parametrize(
    ("config", "path"),
    [
        *((automation(triggers=[item]), path) for item, path in BROKEN_TRIGGERS),
        *((automation(conditions=[item]), path) for item, path in BROKEN_CONDITIONS),
        *((automation(actions=[item]), path) for item, path in BROKEN_ACTIONS),
        *BROKEN_AUTOMATIONS,
    ],
)
def test_a_broken_form_is_rejected_at_its_path(config: dict[str, Any], path: str) -> None:
    result = validate(config)
    assert not result.valid
    # The catalog and safety checks still run; a bad entity id is an unknown entity too.
    structure = [found for found in result.errors if found.code == "invalid_structure"]
    assert [found.path for found in structure] == [path]
    assert structure[0].message


def test_structure_errors_are_readable_and_all_reported() -> None:
    config = {
        **automation(triggers=[{"trigger": "sun", "event": "sunset", "offset": 30}, AT_SEVEN]),
        "actions": [KITCHEN_LIGHT, {"delay": "x"}],
        "colour": "red",
    }
    messages = {found.path: found.message for found in validate(config).errors}
    assert messages == {
        "triggers[0].offset": "expected an offset as ±HH:MM:SS, got 30",
        "actions[1].delay": (
            "expected a duration as HH:MM:SS or {hours, minutes, seconds}, got 'x'"
        ),
        "colour": "'colour' is not a key the engine produces here",
    }
    missing = validate({"alias": "x", "actions": [KITCHEN_LIGHT]}).errors
    assert [(found.path, found.message) for found in missing] == [
        ("triggers", "'triggers' is required")
    ]


EXACT: Final = {
    "actions": [
        {
            "data": {"brightness_pct": 40},
            "target": {"entity_id": ["light.hall"]},
            "action": "light.turn_on",
        },
        {"delay": {"minutes": 5}},
        {"target": {"entity_id": "light.hall"}, "action": "light.turn_off"},
    ],
    "conditions": [{"after": "sunset", "condition": "sun"}],
    "triggers": [
        {"to": "on", "for": "00:00:10", "entity_id": "binary_sensor.front_door", "trigger": "state"}
    ],
    "mode": "restart",
    "description": "Küche ☀: made by HomeIQ",
    "alias": "Hall light when the door opens",
    "id": "homeiq_42",
}
EXACT_YAML: Final = """\
id: homeiq_42
alias: Hall light when the door opens
description: 'Küche ☀: made by HomeIQ'
mode: restart
triggers:
  - trigger: state
    entity_id: binary_sensor.front_door
    to: 'on'
    for: 00:00:10
conditions:
  - condition: sun
    after: sunset
actions:
  - action: light.turn_on
    target:
      entity_id:
        - light.hall
    data:
      brightness_pct: 40
  - delay:
      minutes: 5
  - action: light.turn_off
    target:
      entity_id: light.hall
"""


def test_yaml_has_a_stable_key_order_and_keeps_unicode() -> None:
    assert automation_to_yaml(EXACT) == EXACT_YAML
    assert yaml.safe_load(EXACT_YAML) == EXACT
    assert automation_to_yaml(dict(reversed(EXACT.items()))) == EXACT_YAML


@pytest.mark.parametrize(
    "config",
    [
        *(automation(triggers=[item]) for item in VALID_TRIGGERS),
        *(automation(conditions=[item]) for item in VALID_CONDITIONS),
        *(automation(actions=[item]) for item in [*VALID_ACTIONS, *UNBOUNDED_REPEATS]),
        *VALID_AUTOMATIONS,
        # Strings YAML 1.1 would read as something else: booleans, numbers, dates, null.
        automation(
            conditions=[
                {
                    "condition": "state",
                    "entity_id": "light.kitchen",
                    "state": ["yes", "no", "off", "on", "1.0", "2025-01-01", "null", "~", "12:30"],
                }
            ]
        ),
    ],
)
def test_yaml_round_trips(config: dict[str, Any]) -> None:
    text = automation_to_yaml(config)
    assert "!!" not in text
    assert yaml.safe_load(text) == config


def test_yaml_refuses_what_is_not_plain_data() -> None:
    with pytest.raises(TypeError, match="plain data only"):
        automation_to_yaml({**automation(), "id": {1, 2}})


def test_legacy_syntax_is_normalised_to_the_modern_one() -> None:
    legacy: dict[str, Any] = {
        "id": "old",
        "alias": "Old style",
        "trigger": {"platform": "state", "entity_id": "binary_sensor.front_door", "to": "on"},
        "condition": [{"condition": "sun", "after": "sunset"}],
        "action": [
            {"service": "light.turn_on", "entity_id": "light.hall", "data": {"brightness": 10}},
            {
                "choose": [
                    {
                        "conditions": [IS_ON],
                        "sequence": [
                            {"service": "light.turn_off", "target": {"entity_id": "light.hall"}}
                        ],
                    }
                ],
            },
            {
                "wait_for_trigger": [{"platform": "state", "entity_id": "light.hall", "to": "off"}],
                "timeout": "00:10:00",
            },
        ],
    }
    modern = normalise_automation(legacy)
    assert modern == {
        "id": "old",
        "alias": "Old style",
        "triggers": [{"trigger": "state", "entity_id": "binary_sensor.front_door", "to": "on"}],
        "conditions": [{"condition": "sun", "after": "sunset"}],
        "actions": [
            {
                "action": "light.turn_on",
                "data": {"brightness": 10},
                "target": {"entity_id": "light.hall"},
            },
            {
                "choose": [
                    {
                        "conditions": [IS_ON],
                        "sequence": [
                            {"action": "light.turn_off", "target": {"entity_id": "light.hall"}}
                        ],
                    }
                ],
            },
            {
                "wait_for_trigger": [{"trigger": "state", "entity_id": "light.hall", "to": "off"}],
                "timeout": "00:10:00",
            },
        ],
    }
    assert legacy["action"][0] == {
        "service": "light.turn_on",
        "entity_id": "light.hall",
        "data": {"brightness": 10},
    }, "the input is left as it was"
    assert validate(modern).valid
    assert normalise_automation(modern) == modern
    # Validating the legacy form names each legacy key, and checks the rest all the same.
    result = validate({**legacy, "action": [{"service": "shell_command.wipe"}]})
    assert [(found.path, found.message) for found in result.errors[:3]] == [
        ("trigger", "'trigger' is the legacy syntax, use 'triggers'"),
        ("condition", "'condition' is the legacy syntax, use 'conditions'"),
        ("action", "'action' is the legacy syntax, use 'actions'"),
    ]
    assert ("blocked_service", "actions[0].action") in codes(result)


def test_an_unknown_entity_is_named_with_the_nearest_one() -> None:
    config = automation(
        triggers=[{"trigger": "state", "entity_id": ["binary_sensor.frontdoor"], "to": "on"}],
        actions=[
            {"action": "light.turn_on", "target": {"entity_id": ["light.hall", "light.kitchn"]}}
        ],
    )
    result = validate(config)
    assert not result.valid
    assert [(found.code, found.path, found.message) for found in result.errors] == [
        (
            "unknown_entity",
            "triggers[0].entity_id[0]",
            "binary_sensor.frontdoor is not in the home. Did you mean binary_sensor.front_door?",
        ),
        (
            "unknown_entity",
            "actions[0].target.entity_id[1]",
            "light.kitchn is not in the home. Did you mean light.kitchen?",
        ),
    ]


def test_unknown_entities_and_areas_without_a_close_one() -> None:
    config = automation(
        conditions=[
            {"condition": "zone", "entity_id": "person.anna", "zone": ["zone.home", "zone.gym"]}
        ],
        actions=[
            {"action": "light.turn_on", "target": {"entity_id": "light.attic", "area_id": "kitchn"}}
        ],
    )
    assert [(found.code, found.path, found.message) for found in validate(config).errors] == [
        ("unknown_entity", "conditions[0].zone[1]", "zone.gym is not in the home."),
        ("unknown_entity", "actions[0].target.entity_id", "light.attic is not in the home."),
        (
            "unknown_area",
            "actions[0].target.area_id",
            "kitchn is not an area of the home. Did you mean kitchen?",
        ),
    ]


def test_a_service_acts_only_on_its_own_domain() -> None:
    config = automation(
        actions=[
            {
                "action": "light.turn_on",
                "target": {"entity_id": ["light.hall", "switch.coffee_maker"]},
            },
            {"action": "homeassistant.turn_on", "target": {"entity_id": "switch.coffee_maker"}},
        ]
    )
    result = validate(config)
    assert [(found.code, found.path, found.message) for found in result.errors] == [
        (
            "domain_mismatch",
            "actions[0].target.entity_id[1]",
            "light.turn_on acts on light entities, not on switch.coffee_maker.",
        )
    ]


def test_services_are_checked_against_home_assistants_list() -> None:
    config = automation(
        actions=[
            KITCHEN_LIGHT,
            {"action": "light.blink", "target": {"entity_id": "light.hall"}},
            {"action": "notify.mobile_app_bob", "data": {"message": "Hi"}},
        ]
    )
    services = {"light": {"turn_on", "turn_off"}, "notify": {"notify"}}
    result = validate_automation(config, HOME, services)
    assert [(found.code, found.path) for found in result.errors] == [
        ("unknown_service", "actions[1].action"),
        ("unknown_service", "actions[2].action"),
    ]
    assert validate_automation(automation(), HOME, services).valid


BLOCKED: Final = [
    {"action": "shell_command.backup"},
    {"action": "python_script.cleanup", "data": {"days": 3}},
    {"action": "hassio.addon_stop", "data": {"addon": "core_ssh"}},
    {"action": "homeassistant.restart"},
    {"action": "homeassistant.stop"},
]


@pytest.mark.parametrize("action", BLOCKED)
def test_blocked_services_are_errors_and_score_zero(action: dict[str, Any]) -> None:
    result = validate(automation(actions=[KITCHEN_LIGHT, action]))
    assert not result.valid
    assert [(found.code, found.path) for found in result.errors] == [
        ("blocked_service", "actions[1].action")
    ]
    assert result.safety.score == 0


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"message": "Wifi: !secret wifi_password"}, "actions[0].data.message"),
        ({"message": "See secrets.yaml"}, "actions[0].data.message"),
        ({"message": "Your token is {{ states('sensor.api_token') }}"}, "actions[0].data.message"),
        ({"message": "Hi", "data": {"password": "hunter2"}}, "actions[0].data.data.password"),
        (
            {"message": "Hi", "data": {"tags": ["a", "the ACCESS_TOKEN"]}},
            "actions[0].data.data.tags[1]",
        ),
    ],
)
def test_anything_touching_secrets_is_blocked(data: dict[str, Any], path: str) -> None:
    result = validate(automation(actions=[{"action": "notify.notify", "data": data}]))
    assert [(found.code, found.path) for found in result.errors] == [("secret_reference", path)]
    assert result.safety.score == 0


def test_a_condition_template_that_reads_a_secret_is_blocked() -> None:
    config = automation(
        conditions=[
            {"condition": "template", "value_template": "{{ states('input_text.api_key') }}"}
        ]
    )
    assert ("secret_reference", "conditions[0].value_template") in codes(validate(config))


def test_ordinary_words_are_no_secrets() -> None:
    message = "The secretary's passwordless tokenizer: keys are in the drawer"
    result = validate(
        automation(actions=[{"action": "notify.notify", "data": {"message": message}}])
    )
    assert result.valid
    assert result.safety.score == 100


# Names a template builds from pieces read as the name they build.
BUILT_SECRETS: Final = [
    "{{ states('input_text.' ~ 'api_' ~ 'key') }}",
    "{{ states('input_text.access_'~'token') }}",
    "{{ states('input_text.' ~ 'to' ~ 'ken') }}",
    '{{ states("sensor.pass" + "word") }}',
    "{{ states('sensor.' 'passwd') }}",
    "{{ states('input_text.' ~ ('api' ~ 'key')) }}",
    "{{ states(['input_text', 'access', 'token'] | join('_')) }}",
    "{{ states('input_text.api_%s' % 'key') }}",
    "{{ states('input_text.{}'.format('api' ~ '_key')) }}",
    """{{ states('input_text.tok' ~ "en") }}""",
]


@pytest.mark.parametrize("message", BUILT_SECRETS)
def test_a_secret_name_built_from_pieces_is_blocked(message: str) -> None:
    result = validate(
        automation(actions=[{"action": "notify.notify", "data": {"message": message}}])
    )
    assert codes(result) == [("secret_reference", "actions[0].data.message")]
    condition = {"condition": "template", "value_template": message}
    assert ("secret_reference", "conditions[0].value_template") in codes(
        validate(automation(conditions=[condition]))
    )
    # A template in a target reads states too.
    target = {"area_id": message}
    found = codes(validate(automation(actions=[{"action": "light.turn_on", "target": target}])))
    assert ("secret_reference", "actions[0].target.area_id") in found


@pytest.mark.parametrize(
    "message",
    [
        "{{ 'Door ' ~ states('binary_sensor.front_door') ~ ' since ' ~ 'this morning' }}",
        "{{ states('sensor.keyboard_battery') ~ '% ' ~ 'key' ~ 'board' }}",
        "{{ 'by' ~ 'pass' ~ 'ing the ' ~ 'tokenizer' }}",
        "{{ ['Keys', 'wallet'] | join(', ') }} are by the door",
        "{% if is_state('light.kitchen', 'on') %}The passwordless{% endif %} keys",
    ],
)
def test_ordinary_words_joined_in_a_template_are_no_secrets(message: str) -> None:
    result = validate(
        automation(actions=[{"action": "notify.notify", "data": {"message": message}}])
    )
    assert result.valid
    assert result.safety.score == 100


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ({"action": "lock.unlock", "target": {"entity_id": "lock.front_door"}}, "confirm_lock"),
        ({"action": "lock.lock", "target": {"entity_id": "lock.front_door"}}, "confirm_lock"),
        (
            {
                "action": "alarm_control_panel.alarm_disarm",
                "target": {"entity_id": "alarm_control_panel.home"},
            },
            "confirm_alarm",
        ),
        (
            {
                "action": "alarm_control_panel.alarm_arm_away",
                "target": {"entity_id": "alarm_control_panel.home"},
            },
            "confirm_alarm",
        ),
        # A garage door by its device class, by its id, and through its area.
        (
            {"action": "cover.open_cover", "target": {"entity_id": "cover.left_door"}},
            "confirm_garage",
        ),
        (
            {"action": "cover.close_cover", "target": {"entity_id": "cover.garage_door"}},
            "confirm_garage",
        ),
        ({"action": "cover.open_cover", "target": {"area_id": "garage"}}, "confirm_garage"),
        (
            {"action": "valve.open_valve", "target": {"entity_id": "valve.garden_water"}},
            "confirm_valve",
        ),
        (
            {"action": "climate.turn_off", "target": {"entity_id": "climate.living_room"}},
            "confirm_climate_off",
        ),
        (
            {
                "action": "climate.set_hvac_mode",
                "target": {"entity_id": "climate.living_room"},
                "data": {"hvac_mode": "off"},
            },
            "confirm_climate_off",
        ),
        # What an unquoted `off` in hand-written YAML turns into.
        (
            {
                "action": "climate.set_hvac_mode",
                "target": {"entity_id": "climate.living_room"},
                "data": {"hvac_mode": False},
            },
            "confirm_climate_off",
        ),
        (
            {"action": "homeassistant.turn_off", "target": {"entity_id": "climate.living_room"}},
            "confirm_climate_off",
        ),
        (
            {"action": "homeassistant.toggle", "target": {"entity_id": "lock.front_door"}},
            "confirm_lock",
        ),
    ],
)
def test_risky_actions_need_confirmation(action: dict[str, Any], code: str) -> None:
    result = validate(automation(actions=[action]))
    assert result.valid
    assert result.requires_confirmation
    assert [(found.code, found.path) for found in result.warnings] == [(code, "actions[0].action")]
    assert "confirm: true" in result.warnings[0].message
    assert result.safety.score == 100 - SAFETY_WEIGHTS[code]


@pytest.mark.parametrize(
    "action",
    [
        {"action": "cover.open_cover", "target": {"entity_id": "cover.living_room_blinds"}},
        {"action": "climate.turn_on", "target": {"entity_id": "climate.living_room"}},
        {
            "action": "climate.set_hvac_mode",
            "target": {"entity_id": "climate.living_room"},
            "data": {"hvac_mode": "heat"},
        },
        {"action": "homeassistant.turn_off", "target": {"area_id": "kitchen"}},
    ],
)
def test_ordinary_actions_need_no_confirmation(action: dict[str, Any]) -> None:
    result = validate(automation(actions=[action]))
    assert result.valid
    assert not result.requires_confirmation
    assert result.warnings == []
    assert result.safety.score == 100


@pytest.mark.parametrize(
    ("trigger", "too_fast"),
    [
        ({"trigger": "time_pattern", "seconds": "/30"}, True),
        ({"trigger": "time_pattern", "minutes": "*", "seconds": "*"}, True),
        ({"trigger": "time_pattern", "seconds": 0}, False),
        ({"trigger": "time_pattern", "minutes": "*"}, False),
        ({"trigger": "time_pattern", "minutes": "/1"}, False),
    ],
)
def test_time_patterns_run_at_most_once_a_minute(trigger: dict[str, Any], too_fast: bool) -> None:
    result = validate(automation(triggers=[trigger]))
    expected = [("fast_time_pattern", "triggers[0].seconds")] if too_fast else []
    assert codes(result) == expected
    assert result.valid is not too_fast


@pytest.mark.parametrize(
    ("repeat", "code"),
    [
        (
            {"while": [IS_ON], "sequence": [KITCHEN_LIGHT]},
            ("unbounded_repeat", "actions[0].repeat.while"),
        ),
        (
            {"until": [IS_ON], "sequence": [KITCHEN_LIGHT]},
            ("unbounded_repeat", "actions[0].repeat.until"),
        ),
        (
            {"count": 101, "sequence": [KITCHEN_LIGHT]},
            ("too_many_repeats", "actions[0].repeat.count"),
        ),
        ({"count": 100, "sequence": [KITCHEN_LIGHT]}, None),
    ],
)
def test_repeats_are_bounded(repeat: dict[str, Any], code: tuple[str, str] | None) -> None:
    result = validate(automation(actions=[{"repeat": repeat}]))
    assert codes(result) == ([code] if code else [])


@pytest.mark.parametrize(
    ("delay", "too_long"),
    [
        ({"hours": 24, "seconds": 1}, True),
        ({"days": 2}, True),
        ("25:00:00", True),
        ({"hours": 24}, False),
        ("24:00:00", False),
        ({"minutes": 90, "milliseconds": 500}, False),
    ],
)
def test_delays_are_at_most_a_day(delay: Any, too_long: bool) -> None:
    result = validate(automation(actions=[{"delay": delay}]))
    assert codes(result) == ([("long_delay", "actions[0].delay")] if too_long else [])


UNLOCK: Final = {"action": "lock.unlock", "target": {"entity_id": "lock.front_door"}}
FOREVER: Final = {"repeat": {"while": [IS_ON], "sequence": [KITCHEN_LIGHT]}}


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (
            {"choose": [{"conditions": [IS_ON], "sequence": [KITCHEN_LIGHT, UNLOCK]}]},
            [("confirm_lock", "actions[0].choose[0].sequence[1].action")],
        ),
        (
            {
                "choose": [{"conditions": [IS_ON], "sequence": [KITCHEN_LIGHT]}],
                "default": [FOREVER],
            },
            [("unbounded_repeat", "actions[0].default[0].repeat.while")],
        ),
        (
            {
                "if": [IS_ON],
                "then": [{"delay": {"days": 3}}],
                "else": [{"action": "shell_command.x"}],
            },
            [
                ("long_delay", "actions[0].then[0].delay"),
                ("blocked_service", "actions[0].else[0].action"),
            ],
        ),
        (
            {"repeat": {"count": 2, "sequence": [{"if": [IS_ON], "then": [UNLOCK]}]}},
            [("confirm_lock", "actions[0].repeat.sequence[0].then[0].action")],
        ),
        (
            {
                "wait_for_trigger": [{"trigger": "time_pattern", "seconds": "/5"}],
                "timeout": {"minutes": 1},
            },
            [("fast_time_pattern", "actions[0].wait_for_trigger[0].seconds")],
        ),
    ],
)
def test_nested_actions_are_checked_too(
    action: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    result = validate(automation(actions=[action]))
    assert sorted(codes(result)) == sorted(expected)
    assert [(found.code, found.path) for found in result.safety.issues] == expected


def test_scores_order_safe_above_confirmed_above_blocked() -> None:
    safe = validate(automation())
    locked = validate(automation(actions=[UNLOCK]))
    forever = validate(automation(actions=[FOREVER, UNLOCK]))
    blocked = validate(automation(actions=[UNLOCK, {"action": "hassio.host_shutdown"}]))
    assert safe.safety.score == 100
    assert 0 < forever.safety.score < locked.safety.score < 100
    assert blocked.safety.score == 0
    many = validate(automation(actions=[FOREVER, FOREVER, FOREVER]))
    assert many.safety.score == 0, "the score never goes below 0"


def test_the_result_has_the_api_shape() -> None:
    result = validate(automation(actions=[UNLOCK, {"delay": {"days": 2}}]))
    unlock = "lock.unlock locks or unlocks a lock: deploying it needs confirm: true."
    assert result.as_dict() == {
        "valid": False,
        "errors": [
            {
                "code": "long_delay",
                "message": "A delay may be at most 24 hours.",
                "path": "actions[1].delay",
            }
        ],
        "warnings": [
            {
                "code": "confirm_lock",
                "message": unlock,
                "path": "actions[0].action",
            }
        ],
        "safety": {
            "score": 100 - SAFETY_WEIGHTS["long_delay"] - SAFETY_WEIGHTS["confirm_lock"],
            "issues": [
                {
                    "code": "confirm_lock",
                    "message": unlock,
                    "path": "actions[0].action",
                },
                {
                    "code": "long_delay",
                    "message": "A delay may be at most 24 hours.",
                    "path": "actions[1].delay",
                },
            ],
        },
    }
    assert result.requires_confirmation


def test_yaml_is_remembered_by_content_never_by_object() -> None:
    config = automation(actions=[copy.deepcopy(KITCHEN_LIGHT)])
    first = automation_to_yaml(config)
    assert automation_to_yaml(copy.deepcopy(config)) == first
    # The same dict changed in place is a different config: its own YAML, not the one before.
    config["actions"][0]["target"]["entity_id"] = "light.hall"
    assert "light.hall" in automation_to_yaml(config)
    assert "light.kitchen" not in automation_to_yaml(config)
    assert yaml.safe_load(automation_to_yaml(config)) == config
