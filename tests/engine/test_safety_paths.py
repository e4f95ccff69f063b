"""Every path to a guarded entity needs its confirmation: scenes, scripts, targets, templates."""

from __future__ import annotations

from typing import Any, Final

import pytest

from engine.automation.safety import CONFIRMATIONS
from engine.automation.validate import ValidationResult, check_deployable, validate_automation
from engine.errors import UnprocessableError
from engine.home.catalog import Area, Catalog, CatalogSource, Device, Entity, Floor

from .test_automation_validation import automation

# Every kind of guarded entity the home below has, as its confirmation code.
EVERY_CODE: Final = frozenset(CONFIRMATIONS)


def home() -> Catalog:
    """A home with one guarded entity of each kind, and scenes, a script and a group."""
    floors = [Floor("ground", "Ground floor"), Floor("upstairs", "Upstairs")]
    areas = [
        Area("hall", "Hall", floor_id="ground"),
        Area("kitchen", "Kitchen", floor_id="ground"),
        Area("bedroom", "Bedroom", floor_id="upstairs"),
        Area("garage", "Garage"),
        Area("living_room", "Living room"),
    ]
    devices = [Device("door_lock", "Door lock", area_id="hall"), Device("lamp", "Lamp")]
    entities = [
        Entity("light.kitchen", "Kitchen light", area_id="kitchen"),
        Entity("light.bedroom", "Bedroom light", area_id="bedroom", device_id="lamp"),
        # In the hall by its device's area.
        Entity("lock.front_door", "Front door lock", device_id="door_lock"),
        Entity("alarm_control_panel.home", "Alarm"),
        Entity("cover.left_door", "Left door", area_id="garage", device_class="garage"),
        Entity("cover.drive", "Drive", device_class="gate"),
        Entity("cover.bedroom_blinds", "Blinds", area_id="bedroom", device_class="blind"),
        Entity("valve.garden_water", "Garden water"),
        Entity("climate.living_room", "Thermostat", area_id="living_room"),
        _listing("scene.evening", ["light.kitchen", "lock.front_door"], "living_room"),
        _listing("scene.cosy", ["light.kitchen", "climate.living_room"]),
        _listing("scene.bright", ["light.kitchen"], "hall"),
        # Home Assistant lists a scene's entities; a catalog imported without them cannot.
        Entity("scene.mystery", "Mystery"),
        Entity("script.leave_home", "Leave home", area_id="hall"),
        _listing("group.entrance", ["light.kitchen", "group.doors"]),
        _listing("group.doors", ["lock.front_door", "group.entrance"]),
    ]
    return Catalog(
        CatalogSource.IMPORT,
        "Europe/Berlin",
        floors=floors,
        areas=areas,
        devices=devices,
        entities=entities,
    )


def _listing(entity_id: str, members: list[str], area_id: str | None = None) -> Entity:
    return Entity(entity_id, entity_id, area_id=area_id, attributes={"entity_id": members})


HOME: Final = home()


def check(action: dict[str, Any], catalog: Catalog = HOME) -> ValidationResult:
    return validate_automation(automation(actions=[action]), catalog)


def confirmations(result: ValidationResult) -> dict[str, str]:
    """Return each confirmation's code and message; every one points at the call."""
    found = [each for each in result.safety.issues if each.code in CONFIRMATIONS]
    assert {each.path for each in found} <= {"actions[0].action"}
    assert all(each.message.endswith(": deploying it needs confirm: true.") for each in found)
    return {each.code: each.message for each in found}


def assert_deployable_only_confirmed(result: ValidationResult) -> None:
    """Assert a valid automation is refused without confirm: true, and deployable with it."""
    assert result.valid, result.errors
    with pytest.raises(UnprocessableError) as refused:
        check_deployable(result, confirm=False)
    assert refused.value.details["confirm"] == sorted(confirmations(result))
    check_deployable(result, confirm=True)


def scene(service: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"action": f"scene.{service}", "data": data}


# (action, the codes it needs, what its first message says)
SCENE_DATA: Final[list[tuple[dict[str, Any], set[str], str]]] = [
    (
        scene("apply", {"entities": {"lock.front_door": "unlocked"}}),
        {"confirm_lock"},
        "scene.apply sets lock.front_door, so it locks or unlocks a lock",
    ),
    (
        scene("apply", {"entities": {"lock.back_door": {"state": "locked"}}}),
        {"confirm_lock"},
        "scene.apply sets lock.back_door, so it locks or unlocks a lock",
    ),
    (
        scene("apply", {"entities": {"alarm_control_panel.home": "disarmed"}}),
        {"confirm_alarm"},
        "so it arms or disarms an alarm panel",
    ),
    (
        scene("apply", {"entities": {"cover.left_door": "open", "light.kitchen": "on"}}),
        {"confirm_garage"},
        "scene.apply sets cover.left_door, so it opens or closes a garage door or gate",
    ),
    (scene("apply", {"entities": {"cover.drive": "open"}}), {"confirm_garage"}, "cover.drive"),
    (
        scene("apply", {"entities": {"valve.garden_water": "open"}, "transition": 2}),
        {"confirm_valve"},
        "so it opens or closes a valve",
    ),
    (
        scene("apply", {"entities": {"climate.living_room": "off"}}),
        {"confirm_climate_off"},
        "scene.apply sets climate.living_room, so it turns heating or cooling off",
    ),
    (
        scene(
            "apply", {"entities": {"climate.living_room": {"state": "heat", "hvac_mode": "off"}}}
        ),
        {"confirm_climate_off"},
        "so it turns heating or cooling off",
    ),
    (
        scene(
            "apply",
            {"entities": {"climate.living_room": {"state": "{{ states('input_select.m') }}"}}},
        ),
        {"confirm_climate_off"},
        "so it may turn heating or cooling off",
    ),
    (
        scene("create", {"scene_id": "away", "entities": {"lock.front_door": "unlocked"}}),
        {"confirm_lock"},
        "scene.create creates a scene that sets lock.front_door, so it locks or unlocks a lock",
    ),
    (
        scene(
            "create",
            {"scene_id": "before", "snapshot_entities": ["light.kitchen", "lock.front_door"]},
        ),
        {"confirm_lock"},
        "scene.create creates a scene that sets lock.front_door back",
    ),
    (
        scene("create", {"scene_id": "before", "snapshot_entities": "climate.living_room"}),
        {"confirm_climate_off"},
        "so it may turn heating or cooling off",
    ),
    # Entities a template names at run time may be any of the home's guarded ones.
    (
        scene("apply", {"entities": "{{ {'lock.front_door': 'unlocked'} }}"}),
        set(EVERY_CODE),
        "scene.apply sets entities given by",
    ),
    (
        scene("apply", {"entities": {"{{ 'lock.' ~ 'front_door' }}": "unlocked"}}),
        set(EVERY_CODE),
        "and the home has lock.front_door, so it may lock or unlock a lock",
    ),
]


def assert_confirms(action: dict[str, Any], codes: set[str], says: str) -> None:
    """Assert an action needs exactly these confirmations, says why, and deploys only with them."""
    result = check(action)
    assert set(confirmations(result)) == codes
    assert says in next(iter(confirmations(result).values()))
    assert_deployable_only_confirmed(result)


@pytest.mark.parametrize(("action", "codes", "says"), SCENE_DATA)
def test_scene_data_that_sets_a_guarded_entity_needs_confirmation(
    action: dict[str, Any], codes: set[str], says: str
) -> None:
    assert_confirms(action, codes, says)


TURNED_ON: Final[list[tuple[dict[str, Any], set[str], str]]] = [
    (
        {"action": "scene.turn_on", "target": {"entity_id": "scene.evening"}},
        {"confirm_lock"},
        "scene.turn_on acts on scene.evening, which sets lock.front_door, so it locks or unlocks",
    ),
    (
        {"action": "scene.turn_on", "target": {"entity_id": ["scene.bright", "scene.cosy"]}},
        {"confirm_climate_off"},
        "scene.cosy, which sets climate.living_room, so it may turn heating or cooling off",
    ),
    (
        {"action": "scene.turn_on", "target": {"area_id": "living_room"}},
        {"confirm_lock"},
        "acts on area living_room, which holds scene.evening, which sets lock.front_door",
    ),
    (
        {"action": "scene.turn_on", "target": {"entity_id": "scene.mystery"}},
        set(EVERY_CODE),
        "acts on scene.mystery, whose entities HomeIQ does not know, and the home has",
    ),
    (
        {"action": "homeassistant.turn_on", "target": {"entity_id": "scene.evening"}},
        {"confirm_lock"},
        "homeassistant.turn_on acts on scene.evening, which sets lock.front_door",
    ),
    (
        {"action": "scene.turn_on", "data": {"entity_id": "{{ 'scene.' ~ 'bright' }}"}},
        set(EVERY_CODE),
        "acts on entity_id given by",
    ),
]


@pytest.mark.parametrize(("action", "codes", "says"), TURNED_ON)
def test_a_scene_that_sets_a_guarded_entity_needs_confirmation(
    action: dict[str, Any], codes: set[str], says: str
) -> None:
    assert_confirms(action, codes, says)


@pytest.mark.parametrize(
    "action",
    [
        {"action": "scene.turn_on", "target": {"entity_id": "scene.bright"}},
        # Turning the hall's scenes on turns on scene.bright, not the hall's lock.
        {"action": "scene.turn_on", "target": {"area_id": "hall"}},
        # Turning a scene off does nothing (Home Assistant's scenes have no turn_off).
        {"action": "homeassistant.turn_off", "target": {"entity_id": "scene.evening"}},
        # A domain's service acts on that domain's entities only, wherever they are.
        {"action": "light.turn_on", "target": {"area_id": "hall"}},
        {"action": "light.turn_on", "data": {"floor_id": "ground"}},
        {"action": "cover.open_cover", "target": {"area_id": "bedroom"}},
        {"action": "homeassistant.turn_on", "data": {"device_id": "lamp"}},
        {"action": "script.turn_off", "target": {"entity_id": "script.leave_home"}},
        {"action": "automation.turn_on", "target": {"entity_id": "automation.other"}},
        {"action": "homeassistant.turn_on", "target": {"entity_id": "climate.living_room"}},
    ],
)
def test_paths_that_reach_no_guarded_entity_need_no_confirmation(action: dict[str, Any]) -> None:
    assert confirmations(check(action)) == {}


SCRIPTS: Final = [
    {"action": "script.turn_on", "target": {"entity_id": "script.leave_home"}},
    {"action": "script.leave_home"},
    {"action": "script.toggle", "data": {"entity_id": "script.leave_home"}},
    {"action": "homeassistant.turn_on", "target": {"entity_id": "script.leave_home"}},
    {"action": "automation.trigger", "target": {"entity_id": "automation.other"}},
]


@pytest.mark.parametrize("action", SCRIPTS)
def test_running_a_script_needs_every_confirmation_the_home_could_need(
    action: dict[str, Any],
) -> None:
    result = check(action)
    assert set(confirmations(result)) == set(EVERY_CODE)
    messages = " ".join(confirmations(result).values())
    assert "whose actions HomeIQ cannot see" in messages
    assert "and the home has lock.front_door, so it may lock or unlock a lock" in messages


def test_a_script_in_a_home_with_nothing_guarded_needs_no_confirmation() -> None:
    # A script can only act on what the home has: without a lock, it cannot unlock one.
    quiet = Catalog(
        CatalogSource.IMPORT,
        "Europe/Berlin",
        entities=[Entity("script.leave_home", "Leave"), Entity("light.hall", "Hall")],
    )
    result = check({"action": "script.leave_home"}, quiet)
    assert result.valid
    assert confirmations(result) == {}
    heated = Catalog(
        CatalogSource.IMPORT,
        "Europe/Berlin",
        entities=[*quiet.entities, Entity("climate.hall", "Heating")],
    )
    assert set(confirmations(check({"action": "script.leave_home"}, heated))) == {
        "confirm_climate_off"
    }


TARGETS: Final[list[tuple[dict[str, Any], set[str], str]]] = [
    (
        {"action": "homeassistant.toggle", "target": {"area_id": "hall"}},
        set(EVERY_CODE),
        "acts on area hall, which holds lock.front_door, so it locks or unlocks a lock",
    ),
    (
        {"action": "homeassistant.turn_off", "data": {"device_id": "door_lock"}},
        {"confirm_lock"},
        "homeassistant.turn_off acts on device door_lock, which holds lock.front_door",
    ),
    (
        {"action": "homeassistant.turn_on", "data": {"floor_id": "ground"}},
        set(EVERY_CODE),
        "acts on floor ground, which holds lock.front_door",
    ),
    (
        {"action": "homeassistant.turn_off", "data": {"floor_id": "upstairs"}},
        set(),
        "",
    ),
    (
        {"action": "homeassistant.turn_on", "data": {"label_id": "outdoor"}},
        set(EVERY_CODE),
        "acts on label outdoor, whose entities HomeIQ cannot know, and the home has",
    ),
    (
        {"action": "homeassistant.turn_on", "data": {"device_id": "not_in_the_catalog"}},
        set(EVERY_CODE),
        "acts on device not_in_the_catalog, whose entities HomeIQ cannot know",
    ),
    (
        {"action": "homeassistant.turn_off", "data": {"entity_id": "lock.front_door"}},
        {"confirm_lock"},
        "homeassistant.turn_off acts on lock.front_door, so it locks or unlocks a lock",
    ),
    (
        {"action": "homeassistant.turn_off", "data": {"entity_id": "group.entrance"}},
        {"confirm_lock"},
        "acts on group.entrance, which holds group.doors, which holds lock.front_door",
    ),
    (
        {"action": "homeassistant.turn_off", "target": {"entity_id": "climate.living_room"}},
        {"confirm_climate_off"},
        "acts on climate.living_room, so it turns heating or cooling off",
    ),
    (
        {"action": "homeassistant.toggle", "target": {"entity_id": "climate.living_room"}},
        {"confirm_climate_off"},
        "acts on climate.living_room, so it may turn heating or cooling off",
    ),
    (
        {"action": "cover.open_cover", "data": {"entity_id": ["cover.drive"]}},
        {"confirm_garage"},
        "cover.open_cover acts on cover.drive, so it opens or closes a garage door or gate",
    ),
    (
        {"action": "cover.open_cover", "target": {"area_id": "garage"}},
        {"confirm_garage"},
        "acts on area garage, which holds cover.left_door",
    ),
]


@pytest.mark.parametrize(("action", "codes", "says"), TARGETS)
def test_targets_are_followed_to_the_entities_they_hold(
    action: dict[str, Any], codes: set[str], says: str
) -> None:
    result = check(action)
    assert set(confirmations(result)) == codes
    if codes:
        assert says in " ".join(confirmations(result).values())
        assert_deployable_only_confirmed(result)


@pytest.mark.parametrize(
    "target",
    [{"device_id": "door_lock"}, {"floor_id": "ground"}, {"label_id": "doors"}],
)
def test_target_keys_the_schema_refuses_are_still_checked(target: dict[str, Any]) -> None:
    # The schema takes only entity_id and area_id targets; the policy reads them all anyway.
    result = check({"action": "homeassistant.turn_off", "target": target})
    assert "invalid_structure" in [found.code for found in result.errors]
    assert "confirm_lock" in confirmations(result)


TEMPLATED: Final[list[tuple[dict[str, Any], set[str]]]] = [
    (
        {"action": "homeassistant.turn_on", "target": {"area_id": "{{ 'gar' ~ 'age' }}"}},
        set(EVERY_CODE),
    ),
    (
        {"action": "homeassistant.turn_off", "data": {"entity_id": "{{ trigger.entity_id }}"}},
        set(EVERY_CODE),
    ),
    ({"action": "homeassistant.turn_on", "data": {"entity_id": "all"}}, set(EVERY_CODE)),
    (
        {"action": "homeassistant.turn_on", "data": "{{ {'entity_id': 'lock.front_door'} }}"},
        set(EVERY_CODE),
    ),
    ({"action": "homeassistant.turn_on", "target": "{{ {'area_id': 'hall'} }}"}, set(EVERY_CODE)),
    # A domain's service with a templated target may reach that domain's guarded entities.
    (
        {"action": "cover.open_cover", "target": {"area_id": "{{ states('input_text.a') }}"}},
        {"confirm_garage"},
    ),
    ({"action": "light.turn_on", "target": {"area_id": "{{ states('input_text.a') }}"}}, set()),
    (
        {
            "action": "climate.set_hvac_mode",
            "target": {"entity_id": "climate.living_room"},
            "data": {"hvac_mode": "{{ 'o' ~ 'ff' }}"},
        },
        {"confirm_climate_off"},
    ),
    (
        {
            "action": "climate.set_temperature",
            "target": {"entity_id": "climate.living_room"},
            "data": {"temperature": 20, "hvac_mode": "off"},
        },
        {"confirm_climate_off"},
    ),
]


@pytest.mark.parametrize(("action", "codes"), TEMPLATED)
def test_templated_targets_need_the_confirmations_of_what_they_could_name(
    action: dict[str, Any], codes: set[str]
) -> None:
    result = check(action)
    assert set(confirmations(result)) == codes
    for code, message in confirmations(result).items():
        if code != "confirm_climate_off":
            assert ", so it may " in message


def test_a_service_named_by_a_template_is_blocked() -> None:
    result = check({"action": "{{ 'shell_' ~ 'command.wipe' }}"})
    assert ("blocked_service", "actions[0].action") in [
        (found.code, found.path) for found in result.errors
    ]
    assert result.safety.score == 0
