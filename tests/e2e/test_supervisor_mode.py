"""The engine as a Home Assistant app: a fake Supervisor in front of the real Home Assistant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.homeassistant import HomeAssistantProcess
from tests.e2e.polling import poll
from tests.e2e.supervisor import FakeSupervisor
from tests.engine.process import EngineProcess

FIRST_TOKEN = "supervisor-token-first-0123456789"
SECOND_TOKEN = "supervisor-token-second-0123456789"
OPTIONS = {"analysis_time": "05:45", "analysis_days": 12, "log_level": "debug"}


def _get(url: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(url, headers=headers, timeout=10)


def _connected(base_url: str, token: str) -> bool:
    status = _get(f"{base_url}/api/v1/ingest/status", token).json()
    return bool(status["connected"] and status["backfill"]["status"] == "succeeded")


def _stored_states(base_url: str, token: str, entity_id: str) -> list[str]:
    answer = _get(f"{base_url}/api/v1/events?entity_id={entity_id}", token).json()
    return [event["state"] for event in answer["events"]]


def _working_url(config: dict[str, Any]) -> tuple[str, str]:
    """Return the URL and token a discovery message gives, checked against the engine."""
    url = f"http://{config['host']}:{config['port']}"
    assert _get(f"{url}/health").json()["instance_id"] == config["instance_id"]
    assert _get(f"{url}/api/v1/stats", config["api_token"]).status_code == 200
    assert _get(f"{url}/api/v1/stats", "not-the-token-0123456789").status_code == 401
    return url, config["api_token"]


def test_the_app_mirrors_through_the_supervisor_and_announces_itself(
    home_assistant: HomeAssistantProcess, tmp_path: Path
) -> None:
    ha = home_assistant
    entity_id = ha.create_input_boolean("Supervised hall light")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "options.json").write_text(json.dumps(OPTIONS))
    with FakeSupervisor(ha.base_url, ha.token, FIRST_TOKEN) as supervisor:
        engine = EngineProcess(
            data_dir,
            {
                "SUPERVISOR_TOKEN": FIRST_TOKEN,
                "HOMEIQ_SUPERVISOR_URL": supervisor.url,
                "HOMEIQ_EVENT_FLUSH_S": "0.1",
                "HOMEIQ_BACKFILL_DAYS": "1",
            },
        )
        with engine:
            poll(lambda: supervisor.discoveries, "the engine's discovery message")
            url, token = _working_url(supervisor.discoveries[0].config)
            assert url == engine.base_url
            # The API token is the one generated into the data directory, as outside an app.
            assert token == (data_dir / "api_token").read_text().strip()
            assert supervisor.discoveries[0].authorization == f"Bearer {FIRST_TOKEN}"
            assert supervisor.discoveries[0].service == "homeiq"

            poll(lambda: _connected(url, token), "the engine to mirror through the Core proxy")
            ha.call_service("input_boolean", "turn_on", {"entity_id": entity_id})
            poll(
                lambda: "on" in _stored_states(url, token, entity_id),
                "the state change to arrive through the proxy's websocket",
            )
            # Only the Supervisor's token reached the proxy; no long-lived token exists.
            assert supervisor.proxy_tokens
            assert set(supervisor.proxy_tokens) == {f"Bearer {FIRST_TOKEN}"}

            # The options file set the analysis schedule, window and log level.
            settings = _get(f"{url}/api/v1/settings", token).json()
            assert (settings["analysis_time"], settings["analysis_days"]) == ("05:45", 12)
            assert " DEBUG " in engine.stderr

            # Mirrored, a change passed through, settings read: still the one announcement.
            assert len(supervisor.discoveries) == 1
            engine.stop()

        # The Supervisor hands the app a new token on its next start: the old one is refused.
        supervisor.token = SECOND_TOKEN
        engine.env["SUPERVISOR_TOKEN"] = SECOND_TOKEN
        with engine:
            poll(lambda: len(supervisor.discoveries) == 2, "the announcement after the restart")
            again = supervisor.discoveries[1]
            assert again.authorization == f"Bearer {SECOND_TOKEN}"
            assert _working_url(again.config) == (url, token)
            poll(lambda: _connected(url, token), "the engine to mirror with the new token")
            ha.call_service("input_boolean", "turn_off", {"entity_id": entity_id})
            poll(
                lambda: "off" in _stored_states(url, token, entity_id),
                "a state change with the new token",
            )
            assert supervisor.proxy_tokens[-1] == f"Bearer {SECOND_TOKEN}"
            engine.stop()

    output = engine.stdout + engine.stderr
    for secret in (FIRST_TOKEN, SECOND_TOKEN, token):
        assert secret not in output
