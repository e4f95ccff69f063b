"""Diagnostics of an entry: what a bug report needs, never the token."""

from __future__ import annotations

import json

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.components.diagnostics import (  # type: ignore[import-untyped]
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)
from pytest_homeassistant_custom_component.typing import (  # type: ignore[import-untyped]
    ClientSessionGenerator,
)

from custom_components.homeiq.const import (
    CONF_MIN_SCORE,
    CONF_NOTIFY_NEW_SUGGESTIONS,
    DEFAULT_ENGINE_URL,
    DOMAIN,
)
from engine import __version__

from .conftest import INSTANCE_ID, TOKEN, analysis_run, serve_engine, setup_integration, suggestion


async def test_diagnostics_report_the_engine_without_the_token(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="HomeIQ",
        unique_id=INSTANCE_ID,
        data={CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: TOKEN},
        options={CONF_NOTIFY_NEW_SUGGESTIONS: True, CONF_MIN_SCORE: 0.25},
    )
    unchecked = suggestion(
        1,
        source="synergy",
        requires_confirmation=True,
        validation={"valid": False, "errors": ["x"], "warnings": [], "safety": {}},
    )
    runs = [
        analysis_run("run-3", status="failed", error="No events"),
        analysis_run("run-2"),
    ]
    serve_engine(
        aioclient_mock,
        suggestions=[suggestion(0), unchecked],
        pending_total=2,
        patterns_total=7,
        runs=runs,
    )
    await setup_integration(hass, entry)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert TOKEN not in json.dumps(diagnostics)
    assert diagnostics == {
        "entry": {
            "data": {CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: "**REDACTED**"},
            "options": {CONF_NOTIFY_NEW_SUGGESTIONS: True, CONF_MIN_SCORE: 0.25},
            "state": "loaded",
            "reason": None,
        },
        "coordinator": {
            "last_update_success": True,
            "push_stream_connected": False,
            "update_interval_s": 60.0,
        },
        "engine": {"version": __version__, "instance_id": INSTANCE_ID},
        "pending_total": 2,
        "patterns_total": 7,
        "last_analysis": runs[1],
        "last_finished_run": runs[0],
        "top_suggestions": [
            {
                "id": "sugg0000000000000000",
                "source": "pattern",
                "score": 0.9,
                "requires_confirmation": False,
                "valid": True,
            },
            {
                "id": "sugg0000000000000001",
                "source": "synergy",
                "score": 0.89,
                "requires_confirmation": True,
                "valid": False,
            },
        ],
    }


async def test_diagnostics_before_any_analysis(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    serve_engine(aioclient_mock, suggestions=[], patterns_total=0, runs=[])
    await setup_integration(hass, config_entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    assert TOKEN not in json.dumps(diagnostics)
    assert diagnostics["entry"]["options"] == {}
    assert diagnostics["pending_total"] == 0
    assert diagnostics["patterns_total"] == 0
    assert diagnostics["last_analysis"] is None
    assert diagnostics["last_finished_run"] is None
    assert diagnostics["top_suggestions"] == []


async def test_diagnostics_of_an_entry_that_is_not_set_up(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The old engine a bug report is about: the entry retries, its diagnostics still work."""
    serve_engine(aioclient_mock, version="0.0.1")
    config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)

    assert TOKEN not in json.dumps(diagnostics)
    assert diagnostics == {
        "entry": {
            "data": {CONF_URL: DEFAULT_ENGINE_URL, CONF_API_TOKEN: "**REDACTED**"},
            "options": {},
            "state": "setup_retry",
            "reason": (
                "HomeIQ engine version 0.0.1 is not supported; version 0.1.0 or newer is required"
            ),
        },
    }
