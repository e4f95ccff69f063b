"""Suggested automations: device-aware actions, titles, and configs that validate."""

from __future__ import annotations

from typing import Any

import pytest

from engine.automation.suggestions.drafts import Draft, Drafter, query_draft
from engine.automation.suggestions.fingerprint import fingerprint
from engine.automation.validate import validate_automation
from engine.automation.yaml_render import automation_to_yaml
from engine.home.catalog import Area, Catalog, CatalogSource, Entity


def _entity(entity_id: str, name: str, **attributes: Any) -> Entity:
    return Entity(entity_id, name, area_id="living", attributes=attributes or None)


HOME = Catalog(
    CatalogSource.IMPORT,
    "Europe/Berlin",
    areas=[Area("living", "Living room")],
    entities=[
        _entity("light.sofa", "Sofa lamp", supported_color_modes=["color_temp", "xy"]),
        _entity("light.desk", "Desk lamp", supported_color_modes=["brightness"], brightness=128),
        _entity("light.relay", "Relay light", supported_color_modes=["onoff"]),
        _entity("switch.fan", "Bathroom fan"),
        _entity("fan.ceiling", "Ceiling fan", percentage=40),
        _entity("cover.blinds", "Blinds", supported_features=15, current_position=70),
        _entity("cover.shutter", "Shutter", supported_features=3),
        _entity("climate.hall", "Hall thermostat", temperature=21.5),
        _entity("media_player.tv", "TV", volume_level=0.3),
        _entity("lock.front", "Front door lock"),
        _entity("alarm_control_panel.home", "Alarm"),
        _entity("vacuum.robot", "Robot"),
        _entity("input_select.mode", "House mode", options=["day", "night"]),
        Entity("binary_sensor.door", "Front door", area_id="living", device_class="door"),
        Entity("person.anna", "Anna"),
        Entity("sensor.temperature", "Temperature", device_class="temperature"),
    ],
)


def _time_of_day(entity_id: str, state: str, time: str = "07:00", days: str = "weekdays") -> Any:
    return {
        "id": f"p-{entity_id}-{state}",
        "type": "time_of_day",
        "description": f"{entity_id} {state} around {time}.",
        "score": 0.8,
        "details": {"entity_id": entity_id, "state": state, "time": time, "days": days},
    }


def _pair(trigger: tuple[str, str], action: tuple[str, str]) -> Any:
    return {
        "id": f"p-{trigger[0]}-{action[0]}",
        "type": "co_occurrence",
        "description": "pair",
        "score": 0.7,
        "details": {
            "trigger": {"entity_id": trigger[0], "state": trigger[1]},
            "action": {"entity_id": action[0], "state": action[1]},
        },
    }


def _draft(pattern: Any) -> Draft:
    draft = Drafter(HOME).pattern(pattern)
    assert draft is not None
    return draft


def _only_action(draft: Draft) -> dict[str, Any]:
    (action,) = draft.automation["actions"]
    return dict(action)


@pytest.mark.parametrize(
    ("entity_id", "state", "time", "action", "data"),
    [
        # Colour-temperature light, no brightness to copy: bright and cool in the morning...
        (
            "light.sofa",
            "on",
            "07:00",
            "light.turn_on",
            {"brightness_pct": 100, "color_temp_kelvin": 4000},
        ),
        # ... dim and warm late at night.
        (
            "light.sofa",
            "on",
            "23:30",
            "light.turn_on",
            {"brightness_pct": 30, "color_temp_kelvin": 2200},
        ),
        # A dimmable light reported its brightness: that one is kept (128/255 = 50%).
        ("light.desk", "on", "20:30", "light.turn_on", {"brightness_pct": 50}),
        # An on/off light gets no brightness it cannot take.
        ("light.relay", "on", "07:00", "light.turn_on", None),
        ("light.sofa", "off", "23:00", "light.turn_off", None),
        ("switch.fan", "on", "07:00", "switch.turn_on", None),
        ("fan.ceiling", "on", "13:00", "fan.turn_on", {"percentage": 40}),
        ("cover.blinds", "open", "07:00", "cover.set_cover_position", {"position": 70}),
        ("cover.shutter", "open", "07:00", "cover.open_cover", None),
        ("cover.shutter", "closed", "21:00", "cover.close_cover", None),
        (
            "climate.hall",
            "heat",
            "06:00",
            "climate.set_temperature",
            {"hvac_mode": "heat", "temperature": 21.5},
        ),
        ("climate.hall", "off", "22:00", "climate.turn_off", None),
        ("lock.front", "locked", "23:00", "lock.lock", None),
        (
            "alarm_control_panel.home",
            "armed_night",
            "23:00",
            "alarm_control_panel.alarm_arm_night",
            None,
        ),
        ("vacuum.robot", "cleaning", "10:00", "vacuum.start", None),
        ("input_select.mode", "night", "22:00", "input_select.select_option", {"option": "night"}),
    ],
)
def test_time_of_day_habits_become_device_aware_actions(
    entity_id: str, state: str, time: str, action: str, data: dict[str, Any] | None
) -> None:
    draft = _draft(_time_of_day(entity_id, state, time))
    call = _only_action(draft)
    assert call["action"] == action
    assert call["target"] == {"entity_id": entity_id}
    assert call.get("data") == data
    assert draft.automation["triggers"] == [{"trigger": "time", "at": f"{time}:00"}]
    assert draft.automation["conditions"] == [
        {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]}
    ]
    result = validate_automation(draft.automation, HOME)
    assert result.valid, result.errors


def test_a_media_player_plays_at_its_usual_volume() -> None:
    draft = _draft(_time_of_day("media_player.tv", "playing", "19:00", "all"))
    assert [a["action"] for a in draft.automation["actions"]] == [
        "media_player.volume_set",
        "media_player.media_play",
    ]
    assert draft.automation["actions"][0]["data"] == {"volume_level": 0.3}
    assert draft.automation["conditions"] == []
    assert draft.title == "Play TV at 30% volume every day at 19:00"


def test_titles_descriptions_and_explanations_read_as_sentences() -> None:
    pattern = _time_of_day("light.sofa", "on", "07:00")
    draft = _draft(pattern)
    assert draft.title == ("Turn on Sofa lamp at 100% brightness and 4000 K on weekdays at 07:00")
    assert draft.description == (
        "On weekdays at 07:00, turn on Sofa lamp at 100% brightness and 4000 K."
    )
    assert draft.explanation == pattern["description"]
    assert draft.source == "pattern"
    assert draft.source_id == pattern["id"]
    assert draft.automation["alias"] == draft.title
    assert draft.automation["id"] == f"homeiq_{draft.id}"


def test_sensors_and_people_start_automations_but_are_never_acted_on() -> None:
    drafter = Drafter(HOME)
    assert drafter.pattern(_time_of_day("binary_sensor.door", "on")) is None
    assert drafter.pattern(_time_of_day("person.anna", "home")) is None
    # An entity the home no longer has suggests nothing.
    assert drafter.pattern(_time_of_day("light.gone", "on")) is None
    draft = _draft(_pair(("person.anna", "home"), ("light.relay", "on")))
    assert draft.automation["triggers"] == [
        {"trigger": "state", "entity_id": "person.anna", "to": "home"}
    ]
    assert draft.title == "Turn on Relay light when Anna comes home"


def test_a_chain_runs_its_steps_in_order() -> None:
    synergy: dict[str, Any] = {
        "id": "s1",
        "chain": [
            {"entity_id": "binary_sensor.door", "state": "on"},
            {"entity_id": "light.relay", "state": "on"},
            {"entity_id": "media_player.tv", "state": "off"},
        ],
        "description": "chain",
        "score": 0.6,
    }
    draft = Drafter(HOME).synergy(synergy)
    assert draft is not None
    assert draft.source == "synergy"
    assert [a["action"] for a in draft.automation["actions"]] == [
        "light.turn_on",
        "media_player.turn_off",
    ]
    assert draft.description == "When Front door turns on, turn on Relay light, then turn off TV."
    assert validate_automation(draft.automation, HOME).valid
    # A chain with a step nothing can carry out suggests nothing.
    synergy["chain"] = [*synergy["chain"], {"entity_id": "sensor.temperature", "state": "20"}]
    assert Drafter(HOME).synergy(synergy) is None


def test_a_long_anomaly_becomes_a_notification_past_the_usual_duration() -> None:
    pattern: dict[str, Any] = {
        "id": "a1",
        "type": "anomaly",
        "description": "On 2026-11-02 Front door turned on and stayed so for 95 min.",
        "score": 0.4,
        "details": {
            "entity_id": "binary_sensor.door",
            "state": "on",
            "kind": "unusual_duration",
            "observed": {"duration_s": 5700},
            "expected": {"p95_duration_s": 1200},
        },
    }
    draft = Drafter(HOME).pattern(pattern)
    assert draft is not None
    assert draft.source == "anomaly"
    # 1.5 x the usual 20 minutes.
    assert draft.automation["triggers"] == [
        {
            "trigger": "state",
            "entity_id": "binary_sensor.door",
            "to": "on",
            "for": {"hours": 0, "minutes": 30, "seconds": 0},
        }
    ]
    (notify,) = draft.automation["actions"]
    assert notify["action"] == "persistent_notification.create"
    assert "30 minutes" in notify["data"]["message"]
    assert validate_automation(draft.automation, HOME).valid
    odd_time = {**pattern, "details": {**pattern["details"], "kind": "unusual_time"}}
    assert Drafter(HOME).pattern(odd_time) is None


def test_locks_and_alarms_need_confirmation() -> None:
    for entity_id, state in (("lock.front", "unlocked"), ("alarm_control_panel.home", "disarmed")):
        result = validate_automation(_draft(_time_of_day(entity_id, state)).automation, HOME)
        assert result.valid
        assert result.requires_confirmation


def test_the_same_behaviour_has_the_same_fingerprint_and_id() -> None:
    first = _draft(_time_of_day("switch.fan", "on"))
    again = _draft({**_time_of_day("switch.fan", "on"), "id": "other", "score": 0.1})
    assert first.fingerprint == again.fingerprint
    assert first.id == again.id
    # Ids, names and entity_id spelt as a one-item list change nothing...
    edited = {
        **first.automation,
        "id": "mine",
        "alias": "Mine",
        "actions": [{"action": "switch.turn_on", "target": {"entity_id": ["switch.fan"]}}],
    }
    assert fingerprint(edited) == first.fingerprint
    # ... a different time does.
    assert _draft(_time_of_day("switch.fan", "on", "08:00")).fingerprint != first.fingerprint


def test_a_requested_automation_becomes_a_query_suggestion() -> None:
    asked = {
        "id": "anything",
        "alias": "Every weekday at 7 turn on the relay light",
        "triggers": [{"trigger": "time", "at": "07:00:00"}],
        "conditions": [],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": "light.relay"}}],
    }
    draft = query_draft("q1", "every weekday at 7 turn on the relay light", asked)
    assert (draft.source, draft.source_id, draft.score) == ("query", "q1", 1.0)
    assert draft.automation["triggers"] == asked["triggers"]
    assert draft.automation["id"] == f"homeiq_{draft.id}"


def test_yaml_is_readable() -> None:
    text = automation_to_yaml(_draft(_time_of_day("light.sofa", "on")).automation)
    assert text.startswith("id: homeiq_")
    assert "!!python" not in text
    assert text.index("triggers:") < text.index("conditions:") < text.index("actions:")


DRAFTED = [
    _draft(_time_of_day(entity_id, state, time)).automation
    for entity_id, state, time in (
        ("light.sofa", "on", "07:00"),
        ("cover.blinds", "open", "07:00"),
        ("climate.hall", "heat", "06:00"),
        ("fan.ceiling", "on", "13:00"),
        ("media_player.tv", "playing", "19:00"),
        ("lock.front", "locked", "23:00"),
        ("alarm_control_panel.home", "armed_night", "23:00"),
        ("vacuum.robot", "cleaning", "10:00"),
        ("input_select.mode", "night", "22:00"),
    )
]
