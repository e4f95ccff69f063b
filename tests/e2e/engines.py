"""An engine process that mirrors the session's Home Assistant, and its API, for e2e tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.homeassistant import HomeAssistantProcess
from tests.e2e.polling import poll
from tests.engine.process import EngineProcess

TOKEN = "e2e-mirror-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def api(engine: EngineProcess, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    """Call the engine's API; check the status; return the JSON answer."""
    response = httpx.request(
        method, f"{engine.base_url}{path}", json=body, headers=AUTH, timeout=30
    )
    assert response.status_code == status, response.text
    return response.json()


@contextmanager
def mirroring_engine(ha: HomeAssistantProcess, data_dir: Path) -> Iterator[EngineProcess]:
    """Run an engine on Home Assistant's API, once it is connected (events flushed fast)."""
    process = EngineProcess(
        data_dir,
        {
            "HOMEIQ_API_TOKEN": TOKEN,
            "HA_URL": f"http://127.0.0.1:{ha.port}",
            "HA_TOKEN": ha.token,
            "HOMEIQ_EVENT_FLUSH_S": "0.1",
            "HOMEIQ_BACKFILL_DAYS": "1",
        },
    )
    with process:
        poll(
            lambda: api(process, "GET", "/api/v1/ingest/status")["connected"],
            "the engine to mirror Home Assistant",
        )
        yield process


def add_entry(ha: HomeAssistantProcess, engine: EngineProcess, token: str = TOKEN) -> str:
    """Add the HomeIQ entry through Home Assistant's config flow REST API, as the UI does."""
    form = ha.rest("POST", "/api/config/config_entries/flow", {"handler": "homeiq"})
    assert (form["type"], form["step_id"]) == ("form", "user"), form
    created = ha.rest(
        "POST",
        f"/api/config/config_entries/flow/{form['flow_id']}",
        {"url": engine.base_url, "api_token": token},
    )
    assert created["type"] == "create_entry", created
    entry_id: str = created["result"]["entry_id"]
    return entry_id


def remove_entry(ha: HomeAssistantProcess, entry_id: str) -> None:
    """Delete a config entry, as the UI does."""
    ha.rest("DELETE", f"/api/config/config_entries/entry/{entry_id}")
