"""The integration in a real Home Assistant, against a real engine: entry, entities, actions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.engines import add_entry, remove_entry
from tests.e2e.homeassistant import HomeAssistantProcess
from tests.e2e.polling import poll
from tests.engine.process import EngineProcess

TOKEN = "e2e-integration-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PENDING = "sensor.homeiq_engine_pending_suggestions"
PATTERNS = "sensor.homeiq_engine_patterns"
LAST_ANALYSIS = "sensor.homeiq_engine_last_analysis"
CONNECTION = "binary_sensor.homeiq_engine_connection"
RUN_ANALYSIS = "button.homeiq_engine_run_analysis"
TODO = "todo.homeiq_engine_suggestions"


def engine_api(engine: EngineProcess, method: str, path: str, status: int = 200) -> Any:
    """Call the engine's API directly; check the status; return the JSON answer."""
    response = httpx.request(method, f"{engine.base_url}{path}", headers=AUTH, timeout=20)
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture(scope="module")
def engine(
    home_assistant: HomeAssistantProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EngineProcess]:
    process = EngineProcess(
        tmp_path_factory.mktemp("integration-engine") / "data",
        {
            "HOMEIQ_API_TOKEN": TOKEN,
            "HA_URL": home_assistant.base_url,
            "HA_TOKEN": home_assistant.token,
            "HOMEIQ_BACKFILL_DAYS": "1",
        },
    )
    with process:

        def porch_light_mirrored() -> bool:
            found = engine_api(process, "GET", "/api/v1/entities?q=porch")["entities"]
            return any(entity["entity_id"] == "light.porch_light" for entity in found)

        poll(porch_light_mirrored, "the engine to mirror the porch light from Home Assistant")
        yield process
    assert TOKEN not in home_assistant.log
    assert home_assistant.token not in process.stdout + process.stderr


@pytest.fixture(scope="module")
def entry_id(home_assistant: HomeAssistantProcess, engine: EngineProcess) -> Iterator[str]:
    """The HomeIQ entry, made through Home Assistant's config flow REST API, as the UI does."""
    ha = home_assistant
    entry = add_entry(ha, engine, TOKEN)
    yield entry
    remove_entry(ha, entry)
    ha.wait_for_no_state(TODO)


def todo_items(ha: HomeAssistantProcess) -> list[dict[str, Any]]:
    """Return the to-do list's items, through Home Assistant's own todo.get_items action."""
    answer = ha.rest("POST", "/api/services/todo/get_items?return_response", {"entity_id": TODO})
    items: list[dict[str, Any]] = answer["service_response"][TODO]["items"]
    return items


def test_entities_show_the_engine_and_change_by_push(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, entry_id: str
) -> None:
    ha = home_assistant
    connection = ha.wait_for_state(CONNECTION, "on")
    # The engine's stream is up: Home Assistant is told of changes rather than polling.
    poll(lambda: (ha.get_state(CONNECTION) or {})["attributes"].get("push"), "push updates")
    assert connection["attributes"]["device_class"] == "connectivity"
    pending = engine_api(engine, "GET", "/api/v1/suggestions?status=pending")["total"]
    assert ha.wait_for_state(PENDING)["state"] == str(pending)
    patterns = engine_api(engine, "GET", "/api/v1/patterns")
    assert ha.wait_for_state(PATTERNS)["state"] == str(patterns.get("total", 0))
    assert (ha.get_state(TODO) or {})["state"] == str(pending)

    # Setting the entry up started the first analysis of the engine's history (if it had
    # any): pressing the button while that one runs is a conflict.
    poll(
        lambda: all(
            run["status"] in ("succeeded", "failed")
            for run in engine_api(engine, "GET", "/api/v1/analysis/runs")["runs"]
        ),
        "the analysis that setup started to end",
    )

    async def press_and_hear_completion() -> dict[str, Any]:
        async with ha.websocket() as ws:
            subscription = await ws.subscribe_events("homeiq_analysis_completed")
            await asyncio.to_thread(ha.call_service, "button", "press", {"entity_id": RUN_ANALYSIS})
            return await ws.receive_event(subscription)

    event = asyncio.run(press_and_hear_completion())
    assert event["data"]["config_entry_id"] == entry_id
    assert event["data"]["status"] == "succeeded"
    [run] = [
        r
        for r in engine_api(engine, "GET", "/api/v1/analysis/runs")["runs"]
        if r["run_id"] == event["data"]["run_id"]
    ]
    # Well inside the 60 s polling interval: the stream told Home Assistant.
    state = poll(
        lambda: (s := ha.get_state(LAST_ANALYSIS)) and s["state"] != "unknown" and s,
        "the last-analysis sensor to show the run",
    )
    assert state["attributes"]["device_class"] == "timestamp"
    assert state["state"].startswith(run["finished_at"][:19])


def test_ask_makes_a_suggestion_that_the_todo_list_deploys(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, entry_id: str
) -> None:
    ha = home_assistant

    async def ask_and_hear_creation() -> tuple[dict[str, Any], dict[str, Any]]:
        async with ha.websocket() as ws:
            subscription = await ws.subscribe_events("homeiq_suggestion_created")
            answer = await asyncio.to_thread(
                ha.rest,
                "POST",
                "/api/services/homeiq/ask?return_response",
                {"config_entry_id": entry_id, "text": "turn on the porch light at sunset"},
            )
            return answer["service_response"], await ws.receive_event(subscription)

    query, created = asyncio.run(ask_and_hear_creation())
    assert (query["status"], query["kind"]) == ("ready", "automation"), query
    assert query["automation"]["triggers"] == [{"trigger": "sun", "event": "sunset"}]
    [action] = query["automation"]["actions"]
    assert action["action"] == "light.turn_on"
    assert action["target"] == {"entity_id": ["light.porch_light"]}
    [suggestion] = query["suggestions"]
    assert suggestion["status"] == "pending"
    assert created["data"]["suggestion_id"] == suggestion["id"]
    assert created["data"]["config_entry_id"] == entry_id

    item = poll(
        lambda: next((i for i in todo_items(ha) if i["uid"] == suggestion["id"]), None),
        "the suggestion on the to-do list",
    )
    assert item["summary"] == suggestion["title"]
    assert item["status"] == "needs_action"

    # Checking the item approves the suggestion and deploys its automation into this HA.
    ha.call_service(
        "todo", "update_item", {"entity_id": TODO, "item": suggestion["id"], "status": "completed"}
    )
    automation_id = suggestion["automation"]["id"]
    deployed = ha.rest("GET", f"/api/config/automation/config/{automation_id}")
    assert deployed["triggers"] == [{"trigger": "sun", "event": "sunset"}]
    assert deployed["actions"] == query["automation"]["actions"]
    listed = engine_api(engine, "GET", "/api/v1/deployment/automations")["automations"]
    [deployment] = [d for d in listed if d["automation_id"] == automation_id]
    assert deployment["status"] == "deployed"
    assert deployment["version"] == 1
    assert ha.wait_for_state(deployment["entity_id"], "on")["attributes"]["id"] == automation_id
    assert engine_api(engine, "GET", f"/api/v1/suggestions/{suggestion['id']}")["status"] == (
        "deployed"
    )
    poll(
        lambda: all(i["uid"] != suggestion["id"] for i in todo_items(ha)),
        "the deployed suggestion to leave the to-do list",
    )
    engine_api(engine, "DELETE", f"/api/v1/deployment/{automation_id}")
