"""The sidebar panel and the card's module: registered once, only with the frontend, served."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL, DATA_PANELS
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)
from pytest_homeassistant_custom_component.typing import (  # type: ignore[import-untyped]
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.homeiq import panel
from custom_components.homeiq.const import DOMAIN

from .conftest import serve_engine, setup_integration

MANIFEST: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "custom_components" / DOMAIN / "manifest.json").read_text()
)
MODULE_URL = f"/homeiq_static/homeiq.js?v={MANIFEST['version']}"
MODULE = "customElements.define('homeiq-panel', class extends HTMLElement {});\n"


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for the committed front-end folder (the repository's is the front end's)."""
    folder = tmp_path / "frontend"
    folder.mkdir()
    (folder / "homeiq.js").write_text(MODULE)
    monkeypatch.setattr(panel, "FRONTEND_DIR", folder)
    return folder


@pytest.fixture
async def with_frontend(hass: HomeAssistant, tmp_path: Path) -> None:
    """Home Assistant's frontend, from an empty development tree (its package is not here)."""
    repo = tmp_path / "frontend-repo"
    for folder in ("static", "frontend_latest", "frontend_es5"):
        (repo / "hass_frontend" / folder).mkdir(parents=True)
    assert await async_setup_component(
        hass, "frontend", {"frontend": {"development_repo": str(repo)}}
    )


@pytest.mark.usefixtures("with_frontend", "module_dir")
async def test_the_panel_and_card_module_are_registered_and_served(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)

    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "get_panels"})
    panels = (await client.receive_json())["result"]
    assert panels["homeiq"] == {
        "component_name": "custom",
        "icon": "mdi:home-lightbulb-outline",
        "title": "HomeIQ",
        "url_path": "homeiq",
        "require_admin": True,
        "config_panel_domain": None,
        "config": {
            "_panel_custom": {
                "name": "homeiq-panel",
                "embed_iframe": False,
                "trust_external": False,
                "module_url": MODULE_URL,
            }
        },
    }
    # The card is loaded on every dashboard.
    assert MODULE_URL in hass.data[DATA_EXTRA_MODULE_URL].urls

    http = await hass_client()
    response = await http.get(MODULE_URL)
    assert response.status == 200
    assert await response.text() == MODULE


@pytest.mark.usefixtures("with_frontend", "module_dir")
async def test_the_panel_is_registered_once_for_every_entry(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    # Reloading the entry, or adding another, must not register the panel again (that raises).
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    other = MockConfigEntry(domain=DOMAIN, unique_id="f" * 32, data=dict(config_entry.data))
    serve_engine(aioclient_mock, instance_id="f" * 32)
    await setup_integration(hass, other)

    assert [path for path in hass.data[DATA_PANELS] if path == "homeiq"] == ["homeiq"]
    assert list(hass.data[DATA_EXTRA_MODULE_URL].urls).count(MODULE_URL) == 1


async def test_without_the_frontend_there_is_no_panel(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)

    assert "frontend" not in hass.config.components
    assert "homeiq" not in hass.data.get(DATA_PANELS, {})
    # The commands still work: a script or another front end can use them.
    assert hass.data["websocket_api"]["homeiq/suggestions"]
