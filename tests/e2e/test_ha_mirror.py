"""A real engine mirrors a real Home Assistant: origins, catalog changes, restarts, gaps."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.homeassistant import HomeAssistantProcess
from tests.e2e.polling import poll
from tests.e2e.proxy import TcpProxy
from tests.engine.process import EngineProcess

TOKEN = "e2e-engine-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Home:
    """The entities and areas this module's tests use."""

    hall: str
    porch: str
    trigger: str
    before_engine: str
    # Changed only while the engine is away: once stopped, once cut off.
    restart_gap: str
    outage_gap: str
    kitchen: str
    started_at: datetime


def engine_get(engine: EngineProcess, path: str, **params: str) -> Any:
    response = httpx.get(f"{engine.base_url}{path}", params=params, headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def engine_events(engine: EngineProcess, entity_id: str) -> list[dict[str, Any]]:
    return engine_get(engine, "/api/v1/events", entity_id=entity_id, limit="500")["events"]  # type: ignore[no-any-return]


def connected_and_synced(engine: EngineProcess) -> bool:
    status = engine_get(engine, "/api/v1/ingest/status")
    return bool(status["connected"] and status["backfill"]["status"] == "succeeded")


def ha_changes(ha: HomeAssistantProcess, entity_id: str, since: datetime) -> set[tuple[str, str]]:
    """Return (state, UTC time) of every change the recorder has for an entity after a time."""
    return {
        (item["state"], datetime.fromisoformat(item["last_changed"]).isoformat())
        for item in ha.get_history(entity_id, since)
        # The first item is the state at `since`, stamped `since`: not a change in the window.
        if datetime.fromisoformat(item["last_changed"]) > since
    }


def stored_changes(engine: EngineProcess, entity_id: str, since: datetime) -> list[tuple[str, str]]:
    return [
        (event["state"], datetime.fromisoformat(event["time"]).isoformat())
        for event in engine_events(engine, entity_id)
        if datetime.fromisoformat(event["time"]) > since
    ]


@pytest.fixture(scope="module")
def home(home_assistant: HomeAssistantProcess) -> Home:
    ha = home_assistant
    started_at = datetime.now(UTC) - timedelta(seconds=1)
    home = Home(
        hall=ha.create_input_boolean("Mirror Hall Light"),
        porch=ha.create_input_boolean("Mirror Porch Light"),
        trigger=ha.create_input_boolean("Mirror Doorbell"),
        before_engine=ha.create_input_boolean("Mirror Early Switch"),
        # Made before the engine starts, so they exist when each gap begins: the recorder
        # then answers their state at the gap's start as the first row.
        restart_gap=ha.create_input_boolean("Mirror Restart Gap"),
        outage_gap=ha.create_input_boolean("Mirror Outage Gap"),
        kitchen=ha.create_area("Mirror Kitchen"),
        started_at=started_at,
    )
    ha.add_automation(
        "homeiq_e2e_porch",
        {
            "alias": "Doorbell lights the porch",
            "triggers": [{"trigger": "state", "entity_id": home.trigger, "to": "on"}],
            "actions": [{"action": "input_boolean.turn_on", "target": {"entity_id": home.porch}}],
        },
    )
    # A change from before the engine ever ran: it can only arrive by the first backfill.
    ha.call_service("input_boolean", "turn_on", {"entity_id": home.before_engine})
    ha.wait_for_history(home.before_engine, started_at, count=2)
    return home


@pytest.fixture(scope="module")
def engine(
    home_assistant: HomeAssistantProcess, home: Home, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EngineProcess]:
    process = EngineProcess(
        tmp_path_factory.mktemp("engine") / "data",
        {
            "HOMEIQ_API_TOKEN": TOKEN,
            "HA_URL": home_assistant.base_url,
            "HA_TOKEN": home_assistant.token,
            "HOMEIQ_EVENT_FLUSH_S": "0.1",
            "HOMEIQ_BACKFILL_DAYS": "1",
        },
    )
    with process:
        poll(lambda: connected_and_synced(process), "the engine to connect and backfill")
        yield process
    output = process.stdout + process.stderr
    assert home_assistant.token not in output
    assert TOKEN not in output


def test_first_connection_backfills_history(engine: EngineProcess, home: Home) -> None:
    stored = poll(
        lambda: [e for e in engine_events(engine, home.before_engine) if e["state"] == "on"],
        "the pre-engine change to be backfilled",
    )
    assert len(stored) == 1
    status = engine_get(engine, "/api/v1/ingest/status")
    assert status["source"] == "home_assistant"
    assert status["backfill"]["progress"] == 1.0
    assert status["events_total"] >= 1
    ready = httpx.get(f"{engine.base_url}/health/ready").json()
    assert ready["checks"]["home_assistant"] == "connected"


def test_user_and_automation_changes_carry_their_origin(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    home_assistant.call_service("input_boolean", "turn_on", {"entity_id": home.hall})
    hall = poll(
        lambda: [e for e in engine_events(engine, home.hall) if e["state"] == "on"],
        "the hall light's change",
    )
    assert [event["origin"] for event in hall] == ["manual"]

    home_assistant.call_service("input_boolean", "turn_on", {"entity_id": home.trigger})
    porch = poll(
        lambda: [e for e in engine_events(engine, home.porch) if e["state"] == "on"],
        "the automation's change to the porch light",
    )
    assert [event["origin"] for event in porch] == ["automation"]
    trigger = [e for e in engine_events(engine, home.trigger) if e["state"] == "on"]
    assert [event["origin"] for event in trigger] == ["manual"]


def engine_ask(engine: EngineProcess, text: str) -> dict[str, Any]:
    response = httpx.post(
        f"{engine.base_url}/api/v1/query", json={"text": text}, headers=AUTH, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_questions_read_the_states_home_assistant_has_now(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    text = "is the mirror early switch on"

    def answered(*, value: bool) -> dict[str, Any] | None:
        # Asked again and again: the parse comes from the cache, the state must not.
        answer = engine_ask(engine, text)
        ready = (answer["status"], answer["kind"]) == ("ready", "question")
        return answer if ready and answer["answer"]["value"] is value else None

    poll(lambda: answered(value=True), "the question to read the switch on")
    home_assistant.call_service("input_boolean", "turn_off", {"entity_id": home.before_engine})
    answer = poll(lambda: answered(value=False), "the question to read the switch off")
    assert answer["answer"]["entities"][0]["entity_id"] == home.before_engine
    assert answer["message"] == "No, Mirror Early Switch is off."


def test_catalog_follows_renames_and_area_moves(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    home_assistant.update_entity(home.hall, name="Hallway Lamp", area_id=home.kitchen)

    def renamed() -> dict[str, Any] | None:
        found = engine_get(engine, "/api/v1/entities", q="hallway lamp")["entities"]
        return found[0] if found and found[0]["area_id"] == home.kitchen else None

    entity = poll(renamed, "the rename and area move to reach the catalog")
    assert entity["entity_id"] == home.hall
    assert entity["name"] == "Hallway Lamp"
    in_kitchen = engine_get(engine, "/api/v1/entities", area_id=home.kitchen)["entities"]
    assert [item["entity_id"] for item in in_kitchen] == [home.hall]
    catalog = engine_get(engine, "/api/v1/home")
    assert catalog["source"] == "home_assistant"
    assert catalog["time_zone"] == "Europe/Berlin"
    assert home.kitchen in {area["area_id"] for area in catalog["areas"]}
    # Imports are refused while Home Assistant owns the catalog.
    response = httpx.post(
        f"{engine.base_url}/api/v1/home/import",
        json={"time_zone": "UTC"},
        headers=AUTH,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def mirrored_automations(engine: EngineProcess) -> dict[str, dict[str, Any]]:
    """Return the automations the engine has mirrored, read from its SQLite file."""
    with contextlib.closing(sqlite3.connect(engine.data_dir / "homeiq.db")) as db:
        rows = db.execute("SELECT entity_id, config FROM ha_automations").fetchall()
    return {entity_id: json.loads(config) for entity_id, config in rows}


def test_automation_configs_are_mirrored_and_follow_edits(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    def porch_automation() -> dict[str, Any] | None:
        for config in mirrored_automations(engine).values():
            if config.get("alias") == "Doorbell lights the porch":
                return config
        return None

    config = poll(porch_automation, "the existing automation's config to be mirrored")
    assert config["triggers"][0]["entity_id"] == home.trigger
    assert config["actions"][0]["target"]["entity_id"] == home.porch

    entity_id = home_assistant.add_automation(
        "homeiq_e2e_hall",
        {
            "alias": "Doorbell lights the hall",
            "triggers": [{"trigger": "state", "entity_id": home.trigger, "to": "on"}],
            "actions": [{"action": "input_boolean.turn_on", "target": {"entity_id": home.hall}}],
        },
    )
    added = poll(
        lambda: mirrored_automations(engine).get(entity_id), "a new automation to be mirrored"
    )
    assert added["alias"] == "Doorbell lights the hall"
    home_assistant.remove_automation("homeiq_e2e_hall")
    poll(
        lambda: entity_id not in mirrored_automations(engine),
        "a deleted automation to leave the mirror",
    )


def test_reconnects_after_home_assistant_restarts(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    home_assistant.stop()
    poll(
        lambda: not engine_get(engine, "/api/v1/ingest/status")["connected"],
        "the engine to notice Home Assistant is gone",
    )
    assert httpx.get(f"{engine.base_url}/health/ready").status_code == 200
    home_assistant.start()
    poll(lambda: connected_and_synced(engine), "the engine to reconnect", deadline_s=60)
    # Toggled, not switched to a fixed state: in any test order it is a change.
    reconnected_at = datetime.now(UTC)
    home_assistant.call_service("input_boolean", "toggle", {"entity_id": home.hall})
    state = home_assistant.get_state(home.hall)["state"]  # type: ignore[index]
    live = poll(
        lambda: [
            event
            for event in engine_events(engine, home.hall)
            if datetime.fromisoformat(event["time"]) > reconnected_at
        ],
        "a live change after the reconnect",
    )
    assert [(event["state"], event["origin"]) for event in live] == [(state, "manual")]


def backfilled_after(engine: EngineProcess, moment: datetime) -> bool:
    """Return True once a session connected and backfilled up to a moment or later."""
    status = engine_get(engine, "/api/v1/ingest/status")
    end = status["backfill"]["to"]
    return bool(connected_and_synced(engine) and end and datetime.fromisoformat(end) > moment)


def change_three_times(ha: HomeAssistantProcess, entity_id: str) -> datetime:
    """Switch an off input_boolean on, off, on; return a moment before the changes."""
    assert ha.get_state(entity_id)["state"] == "off"  # type: ignore[index]
    before = datetime.now(UTC)
    for service in ("turn_on", "turn_off", "turn_on"):
        ha.call_service("input_boolean", service, {"entity_id": entity_id})
    # The recorder answers the state at the window's start too, then the three changes.
    ha.wait_for_history(entity_id, before, count=4)
    return before


def rows(events: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted(
        (event["state"], datetime.fromisoformat(event["time"]).isoformat(), event["origin"])
        for event in events
    )


def assert_gap_stored_once(
    ha: HomeAssistantProcess,
    engine: EngineProcess,
    entity_id: str,
    before: list[dict[str, Any]],
    gap_start: datetime,
) -> None:
    """Assert the engine holds what it held before the gap plus each change in it, once."""
    missed = ha_changes(ha, entity_id, gap_start)
    assert len(missed) == 3, missed
    after = engine_events(engine, entity_id)
    new = [row for row in rows(after) if row not in rows(before)]
    # Backfilled changes have no context: who made them is unknown.
    assert new == sorted((state, moment, "unknown") for state, moment in missed), after
    assert len(after) == len(before) + 3, after


def test_changes_made_while_the_engine_was_stopped_are_backfilled_exactly_once(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, home: Home
) -> None:
    before = poll(
        lambda: engine_events(engine, home.restart_gap), "the entity's state to be stored"
    )
    assert engine.stop(signal.SIGTERM) == 0
    gap_start = change_three_times(home_assistant, home.restart_gap)
    # Home Assistant restarts in the gap too: its recorder keeps the history.
    home_assistant.stop()
    home_assistant.start()

    engine.start()
    poll(lambda: connected_and_synced(engine), "the engine to reconnect and backfill", 60)
    assert_gap_stored_once(home_assistant, engine, home.restart_gap, before, gap_start)


def test_changes_made_while_the_connection_was_cut_are_backfilled_exactly_once(
    home_assistant: HomeAssistantProcess, home: Home, tmp_path: Path
) -> None:
    proxy = TcpProxy(home_assistant.port)
    proxy.start()
    process = EngineProcess(
        tmp_path / "data",
        {
            "HOMEIQ_API_TOKEN": TOKEN,
            "HA_URL": f"http://127.0.0.1:{proxy.port}",
            "HA_TOKEN": home_assistant.token,
            "HOMEIQ_EVENT_FLUSH_S": "0.1",
            "HOMEIQ_BACKFILL_DAYS": "1",
        },
    )
    try:
        with process as engine:
            poll(lambda: connected_and_synced(engine), "the engine to connect and backfill")
            before = engine_events(engine, home.outage_gap)
            assert before, "the first backfill stores the entity's state"
            proxy.cut()
            try:
                poll(
                    lambda: not engine_get(engine, "/api/v1/ingest/status")["connected"],
                    "the engine to notice the connection is gone",
                )
                gap_start = change_three_times(home_assistant, home.outage_gap)
                gap_end = datetime.now(UTC)
            finally:
                proxy.restore()
            poll(lambda: backfilled_after(engine, gap_end), "the engine to backfill the gap", 60)
            assert_gap_stored_once(home_assistant, engine, home.outage_gap, before, gap_start)
    finally:
        proxy.close()
