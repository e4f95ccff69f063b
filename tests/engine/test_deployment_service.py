"""DeploymentService against an in-memory Home Assistant: versions, rollback, failures, watching."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest

from engine.automation.deployment.service import DeploymentService
from engine.errors import (
    ConflictError,
    HomeAssistantUnavailableError,
    NotFoundError,
    UnprocessableError,
)
from engine.ha.automations import MirroredAutomation
from engine.ha.client import HomeAssistantClient
from engine.ha.errors import HomeAssistantCommandError, HomeAssistantConnectionError
from engine.home.catalog import Catalog, CatalogSource, Entity
from engine.store.database import create_database_engine
from engine.store.migrate import migrate
from engine.stream import StreamHub

CATALOG = Catalog(
    CatalogSource.IMPORT,
    "Europe/Berlin",
    entities=[
        Entity("binary_sensor.front_door", "Front door", device_class="door"),
        Entity("light.hall", "Hall light"),
        Entity("light.porch", "Porch light"),
        Entity("lock.front_door", "Front door lock"),
    ],
)
SERVICES: dict[str, dict[str, Any]] = {
    "automation": {"turn_on": {}, "turn_off": {}},
    "light": {"turn_on": {}, "turn_off": {}},
    "lock": {"lock": {}, "unlock": {}},
}
_CONFIG_PATH = re.compile(r"^/api/config/automation/config/(?P<id>.+)$")


class FakeHomeAssistant(HomeAssistantClient):
    """The parts of Home Assistant a deployment uses, reloading automations like it does."""

    def __init__(self) -> None:
        # No session: every request is answered here.
        session = cast(aiohttp.ClientSession, None)
        super().__init__("http://home-assistant.invalid", "token", session)
        self.up = True
        self.configs: dict[str, dict[str, Any]] = {}
        self.running: dict[str, dict[str, Any]] = {}
        self.states: dict[str, dict[str, Any]] = {}
        self.refused: dict[str, str] = {}
        # The connection drops right after Home Assistant saved a config.
        self.drop_after_save = False
        self.saves = 0

    @property
    def connected(self) -> bool:
        return self.up

    def _check_up(self) -> None:
        if not self.up:
            raise HomeAssistantConnectionError("Not connected to Home Assistant")

    async def command(self, payload: dict[str, Any]) -> Any:
        self._check_up()
        kind = payload["type"]
        if kind == "get_services":
            return SERVICES
        if kind == "validate_config":
            return {
                key: {"valid": key not in self.refused, "error": self.refused.get(key)}
                for key in ("triggers", "conditions", "actions")
            }
        if kind == "get_states":
            return list(self.states.values())
        if kind == "automation/config":
            automation_id = self.states[payload["entity_id"]]["attributes"]["id"]
            return {"config": self.running[automation_id]}
        raise AssertionError(f"unexpected command {kind}")

    async def rest(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        self._check_up()
        if match := _CONFIG_PATH.match(path):
            return self._config(method, match["id"], json)
        if path.startswith("/api/states/"):
            state = self.states.get(path.removeprefix("/api/states/"))
            if state is None:
                raise HomeAssistantCommandError("not found", 404)
            return state
        if path in ("/api/services/automation/turn_on", "/api/services/automation/turn_off"):
            state = self.states[json["entity_id"]]
            state["state"] = "on" if path.endswith("turn_on") else "off"
            return [state]
        raise AssertionError(f"unexpected {method} {path}")

    def _config(self, method: str, automation_id: str, body: Any) -> Any:
        if method == "GET":
            if automation_id not in self.configs:
                raise HomeAssistantCommandError("not found", 404)
            return self.configs[automation_id]
        if method == "DELETE":
            if self.configs.pop(automation_id, None) is None:
                raise HomeAssistantCommandError("Resource not found", 400)
            asyncio.get_running_loop().call_soon(self.remove_entity, automation_id)
            return {"result": "ok"}
        self.configs[automation_id] = body
        self.saves += 1
        # Like Home Assistant, the reload runs after the answer.
        asyncio.get_running_loop().call_soon(self._reload, automation_id)
        if self.drop_after_save:
            self.up = False
            raise HomeAssistantConnectionError("Connection to Home Assistant closed")
        return {"result": "ok"}

    def _reload(self, automation_id: str) -> None:
        config = self.configs[automation_id]
        self.running[automation_id] = config
        old = self.entity_id(automation_id)
        entity_id = old or "automation." + re.sub(r"\W+", "_", config["alias"].lower())
        state = self.states[old]["state"] if old else "on"
        self.states[entity_id] = {
            "entity_id": entity_id,
            "state": state,
            "attributes": {"id": automation_id, "friendly_name": config["alias"]},
        }

    def remove_entity(self, automation_id: str) -> None:
        entity_id = self.entity_id(automation_id)
        if entity_id is not None:
            del self.states[entity_id]
        self.running.pop(automation_id, None)

    def entity_id(self, automation_id: str) -> str | None:
        return next(
            (e for e, s in self.states.items() if s["attributes"]["id"] == automation_id), None
        )


class Recorder:
    """Collects feedback calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, suggestion_id: str, action: str) -> None:
        self.calls.append((suggestion_id, action))


class Setup:
    """A service, its fake Home Assistant, its stream and its feedback."""

    def __init__(
        self,
        service: DeploymentService,
        home: FakeHomeAssistant,
        hub: StreamHub,
        feedback: Recorder,
    ) -> None:
        self.service = service
        self.home = home
        self.feedback = feedback
        self.stream = hub.subscribe()

    def messages(self) -> list[dict[str, Any]]:
        found = []
        while not self.stream.empty():
            message = self.stream.get_nowait()
            assert message is not None
            found.append(message["data"])
        return found


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'deploy.db'}")
    await migrate(engine)
    home = FakeHomeAssistant()
    hub = StreamHub()
    feedback = Recorder()
    service = DeploymentService(
        engine, lambda: CATALOG, lambda: home, hub, on_feedback=feedback, entity_timeout_s=2.0
    )
    await service.setup()
    try:
        yield Setup(service, home, hub, feedback)
    finally:
        await service.close()
        await engine.dispose()


def automation(target: str = "light.hall", **changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "alias": "Door opens",
        "triggers": [{"trigger": "state", "entity_id": "binary_sensor.front_door", "to": "on"}],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": target}}],
    }
    return {**config, **changes}


async def settle(condition: Callable[[], bool], what: str) -> None:
    """Let background checks run until `condition` holds."""
    deadline = time.monotonic() + 2.0
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_deploy_edit_redeploy_and_roll_back(setup: Setup) -> None:
    service, home = setup.service, setup.home
    first = await service.deploy(automation(), suggestion_id="s1")
    assert set(first) == {
        "automation_id",
        "entity_id",
        "version",
        "status",
        "suggestion_id",
        "deployed_at",
    }
    assert first["automation_id"] == "homeiq_s1"
    assert first["entity_id"] == "automation.door_opens"
    assert (first["version"], first["status"], first["suggestion_id"]) == (1, "deployed", "s1")
    assert home.configs["homeiq_s1"]["description"] == "Created by HomeIQ."
    assert setup.feedback.calls == [("s1", "deploy")]
    [message] = setup.messages()
    assert (message["change"], message["source"], message["version"]) == ("deploy", "api", 1)

    edited = automation(target="light.porch", id="homeiq_s1")
    second = await service.deploy(edited)
    assert (second["version"], second["suggestion_id"]) == (2, "s1")
    assert home.running["homeiq_s1"]["actions"][0]["target"]["entity_id"] == "light.porch"
    again = await service.deploy(edited)
    assert again == second
    assert setup.feedback.calls == [("s1", "deploy")]
    assert [m["version"] for m in setup.messages()] == [2]

    versions = await service.versions("homeiq_s1")
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["diff"].startswith("--- version 1\n+++ version 2\n")
    assert "-      entity_id: light.hall\n" in versions[1]["diff"]
    assert "+      entity_id: light.porch\n" in versions[1]["diff"]

    rolled = await service.rollback("homeiq_s1")
    assert rolled["version"] == 1
    assert home.configs["homeiq_s1"] == versions[0]["automation"]
    assert home.running["homeiq_s1"] == versions[0]["automation"]
    with pytest.raises(ConflictError):
        await service.rollback("homeiq_s1")
    with pytest.raises(UnprocessableError):
        await service.rollback("homeiq_s1", 7)
    # Deploying an earlier version's content points back at it: no new version.
    assert (await service.deploy(edited))["version"] == 2
    assert len(await service.versions("homeiq_s1")) == 2
    # New content after a rollback diffs against what Home Assistant held.
    await service.rollback("homeiq_s1", 1)
    third = await service.deploy(automation(id="homeiq_s1", alias="Door opens at night"))
    assert third["version"] == 3
    assert (await service.versions("homeiq_s1"))[2]["diff"].startswith("--- version 1\n")
    assert len(home.configs) == 1


async def test_a_connection_lost_mid_deploy_stores_nothing_and_a_retry_deploys_once(
    setup: Setup,
) -> None:
    service, home = setup.service, setup.home
    home.drop_after_save = True
    with pytest.raises(HomeAssistantUnavailableError):
        await service.deploy(automation(), suggestion_id="s2")
    assert await service.list() == []
    assert setup.feedback.calls == []
    home.up, home.drop_after_save = True, False
    deployment = await service.deploy(automation(), suggestion_id="s2")
    assert deployment["version"] == 1
    assert list(home.configs) == ["homeiq_s2"]
    assert len([s for s in home.states.values() if s["attributes"]["id"] == "homeiq_s2"]) == 1
    assert len(await service.versions("homeiq_s2")) == 1
    assert setup.feedback.calls == [("s2", "deploy")]


async def test_home_assistant_refusals_and_missing_confirmation_are_422(setup: Setup) -> None:
    service, home = setup.service, setup.home
    home.refused["triggers"] = "Entity x is neither a valid entity ID"
    with pytest.raises(UnprocessableError) as caught:
        await service.deploy(automation())
    assert caught.value.details["home_assistant"] == {
        "triggers": "Entity x is neither a valid entity ID"
    }
    home.refused.clear()
    unknown_service = automation()
    unknown_service["actions"] = [{"action": "light.blink", "target": {"entity_id": "light.hall"}}]
    with pytest.raises(UnprocessableError) as caught:
        await service.deploy(unknown_service)
    codes = [e["code"] for e in caught.value.details["validation"]["errors"]]
    assert codes == ["unknown_service"]
    lock = automation()
    lock["actions"] = [{"action": "lock.unlock", "target": {"entity_id": "lock.front_door"}}]
    with pytest.raises(UnprocessableError) as caught:
        await service.deploy(lock)
    assert caught.value.details["confirm"] == ["confirm_lock"]
    assert home.saves == 0
    assert (await service.deploy(lock, confirm=True))["status"] == "deployed"


async def test_disable_enable_delete_through_the_engine_give_feedback_once(setup: Setup) -> None:
    service, home = setup.service, setup.home
    deployed = await service.deploy(automation(), suggestion_id="s3")
    entity_id = deployed["entity_id"]
    setup.messages()
    assert (await service.disable("homeiq_s3"))["status"] == "disabled"
    assert home.states[entity_id]["state"] == "off"
    await service.disable("homeiq_s3")
    assert (await service.enable("homeiq_s3"))["status"] == "deployed"
    assert home.states[entity_id]["state"] == "on"
    removed = await service.delete("homeiq_s3")
    assert removed["status"] == "removed"
    assert "homeiq_s3" not in home.configs
    assert home.entity_id("homeiq_s3") is None
    await service.delete("homeiq_s3")
    assert len(await service.versions("homeiq_s3")) == 1
    with pytest.raises(ConflictError):
        await service.disable("homeiq_s3")
    assert setup.feedback.calls == [("s3", "deploy"), ("s3", "disable"), ("s3", "delete")]
    assert [(m["change"], m["source"]) for m in setup.messages()] == [
        ("disable", "api"),
        ("enable", "api"),
        ("delete", "api"),
    ]
    # A deployment deleted in Home Assistant can be rolled back into it again.
    assert (await service.rollback("homeiq_s3", 1))["status"] == "deployed"
    assert "homeiq_s3" in home.configs
    with pytest.raises(NotFoundError):
        await service.enable("nope")


def _state_event(entity_id: str, automation_id: str, old: str, new: str | None) -> dict[str, Any]:
    attributes = {"id": automation_id}
    return {
        "event_type": "state_changed",
        "data": {
            "entity_id": entity_id,
            "old_state": {"state": old, "attributes": attributes},
            "new_state": None if new is None else {"state": new, "attributes": attributes},
        },
    }


async def test_user_changes_in_home_assistant_are_followed_and_fed_back_once(
    setup: Setup,
) -> None:
    service, home = setup.service, setup.home
    entity_id = (await service.deploy(automation(), suggestion_id="s4"))["entity_id"]
    setup.messages()

    # The user turns it off in Home Assistant; the event may arrive more than once.
    home.states[entity_id]["state"] = "off"
    for _ in range(3):
        service.state_changed(_state_event(entity_id, "homeiq_s4", "on", "off"))
    await settle(lambda: ("s4", "disable") in setup.feedback.calls, "the disable feedback")
    service.automations_synced([MirroredAutomation(entity_id, "homeiq_s4", {})])
    await settle(lambda: not service._watcher._tasks, "the checks")
    assert (await service.get("homeiq_s4"))["status"] == "disabled"
    assert setup.feedback.calls == [("s4", "deploy"), ("s4", "disable")]

    # Attribute-only changes (every run) and the engine's own changes are no user changes.
    service.state_changed(_state_event(entity_id, "homeiq_s4", "off", "off"))
    await service.enable("homeiq_s4")
    service.state_changed(_state_event(entity_id, "homeiq_s4", "off", "on"))
    await settle(lambda: not service._watcher._tasks, "the checks")
    assert setup.feedback.calls == [("s4", "deploy"), ("s4", "disable")]

    # The user deletes it in Home Assistant: the mirror's sync no longer lists it.
    del home.configs["homeiq_s4"]
    home.remove_entity("homeiq_s4")
    service.state_changed(_state_event(entity_id, "homeiq_s4", "on", None))
    service.automations_synced([])
    await settle(lambda: ("s4", "delete") in setup.feedback.calls, "the delete feedback")
    service.automations_synced([])
    await settle(lambda: not service._watcher._tasks, "the checks")
    assert (await service.get("homeiq_s4"))["status"] == "removed"
    assert setup.feedback.calls == [("s4", "deploy"), ("s4", "disable"), ("s4", "delete")]
    assert [(m["change"], m["source"]) for m in setup.messages()] == [
        ("disable", "home_assistant"),
        ("enable", "api"),
        ("delete", "home_assistant"),
    ]


async def test_an_automation_reloading_is_no_deletion(setup: Setup) -> None:
    service, home = setup.service, setup.home
    entity_id = (await service.deploy(automation(), suggestion_id="s5"))["entity_id"]
    # Mid-reload the entity is gone for a moment, but its config is still there.
    home.remove_entity("homeiq_s5")
    service.automations_synced([])
    await settle(lambda: not service._watcher._tasks, "the checks")
    assert (await service.get("homeiq_s5"))["status"] == "deployed"
    assert setup.feedback.calls == [("s5", "deploy")]
    assert entity_id.startswith("automation.")


async def test_an_automation_the_user_made_is_never_overwritten(setup: Setup) -> None:
    service, home = setup.service, setup.home
    users = {"id": "kitchen", "alias": "Mine", "triggers": [], "actions": []}
    home.configs["kitchen"] = users
    with pytest.raises(ConflictError):
        await service.deploy(automation(id="kitchen"))
    assert home.configs["kitchen"] is users
    assert home.saves == 0
