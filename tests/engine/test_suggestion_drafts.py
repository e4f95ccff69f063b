"""Suggested automations: device-aware actions, titles, and configs that validate."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from engine.automation.suggestions.drafts import Draft, Drafter, Pattern, query_draft
from engine.automation.suggestions.fingerprint import fingerprint
from engine.automation.validate import validate_automation
from engine.automation.yaml_render import automation_to_yaml
from engine.home.catalog import Area, Catalog, CatalogSource, Entity
from engine.home.phrases import event_phrase
from engine.patterns.details import AnomalyDetails
from engine.patterns.findings import StoredPattern, StoredSynergy


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


def _time_of_day_dict(
    entity_id: str, state: str, time: str = "07:00", days: str = "weekdays"
) -> dict[str, Any]:
    return {
        "id": f"p-{entity_id}-{state}",
        "type": "time_of_day",
        "description": f"{entity_id} {state} around {time}.",
        "score": 0.8,
        "details": {"entity_id": entity_id, "state": state, "time": time, "days": days},
    }


def _time_of_day(
    entity_id: str, state: str, time: str = "07:00", days: str = "weekdays"
) -> Pattern:
    return StoredPattern.from_dict(_time_of_day_dict(entity_id, state, time, days))


def _pair_dict(trigger: tuple[str, str], action: tuple[str, str]) -> dict[str, Any]:
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


def _pair(trigger: tuple[str, str], action: tuple[str, str]) -> Pattern:
    return StoredPattern.from_dict(_pair_dict(trigger, action))


def _draft(pattern: Pattern) -> Draft:
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
        "At 07:00 on weekdays, turn on Sofa lamp at 100% brightness and 4000 K."
    )
    assert draft.explanation == pattern.description
    assert draft.source == "pattern"
    assert draft.source_id == pattern.id
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
    draft = Drafter(HOME).synergy(StoredSynergy.from_dict(synergy))
    assert draft is not None
    assert draft.source == "synergy"
    assert [a["action"] for a in draft.automation["actions"]] == [
        "light.turn_on",
        "media_player.turn_off",
    ]
    assert draft.description == "When Front door opens, turn on Relay light, then turn off TV."
    assert validate_automation(draft.automation, HOME).valid
    # A chain with a step nothing can carry out suggests nothing.
    synergy["chain"] = [*synergy["chain"], {"entity_id": "sensor.temperature", "state": "20"}]
    assert Drafter(HOME).synergy(StoredSynergy.from_dict(synergy)) is None


def test_a_long_anomaly_becomes_a_notification_past_the_usual_duration() -> None:
    pattern = StoredPattern.from_dict({
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
            "at": "2026-11-02T08:00:00+01:00",
        },
    })  # fmt: skip
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
    assert isinstance(pattern.details, AnomalyDetails)
    odd_time = replace(pattern, details=replace(pattern.details, kind="unusual_time"))
    assert Drafter(HOME).pattern(odd_time) is None


def test_locks_and_alarms_need_confirmation() -> None:
    for entity_id, state in (("lock.front", "locked"), ("alarm_control_panel.home", "armed_night")):
        result = validate_automation(_draft(_time_of_day(entity_id, state)).automation, HOME)
        assert result.valid
        assert result.requires_confirmation


def test_the_same_behaviour_has_the_same_fingerprint_and_id() -> None:
    first = _draft(_time_of_day("switch.fan", "on"))
    again = _draft(replace(_time_of_day("switch.fan", "on"), id="other", score=0.1))
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


# -- suggestions a household would want -------------------------------------------------

IDIOM_HOME = Catalog(
    CatalogSource.IMPORT,
    "Europe/Berlin",
    areas=[Area("hall", "Hallway"), Area("pantry", "Pantry"), Area("garage", "Garage")],
    entities=[
        Entity("light.hall", "Hallway ceiling", area_id="hall"),
        Entity(
            "binary_sensor.hall_motion", "Hallway motion", area_id="hall", device_class="motion"
        ),
        Entity("light.pantry", "Pantry light", area_id="pantry"),
        Entity("binary_sensor.pantry_door", "Pantry door", area_id="pantry", device_class="door"),
        Entity("lock.front", "Front door lock", area_id="hall"),
        Entity("cover.garage", "Garage door", area_id="garage", device_class="garage"),
        Entity("light.garage", "Garage light", area_id="garage"),
        Entity("alarm_control_panel.home", "Alarm"),
        Entity("valve.water", "Water main"),
        Entity("switch.coffee", "Coffee machine", area_id="hall"),
        Entity("light.bed", "Bedroom ceiling", area_id="hall"),
        Entity("light.lamp", "Hallway lamp", area_id="hall"),
        Entity("person.anna", "Anna"),
    ],
)


def _idiom(trigger: str, action: str, idiom: str, **extra: Any) -> Pattern:
    pair = _pair_dict((trigger, "on"), (action, "on"))
    pair["details"].update({"idiom": idiom, **extra})
    pair["evidence"] = {"days": [{"date": "2026-11-02", "times": ["07:00:01"], "delays_s": [4]}]}
    return StoredPattern.from_dict(pair)


def test_a_motion_light_is_one_automation_on_at_motion_and_off_after_no_motion() -> None:
    pattern = _idiom(
        "binary_sensor.hall_motion", "light.hall", "motion_light", off_after_s=120,
        condition={"condition": "state", "entity_id": "sun.sun", "state": "below_horizon"},
    )  # fmt: skip
    draft = Drafter(IDIOM_HOME).pattern(pattern)
    assert draft is not None
    automation = draft.automation
    # The shape of Home Assistant's motion-light blueprint.
    assert automation["mode"] == "restart"
    assert automation["triggers"] == [
        {"trigger": "state", "entity_id": "binary_sensor.hall_motion", "from": "off", "to": "on"}
    ]
    assert [next(iter(a)) for a in automation["actions"]] == [
        "action", "wait_for_trigger", "delay", "action",
    ]  # fmt: skip
    assert automation["actions"][1]["wait_for_trigger"][0]["to"] == "off"
    assert automation["actions"][2]["delay"] == {"hours": 0, "minutes": 2, "seconds": 0}
    assert automation["actions"][3]["action"] == "light.turn_off"
    # No sun entity in this home: Home Assistant's own sun conditions say "dark".
    assert automation["conditions"][0]["condition"] == "or"
    assert draft.title == (
        "Turn on Hallway ceiling when motion is detected in the Hallway, and off after "
        "2 min without motion when it is dark"
    )
    assert draft.evidence == pattern.evidence
    assert validate_automation(automation, IDIOM_HOME).valid


def test_a_door_light_turns_off_after_the_learned_time() -> None:
    draft = Drafter(IDIOM_HOME).pattern(
        _idiom("binary_sensor.pantry_door", "light.pantry", "door_light", off_after_s=180)
    )
    assert draft is not None
    assert [next(iter(a)) for a in draft.automation["actions"]] == ["action", "delay", "action"]
    assert draft.title == "Turn on Pantry light when Pantry door opens, and off 3 min later"
    assert validate_automation(draft.automation, IDIOM_HOME).valid


def test_a_routine_starts_an_automation_once_a_day_in_its_window() -> None:
    pair = _pair_dict(("binary_sensor.hall_motion", "on"), ("switch.coffee", "on"))
    pair["details"]["trigger"]["routine"] = {
        "kind": "first_activity", "area_id": "hall", "time": "06:35", "days": "weekdays",
        "sensors": ["binary_sensor.hall_motion"], "quiet_minutes": 60,
    }  # fmt: skip
    draft = Drafter(IDIOM_HOME).pattern(StoredPattern.from_dict(pair))
    assert draft is not None
    assert draft.title == (
        "Turn on Coffee machine when someone is first active in the Hallway after 05:00 on weekdays"
    )
    conditions = draft.automation["conditions"]
    assert conditions[0] == {"condition": "time", "after": "05:00:00", "before": "08:35:00"}
    assert conditions[1] == {"condition": "time", "weekday": ["mon", "tue", "wed", "thu", "fri"]}
    assert "last_triggered" in conditions[2]["value_template"]
    assert validate_automation(draft.automation, IDIOM_HOME).valid


def test_one_entitys_on_and_off_and_one_rooms_moment_are_one_automation() -> None:
    drafter = Drafter(IDIOM_HOME)
    on_off = drafter.drafts(
        [_time_of_day("light.bed", "on", "19:15"), _time_of_day("light.bed", "off", "19:45")], []
    )
    assert len(on_off) == 1
    automation = on_off[0].automation
    assert [t["id"] for t in automation["triggers"]] == ["on", "off"]
    assert [o["conditions"][0]["id"] for o in automation["actions"][0]["choose"]] == ["on", "off"]
    assert validate_automation(automation, IDIOM_HOME).valid
    moment = drafter.drafts(
        [_time_of_day("light.hall", "on", "06:30"), _time_of_day("light.lamp", "on", "06:33")], []
    )
    assert len(moment) == 1
    assert {a["target"]["entity_id"] for a in moment[0].automation["actions"]} == {
        "light.hall",
        "light.lamp",
    }


@pytest.mark.parametrize(
    ("entity_id", "state"),
    [
        ("lock.front", "unlocked"),
        ("alarm_control_panel.home", "disarmed"),
        ("cover.garage", "open"),
        ("valve.water", "open"),
    ],
)
def test_history_never_earns_an_automation_that_opens_the_home(entity_id: str, state: str) -> None:
    drafter = Drafter(IDIOM_HOME)
    habit = _time_of_day(entity_id, state, "07:15")
    pair = _pair(("person.anna", "home"), (entity_id, state))
    for draft in drafter.drafts([habit, pair], []):
        calls = [a.get("action") for a in draft.automation["actions"]]
        assert not {"lock.unlock", "alarm_control_panel.alarm_disarm", "cover.open_cover",
                    "valve.open_valve"} & set(calls), draft.title  # fmt: skip
    assert drafter.pattern(habit) is None
    assert drafter.pattern(pair) is None


def test_the_protective_counterpart_is_offered() -> None:
    drafter = Drafter(IDIOM_HOME)
    unlock = _time_of_day("lock.front", "unlocked", "07:15")
    lock = {**_time_of_day_dict("lock.front", "locked", "07:40"), "score": 0.2}
    lock["details"]["spread_minutes"] = 4.0
    (draft,) = drafter.drafts([unlock], [], [StoredPattern.from_dict(lock)])
    assert draft.title == "Lock Front door lock on weekdays at 07:50 if still unlocked"
    assert draft.automation["conditions"][0] == {
        "condition": "state", "entity_id": "lock.front", "state": "unlocked",
    }  # fmt: skip
    assert draft.automation["actions"] == [
        {"action": "lock.lock", "target": {"entity_id": "lock.front"}}
    ]
    # No detector knows how long a pair's action usually lasts: 1.5 x the default 15 min.
    garage = _pair(("person.anna", "home"), ("cover.garage", "open"))
    (warning,) = drafter.drafts([garage], [])
    assert warning.title == "Notify when Garage door stays open longer than usual (20 min)"
    assert warning.automation["actions"][0]["action"] == "persistent_notification.create"
    for found in (draft, warning):
        assert validate_automation(found.automation, IDIOM_HOME).valid


def test_a_chain_from_its_root_never_acts_on_the_root_or_what_guards_the_home() -> None:
    synergy = StoredSynergy.from_dict({
        "id": "s2",
        "chain": [
            {"entity_id": "cover.garage", "state": "open"},
            {"entity_id": "light.garage", "state": "on"},
            {"entity_id": "cover.garage", "state": "closed"},
        ],
        "description": "chain",
        "score": 0.6,
    })  # fmt: skip
    draft = Drafter(IDIOM_HOME).synergy(synergy)
    assert draft is not None
    assert [a["action"] for a in draft.automation["actions"]] == ["light.turn_on"]
    assert draft.title == "Turn on Garage light when Garage door opens"


BINARY_CLASSES = (
    "door", "garage_door", "opening", "window", "motion", "occupancy", "presence", "moving",
    "lock", "moisture", "smoke", "gas", "carbon_monoxide", "sound", "vibration", "plug",
    "power", "running", "light", "battery", "battery_charging", "connectivity", "problem",
    "safety", "tamper", "cold", "heat", "update", None,
)  # fmt: skip


def test_no_text_says_a_binary_sensor_turns_on_or_off() -> None:
    """Every template that words a sensor's change, for every device class, both tenses."""
    for device_class in BINARY_CLASSES:
        sensor = Entity("binary_sensor.thing", "Thing", area_id="hall", device_class=device_class)
        home = Catalog(
            CatalogSource.IMPORT,
            "Europe/Berlin",
            areas=[Area("hall", "Hallway")],
            entities=[sensor, Entity("light.hall", "Hallway ceiling", area_id="hall")],
        )
        texts = []
        for state in ("on", "off"):
            for tense in ("present", "past"):
                texts.append(event_phrase(sensor, state, tense=tense))
                texts.append(event_phrase(sensor, state, tense=tense, area="Hallway"))
            pair = _pair(("binary_sensor.thing", state), ("light.hall", "on"))
            idiom = _idiom("binary_sensor.thing", "light.hall", "motion_light", off_after_s=60)
            anomaly = StoredPattern.from_dict({
                "id": "a", "type": "anomaly", "description": "x", "score": 0.4,
                "details": {
                    "entity_id": "binary_sensor.thing", "state": state,
                    "kind": "unusual_duration", "expected": {"p95_duration_s": 600},
                    "at": "2026-11-02T08:00:00+01:00",
                },
            })  # fmt: skip
            chain = StoredSynergy.from_dict({"id": "c", "description": "x", "score": 0.6, "chain": [
                {"entity_id": "binary_sensor.thing", "state": state},
                {"entity_id": "light.hall", "state": "on"},
                {"entity_id": "light.hall", "state": "off"},
            ]})  # fmt: skip
            drafter = Drafter(home)
            for draft in (
                drafter.pattern(pair), drafter.pattern(idiom), drafter.pattern(anomaly),
                drafter.synergy(chain),
            ):  # fmt: skip
                assert draft is not None
                texts += [draft.title, draft.description, automation_to_yaml(draft.automation)]
                texts += [a.get("data", {}).get("message", "") for a in draft.automation["actions"]]
        for text in texts:
            for wrong in ("turns on", "turns off", "turned on", "turned off"):
                assert f"Thing {wrong}" not in text, text
