"""The panel's homeiq/* websocket commands in the session's real Home Assistant, on a real engine.

Everything the panel does goes over Home Assistant's websocket, logged in with the session's
token: the engine is reached only through the integration. The engine's own API is used only
to set the scene (history to learn from) and to make a second version to roll back from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.engines import TOKEN, add_entry, api, mirroring_engine, remove_entry
from tests.e2e.homeassistant import HomeAssistantApiError, HomeAssistantProcess
from tests.e2e.polling import poll
from tests.engine.process import EngineProcess

DOMAIN = "homeiq"
DAYS = 21
ANALYSIS_DEADLINE_S = 120.0


@dataclass(frozen=True)
class Habit:
    """A trigger whose turning on is followed by a target's, every day at one hour."""

    trigger: str
    target: str
    hour: int


@dataclass(frozen=True)
class Approval:
    """The evening habit's suggestion, its approval, and its automation's state once deployed."""

    suggestion: dict[str, Any]
    answer: dict[str, Any]
    # Read as soon as it was deployed: the automations test deletes it, in any order.
    state: dict[str, Any]


@pytest.fixture(scope="module")
def habits(home_assistant: HomeAssistantProcess) -> Iterator[tuple[Habit, Habit]]:
    """Two habits on helpers of their own: one to approve, one to reject."""
    ha = home_assistant
    names = ("Panel Evening Switch", "Panel Evening Lamp", "Panel Morning Switch", "Panel Kettle")
    helpers = [ha.create_input_boolean(name) for name in names]
    yield Habit(helpers[0], helpers[1], 18), Habit(helpers[2], helpers[3], 6)
    for entity_id in helpers:
        unique_id = ha.get_entity_entry(entity_id)["unique_id"]
        ha.ws_command({"type": "input_boolean/delete", "input_boolean_id": unique_id})


@pytest.fixture(scope="module")
def engine(
    home_assistant: HomeAssistantProcess,
    habits: tuple[Habit, Habit],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[EngineProcess]:
    """An engine mirroring the session's Home Assistant (the helpers in its catalog)."""
    data = tmp_path_factory.mktemp("panel-engine") / "data"
    with mirroring_engine(home_assistant, data) as process:
        yield process
    assert home_assistant.token not in process.stdout + process.stderr


@pytest.fixture(scope="module")
def entry_id(home_assistant: HomeAssistantProcess, engine: EngineProcess) -> Iterator[str]:
    """The HomeIQ entry, made through the config flow as the UI makes it."""
    ha = home_assistant
    entry = add_entry(ha, engine, TOKEN)
    yield entry
    remove_entry(ha, entry)
    assert TOKEN not in ha.log


def command(ha: HomeAssistantProcess, entry_id: str, kind: str, **fields: Any) -> Any:
    """Send one homeiq/* command over Home Assistant's websocket; return its result."""
    return ha.ws_command({"type": f"homeiq/{kind}", "entry_id": entry_id, **fields})


def history(habits: tuple[Habit, ...]) -> list[dict[str, Any]]:
    """Weeks of each habit: the trigger turns on by hand, the target follows 15 s later."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    events = []
    for habit in habits:
        for day in range(DAYS, 0, -1):
            start = today - timedelta(days=day) + timedelta(hours=habit.hour, minutes=day % 25)
            for entity_id, state, after_s in (
                (habit.trigger, "on", 0),
                (habit.target, "on", 15),
                (habit.trigger, "off", 1800),
                (habit.target, "off", 1810),
            ):
                moment = (start + timedelta(seconds=after_s)).isoformat()
                events.append(
                    {"entity_id": entity_id, "state": state, "time": moment, "origin": "manual"}
                )
    return events


@pytest.fixture(scope="module")
def analysed(
    home_assistant: HomeAssistantProcess,
    engine: EngineProcess,
    entry_id: str,
    habits: tuple[Habit, Habit],
) -> dict[str, Any]:
    """The history learned through the panel's commands: run an analysis, watch its status."""
    ha = home_assistant
    imported = api(engine, "POST", "/api/v1/events/import", {"events": history(habits)})
    assert imported["imported"] == len(habits) * DAYS * 4

    def queue() -> dict[str, Any] | None:
        try:
            accepted: dict[str, Any] = command(ha, entry_id, "analysis/run", days=30)
        except HomeAssistantApiError as err:
            # The engine's own first analysis may still run: the conflict names it.
            if "conflict: An analysis is already running (run " not in str(err):
                raise
            return None
        return accepted

    queued = poll(queue, "the engine's own analysis to end", deadline_s=ANALYSIS_DEADLINE_S)
    assert queued["status"] == "queued"

    def finished() -> dict[str, Any] | None:
        runs = command(ha, entry_id, "analysis/status")["runs"]
        assert len(runs) <= 5
        # Newest first: once the queued run is listed, it is the first.
        if not runs or runs[0]["run_id"] != queued["run_id"]:
            return None
        run: dict[str, Any] = runs[0]
        return run if run["status"] not in ("queued", "running") else None

    run = poll(finished, "the analysis to end", deadline_s=ANALYSIS_DEADLINE_S)
    assert run["status"] == "succeeded", run
    ha.call_service(DOMAIN, "generate_suggestions", {"config_entry_id": entry_id, "limit": 50})
    return run


def habit_suggestion(suggestions: list[dict[str, Any]], habit: Habit) -> dict[str, Any] | None:
    """The suggestion that turns the habit's target on when its trigger turns on, if any."""
    trigger = {"trigger": "state", "entity_id": habit.trigger, "to": "on"}
    action = {"action": "input_boolean.turn_on", "target": {"entity_id": habit.target}}
    return next(
        (
            s
            for s in suggestions
            if s["automation"]["triggers"] == [trigger] and s["automation"]["actions"] == [action]
        ),
        None,
    )


def test_the_panel_is_in_the_sidebar_and_its_module_is_served(
    home_assistant: HomeAssistantProcess, entry_id: str, engine: EngineProcess
) -> None:
    ha = home_assistant
    panel = ha.ws_command({"type": "get_panels"})["homeiq"]
    assert (panel["title"], panel["icon"], panel["require_admin"]) == (
        "HomeIQ",
        "mdi:home-lightbulb-outline",
        True,
    )
    custom = panel["config"]["_panel_custom"]
    assert (custom["name"], custom["embed_iframe"]) == ("homeiq-panel", False)
    assert custom["module_url"].startswith("/homeiq_static/homeiq.js?v=")
    # Static files are public in Home Assistant: no token, and none needed.
    module = httpx.get(f"{ha.base_url}{custom['module_url']}", timeout=10)
    assert module.status_code == 200
    assert "homeiq-panel" in module.text
    assert TOKEN not in module.text

    engines = ha.ws_command({"type": "homeiq/engines"})["engines"]
    assert [(e["entry_id"], e["version"]) for e in engines] == [
        (entry_id, api(engine, "GET", "/health")["version"])
    ]
    assert TOKEN not in json.dumps(engines)
    assert engine.base_url not in json.dumps(engines)


@pytest.fixture(scope="module")
def approved(
    home_assistant: HomeAssistantProcess,
    entry_id: str,
    habits: tuple[Habit, Habit],
    analysed: dict[str, Any],
) -> Approval:
    """Approve the evening habit's suggestion through the panel's command, once per module."""
    # Without entry_id: the one loaded entry is used.
    page = home_assistant.ws_command(
        {"type": "homeiq/suggestions", "status": "pending", "limit": 200}
    )
    suggestion = habit_suggestion(page["suggestions"], habits[0])
    assert suggestion is not None, page
    answer = command(home_assistant, entry_id, "suggestion/approve", suggestion_id=suggestion["id"])
    state = home_assistant.wait_for_state(answer["deployment"]["entity_id"], "on")
    return Approval(suggestion, answer, state)


def test_suggestions_with_evidence_are_approved_into_home_assistant_or_rejected(
    home_assistant: HomeAssistantProcess,
    entry_id: str,
    habits: tuple[Habit, Habit],
    approved: Approval,
) -> None:
    ha = home_assistant
    approve, answer = approved.suggestion, approved.answer
    days = approve["evidence"]["days"]
    assert len([day for day in days if day["times"]]) >= DAYS - 2, days
    assert approve["explanation"]
    deployment = answer["deployment"]
    assert answer["suggestion"]["status"] == "deployed"
    assert answer["message"] == (
        f"Deployed '{approve['automation']['alias']}' as {deployment['entity_id']}"
    )
    assert approved.state["attributes"]["id"] == approve["automation"]["id"]

    page = command(ha, entry_id, "suggestions", status="pending", limit=200)
    reject = habit_suggestion(page["suggestions"], habits[1])
    assert reject is not None, page
    rejected = command(ha, entry_id, "suggestion/reject", suggestion_id=reject["id"], reason="no")
    assert rejected["suggestion"]["status"] == "rejected"
    assert rejected["message"].startswith(f"Rejected '{reject['title']}'")
    pending = command(ha, entry_id, "suggestions", status="pending", limit=200)["suggestions"]
    assert {approve["id"], reject["id"]}.isdisjoint(s["id"] for s in pending)


def test_deployed_automations_are_listed_rolled_back_disabled_enabled_and_deleted(
    home_assistant: HomeAssistantProcess,
    engine: EngineProcess,
    entry_id: str,
    approved: Approval,
) -> None:
    ha = home_assistant
    evening = approved.suggestion
    listed = command(ha, entry_id, "automations")["automations"]
    automation_id = evening["automation"]["id"]
    [deployed] = [d for d in listed if d["automation_id"] == automation_id]
    entity_id = deployed["entity_id"]
    assert deployed["alias"] == ha.get_state(entity_id)["attributes"]["friendly_name"]  # type: ignore[index]

    # A second version, as an edit in Home Assistant's engine would make it.
    edited = {**evening["automation"], "alias": "Panel evening lamp, edited"}
    assert api(engine, "POST", "/api/v1/deployment/deploy", {"automation": edited})["version"] == 2
    versions = command(ha, entry_id, "automation/versions", automation_id=automation_id)
    assert [v["version"] for v in versions["versions"]] == [1, 2]
    assert "Panel evening lamp, edited" in versions["versions"][1]["diff"]

    rolled = command(ha, entry_id, "automation/rollback", automation_id=automation_id, version=1)
    assert rolled["version"] == 1
    config = ha.rest("GET", f"/api/config/automation/config/{automation_id}")
    assert config["alias"] == evening["automation"]["alias"]

    disabled = command(ha, entry_id, "automation/disable", automation_id=automation_id)
    assert disabled["status"] == "disabled"
    ha.wait_for_state(entity_id, "off")
    enabled = command(ha, entry_id, "automation/enable", automation_id=automation_id)
    assert enabled["status"] == "deployed"
    ha.wait_for_state(entity_id, "on")

    removed = command(ha, entry_id, "automation/delete", automation_id=automation_id)
    assert removed == {"automation_id": automation_id, "status": "removed"}
    response = ha.request("GET", f"/api/config/automation/config/{automation_id}")
    assert response.status_code == 404


def test_patterns_carry_their_evidence_and_filter_by_entity(
    home_assistant: HomeAssistantProcess,
    entry_id: str,
    habits: tuple[Habit, Habit],
    analysed: dict[str, Any],
) -> None:
    ha = home_assistant
    everything = command(ha, entry_id, "patterns", limit=200)
    assert everything["patterns"], everything
    evening = habits[0]
    mine = command(ha, entry_id, "patterns", entity_id=evening.target, limit=200)["patterns"]
    assert mine
    assert all(evening.target in pattern["entities"] for pattern in mine)
    pair = next(p for p in mine if p["type"] == "co_occurrence")
    assert pair["details"]["trigger"]["entity_id"] == evening.trigger
    assert len(pair["evidence"]["days"]) >= DAYS - 2
    typed = command(ha, entry_id, "patterns", pattern_type="co_occurrence", limit=200)
    assert {p["type"] for p in typed["patterns"]} == {"co_occurrence"}


def test_ask_asks_back_and_refine_makes_the_suggestion(
    home_assistant: HomeAssistantProcess, entry_id: str
) -> None:
    ha = home_assistant
    asked = command(ha, entry_id, "ask", text="every day turn on the porch light")
    assert asked["status"] == "needs_clarification", asked
    [question] = asked["clarifications"]
    assert question["id"] == "time"
    assert asked["message"] == question["question"]

    refined = command(ha, entry_id, "refine", query_id=asked["query_id"], answers={"time": "07:00"})
    assert (refined["status"], refined["kind"]) == ("ready", "automation"), refined
    assert refined["automation"]["triggers"] == [{"trigger": "time", "at": "07:00:00"}]
    [suggestion] = refined["suggestions"]
    assert refined["message"].startswith(f"Suggested '{suggestion['title']}'")
    # Nothing deployed by asking: it waits for approval (and is not wanted here).
    command(ha, entry_id, "suggestion/reject", suggestion_id=suggestion["id"])


def test_an_automation_is_validated_from_yaml_and_bad_yaml_is_refused(
    home_assistant: HomeAssistantProcess, entry_id: str
) -> None:
    ha = home_assistant
    text = (
        "alias: Porch light at sunset\n"
        "triggers:\n  - trigger: sun\n    event: sunset\n"
        "actions:\n  - action: light.turn_on\n    target:\n      entity_id: light.porch_light\n"
    )
    verdict = command(ha, entry_id, "validate", yaml=text)
    assert verdict["valid"] is True, verdict
    assert verdict["requires_confirmation"] is False
    assert "light.porch_light" in verdict["yaml"]
    unknown = command(
        ha,
        entry_id,
        "validate",
        automation={
            "alias": "Nothing there",
            "triggers": [{"trigger": "sun", "event": "sunset"}],
            "actions": [{"action": "light.turn_on", "target": {"entity_id": "light.nowhere"}}],
        },
    )
    assert unknown["valid"] is False
    assert unknown["errors"]
    with pytest.raises(HomeAssistantApiError, match="invalid_yaml"):
        command(ha, entry_id, "validate", yaml="- just\n- a list\n")


def test_settings_are_read_and_changed(home_assistant: HomeAssistantProcess, entry_id: str) -> None:
    ha = home_assistant
    before = command(ha, entry_id, "settings")
    assert {"analysis_time", "analysis_days", "min_score", "exclude", "language", "llm"} <= set(
        before
    )
    try:
        changed = command(
            ha, entry_id, "settings", settings={"analysis_days": 14, "analysis_time": "04:30"}
        )
        assert (changed["analysis_days"], changed["analysis_time"]) == (14, "04:30")
        assert command(ha, entry_id, "settings") == changed
        with pytest.raises(HomeAssistantApiError, match="bad_request"):
            command(ha, entry_id, "settings", settings={"analysis_time": "25:00"})
    finally:
        command(
            ha,
            entry_id,
            "settings",
            settings={k: before[k] for k in ("analysis_days", "analysis_time")},
        )
