"""The harness drives a real Home Assistant the way HomeIQ's end-to-end tests need it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.homeassistant import HomeAssistantApiError, HomeAssistantProcess


def test_the_long_lived_token_works_for_rest_and_websocket(
    home_assistant: HomeAssistantProcess,
) -> None:
    ha = home_assistant
    assert ha.rest("GET", "/api/") == {"message": "API running."}
    config = ha.rest("GET", "/api/config")
    assert config["state"] == "RUNNING"
    assert config["time_zone"] == "Europe/Berlin"
    assert {"recorder", "history", "automation", "input_boolean", "config"} <= set(
        config["components"]
    )
    user = ha.ws_command({"type": "auth/current_user"})
    assert user["id"] == ha.user_id
    assert user["is_owner"]
    # Linked into custom_components, so tests can set it up; not loaded until configured.
    manifest = ha.ws_command({"type": "manifest/get", "integration": "homeiq"})
    assert manifest["is_built_in"] is False
    assert ha.request("GET", "/api/", token="not-a-token").status_code == 401


def test_a_service_call_by_the_token_user_carries_the_user_id(
    home_assistant: HomeAssistantProcess,
) -> None:
    ha = home_assistant
    lamp = ha.create_input_boolean("Harness Desk Lamp")
    changed = ha.call_service("input_boolean", "turn_on", {"entity_id": lamp})
    assert [state["entity_id"] for state in changed] == [lamp]
    state = ha.get_state(lamp)
    assert state is not None
    assert state["state"] == "on"
    assert state["context"]["user_id"] == ha.user_id
    assert state["context"]["parent_id"] is None

    probe = ha.set_state("sensor.harness_probe", "21.5", {"unit_of_measurement": "°C"})
    assert probe["context"]["user_id"] == ha.user_id
    assert ha.wait_for_state("sensor.harness_probe", "21.5")["attributes"] == {
        "unit_of_measurement": "°C"
    }
    assert ha.get_state("sensor.harness_nothing") is None


def test_a_change_made_by_an_automation_has_a_parent_context(
    home_assistant: HomeAssistantProcess,
) -> None:
    ha = home_assistant
    door = ha.create_input_boolean("Harness Door")
    light = ha.create_input_boolean("Harness Light")
    automation = ha.add_automation(
        "harness_light_follows_door",
        {
            "alias": "Harness light follows door",
            "triggers": [{"trigger": "state", "entity_id": door, "to": "on"}],
            "conditions": [],
            "actions": [{"action": "input_boolean.turn_on", "target": {"entity_id": light}}],
        },
    )
    assert automation == "automation.harness_light_follows_door"

    ha.call_service("input_boolean", "turn_on", {"entity_id": door})
    caused = ha.wait_for_state(light, "on")
    cause = ha.get_state(door)
    assert cause is not None
    assert caused["context"]["parent_id"] == cause["context"]["id"]
    assert caused["context"]["user_id"] is None
    assert ha.wait_for_state(automation)["attributes"]["last_triggered"] is not None

    ha.remove_automation("harness_light_follows_door")
    ha.wait_for_no_state(automation)
    with pytest.raises(HomeAssistantApiError, match=r"400.*no_such_trigger"):
        ha.add_automation(
            "harness_broken", {"triggers": [{"trigger": "no_such_trigger"}], "actions": []}
        )


def test_areas_are_created_and_entities_renamed_and_moved(
    home_assistant: HomeAssistantProcess,
) -> None:
    ha = home_assistant
    kitchen = ha.create_area("Harness Kitchen")
    plug = ha.create_input_boolean("Harness Plug")
    assert ha.get_entity_entry(plug)["area_id"] is None

    entry = ha.update_entity(
        plug,
        name="Harness Coffee Machine",
        area_id=kitchen,
        new_entity_id="input_boolean.harness_coffee_machine",
    )
    assert entry["entity_id"] == "input_boolean.harness_coffee_machine"
    assert entry["name"] == "Harness Coffee Machine"
    assert entry["area_id"] == kitchen
    ha.wait_for_no_state(plug)
    state = ha.wait_for_state("input_boolean.harness_coffee_machine")
    assert state["attributes"]["friendly_name"] == "Harness Coffee Machine"
    areas = ha.ws_command({"type": "config/area_registry/list"})
    assert {"Harness Kitchen": kitchen}.items() <= {a["name"]: a["area_id"] for a in areas}.items()
    with pytest.raises(HomeAssistantApiError, match="not_found"):
        ha.update_entity("input_boolean.harness_missing", name="Nothing")


async def test_websocket_sessions_deliver_events_and_refuse_bad_tokens(
    home_assistant: HomeAssistantProcess,
) -> None:
    ha = home_assistant
    # The sync helpers also work inside an async test (they run in a thread of their own).
    switch = ha.create_input_boolean("Harness Event Switch")
    async with ha.websocket() as ws:
        subscription = await ws.subscribe_events("state_changed")
        await ws.command(
            {
                "type": "call_service",
                "domain": "input_boolean",
                "service": "turn_on",
                "target": {"entity_id": switch},
            }
        )
        event = await ws.receive_event(subscription)
        while event["data"]["entity_id"] != switch:
            event = await ws.receive_event(subscription)
    assert event["data"]["new_state"]["state"] == "on"
    assert event["context"]["user_id"] == ha.user_id

    with pytest.raises(HomeAssistantApiError, match="auth_invalid"):
        async with ha.websocket("not-a-token"):
            pass


def test_a_restart_keeps_the_token_the_registries_and_the_history(
    home_assistant: HomeAssistantProcess,
) -> None:
    ha = home_assistant
    since = datetime.now(UTC) - timedelta(seconds=1)
    switch = ha.create_input_boolean("Harness Restart Switch")
    cellar = ha.create_area("Harness Cellar")
    ha.update_entity(switch, area_id=cellar)
    for service in ("turn_on", "turn_off", "turn_on"):
        ha.call_service("input_boolean", service, {"entity_id": switch})
    before = ha.wait_for_history(switch, since, 4)
    assert [state["state"] for state in before] == ["off", "on", "off", "on"]
    token = ha.token

    assert ha.stop() == 0
    assert not ha.running
    ha.start()  # raises if Home Assistant refuses the long-lived token

    assert ha.token == token
    assert ha.rest("GET", "/api/") == {"message": "API running."}
    assert ha.ws_command({"type": "auth/current_user"})["id"] == ha.user_id
    assert ha.get_entity_entry(switch)["area_id"] == cellar
    assert ha.wait_for_state(switch)["state"] == "on"  # restored
    after = ha.get_history(switch, since)
    assert [(s["state"], s["last_changed"]) for s in after[: len(before)]] == [
        (s["state"], s["last_changed"]) for s in before
    ]


def test_a_home_assistant_that_exits_fails_start_with_its_output(tmp_path: Path) -> None:
    harness = HomeAssistantProcess(tmp_path)
    harness.command = [sys.executable, "-c", "print('config is broken'); raise SystemExit(3)"]
    with pytest.raises(RuntimeError, match=r"(?s)exited with code 3.*config is broken"):
        harness.start()
    assert not harness.running


def test_a_home_assistant_that_never_answers_fails_start_at_the_deadline(tmp_path: Path) -> None:
    # Long enough for the stand-in to start and print on a loaded 2-core machine (0.5 s
    # was not): the line it printed must be in the error.
    harness = HomeAssistantProcess(tmp_path, start_deadline_s=3)
    stuck = "import time; print('still booting', flush=True); time.sleep(60)"
    harness.command = [sys.executable, "-c", stuck]
    with pytest.raises(TimeoutError, match=r"(?s)did not answer in 3 s.*still booting"):
        harness.start()
    assert not harness.running
