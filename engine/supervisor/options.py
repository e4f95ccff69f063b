"""The app's options (the Supervisor's options.json) as the environment variables they set."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from engine.errors import SettingsError

OPTIONS_FILE_NAME = "options.json"
DEFAULT_SUPERVISOR_URL = "http://supervisor"
# Each option of homeiq_engine/config.yaml and the setting (engine/settings.py) it stands for.
OPTION_VARIABLES: dict[str, str] = {
    "analysis_time": "HOMEIQ_ANALYSIS_TIME",
    "analysis_days": "HOMEIQ_ANALYSIS_DAYS",
    "log_level": "HOMEIQ_LOG_LEVEL",
    "openai_base_url": "OPENAI_BASE_URL",
    "openai_api_key": "OPENAI_API_KEY",
    "openai_model": "OPENAI_MODEL",
}


def options_environment(data_dir: Path) -> dict[str, str]:
    """Return the variables the options file in `data_dir` sets (none without the file)."""
    path = data_dir / OPTIONS_FILE_NAME
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise SettingsError(f"{path} cannot be read: {err.strerror}") from None
    try:
        options = json.loads(raw)
    except ValueError:
        raise SettingsError(f"{path} is not valid JSON") from None
    if not isinstance(options, dict):
        raise SettingsError(f"{path} must hold a JSON object")
    return {
        variable: _text(options[name])
        for name, variable in OPTION_VARIABLES.items()
        # An optional option the user left empty is absent or null: the default applies.
        if options.get(name) is not None
    }


def with_options(env: Mapping[str, str], data_dir: Path) -> dict[str, str]:
    """Return `env` over the options: a variable that is set (not empty) wins."""
    merged = options_environment(data_dir)
    merged.update({name: value for name, value in env.items() if value.strip()})
    return merged


def _text(value: object) -> str:
    """Return an option's value as its variable would spell it."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
