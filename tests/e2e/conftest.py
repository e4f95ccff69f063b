"""Fixtures for the end-to-end tier: one real Home Assistant for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.homeassistant import HomeAssistantProcess
from tests.e2e.openai_server import OpenAIServer
from tests.engine.process import REPO

# A text-to-speech engine that needs no network (a config entry the tests create).
SPEECH = Path(__file__).parent / "custom" / "e2e_speech"
# Real light entities (template lights, optimistic) for requests such as "turn on the porch
# light at sunset": input_booleans are not lights, and the UI cannot make template lights.
PORCH_LIGHT = {
    "platform": "template",
    "lights": {
        object_id: {
            "friendly_name": name,
            "unique_id": f"homeiq_{object_id}",
            "turn_on": [{"delay": 0}],
            "turn_off": [{"delay": 0}],
        }
        for object_id, name in (
            ("porch_light", "Porch light"),
            # Lights that learned idioms switch in tests/e2e/test_idioms.py.
            ("e2e_hall_light", "E2E Hallway light"),
            ("e2e_pantry_light", "E2E Pantry light"),
            ("e2e_scullery_light", "Scullery light"),
            # What the HomeIQ Assist agent drafts and the built-in agent switches.
            ("e2e_kitchen_light", "Kitchen light"),
        )
    },
}
# Devices for requests said in words (tests/e2e/test_requests_in_words.py): a fan, a robot
# vacuum and a speaker whose effects land in input_text helpers the tests read.
SPOKEN = "input_text.e2e_speaker_played"
VACUUM_STATE = "input_text.e2e_vacuum_state"
REQUEST_DEVICES: dict[str, Any] = {
    "input_text": {
        "e2e_speaker_played": {"name": "E2E speaker played", "max": 255},
        "e2e_vacuum_state": {"name": "E2E vacuum state", "initial": "docked"},
    },
    "fan": [
        {
            "platform": "template",
            "fans": {
                "e2e_bathroom_fan": {
                    "friendly_name": "Bathroom fan",
                    "unique_id": "homeiq_e2e_bathroom_fan",
                    "turn_on": [{"delay": 0}],
                    "turn_off": [{"delay": 0}],
                }
            },
        }
    ],
    "vacuum": [
        {
            "platform": "template",
            "vacuums": {
                "e2e_robot_vacuum": {
                    "friendly_name": "Robot vacuum",
                    "unique_id": "homeiq_e2e_robot_vacuum",
                    "value_template": "{{ states('input_text.e2e_vacuum_state') }}",
                    **{
                        service: [
                            {
                                "action": "input_text.set_value",
                                "target": {"entity_id": VACUUM_STATE},
                                "data": {"value": state},
                            }
                        ]
                        for service, state in (
                            ("start", "cleaning"),
                            ("pause", "paused"),
                            ("return_to_base", "returning"),
                        )
                    },
                }
            },
        }
    ],
    # A lock for requests that must never be deployed by voice (tests/e2e/test_conversation.py).
    "lock": [
        {
            "platform": "template",
            "name": "Front door",
            "unique_id": "homeiq_e2e_front_door",
            "value_template": "{{ true }}",
            "optimistic": True,
            "lock": [{"delay": 0}],
            "unlock": [{"delay": 0}],
        }
    ],
    "media_player": [
        {
            "platform": "universal",
            "name": "Porch speaker",
            "unique_id": "homeiq_e2e_porch_speaker",
            "children": [],
            "state_template": "{{ 'idle' }}",
            "commands": {
                "play_media": {
                    "action": "input_text.set_value",
                    "target": {"entity_id": SPOKEN},
                    "data": {"value": "{{ media_content_id[:255] }}"},
                }
            },
        }
    ],
}
HALL_LIGHT = "light.e2e_hall_light"
PANTRY_LIGHT = "light.e2e_pantry_light"


@pytest.fixture(scope="session", autouse=True)
def real_sockets(request: pytest.FixtureRequest) -> None:
    """Fail with the fix, not a SocketBlockedError, when HA's pytest plugin is active."""
    if request.config.pluginmanager.has_plugin("homeassistant"):
        pytest.fail("the e2e tier talks to real processes: run it with `-p no:homeassistant`")


@pytest.fixture(scope="session")
def openai_server() -> Iterator[OpenAIServer]:
    """The loopback OpenAI-compatible server that Home Assistant's `openai` client talks to."""
    with OpenAIServer() as server:
        yield server


@pytest.fixture(scope="session")
def home_assistant(
    tmp_path_factory: pytest.TempPathFactory, openai_server: OpenAIServer
) -> Iterator[HomeAssistantProcess]:
    """A started, onboarded Home Assistant that knows the HomeIQ integration (not set up)."""
    with HomeAssistantProcess(
        tmp_path_factory.mktemp("home-assistant"),
        custom_integrations=[REPO / "custom_components" / "homeiq", SPEECH],
        extra_config={"light": [PORCH_LIGHT], **REQUEST_DEVICES},
        # The `openai` client reads its base URL from the environment.
        env={"OPENAI_BASE_URL": openai_server.base_url},
    ) as harness:
        yield harness
