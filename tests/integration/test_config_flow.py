"""The config flow: user, errors, already configured, reauth, reconfigure, options."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

import aiohttp
import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)

from custom_components.homeiq.const import (
    CONF_MIN_SCORE,
    CONF_NOTIFY_NEW_SUGGESTIONS,
    CONF_UPDATE_INTERVAL,
    DEFAULT_ENGINE_URL,
    DOMAIN,
)

from .conftest import INSTANCE_ID, TOKEN, sent, serve_engine, setup_integration

OTHER_URL = "http://engine.lan:8025"


@contextmanager
def no_deprecations(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail on a Python deprecation warning or Home Assistant's report of a deprecated use."""
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        yield
    reports = [
        record.getMessage()
        for record in caplog.records
        if "Detected that" in record.getMessage() or "deprecat" in record.getMessage().lower()
    ]
    assert reports == []


async def _user_form(hass: HomeAssistant) -> str:
    """Start a user flow and return its id."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result["flow_id"]


async def test_user_step_creates_an_entry_keyed_by_instance_id(
    hass: HomeAssistant, engine: AiohttpClientMocker
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["data_schema"] is not None
    default = next(key for key in result["data_schema"].schema if key == CONF_URL).default()
    assert default == DEFAULT_ENGINE_URL
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: f" {DEFAULT_ENGINE_URL}/ ", CONF_API_TOKEN: TOKEN}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "HomeIQ"
    assert result["data"] == {CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: TOKEN}
    assert result["result"].unique_id == INSTANCE_ID
    # The open health route gets no token; the authed route proves it.
    sent = {str(url): headers for _method, url, _data, headers in engine.mock_calls}
    assert "Authorization" not in sent[f"{DEFAULT_ENGINE_URL}/health"]
    assert sent[f"{DEFAULT_ENGINE_URL}/api/v1/stats"]["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("serve", "error"),
    [
        ({"authorized": False}, "invalid_auth"),
        ({"version": "0.0.1"}, "unsupported_version"),
        ({"exc": aiohttp.ClientConnectionError()}, "cannot_connect"),
        ({"exc": TimeoutError()}, "cannot_connect"),
        ({"health": {"status": "ok"}}, "unknown"),
    ],
)
async def test_user_step_errors_then_recovers(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, serve: dict[str, object], error: str
) -> None:
    flow_id = await _user_form(hass)
    if "exc" in serve:
        aioclient_mock.get(f"{DEFAULT_ENGINE_URL}/health", exc=serve["exc"])
    elif "health" in serve:
        aioclient_mock.get(f"{DEFAULT_ENGINE_URL}/health", json=serve["health"])
    else:
        serve_engine(aioclient_mock, **serve)  # type: ignore[arg-type]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    serve_engine(aioclient_mock)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: TOKEN}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_the_same_engine_twice_is_already_configured(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    flow_id = await _user_form(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_stores_the_new_token(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["url"] == DEFAULT_ENGINE_URL

    serve_engine(aioclient_mock, authorized=False)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "still-wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    serve_engine(aioclient_mock)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "new-token"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data == {CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: "new-token"}


async def test_reauth_against_another_engine_aborts(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reauth_flow(hass)
    serve_engine(aioclient_mock, instance_id="another-instance")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_instance"
    assert config_entry.data[CONF_API_TOKEN] == TOKEN


async def test_reconfigure_changes_url_and_token_of_the_same_engine(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    url_key = next(key for key in result["data_schema"].schema if key == CONF_URL)
    assert url_key.description == {"suggested_value": DEFAULT_ENGINE_URL}

    aioclient_mock.get(f"{OTHER_URL}/health", exc=aiohttp.ClientConnectionError())
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: OTHER_URL, CONF_API_TOKEN: "new-token"}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    # Only the new URL answers from here on, so the reload after saving must use it.
    serve_engine(aioclient_mock, url=OTHER_URL)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: f"{OTHER_URL}/", CONF_API_TOKEN: "new-token"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data == {CONF_URL: OTHER_URL, CONF_API_TOKEN: "new-token"}
    assert config_entry.state is ConfigEntryState.LOADED


async def test_reconfigure_to_another_engine_aborts(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    serve_engine(aioclient_mock, url=OTHER_URL, instance_id="another-instance")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: OTHER_URL, CONF_API_TOKEN: TOKEN}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_instance"
    assert config_entry.data[CONF_URL] == DEFAULT_ENGINE_URL


async def test_options_are_saved_and_reload_the_entry(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    setups = engine.call_count
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_UPDATE_INTERVAL: 120.0, CONF_NOTIFY_NEW_SUGGESTIONS: True, CONF_MIN_SCORE: 0.5},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options == {
        CONF_UPDATE_INTERVAL: 120,
        CONF_NOTIFY_NEW_SUGGESTIONS: True,
        CONF_MIN_SCORE: 0.5,
    }
    # The options flow reloaded the entry: it fetched from the engine again.
    assert engine.call_count == setups * 2


async def test_an_unexpected_exception_is_unknown_and_logged(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    flow_id = await _user_form(hass)
    with patch(
        "custom_components.homeiq.config_flow.HomeIQClient.validate",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: TOKEN}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    [record] = [r for r in caplog.records if r.name == "custom_components.homeiq.config_flow"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "boom"


async def test_reauth_of_a_loaded_entry_reloads_it_with_the_new_token(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    # What Home Assistant 2026.12 refuses beside async_update_reload_and_abort.
    assert config_entry.update_listeners == []
    with no_deprecations(caplog):
        result = await config_entry.start_reauth_flow(hass)
        serve_engine(aioclient_mock)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_API_TOKEN: "new-token"}
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data[CONF_API_TOKEN] == "new-token"
    assert config_entry.state is ConfigEntryState.LOADED
    # The reloaded entry reads with the new token.
    [(_body, headers)] = sent(aioclient_mock, "GET", "/api/v1/analysis/runs")
    assert headers["Authorization"] == "Bearer new-token"


async def test_reconfigure_of_a_loaded_entry_reloads_it_at_the_new_url(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    assert config_entry.update_listeners == []
    with no_deprecations(caplog):
        result = await config_entry.start_reconfigure_flow(hass)
        serve_engine(aioclient_mock, url=OTHER_URL)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_URL: OTHER_URL, CONF_API_TOKEN: "new-token"}
        )
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data == {CONF_URL: OTHER_URL, CONF_API_TOKEN: "new-token"}
    assert config_entry.state is ConfigEntryState.LOADED
    assert config_entry.runtime_data.client.url == OTHER_URL
    [(_body, headers)] = sent(aioclient_mock, "GET", "/api/v1/analysis/runs")
    assert headers["Authorization"] == "Bearer new-token"


async def test_unchanged_options_do_not_reload_the_entry(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await setup_integration(hass, config_entry)
    options = {CONF_UPDATE_INTERVAL: 60, CONF_NOTIFY_NEW_SUGGESTIONS: False, CONF_MIN_SCORE: 0.0}
    hass.config_entries.async_update_entry(config_entry, options=options)
    setups = engine.call_count
    with no_deprecations(caplog):
        result = await hass.config_entries.options.async_init(config_entry.entry_id)
        result = await hass.config_entries.options.async_configure(result["flow_id"], options)
        await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert engine.call_count == setups
