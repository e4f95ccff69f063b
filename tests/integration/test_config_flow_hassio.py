"""The config flow's discovery of the HomeIQ engine app (Supervisor / hassio): every branch."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import aiohttp
import pytest
from homeassistant.config_entries import SOURCE_HASSIO, SOURCE_IGNORE, ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.hassio import HassioServiceInfo
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)

from custom_components.homeiq.const import DOMAIN

from .conftest import INSTANCE_ID, STRINGS, TOKEN, sent, serve_engine, setup_integration

APP_NAME = "HomeIQ engine"
APP_SLUG = "5c53de3b_homeiq_engine"
APP_HOST = "5c53de3b-homeiq-engine"
APP_URL = f"http://{APP_HOST}:8025"
NEW_TOKEN = "new-app-token-0123456789abcdef"


def discovery(**config: Any) -> HassioServiceInfo:
    """A discovery message as Home Assistant's hassio component passes it on."""
    return HassioServiceInfo(
        config={
            "host": APP_HOST,
            "port": 8025,
            "api_token": TOKEN,
            "instance_id": INSTANCE_ID,
            # Home Assistant adds the app's name.
            "addon": APP_NAME,
            **config,
        },
        name=APP_NAME,
        slug=APP_SLUG,
        uuid="0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    )


async def discover(hass: HomeAssistant, info: HassioServiceInfo) -> Any:
    """Start the hassio flow as the Supervisor's discovery does."""
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_HASSIO}, data=info
    )


async def test_confirm_creates_a_working_entry(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    serve_engine(aioclient_mock, url=APP_URL)
    result = await discover(hass, discovery())
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "hassio_confirm"
    assert result["description_placeholders"] == {"addon": APP_NAME}
    assert result["errors"] == {}
    (progress,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert progress["context"]["title_placeholders"] == {"name": APP_NAME}
    description = STRINGS["config"]["step"]["hassio_confirm"]["description"]
    assert description.startswith("HomeIQ engine found: set it up?")

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "HomeIQ"
    assert result["data"] == {CONF_URL: APP_URL, CONF_API_TOKEN: TOKEN}
    entry = result["result"]
    assert entry.unique_id == INSTANCE_ID
    assert entry.source == SOURCE_HASSIO
    # Working: set up against the announced engine with the announced token.
    assert entry.state is ConfigEntryState.LOADED
    (_body, headers), *_ = sent(aioclient_mock, "GET", "/api/v1/stats")
    assert headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        ({"exc": aiohttp.ClientConnectionError()}, "cannot_connect"),
        ({"authorized": False}, "invalid_auth"),
        ({"version": "0.0.1"}, "unsupported_version"),
    ],
)
async def test_confirm_shows_why_the_engine_cannot_be_added_then_recovers(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    failure: dict[str, Any],
    error: str,
) -> None:
    result = await discover(hass, discovery())
    if "exc" in failure:
        aioclient_mock.get(f"{APP_URL}/health", exc=failure["exc"])
    else:
        serve_engine(aioclient_mock, url=APP_URL, **failure)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "hassio_confirm"
    assert result["errors"] == {"base": error}

    serve_engine(aioclient_mock, url=APP_URL)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_confirm_keys_the_entry_by_the_engines_own_instance_id(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    serve_engine(aioclient_mock, url=APP_URL, instance_id="f" * 32)
    result = await discover(hass, discovery())
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "f" * 32


async def test_confirm_aborts_when_the_engine_was_added_meanwhile(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    serve_engine(aioclient_mock, url=APP_URL)
    result = await discover(hass, discovery())
    MockConfigEntry(
        domain=DOMAIN, unique_id=INSTANCE_ID, data={CONF_URL: APP_URL, CONF_API_TOKEN: TOKEN}
    ).add_to_hass(hass)
    with patch("custom_components.homeiq.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.parametrize(
    "config",
    [
        {"api_token": None},
        {"api_token": ""},
        {"host": None},
        {"port": "8025"},
        {"port": 0},
        {"instance_id": None},
    ],
)
async def test_a_malformed_discovery_is_refused(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config: dict[str, Any]
) -> None:
    result = await discover(hass, discovery(**config))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery_info"
    assert "invalid_discovery_info" in STRINGS["config"]["abort"]
    assert aioclient_mock.call_count == 0


async def test_rediscovery_with_a_new_token_updates_the_entry_and_reloads_it(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    serve_engine(aioclient_mock, url=APP_URL)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="HomeIQ",
        source=SOURCE_HASSIO,
        unique_id=INSTANCE_ID,
        data={CONF_URL: APP_URL, CONF_API_TOKEN: TOKEN},
    )
    first = await setup_integration(hass, entry)
    aioclient_mock.mock_calls.clear()

    result = await discover(hass, discovery(api_token=NEW_TOKEN))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await hass.async_block_till_done()
    assert entry.data == {CONF_URL: APP_URL, CONF_API_TOKEN: NEW_TOKEN}
    # Reloaded: a new coordinator, talking to the engine with the new token.
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not first
    tokens = {
        headers["Authorization"]
        for _method, _url, _body, headers in aioclient_mock.mock_calls
        if headers and "Authorization" in headers
    }
    assert tokens == {f"Bearer {NEW_TOKEN}"}


async def test_rediscovery_at_a_new_address_moves_a_manual_entry(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    serve_engine(aioclient_mock, url=APP_URL)
    result = await discover(hass, discovery())
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await hass.async_block_till_done()
    assert config_entry.data == {CONF_URL: APP_URL, CONF_API_TOKEN: TOKEN}
    assert config_entry.state is ConfigEntryState.LOADED


async def test_rediscovery_with_the_same_values_does_not_reload(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    serve_engine(aioclient_mock, url=APP_URL)
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=INSTANCE_ID, data={CONF_URL: APP_URL, CONF_API_TOKEN: TOKEN}
    )
    await setup_integration(hass, entry)
    with patch.object(hass.config_entries, "async_schedule_reload") as reload:
        result = await discover(hass, discovery())
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    reload.assert_not_called()
    assert entry.data == {CONF_URL: APP_URL, CONF_API_TOKEN: TOKEN}


async def test_an_ignored_discovery_stays_ignored(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    result = await discover(hass, discovery())
    assert result["type"] is FlowResultType.FORM
    # The user ignores the discovered engine (Home Assistant's "Ignore" button).
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_IGNORE},
        data={"unique_id": INSTANCE_ID, "title": APP_NAME},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    (ignored,) = hass.config_entries.async_entries(DOMAIN, include_ignore=True)
    assert ignored.source == SOURCE_IGNORE
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []

    # The app restarts with a new token and announces itself again.
    result = await discover(hass, discovery(api_token=NEW_TOKEN))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    await hass.async_block_till_done()
    assert hass.config_entries.async_entries(DOMAIN, include_ignore=True) == [ignored]
    assert ignored.source == SOURCE_IGNORE
    assert dict(ignored.data) == {}
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert aioclient_mock.call_count == 0


async def test_a_second_announcement_while_one_is_offered_is_not_offered_twice(
    hass: HomeAssistant,
) -> None:
    first = await discover(hass, discovery())
    assert first["type"] is FlowResultType.FORM
    second = await discover(hass, discovery(port=8026))
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1
