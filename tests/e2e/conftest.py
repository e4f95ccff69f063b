"""Fixtures for the end-to-end tier: one real Home Assistant for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.homeassistant import HomeAssistantProcess
from tests.engine.process import REPO


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
    ) as harness:
        yield harness
