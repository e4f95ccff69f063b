"""The engine runs today's grammar (the registry's newest hassil and intents), and its own data."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

from engine.query import language_files
from engine.query.language_files import FOLDERS, language_file
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


def test_every_language_file_names_its_language_and_a_wrong_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HomeIQ's own data per language loads, each file for the language it is named for.
    for folder in FOLDERS:
        for path in sorted((REPO / "engine" / "query" / folder).glob("*.yaml")):
            assert language_file(folder, path.stem) is not None, path
    # A file that names another language is a mistake said with its name, never read.
    (tmp_path / "grammar").mkdir()
    (tmp_path / "grammar" / "xx.yaml").write_text("language: en\nintents: {}\n")
    monkeypatch.setattr(language_files, "__file__", str(tmp_path / "language_files.py"))
    with pytest.raises(ValueError, match=r"grammar/xx.yaml: not a file for language 'xx'"):
        language_file("grammar", "xx")
    assert language_file("grammar", "yy") is None
