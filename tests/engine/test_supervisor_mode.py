"""Supervisor mode: the app's options, the Core proxy's URLs, and the discovery message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from engine.errors import SettingsError
from engine.settings import Settings
from engine.supervisor.discovery import (
    DiscoveryConfig,
    SupervisorError,
    advertised_host,
    announce,
)
from engine.supervisor.options import OPTION_VARIABLES

SUPERVISOR_TOKEN = "supervisor-token-0123456789"
CONFIG = DiscoveryConfig(
    host="127.0.0.1", port=8025, api_token="api-token-0123456789abcdef", instance_id="abc"
)


def _supervised(data_dir: Path, options: Any = None, **env: str) -> Settings:
    """Settings of an app whose options file holds `options` (no file: None)."""
    if options is not None:
        (data_dir / "options.json").write_text(json.dumps(options))
    return Settings.from_env(
        {"SUPERVISOR_TOKEN": SUPERVISOR_TOKEN, "HOMEIQ_DATA_DIR": str(data_dir), **env}
    )


def test_home_assistant_is_reached_through_the_core_proxy(tmp_path: Path) -> None:
    settings = _supervised(tmp_path)
    assert settings.supervisor_url == "http://supervisor"
    assert settings.ha_url == "http://supervisor/core"
    assert settings.ha_websocket_url == "http://supervisor/core/websocket"
    assert settings.ha_token == SUPERVISOR_TOKEN
    assert SUPERVISOR_TOKEN in settings.secrets
    assert SUPERVISOR_TOKEN not in repr(settings)
    moved = _supervised(tmp_path, HOMEIQ_SUPERVISOR_URL="http://127.0.0.1:9/")
    assert moved.ha_url == "http://127.0.0.1:9/core"
    assert moved.ha_websocket_url == "http://127.0.0.1:9/core/websocket"


def test_without_a_supervisor_token_nothing_changes(tmp_path: Path) -> None:
    (tmp_path / "options.json").write_text(json.dumps({"analysis_days": 7}))
    settings = Settings.from_env({"HOMEIQ_DATA_DIR": str(tmp_path)})
    assert (settings.supervisor_url, settings.ha_url, settings.ha_websocket_url) == (None,) * 3
    assert settings.analysis_days == 30
    direct = Settings.from_env({"HA_URL": "http://ha:8123", "HA_TOKEN": "t"})
    assert direct.ha_websocket_url == "http://ha:8123/api/websocket"


def test_options_set_the_settings_they_stand_for(tmp_path: Path) -> None:
    settings = _supervised(
        tmp_path,
        {
            "analysis_time": "04:15",
            "analysis_days": 60,
            "log_level": "debug",
            "openai_base_url": "http://127.0.0.1:11434/v1",
            "openai_api_key": "sk-option-key",
            "openai_model": "llama3",
        },
    )
    assert settings.analysis_time is not None
    assert settings.analysis_time.isoformat(timespec="minutes") == "04:15"
    assert settings.analysis_days == 60
    assert settings.log_level == "DEBUG"
    assert settings.openai_base_url == "http://127.0.0.1:11434/v1"
    assert settings.openai_model == "llama3"
    assert settings.llm == "openai"
    assert "sk-option-key" in settings.secrets
    assert set(OPTION_VARIABLES) == {
        "analysis_time",
        "analysis_days",
        "log_level",
        "openai_base_url",
        "openai_api_key",
        "openai_model",
    }


def test_environment_wins_and_empty_options_keep_defaults(tmp_path: Path) -> None:
    settings = _supervised(
        tmp_path,
        {"analysis_days": 60, "analysis_time": "off", "openai_model": None},
        HOMEIQ_ANALYSIS_DAYS="14",
        # An empty variable is unset: the option applies.
        HOMEIQ_ANALYSIS_TIME="",
    )
    assert settings.analysis_days == 14
    assert settings.analysis_time is None
    assert settings.openai_model is None
    assert settings.llm is None


def test_direct_home_assistant_url_wins_over_the_proxy(tmp_path: Path) -> None:
    settings = _supervised(tmp_path, HA_URL="http://ha:8123", HA_TOKEN="long-lived")
    assert (settings.ha_url, settings.ha_token) == ("http://ha:8123", "long-lived")
    assert settings.ha_websocket_url == "http://ha:8123/api/websocket"
    assert settings.supervisor_url == "http://supervisor"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"analysis_days": 0}', "HOMEIQ_ANALYSIS_DAYS must be between 1 and 365"),
        ('{"log_level": "chatty"}', "HOMEIQ_LOG_LEVEL must be DEBUG"),
    ],
)
def test_a_bad_options_file_names_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "options.json").write_text(content)
    with pytest.raises(SettingsError, match=message):
        _supervised(tmp_path)


def test_the_advertised_host_is_the_bound_one_or_the_host_name() -> None:
    assert advertised_host("127.0.0.1") == "127.0.0.1"
    wildcard = advertised_host("0.0.0.0")  # noqa: S104 - what the app binds
    assert wildcard not in ("", "0.0.0.0")  # noqa: S104
    assert advertised_host("::") == wildcard


async def _supervisor(
    aiohttp_server: AiohttpServer, status: int, answer: Any
) -> tuple[str, list[tuple[str | None, Any]]]:
    """A Supervisor whose discovery route answers `answer`; returns its URL and requests."""
    received: list[tuple[str | None, Any]] = []

    async def discovery(request: web.Request) -> web.Response:
        received.append((request.headers.get("Authorization"), await request.json()))
        return web.json_response(answer, status=status)

    app = web.Application()
    app.router.add_post("/discovery", discovery)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/"), received


async def test_announce_posts_the_service_and_config(aiohttp_server: AiohttpServer) -> None:
    url, received = await _supervisor(aiohttp_server, 200, {"result": "ok", "data": {"uuid": "d1"}})
    async with aiohttp.ClientSession() as session:
        assert await announce(session, url, SUPERVISOR_TOKEN, CONFIG) == "d1"
    assert received == [
        (
            f"Bearer {SUPERVISOR_TOKEN}",
            {
                "service": "homeiq",
                "config": {
                    "host": "127.0.0.1",
                    "port": 8025,
                    "api_token": CONFIG.api_token,
                    "instance_id": "abc",
                },
            },
        )
    ]
    assert CONFIG.api_token not in repr(CONFIG)


@pytest.mark.parametrize(
    ("status", "answer", "message"),
    [
        (403, {"result": "error", "message": "Add-ons must list services"}, "403.*must list"),
        (200, {"result": "ok", "data": {}}, "no uuid"),
        (502, "Bad gateway", "502"),
    ],
)
async def test_announce_refused_raises_without_the_token(
    aiohttp_server: AiohttpServer, status: int, answer: Any, message: str
) -> None:
    url, _ = await _supervisor(aiohttp_server, status, answer)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(SupervisorError, match=message) as caught:
            await announce(session, url, SUPERVISOR_TOKEN, CONFIG)
    assert SUPERVISOR_TOKEN not in str(caught.value)
    assert CONFIG.api_token not in str(caught.value)


async def test_announce_to_nobody_is_a_supervisor_error() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(SupervisorError, match="Cannot reach the Supervisor"):
            await announce(session, "http://127.0.0.1:9", SUPERVISOR_TOKEN, CONFIG)
