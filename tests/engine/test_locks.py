"""The two locked environments (DESIGN.md): the engine's lock is its own, never Home Assistant's."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.environments import REPO

ENGINE_LOCK = REPO / "locks" / "engine.txt"
HOMEASSISTANT_LOCK = REPO / "locks" / "homeassistant-test.txt"
PYPROJECT: dict[str, Any] = tomllib.loads((REPO / "pyproject.toml").read_text())


def pins(lock: Path) -> dict[str, Version]:
    """Each package of a lock with its version; every line is `name==version` or a comment."""
    found: dict[str, Version] = {}
    for line in lock.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, separator, version = line.partition("==")
        assert separator, line
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name), line
        assert canonicalize_name(name) not in found, f"{name} is pinned twice"
        found[canonicalize_name(name)] = Version(version)
    return found


def test_the_engine_lock_pins_its_own_intent_libraries_and_no_home_assistant() -> None:
    engine = pins(ENGINE_LOCK)
    assert ENGINE_LOCK.read_text().startswith("# ")
    for name in ("hassil", "home-assistant-intents", "unicode-rbnf"):
        assert name in engine
    assert "homeassistant" not in engine
    assert "pytest-homeassistant-custom-component" not in engine


def test_the_engine_lock_pins_every_requirement_within_its_floor() -> None:
    engine = pins(ENGINE_LOCK)
    project = PYPROJECT["project"]
    for line in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in engine, f"{line} is not pinned"
        assert requirement.specifier.contains(engine[name]), (line, engine[name])


def test_the_home_assistant_lock_pins_the_tested_home_assistant() -> None:
    homeassistant = pins(HOMEASSISTANT_LOCK)
    assert homeassistant["homeassistant"] == Version("2025.4.4")
    assert homeassistant["pytest-homeassistant-custom-component"] == Version("0.13.236")
    group = PYPROJECT["dependency-groups"]["homeassistant-test"]
    assert "pytest-homeassistant-custom-component==0.13.236" in group
    assert "homeiq" not in homeassistant


def test_both_runs_measure_coverage_with_the_same_versions() -> None:
    # scripts/test sums the integration's coverage over a run in each environment.
    engine, homeassistant = pins(ENGINE_LOCK), pins(HOMEASSISTANT_LOCK)
    for name in ("coverage", "pytest-cov"):
        assert engine[name] == homeassistant[name], name


def test_the_docker_image_installs_from_the_engine_lock() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"^COPY locks/engine\.txt ", dockerfile, re.MULTILINE)
    assert re.search(r"^RUN pip install --constraint locks/engine\.txt \.", dockerfile, re.M)
    instructions = [line for line in dockerfile.splitlines() if not line.startswith("#")]
    assert not [line for line in instructions if "homeassistant" in line]
    assert not (REPO / "constraints.txt").exists()
