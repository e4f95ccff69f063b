"""The HomeIQ panel in a real browser, in the real Home Assistant frontend, on a real engine.

Three weeks of a front door lock unlocked in the morning and locked at night (by hand) are
imported into an engine that mirrors the session's Home Assistant; its analysis suggests the
protective counterpart (lock it at night if still unlocked), which needs confirmation. Headless
Chromium (Debian's, driven by playwright-core from frontend/e2e/panel.mjs) logs in through Home
Assistant's login page, opens the HomeIQ panel, sees the suggestion's evidence chart and YAML,
approves it through the in-panel confirmation, opens the deployed automation in Home
Assistant's editor, and rolls a later version of it back from the Automations view.
Screenshots of each step are kept in test-artifacts/panel-browser/.
"""

from __future__ import annotations

import json
import random
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any

import pytest

from tests.e2e.engines import TOKEN, add_entry, api, mirroring_engine, remove_entry
from tests.e2e.homeassistant import PASSWORD, USERNAME, HomeAssistantProcess
from tests.e2e.polling import poll
from tests.engine.process import REPO, EngineProcess

MEMBER = "lock.e2e_panel_member"
LOCK_NAME = "E2E Panel Front Door"
DAYS = 21
FRONTEND = REPO / "frontend"
SCRIPT = FRONTEND / "e2e" / "panel.mjs"
ARTIFACTS = REPO / "test-artifacts" / "panel-browser"
# The whole browser run, with the steps' own deadlines inside it (frontend/e2e/panel.mjs).
BROWSER_DEADLINE_S = 90.0


def history(lock: str) -> list[dict[str, Any]]:
    """Return weeks of a lock unlocked around 07:30 and locked around 22:30, by hand."""
    rng = random.Random(16)  # noqa: S311 - test data, not secrets
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    events = []
    for day in range(DAYS, 0, -1):
        base = today - timedelta(days=day)
        for state, hour in (("unlocked", 6), ("locked", 21)):
            moment = base + timedelta(hours=hour, minutes=20 + rng.randrange(20))
            events.append(
                {"entity_id": lock, "state": state, "time": moment.isoformat(), "origin": "manual"}
            )
    return events


@pytest.fixture(scope="module")
def lock(home_assistant: HomeAssistantProcess) -> Iterator[str]:
    """A real lock entity: a lock group over a lock whose state is written directly."""
    ha = home_assistant
    ha.set_state(MEMBER, "locked", {"friendly_name": "E2E panel member lock"})
    flow = ha.rest("POST", "/api/config/config_entries/flow", {"handler": "group"})
    flow = ha.rest(
        "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", {"next_step_id": "lock"}
    )
    entry = ha.rest(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"name": LOCK_NAME, "entities": [MEMBER], "hide_members": False},
    )["result"]["entry_id"]
    entity_id: str = ha.wait_for_state("lock.e2e_panel_front_door")["entity_id"]
    yield entity_id
    remove_entry(ha, entry)
    ha.request("DELETE", f"/api/states/{MEMBER}")


@pytest.fixture(scope="module")
def engine(
    home_assistant: HomeAssistantProcess, lock: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EngineProcess]:
    """An engine mirroring the session's Home Assistant, the lock in its catalog."""
    with mirroring_engine(home_assistant, tmp_path_factory.mktemp("panel-engine") / "data") as e:
        poll(
            lambda: any(
                found["entity_id"] == lock
                for found in api(e, "GET", "/api/v1/entities?domain=lock")["entities"]
            ),
            "the engine to mirror the lock",
        )
        yield e


@pytest.fixture(scope="module")
def suggestion(engine: EngineProcess, lock: str) -> dict[str, Any]:
    """Import the lock's history, analyse it, and return the suggestion that locks it."""
    imported = api(engine, "POST", "/api/v1/events/import", {"events": history(lock)})
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
    made = api(engine, "POST", "/api/v1/suggestions/generate", {"limit": 50})["suggestions"]
    locking: list[dict[str, Any]] = [
        s
        for s in made
        if any(
            a.get("action") == "lock.lock" and lock in str(a.get("target"))
            for a in s["automation"]["actions"]
        )
    ]
    # The habit of locking at night, and its protective form (if still unlocked): the best.
    assert locking, made
    return locking[0]


@pytest.fixture(scope="module")
def entry_id(
    home_assistant: HomeAssistantProcess, engine: EngineProcess, suggestion: dict[str, Any]
) -> Iterator[str]:
    """The HomeIQ entry, made through Home Assistant's config flow once the engine suggests.

    After the suggestion: setting the entry up starts an analysis of its own.
    """
    ha = home_assistant
    entry = add_entry(ha, engine, TOKEN)
    yield entry
    remove_entry(ha, entry)


class Browser:
    """The Node script driving Chromium: JSON lines out, one `continue` line in to resume."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), json.dumps(config)],
            cwd=FRONTEND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.deadline = time.monotonic() + BROWSER_DEADLINE_S

    def until(self, step: str) -> dict[str, Any]:
        """Return the report of `step`, failing with the script's output if it never comes."""
        stdout = self._pipe(self.process.stdout)
        while True:
            left = self.deadline - time.monotonic()
            ready, _, _ = select.select([stdout], [], [], max(left, 0))
            line = stdout.readline() if ready else ""
            if not line:
                self.process.kill()
                raise AssertionError(
                    f"the browser never reached '{step}'; its output:\n"
                    + self._pipe(self.process.stderr).read()
                )
            report: dict[str, Any] = json.loads(line)
            if report.get("step") == step:
                return report

    def resume(self) -> None:
        stdin = self._pipe(self.process.stdin)
        stdin.write("continue\n")
        stdin.flush()
        stdin.close()

    def close(self) -> int:
        try:
            return self.process.wait(timeout=max(self.deadline - time.monotonic(), 1))
        finally:
            if self.process.poll() is None:
                self.process.kill()

    @staticmethod
    def _pipe[P: IO[str]](pipe: P | None) -> P:
        assert pipe is not None
        return pipe


def test_a_lock_suggestion_is_seen_approved_found_and_rolled_back_in_the_panel(
    home_assistant: HomeAssistantProcess,
    engine: EngineProcess,
    suggestion: dict[str, Any],
    entry_id: str,
) -> None:
    ha = home_assistant
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: run ./scripts/setup"
    assert (FRONTEND / "node_modules" / "playwright-core").is_dir(), "run ./scripts/setup"
    assert suggestion["requires_confirmation"], suggestion
    assert suggestion["evidence"]["days"], suggestion
    automation_id = suggestion["automation"]["id"]
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    print(f"screenshots in {ARTIFACTS}")

    browser = Browser(
        {
            "base_url": ha.base_url,
            "username": USERNAME,
            "password": PASSWORD,
            "chromium": chromium,
            "entry_id": entry_id,
            "suggestion_id": suggestion["id"],
            "automation_id": automation_id,
            "alias": suggestion["automation"]["alias"],
            "artifacts": str(ARTIFACTS),
        }
    )
    try:
        seen = browser.until("suggestion")
        # The chart has a column per day of the window, dots on the days it happened.
        assert seen["chart_days"] == len(suggestion["evidence"]["days"])
        assert seen["chart_dots"] == sum(len(d["times"]) for d in suggestion["evidence"]["days"])
        assert seen["yaml"].strip() == suggestion["yaml"].strip()
        assert "lock" in seen["confirmation"].lower()

        approved = browser.until("approved")
        assert approved["message"].startswith("Deployed"), approved
        # In Home Assistant: the automation is on, and its editor opens it.
        entity_id = ha.registry_entity_id("automation", automation_id)
        state = ha.wait_for_state(entity_id, "on")
        assert state["attributes"]["id"] == automation_id
        first = ha.rest("GET", f"/api/config/automation/config/{automation_id}")
        assert first["actions"] == suggestion["automation"]["actions"]
        assert browser.until("editor")["alias"] == first["alias"]

        # A later change to it (a second version, later at night) ...
        later = {**first, "triggers": [{"trigger": "time", "at": "23:55:00"}]}
        second = api(
            engine, "POST", "/api/v1/deployment/deploy", {"automation": later, "confirm": True}
        )
        assert second["version"] == 2
        browser.resume()
        # ... is rolled back from the Automations view.
        rolled = browser.until("rolled_back")
        assert rolled["versions"][0] == "Version 2"
        assert rolled["versions"][1] != "Version 2"
        back = poll(
            lambda: (
                (c := ha.rest("GET", f"/api/config/automation/config/{automation_id}"))
                and c["triggers"] == first["triggers"]
                and c
            ),
            "Home Assistant to run the first version again",
        )
        assert back["actions"] == first["actions"]
        assert browser.close() == 0
    finally:
        if browser.process.poll() is None:
            browser.process.kill()
        if api(engine, "GET", "/api/v1/deployment/automations")["automations"]:
            api(engine, "DELETE", f"/api/v1/deployment/{automation_id}")
