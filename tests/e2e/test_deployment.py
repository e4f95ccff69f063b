"""A real engine deploys into a real Home Assistant: versions, rollback, safety, outages, users."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import httpx
import pytest

from tests.e2e.homeassistant import HomeAssistantProcess
from tests.e2e.polling import poll
from tests.e2e.proxy import TcpProxy
from tests.engine.process import EngineProcess

TOKEN = "e2e-deployment-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEADLINE_S = 20.0


@dataclass
class Home:
    """What this module's tests act on in Home Assistant."""

    trigger: str
    target: str
    other_target: str
    lock: str


def api(engine: EngineProcess, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    """Call the engine's API; check the status; return the JSON answer."""
    response = httpx.request(
        method, f"{engine.base_url}{path}", json=body, headers=AUTH, timeout=DEADLINE_S
    )
    assert response.status_code == status, response.text
    return response.json()


def deployment(engine: EngineProcess, automation_id: str) -> dict[str, Any] | None:
    """Return the engine's deployment of an automation id, or None."""
    listed = api(engine, "GET", "/api/v1/deployment/automations")["automations"]
    return next((item for item in listed if item["automation_id"] == automation_id), None)


def automation_states(ha: HomeAssistantProcess) -> dict[str, str | None]:
    """Return every automation entity in Home Assistant with its config id."""
    return {
        state["entity_id"]: state["attributes"].get("id")
        for state in ha.rest("GET", "/api/states")
        if state["entity_id"].startswith("automation.")
    }


def ha_config(ha: HomeAssistantProcess, automation_id: str) -> dict[str, Any] | None:
    """Return the config Home Assistant holds for an id, or None."""
    response = ha.request("GET", f"/api/config/automation/config/{automation_id}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    config: dict[str, Any] = response.json()
    return config


def switch_on(ha: HomeAssistantProcess, automation: str, target: str, entity_id: str) -> None:
    """Turn the trigger on and wait for the automation to turn `target` on."""
    ha.call_service("input_boolean", "turn_off", {"entity_id": entity_id})
    ha.call_service("input_boolean", "turn_off", {"entity_id": target})
    ha.wait_for_state(target, "off")
    ha.call_service("input_boolean", "turn_on", {"entity_id": entity_id})
    ha.wait_for_state(target, "on")
    assert ha.get_state(automation) is not None


def connected_and_synced(engine: EngineProcess) -> bool:
    status = api(engine, "GET", "/api/v1/ingest/status")
    return bool(status["connected"] and status["backfill"]["status"] == "succeeded")


def remove_everywhere(ha: HomeAssistantProcess, engine: EngineProcess, automation_id: str) -> None:
    """Delete an automation through the engine (or straight from Home Assistant)."""
    if deployment(engine, automation_id) is not None:
        api(engine, "DELETE", f"/api/v1/deployment/{automation_id}")
    if ha_config(ha, automation_id) is not None:
        ha.remove_automation(automation_id)


@pytest.fixture(scope="module")
def home(home_assistant: HomeAssistantProcess) -> Iterator[Home]:
    ha = home_assistant
    # A real lock: a lock group over a lock whose state is written directly.
    ha.set_state("lock.deploy_member", "locked", {"friendly_name": "Deploy member lock"})
    flow = ha.rest("POST", "/api/config/config_entries/flow", {"handler": "group"})
    flow = ha.rest(
        "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", {"next_step_id": "lock"}
    )
    entry = ha.rest(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"name": "Deploy Front Door", "entities": ["lock.deploy_member"], "hide_members": False},
    )["result"]["entry_id"]
    booleans = [
        ha.create_input_boolean(name)
        for name in ("Deploy Trigger", "Deploy Target", "Deploy Other Target")
    ]
    trigger, target, other_target = booleans
    lock = ha.wait_for_state("lock.deploy_front_door")["entity_id"]
    found = Home(trigger, target, other_target, lock)
    yield found
    ha.rest("DELETE", f"/api/config/config_entries/entry/{entry}")
    ha.request("DELETE", "/api/states/lock.deploy_member")
    for entity_id in booleans:
        unique_id = ha.get_entity_entry(entity_id)["unique_id"]
        ha.ws_command({"type": "input_boolean/delete", "input_boolean_id": unique_id})


@pytest.fixture(scope="module")
def proxy(home_assistant: HomeAssistantProcess) -> Iterator[TcpProxy]:
    forward = TcpProxy(home_assistant.port)
    forward.start()
    yield forward
    forward.close()


@pytest.fixture(scope="module")
def engine(
    home_assistant: HomeAssistantProcess,
    home: Home,
    proxy: TcpProxy,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[EngineProcess]:
    process = EngineProcess(
        tmp_path_factory.mktemp("deployment-engine") / "data",
        {
            "HOMEIQ_API_TOKEN": TOKEN,
            "HA_URL": f"http://127.0.0.1:{proxy.port}",
            "HA_TOKEN": home_assistant.token,
            "HOMEIQ_EVENT_FLUSH_S": "0.1",
            "HOMEIQ_BACKFILL_DAYS": "1",
        },
    )
    with process:
        poll(lambda: connected_and_synced(process), "the engine to connect and sync")
        yield process
    assert home_assistant.token not in process.stdout + process.stderr


def automation(automation_id: str, home: Home, target: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": automation_id,
        "alias": f"E2E {automation_id}",
        "mode": "single",
        "triggers": [{"trigger": "state", "entity_id": home.trigger, "to": "on"}],
        "actions": [{"action": "input_boolean.turn_on", "target": {"entity_id": target}}],
        **changes,
    }


def test_deploy_new_version_rollback_disable_enable_delete(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    ha, automation_id = home_assistant, "homeiq_e2e_lifecycle"
    try:
        first = api(
            engine,
            "POST",
            "/api/v1/deployment/deploy",
            {"automation": automation(automation_id, home, home.target)},
        )
        assert (first["automation_id"], first["version"], first["status"]) == (
            automation_id,
            1,
            "deployed",
        )
        entity_id = first["entity_id"]
        assert ha.get_state(entity_id)["attributes"]["id"] == automation_id  # type: ignore[index]
        assert "HomeIQ" in ha_config(ha, automation_id)["description"]  # type: ignore[index]
        switch_on(ha, entity_id, home.target, home.trigger)

        edited = automation(automation_id, home, home.other_target)
        second = api(engine, "POST", "/api/v1/deployment/deploy", {"automation": edited})
        assert second["version"] == 2
        switch_on(ha, entity_id, home.other_target, home.trigger)
        again = api(engine, "POST", "/api/v1/deployment/deploy", {"automation": edited})
        assert again["version"] == 2
        versions = api(engine, "GET", f"/api/v1/deployment/{automation_id}/versions")["versions"]
        assert [item["version"] for item in versions] == [1, 2]
        diff = versions[1]["diff"]
        assert diff.startswith("--- version 1\n+++ version 2\n")
        assert f"-      entity_id: {home.target}\n" in diff
        assert f"+      entity_id: {home.other_target}\n" in diff

        rolled = api(engine, "POST", f"/api/v1/deployment/{automation_id}/rollback")
        assert rolled["version"] == 1
        assert ha_config(ha, automation_id) == versions[0]["automation"]
        switch_on(ha, entity_id, home.target, home.trigger)

        assert api(engine, "POST", f"/api/v1/deployment/{automation_id}/disable")["status"] == (
            "disabled"
        )
        assert ha.get_state(entity_id)["state"] == "off"  # type: ignore[index]
        assert api(engine, "POST", f"/api/v1/deployment/{automation_id}/enable")["status"] == (
            "deployed"
        )
        assert ha.get_state(entity_id)["state"] == "on"  # type: ignore[index]

        removed = api(engine, "DELETE", f"/api/v1/deployment/{automation_id}")
        assert removed["status"] == "removed"
        assert ha_config(ha, automation_id) is None
        assert automation_id not in automation_states(ha).values()
        versions = api(engine, "GET", f"/api/v1/deployment/{automation_id}/versions")["versions"]
        assert len(versions) == 2
        assert deployment(engine, automation_id) == removed
    finally:
        remove_everywhere(ha, engine, automation_id)


def test_invalid_automations_leave_home_assistant_unchanged(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    before = automation_states(home_assistant)
    unknown = automation("homeiq_e2e_unknown", home, "input_boolean.nowhere")
    error = api(engine, "POST", "/api/v1/deployment/deploy", {"automation": unknown}, 422)
    codes = [item["code"] for item in error["error"]["details"]["validation"]["errors"]]
    assert codes == ["unknown_entity"]
    blocked = automation("homeiq_e2e_blocked", home, home.target)
    blocked["actions"] = [{"action": "shell_command.x"}]
    error = api(engine, "POST", "/api/v1/deployment/deploy", {"automation": blocked}, 422)
    codes = [item["code"] for item in error["error"]["details"]["validation"]["errors"]]
    assert "blocked_service" in codes
    assert automation_states(home_assistant) == before
    assert ha_config(home_assistant, "homeiq_e2e_unknown") is None
    assert ha_config(home_assistant, "homeiq_e2e_blocked") is None
    assert deployment(engine, "homeiq_e2e_unknown") is None


def test_a_lock_automation_deploys_only_with_confirm(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    automation_id = "homeiq_e2e_lock"
    config = automation(automation_id, home, home.target)
    config["actions"] = [{"action": "lock.unlock", "target": {"entity_id": home.lock}}]
    try:
        error = api(engine, "POST", "/api/v1/deployment/deploy", {"automation": config}, 422)
        assert error["error"]["details"]["confirm"] == ["confirm_lock"]
        assert ha_config(home_assistant, automation_id) is None
        body = {"automation": config, "confirm": True}
        deployed = api(engine, "POST", "/api/v1/deployment/deploy", body)
        assert deployed["status"] == "deployed"
        assert ha_config(home_assistant, automation_id)["actions"] == config["actions"]  # type: ignore[index]
    finally:
        remove_everywhere(home_assistant, engine, automation_id)


def test_unreachable_home_assistant_is_503_and_a_retry_deploys_once(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home, proxy: TcpProxy
) -> None:
    automation_id = "homeiq_e2e_outage"
    body = {"automation": automation(automation_id, home, home.target)}
    try:
        proxy.cut()
        try:
            poll(lambda: not connected_and_synced(engine), "the engine to lose Home Assistant")
            error = api(engine, "POST", "/api/v1/deployment/deploy", body, 503)
            assert error["error"]["code"] == "ha_unavailable"
            assert deployment(engine, automation_id) is None
        finally:
            proxy.restore()
        poll(lambda: connected_and_synced(engine), "the engine to reconnect")
        deployed = api(engine, "POST", "/api/v1/deployment/deploy", body)
        assert deployed["version"] == 1
        ids = list(automation_states(home_assistant).values())
        assert ids.count(automation_id) == 1
        versions = api(engine, "GET", f"/api/v1/deployment/{automation_id}/versions")["versions"]
        assert len(versions) == 1
    finally:
        remove_everywhere(home_assistant, engine, automation_id)


@contextlib.asynccontextmanager
async def deployment_stream(
    engine: EngineProcess,
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """Yield the engine's push stream, subscribed."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{engine.base_url}/api/v1/stream", headers=AUTH) as ws,
    ):
        yield ws


async def changes_until(
    ws: aiohttp.ClientWebSocketResponse, automation_id: str, last: str
) -> list[tuple[str, str]]:
    """Return (change, source) of the automation's stream messages up to a `last` change."""
    found: list[tuple[str, str]] = []
    async with asyncio.timeout(DEADLINE_S):
        while not found or found[-1][0] != last:
            message = await ws.receive_json()
            data = message["data"]
            if message["type"] == "deployment_changed" and data["automation_id"] == automation_id:
                found.append((data["change"], data["source"]))
    return found


async def test_user_disable_and_delete_in_home_assistant_are_followed_once(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    ha, automation_id = home_assistant, "homeiq_e2e_user"
    body = {"automation": automation(automation_id, home, home.target)}
    try:
        async with deployment_stream(engine) as ws:
            deployed = await asyncio.to_thread(
                api, engine, "POST", "/api/v1/deployment/deploy", body
            )
            entity_id = deployed["entity_id"]
            assert await changes_until(ws, automation_id, "deploy") == [("deploy", "api")]

            # The user switches it off in Home Assistant, then deletes it there.
            await asyncio.to_thread(
                ha.call_service, "automation", "turn_off", {"entity_id": entity_id}
            )
            disabled = await changes_until(ws, automation_id, "disable")
            assert disabled == [("disable", "home_assistant")]
            assert (await asyncio.to_thread(deployment, engine, automation_id) or {})["status"] == (
                "disabled"
            )
            await asyncio.to_thread(ha.remove_automation, automation_id)
            deleted = await changes_until(ws, automation_id, "delete")
            assert deleted == [("delete", "home_assistant")]
            assert (await asyncio.to_thread(deployment, engine, automation_id) or {})["status"] == (
                "removed"
            )
            # A change of the engine's own comes after any late duplicate would have.
            path = f"/api/v1/deployment/{automation_id}/rollback"
            await asyncio.to_thread(api, engine, "POST", path, {"version": 1})
            assert await changes_until(ws, automation_id, "rollback") == [("rollback", "api")]
    finally:
        await asyncio.to_thread(remove_everywhere, ha, engine, automation_id)


def habit_history(home: Home, days: int = 21) -> list[dict[str, Any]]:
    """Return weeks of "the trigger turns on, then the target follows" at about 17:00."""
    events = []
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for day in range(days, 0, -1):
        start = today - timedelta(days=day) + timedelta(hours=17, minutes=(day * 7) % 25)
        for entity_id, state, after_s in (
            (home.trigger, "on", 0),
            (home.target, "on", 15),
            (home.trigger, "off", 1800),
            (home.target, "off", 1810),
        ):
            moment = start + timedelta(seconds=after_s)
            events.append(
                {
                    "entity_id": entity_id,
                    "state": state,
                    "time": moment.isoformat(),
                    "origin": "manual",
                }
            )
    return events


def follows(suggestion: dict[str, Any], home: Home) -> bool:
    """Return whether a suggestion turns the target on when the trigger turns on."""
    config: dict[str, Any] = suggestion["automation"]
    trigger = {"trigger": "state", "entity_id": home.trigger, "to": "on"}
    action = {"action": "input_boolean.turn_on", "target": {"entity_id": home.target}}
    return bool(config["triggers"] == [trigger] and config["actions"] == [action])


def analyse(engine: EngineProcess) -> None:
    """Run an analysis over the stored history and wait for it to succeed."""
    run = api(engine, "POST", "/api/v1/analysis/run", {"days": 30}, 202)
    path = f"/api/v1/analysis/runs/{run['run_id']}"
    done = poll(
        lambda: (
            (found := api(engine, "GET", path))["status"] not in ("queued", "running") and found
        ),
        "the analysis to end",
        deadline_s=120,
    )
    assert done["status"] == "succeeded", done


def test_a_habit_becomes_a_suggestion_that_is_deployed_edited_rolled_back_and_removed(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home, proxy: TcpProxy
) -> None:
    ha = home_assistant
    imported = api(engine, "POST", "/api/v1/events/import", {"events": habit_history(home)})
    assert imported["imported"] == 21 * 4
    analyse(engine)
    made = api(engine, "POST", "/api/v1/suggestions/generate", {"limit": 50})["suggestions"]
    habit = next(s for s in made if follows(s, home))
    assert habit["source"] in ("pattern", "synergy")
    assert habit["validation"]["valid"] is True
    others = [s for s in made if s["id"] != habit["id"]]
    assert others, made
    automation_id = habit["automation"]["id"]
    try:
        # Home Assistant unreachable: 503, and the suggestion stays approved, not deployed.
        proxy.cut()
        try:
            poll(lambda: not connected_and_synced(engine), "the engine to lose Home Assistant")
            error = api(engine, "POST", f"/api/v1/suggestions/{habit['id']}/approve", {}, 503)
            assert error["error"]["code"] == "ha_unavailable"
            suggestion = api(engine, "GET", f"/api/v1/suggestions/{habit['id']}")
            assert suggestion["status"] == "approved"
            assert deployment(engine, automation_id) is None
        finally:
            proxy.restore()
        poll(lambda: connected_and_synced(engine), "the engine to reconnect")
        # The retry (here by the suggestion's id) deploys it, exactly once.
        first = api(engine, "POST", "/api/v1/deployment/deploy", {"suggestion_id": habit["id"]})
        assert (first["version"], first["status"], first["suggestion_id"]) == (
            1,
            "deployed",
            habit["id"],
        )
        suggestion = api(engine, "GET", f"/api/v1/suggestions/{habit['id']}")
        assert suggestion["status"] == "deployed"
        assert list(automation_states(ha).values()).count(automation_id) == 1
        entity_id = first["entity_id"]
        # The habit now runs by itself.
        switch_on(ha, entity_id, home.target, home.trigger)

        edited = {
            **habit["automation"],
            "actions": [
                {"action": "input_boolean.turn_on", "target": {"entity_id": home.other_target}}
            ],
        }
        second = api(engine, "POST", "/api/v1/deployment/deploy", {"automation": edited})
        assert second["version"] == 2
        versions = api(engine, "GET", f"/api/v1/deployment/{automation_id}/versions")["versions"]
        assert f"+      entity_id: {home.other_target}\n" in versions[1]["diff"]
        switch_on(ha, entity_id, home.other_target, home.trigger)

        rolled = api(engine, "POST", f"/api/v1/deployment/{automation_id}/rollback", {"version": 1})
        assert rolled["version"] == 1
        assert ha_config(ha, automation_id) == versions[0]["automation"]
        switch_on(ha, entity_id, home.target, home.trigger)

        disabled = api(engine, "POST", f"/api/v1/deployment/{automation_id}/disable")
        assert disabled["status"] == "disabled"
        assert ha.get_state(entity_id)["state"] == "off"  # type: ignore[index]
        removed = api(engine, "DELETE", f"/api/v1/deployment/{automation_id}")
        assert removed["status"] == "removed"
        assert ha_config(ha, automation_id) is None
        suggestion = api(engine, "GET", f"/api/v1/suggestions/{habit['id']}")
        assert suggestion["status"] == "dismissed"

        # A rejected suggestion is not made again (and neither is the one just removed).
        rejected = others[0]
        api(engine, "POST", f"/api/v1/suggestions/{rejected['id']}/reject", {"reason": "no"})
        analyse(engine)
        again = api(engine, "POST", "/api/v1/suggestions/generate", {"limit": 50})["suggestions"]
        assert {rejected["id"], habit["id"]}.isdisjoint(s["id"] for s in again)
        assert api(engine, "GET", f"/api/v1/suggestions/{rejected['id']}")["status"] == "rejected"
    finally:
        remove_everywhere(ha, engine, automation_id)
