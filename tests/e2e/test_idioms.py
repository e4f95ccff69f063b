"""A motion light and a door light learned from history behave in a real Home Assistant.

Weeks of "motion in the hallway, the light comes on; two minutes after the motion stops,
it goes off" (and the pantry light on when its door opens, off three minutes later) are
imported into an engine that mirrors the session's Home Assistant. The analysis must
suggest each as one automation in Home Assistant's idiom; deployed (with its wait made
short for the test), it must switch the real light on at the trigger and off after the
wait, and keep it on while motion goes on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import HALL_LIGHT, PANTRY_LIGHT
from tests.e2e.engines import api, mirroring_engine
from tests.e2e.homeassistant import HomeAssistantProcess
from tests.e2e.polling import poll
from tests.engine.process import EngineProcess

MOTION = "binary_sensor.e2e_hallway_motion"
DOOR = "binary_sensor.e2e_pantry_door"
# What the history teaches, and the short wait the deployed copies use instead.
MOTION_WAIT_S = 120
DOOR_WAIT_S = 180
TEST_WAIT_S = 2
DAYS = 21


def _event(entity_id: str, state: str, moment: datetime, origin: str) -> dict[str, Any]:
    return {"entity_id": entity_id, "state": state, "time": moment.isoformat(), "origin": origin}


def history(light_ids: tuple[str, str]) -> list[dict[str, Any]]:
    """Return weeks of a hallway motion light and a pantry door light, run by hand."""
    hall, pantry = light_ids
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    events = []
    for day in range(DAYS, 0, -1):
        base = today - timedelta(days=day)
        for hour in sorted(rng.sample(range(7, 23), 5)):
            start = base + timedelta(hours=hour, minutes=rng.randrange(60))
            # Motion comes and goes while someone is there; the light follows it.
            moment, on_for = start, rng.randrange(40, 240)
            events += [
                _event(MOTION, "on", moment, "system"),
                _event(hall, "on", moment + timedelta(seconds=3), "system"),
                _event(MOTION, "off", moment + timedelta(seconds=on_for), "system"),
            ]
            off_at = moment + timedelta(seconds=on_for + MOTION_WAIT_S + rng.randrange(-8, 8))
            events.append(_event(hall, "off", off_at, "system"))
        for hour in sorted(rng.sample(range(8, 21), 3)):
            opened = base + timedelta(hours=hour, minutes=rng.randrange(60))
            events += [
                _event(DOOR, "on", opened, "system"),
                _event(pantry, "on", opened + timedelta(seconds=2), "manual"),
                _event(DOOR, "off", opened + timedelta(seconds=rng.randrange(10, 40)), "system"),
                _event(
                    pantry,
                    "off",
                    opened + timedelta(seconds=DOOR_WAIT_S + rng.randrange(-8, 8)),
                    "manual",
                ),
            ]
    return events


@pytest.fixture(scope="module")
def engine(
    home_assistant: HomeAssistantProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EngineProcess]:
    """An engine mirroring the session's Home Assistant, with the sensors in its catalog."""
    ha = home_assistant
    ha.set_state(MOTION, "off", {"device_class": "motion", "friendly_name": "E2E Hallway motion"})
    ha.set_state(DOOR, "off", {"device_class": "door", "friendly_name": "E2E Pantry door"})
    with mirroring_engine(ha, tmp_path_factory.mktemp("idioms-engine") / "data") as process:
        yield process
    for entity_id in (MOTION, DOOR):
        ha.request("DELETE", f"/api/states/{entity_id}")


def _suggestions(engine: EngineProcess, lights: tuple[str, str]) -> list[dict[str, Any]]:
    imported = api(engine, "POST", "/api/v1/events/import", {"events": history(lights)})
    assert imported["imported"] > 0
    run = api(engine, "POST", "/api/v1/analysis/run", {"days": 30}, 202)
    done = poll(
        lambda: (
            (found := api(engine, "GET", f"/api/v1/analysis/runs/{run['run_id']}"))["status"]
            not in ("queued", "running")
            and found
        ),
        "the analysis to end",
        deadline_s=120,
    )
    assert done["status"] == "succeeded", done
    made: list[dict[str, Any]] = api(engine, "POST", "/api/v1/suggestions/generate", {"limit": 50})[
        "suggestions"
    ]
    return made


def _shortened(automation: dict[str, Any]) -> dict[str, Any]:
    """Return the automation with its wait made short, everything else as suggested."""
    actions = [
        {"delay": {"hours": 0, "minutes": 0, "seconds": TEST_WAIT_S}} if "delay" in a else a
        for a in automation["actions"]
    ]
    return {**automation, "actions": actions}


def _deploy(engine: EngineProcess, suggestion: dict[str, Any]) -> dict[str, Any]:
    body = {"automation": _shortened(suggestion["automation"])}
    answer = api(engine, "POST", f"/api/v1/suggestions/{suggestion['id']}/approve", body)
    deployment: dict[str, Any] = answer["deployment"]
    assert deployment["status"] == "deployed"
    return deployment


def _off_after(ha: HomeAssistantProcess, light: str, since: float) -> float:
    """Wait for the light to go off; return how long after `since` it did."""
    ha.wait_for_state(light, "off", timeout=TEST_WAIT_S + 10)
    return time.monotonic() - since


def test_a_learned_motion_light_and_door_light_behave_once_deployed(
    home_assistant: HomeAssistantProcess, engine: EngineProcess
) -> None:
    ha = home_assistant
    lights = (HALL_LIGHT, PANTRY_LIGHT)
    made = _suggestions(engine, lights)
    by_trigger = {s["automation"]["triggers"][0].get("entity_id"): s for s in made}
    motion = by_trigger[MOTION]
    door = by_trigger[DOOR]
    # One automation each, in Home Assistant's idiom, with the wait the history taught.
    assert motion["automation"]["mode"] == "restart"
    assert [next(iter(a)) for a in motion["automation"]["actions"]] == [
        "action",
        "wait_for_trigger",
        "delay",
        "action",
    ]
    assert motion["automation"]["actions"][2]["delay"] == {
        "hours": 0,
        "minutes": MOTION_WAIT_S // 60,
        "seconds": 0,
    }
    # Said by device class: the sensor (without an area here) "detects motion".
    assert "E2E Hallway motion detects motion" in motion["title"]
    assert [next(iter(a)) for a in door["automation"]["actions"]] == ["action", "delay", "action"]
    assert door["automation"]["actions"][1]["delay"]["minutes"] == DOOR_WAIT_S // 60
    assert "Pantry door opens" in door["title"]
    for suggestion in (motion, door):
        assert suggestion["evidence"]["days"], suggestion

    deployments = [_deploy(engine, motion), _deploy(engine, door)]
    try:
        for light in lights:
            ha.call_service("light", "turn_off", {"entity_id": light})
            ha.wait_for_state(light, "off")
        # Motion: on at once, kept on while motion goes on, off the wait after it stops.
        ha.set_state(MOTION, "on", {"device_class": "motion"})
        ha.wait_for_state(HALL_LIGHT, "on")
        # Nothing to wait for but time itself: the wait must not run while motion is on.
        time.sleep(TEST_WAIT_S + 1)
        assert ha.get_state(HALL_LIGHT)["state"] == "on"  # type: ignore[index]
        ha.set_state(MOTION, "off", {"device_class": "motion"})
        cleared = time.monotonic()
        assert _off_after(ha, HALL_LIGHT, cleared) >= TEST_WAIT_S - 0.5
        # Door: on when it opens, off the wait after it opened.
        ha.set_state(DOOR, "on", {"device_class": "door"})
        opened = time.monotonic()
        ha.wait_for_state(PANTRY_LIGHT, "on")
        ha.set_state(DOOR, "off", {"device_class": "door"})
        assert _off_after(ha, PANTRY_LIGHT, opened) >= TEST_WAIT_S - 0.5
    finally:
        for deployment in deployments:
            api(engine, "DELETE", f"/api/v1/deployment/{deployment['automation_id']}")
