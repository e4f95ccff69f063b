"""URLs in settings: passwords never shown; DATABASE_URL only for databases the engine opens."""

from __future__ import annotations

import importlib.util
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest

from engine.errors import SettingsError
from engine.settings import Settings, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:secret@host:8123", "http://user:***@host:8123"),
        ("https://user:se%40cret@host/ha?x=1", "https://user:***@host/ha?x=1"),
        ("http://u:p@ss@[::1]:8123", "http://u:***@[::1]:8123"),
        ("http://:secret@host", "http://:***@host"),
        ("http://user@host:8123", "http://user@host:8123"),
        ("http://host:8123", "http://host:8123"),
    ],
)
def test_a_password_in_a_url_is_hidden(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_url_passwords_are_secrets() -> None:
    settings = Settings.from_env(
        {
            "INFLUXDB_URL": "http://reader:influx-pass%21@db:8086",
            "OPENAI_BASE_URL": "http://me:llm-pass@127.0.0.1:11434/v1",
        }
    )
    # As written and decoded: a log line may hold either.
    for secret in ("influx-pass%21", "influx-pass!", "llm-pass"):
        assert secret in settings.secrets
    assert "influx-pass" not in repr(settings)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql+aiomysql://homeiq:db-password@db/homeiq", "must use sqlite\\+aiosqlite://"),
        ("postgresql://homeiq:db-password@db/homeiq", "not postgresql://"),
        ("sqlite:///homeiq.db", "not sqlite://"),
        ("postgresql+asyncpg://homeiq:db-password@db:port/homeiq", "not a valid"),
        ("homeiq:db-password@db", "not a valid"),
    ],
)
def test_a_database_the_engine_cannot_open_is_refused(url: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        Settings.from_env({"DATABASE_URL": url})
    assert "db-password" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_the_drivers_of_the_database_must_be_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Settings(data_dir=tmp_path).check_database_drivers()  # SQLite: aiosqlite is a dependency
    postgres = Settings.from_env({"DATABASE_URL": "postgresql+asyncpg://homeiq:pw@db/homeiq"})
    find_spec = importlib.util.find_spec

    def without_asyncpg(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == "asyncpg" else find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_asyncpg)
    with pytest.raises(SettingsError, match="DATABASE_URL postgresql\\+asyncpg needs") as caught:
        postgres.check_database_drivers()
    assert "asyncpg" in str(caught.value)
    assert "pw" not in str(caught.value)
