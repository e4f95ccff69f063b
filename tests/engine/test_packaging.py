"""Files a user runs without our code: README settings, Dockerfile, compose.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from engine.settings import Settings

from .process import REPO


class RecordingEnv(Mapping[str, str]):
    """An empty environment that remembers which variables were asked for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_readme_documents_every_setting() -> None:
    env = RecordingEnv()
    Settings.from_env(env)
    readme = (REPO / "README.md").read_text()
    assert len(env.asked) > 15
    undocumented = sorted(name for name in env.asked if f"`{name}`" not in readme)
    assert undocumented == []
    assert "./scripts/run" in readme
    assert "./scripts/test" in readme


def test_dockerfile() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.13-slim$", dockerfile, re.MULTILINE)
    assert "--constraint locks/engine.txt" in dockerfile
    user = re.search(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert user is not None
    assert user.group(1) not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/health", dockerfile, re.MULTILINE)
    assert 'VOLUME ["/data"]' in dockerfile
    assert "HOMEIQ_DATA_DIR=/data" in dockerfile
    assert "HOMEIQ_HOST=0.0.0.0" in dockerfile


def test_compose_file() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    engine = compose["services"]["engine"]
    for name in ("HA_URL", "HA_TOKEN", "HOMEIQ_API_TOKEN"):
        assert engine["environment"][name] == f"${{{name}:-}}"
    assert "homeiq-data:/data" in engine["volumes"]
    assert "homeiq-data" in compose["volumes"]
    assert compose["services"]["influxdb"]["profiles"] == ["influxdb"]
    assert "influxdb" not in engine.get("depends_on", {})


def test_python_version_and_ci() -> None:
    assert (REPO / ".python-version").read_text().strip() == "3.13"
    assert "./scripts/test" in (REPO / ".ci" / "run").read_text()
