"""Fixtures for the end-to-end tier: one real Home Assistant for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.homeassistant import HomeAssistantProcess
from tests.engine.process import REPO

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
        )
    },
}
HALL_LIGHT = "light.e2e_hall_light"
PANTRY_LIGHT = "light.e2e_pantry_light"


@pytest.fixture(scope="session", autouse=True)
def real_sockets(request: pytest.FixtureRequest) -> None:
    """Fail with the fix, not a SocketBlockedError, when HA's pytest plugin is active."""
    if request.config.pluginmanager.has_plugin("homeassistant"):
        pytest.fail("the e2e tier talks to real processes: run it with `-p no:homeassistant`")


@pytest.fixture(scope="session")
def home_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HomeAssistantProcess]:
    """A started, onboarded Home Assistant that knows the HomeIQ integration (not set up)."""
    with HomeAssistantProcess(
        tmp_path_factory.mktemp("home-assistant"),
        custom_integrations=[REPO / "custom_components" / "homeiq"],
        extra_config={"light": [PORCH_LIGHT]},
    ) as harness:
        yield harness
