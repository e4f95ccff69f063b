"""The interpreters of the two locked environments (DESIGN.md, "two locked environments").

The engine runs on its own lock (`.venv`, locks/engine.txt); Home Assistant on its test pins
(`.venv-ha`, locks/homeassistant-test.txt). A test in one environment starts the other's
processes with the interpreter named here: `HOMEIQ_ENGINE_PYTHON` / `HOMEIQ_HA_PYTHON`, else
the repository's venv, else the interpreter running (one environment with everything in it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _python(variable: str, venv: str) -> Path:
    if named := os.environ.get(variable):
        return Path(named)
    # Not resolved: a venv's python is a symlink, and `hass` lives beside the link.
    default = REPO / venv / "bin" / "python"
    return default if default.exists() else Path(sys.executable)


def engine_python() -> Path:
    """The engine environment's interpreter: runs `python -m engine` and engine-side code."""
    return _python("HOMEIQ_ENGINE_PYTHON", ".venv")


def homeassistant_python() -> Path:
    """The Home Assistant test environment's interpreter."""
    return _python("HOMEIQ_HA_PYTHON", ".venv-ha")


def hass_command() -> list[str]:
    """How to start Home Assistant: the `hass` beside its interpreter, else `-m homeassistant`."""
    python = homeassistant_python()
    hass = python.with_name("hass")
    return [str(hass)] if hass.exists() else [str(python), "-m", "homeassistant"]
