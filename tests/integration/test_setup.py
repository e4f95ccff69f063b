"""Setting up and unloading a config entry against the engine."""

from __future__ import annotations

import aiohttp
import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)

from custom_components.homeiq.api import HomeIQClient
from custom_components.homeiq.const import DEFAULT_ENGINE_URL, DOMAIN

from .conftest import TOKEN, serve_engine


async def test_setup_keeps_the_client_and_unload_releases_it(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    client = config_entry.runtime_data.client
    assert isinstance(client, HomeIQClient)
    assert client.url == DEFAULT_ENGINE_URL
    assert TOKEN not in repr(client)

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    unloaded = hass.config_entries.async_get_entry(config_entry.entry_id)
    assert unloaded is not None
    assert unloaded.state is ConfigEntryState.NOT_LOADED


async def test_a_refused_token_starts_reauth(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock, authorized=False)
    config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == config_entry.entry_id


@pytest.mark.parametrize(
    "serve",
    [{"version": "0.0.1"}, {"exc": aiohttp.ClientConnectionError()}, {"exc": TimeoutError()}],
)
async def test_an_unreachable_or_old_engine_is_retried(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    serve: dict[str, object],
) -> None:
    if "exc" in serve:
        aioclient_mock.get(f"{DEFAULT_ENGINE_URL}/health", exc=serve["exc"])
    else:
        serve_engine(aioclient_mock, **serve)  # type: ignore[arg-type]
    config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_another_engine_at_the_url_is_an_error(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock, instance_id="another-instance")
    config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    assert config_entry.reason is not None
    assert "different HomeIQ engine" in config_entry.reason
