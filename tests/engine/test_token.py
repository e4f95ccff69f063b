"""The API token: from the environment, else generated once with mode 0600."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from engine.api.token import TOKEN_FILE_NAME, load_or_create_token
from engine.app import create_app
from engine.errors import SettingsError
from engine.settings import Settings


def test_configured_token_wins_and_writes_nothing(tmp_path: Path) -> None:
    token = load_or_create_token("configured-token-0123", tmp_path)
    assert (token.value, token.created) == ("configured-token-0123", False)
    assert not (tmp_path / TOKEN_FILE_NAME).exists()


def test_generated_once_with_mode_0600(tmp_path: Path) -> None:
    first = load_or_create_token(None, tmp_path)
    path = tmp_path / TOKEN_FILE_NAME
    assert first.created
    assert len(first.value) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = load_or_create_token(None, tmp_path)
    assert (second.value, second.created) == (first.value, False)
    assert first.value not in repr(first)
    assert not list(tmp_path.glob(".api_token.*")), "temporary file left behind"


def test_token_is_printed_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(data_dir=tmp_path)
    create_app(settings)
    token = (tmp_path / TOKEN_FILE_NAME).read_text().strip()
    assert token in capsys.readouterr().out
    create_app(settings)
    assert token not in capsys.readouterr().out


def test_damaged_token_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / TOKEN_FILE_NAME).write_text("")
    with pytest.raises(SettingsError, match="delete it"):
        load_or_create_token(None, tmp_path)
