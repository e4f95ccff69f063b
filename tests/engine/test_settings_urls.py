"""URLs in settings: passwords in their user info never shown."""

from __future__ import annotations

import pytest

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
            "HA_URL": "http://homeiq:ha-pass%21@ha.local:8123",
            "HA_TOKEN": "ha-token",
            "INFLUXDB_URL": "http://reader:influx-pass@db:8086",
            "OPENAI_BASE_URL": "http://me:llm-pass@127.0.0.1:11434/v1",
        }
    )
    # As written and decoded: a log line may hold either.
    for secret in ("ha-pass%21", "ha-pass!", "influx-pass", "llm-pass"):
        assert secret in settings.secrets
    assert "ha-pass" not in repr(settings)
