"""Settings from the environment: defaults, validation, secrets kept out of repr."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

import pytest

from engine.errors import SettingsError
from engine.settings import Settings


def test_defaults_match_the_readme() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port) == ("127.0.0.1", 8025)
    assert settings.data_dir == Path("data")
    assert settings.resolved_database_url == (
        f"sqlite+aiosqlite:///{Path('data').resolve() / 'homeiq.db'}"
    )
    assert settings.max_body_bytes == 20 * 1024 * 1024
    assert settings.demo is False
    assert settings.ha_url is None
    assert settings.llm_enabled is False
    assert settings.analysis_time == time(3, 0)
    assert settings.analysis_days == 30


def test_values_are_read() -> None:
    settings = Settings.from_env(
        {
            "HOMEIQ_HOST": "0.0.0.0",  # noqa: S104 - the container's bind address
            "HOMEIQ_PORT": "9000",
            "HOMEIQ_DATA_DIR": "/tmp/x",  # noqa: S108
            "HOMEIQ_DEMO": "1",
            "HOMEIQ_MAX_BODY_MB": "5",
            "HA_URL": "http://ha.local:8123/",
            "HA_TOKEN": "ha-token",
            "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1",
            "OPENAI_MODEL": "llama3",
            "INFLUXDB_URL": "http://127.0.0.1:8086",
            "DATABASE_URL": "postgresql+asyncpg://homeiq:pw@db/homeiq",
            "HOMEIQ_ANALYSIS_TIME": "04:30",
            "HOMEIQ_ANALYSIS_DAYS": "14",
            "HOMEIQ_QUERY_WORKERS": "3",
        }
    )
    assert settings.query_workers == 3
    assert Settings.from_env({}).query_workers == (os.cpu_count() or 1)
    assert settings.analysis_time == time(4, 30)
    assert settings.analysis_days == 14
    assert Settings.from_env({"HOMEIQ_ANALYSIS_TIME": "off"}).analysis_time is None
    assert settings.port == 9000
    assert settings.demo is True
    assert settings.max_body_bytes == 5 * 1024 * 1024
    assert settings.ha_url == "http://ha.local:8123"
    assert settings.llm_enabled is True
    assert settings.influxdb.enabled is True
    assert settings.resolved_database_url.startswith("postgresql+asyncpg://")
    assert "pw" not in settings.database_label


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HOMEIQ_PORT": "eighty"}, "HOMEIQ_PORT must be an integer"),
        ({"HOMEIQ_PORT": "70000"}, "between 0 and 65535"),
        ({"HOMEIQ_DEMO": "maybe"}, "HOMEIQ_DEMO must be a boolean"),
        ({"HA_URL": "ha.local:8123", "HA_TOKEN": "t"}, "HA_URL must start with http"),
        ({"HA_URL": "http://ha.local:8123"}, "HA_TOKEN is not"),
        ({"HOMEIQ_API_TOKEN": "short"}, "at least 16"),
        ({"HOMEIQ_LOG_LEVEL": "LOUD"}, "HOMEIQ_LOG_LEVEL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"HOMEIQ_MAX_BODY_MB": "0"}, "HOMEIQ_MAX_BODY_MB"),
        ({"HOMEIQ_ANALYSIS_TIME": "25:00"}, "HOMEIQ_ANALYSIS_TIME must be a time of day"),
        ({"HOMEIQ_ANALYSIS_DAYS": "0"}, "HOMEIQ_ANALYSIS_DAYS"),
        ({"HOMEIQ_QUERY_WORKERS": "0"}, "HOMEIQ_QUERY_WORKERS"),
    ],
)
def test_bad_values_are_refused_clearly(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_repr_and_secrets() -> None:
    settings = Settings.from_env(
        {
            "HOMEIQ_API_TOKEN": "api-token-0123456789",
            "HA_URL": "http://ha.local:8123",
            "HA_TOKEN": "ha-token-secret",
            "OPENAI_API_KEY": "sk-openai-secret",
            "INFLUXDB_URL": "http://127.0.0.1:8086",
            "INFLUXDB_TOKEN": "influx-secret",
            "DATABASE_URL": "postgresql+asyncpg://homeiq:db-password@db/homeiq",
        }
    )
    text = repr(settings)
    secrets = ("api-token-0123456789", "ha-token-secret", "sk-openai-secret", "influx-secret")
    for secret in (*secrets, "db-password"):
        assert secret not in text
        assert secret in settings.secrets
