"""The engine runs today's grammar: the newest hassil and home-assistant-intents on the registry."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

import pytest
from packaging.version import Version

from tests.engine.process import REPO

LOCK = REPO / "locks" / "engine.txt"
GRAMMAR = ("hassil", "home-assistant-intents")


def _locked() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", LOCK.read_text(encoding="utf-8"), re.M)
    return {name.casefold(): pinned for name, pinned in pins}


def _newest(package: str) -> Version:
    """Return the newest release the package index pip is configured with offers."""
    answer = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", package, "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(rf"^{re.escape(package)} \(([^)]+)\)", answer.stdout, re.M)
    # Without the registry this cannot be known: a failure, never a pass.
    assert found, f"the package index did not answer for {package}: {answer.stderr[-500:]}"
    return Version(found[1])


@pytest.mark.parametrize("package", GRAMMAR)
def test_the_engine_lock_pins_the_newest_grammar_and_runs_it(package: str) -> None:
    pinned = _locked()[package]
    assert Version(pinned) == _newest(package), f"{LOCK.name} pins {package}=={pinned}"
    assert version(package) == pinned, "the engine environment is not built from its lock"
