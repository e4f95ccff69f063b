"""The repository as a Home Assistant app repository, checked against the Supervisor's schema.

Docker cannot run here, so these read what the Supervisor reads. The schema pieces are the
Supervisor's own (supervisor/addons/validate.py, options.py, store/validate.py), restated.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
import yaml

from engine import __version__
from engine.settings import Settings
from engine.supervisor.discovery import DISCOVERY_SERVICE
from engine.supervisor.options import OPTION_VARIABLES
from tests.engine.process import REPO

APP = REPO / "homeiq_engine"
ARCH_ALL = ("armhf", "armv7", "aarch64", "amd64", "i386")
RE_SLUG = r"^[-_.A-Za-z0-9]+$"
# An option's type (supervisor/addons/options.py), "?" making it optional.
RE_SCHEMA_ELEMENT = re.compile(
    r"^(?:"
    r"|bool"
    r"|email"
    r"|url"
    r"|port"
    r"|device(?:\((?P<filter>subsystem=[a-z]+)\))?"
    r"|str(?:\((?P<s_min>\d+)?,(?P<s_max>\d+)?\))?"
    r"|password(?:\((?P<p_min>\d+)?,(?P<p_max>\d+)?\))?"
    r"|int(?:\((?P<i_min>\d+)?,(?P<i_max>\d+)?\))?"
    r"|float(?:\((?P<f_min>[\d\.]+)?,(?P<f_max>[\d\.]+)?\))?"
    r"|match\((?P<match>.*)\)"
    r"|list\((?P<list>.+)\)"
    r")\??$"
)
RE_DOCKER_IMAGE_BUILD = r"^([a-zA-Z\-\.:\d{}]+/)*?([\-\w{}]+)/([\-\w{}]+)(:[\.\-\w{}]+)?$"
REPOSITORY_SCHEMA = vol.Schema(
    {vol.Required("name"): str, vol.Optional("url"): vol.Url(), vol.Optional("maintainer"): str}
)
CONFIG_SCHEMA = vol.Schema(
    {
        vol.Required("name"): str,
        vol.Required("version"): str,
        vol.Required("slug"): vol.Match(RE_SLUG),
        vol.Required("description"): str,
        vol.Required("arch"): [vol.In(ARCH_ALL)],
        vol.Optional("url"): vol.Url(),
        vol.Optional("startup"): vol.In(
            ("initialize", "system", "services", "application", "once")
        ),
        vol.Optional("boot"): vol.In(("auto", "manual", "manual_only")),
        vol.Optional("init"): bool,
        vol.Optional("homeassistant_api"): bool,
        vol.Optional("discovery"): [str],
        vol.Optional("watchdog"): vol.Match(
            r"^(?:https?|\[PROTO:\w+\]|tcp):\/\/\[HOST\]:(\[PORT:\d+\]|\d+).*$"
        ),
        vol.Optional("ports"): {vol.Match(r"^\d+(?:/(?:tcp|udp))?$"): vol.Maybe(int)},
        vol.Optional("backup"): vol.In(("hot", "cold")),
        vol.Optional("backup_exclude"): [str],
        vol.Optional("options"): dict,
        vol.Optional("schema"): {str: vol.Match(RE_SCHEMA_ELEMENT)},
    },
    # Anything else would be dropped by the Supervisor (REMOVE_EXTRA): here it is a typo.
    extra=vol.PREVENT_EXTRA,
)
TRANSLATIONS_SCHEMA = vol.Schema(
    {
        vol.Optional("configuration"): {
            str: {vol.Required("name"): str, vol.Optional("description"): str}
        },
        vol.Optional("network"): {str: str},
    },
    extra=vol.PREVENT_EXTRA,
)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return CONFIG_SCHEMA(_yaml(APP / "config.yaml"))  # type: ignore[no-any-return]


def _option_validator(kind: str) -> Any:
    """Return a validator of one option type, as the Supervisor checks a value."""
    match = RE_SCHEMA_ELEMENT.match(kind)
    assert match is not None, kind
    kind = kind.rstrip("?")
    if kind.startswith("int"):
        low, high = match.group("i_min"), match.group("i_max")
        return vol.All(vol.Coerce(int), vol.Range(min=int(low), max=int(high)))
    if kind.startswith("list"):
        return vol.In(match.group("list").split("|"))
    if kind.startswith("match"):
        return vol.Match(match.group("match"))
    if kind == "url":
        return vol.Url()
    assert kind in ("str", "password"), kind
    return str


def test_repository_yaml_is_an_app_repository() -> None:
    repository = REPOSITORY_SCHEMA(_yaml(REPO / "repository.yaml"))
    assert repository["name"] == "HomeIQ"
    # One app folder, named for what it is, holding the Supervisor's config.
    apps = [path.parent.name for path in REPO.glob("*/config.yaml")]
    assert apps == ["homeiq_engine"]


def test_config_yaml_matches_the_supervisor_schema(config: dict[str, Any]) -> None:
    assert config["slug"] == "homeiq_engine"
    assert config["arch"] == ["amd64", "aarch64"]
    assert config["init"] is False
    assert config["homeassistant_api"] is True
    assert config["discovery"] == [DISCOVERY_SERVICE] == ["homeiq"]
    assert config["backup_exclude"]
    assert all(isinstance(pattern, str) and pattern for pattern in config["backup_exclude"])
    # The engine's port inside the internal network; none on the host unless set.
    assert config["ports"] == {"8025/tcp": None}
    assert ":[PORT:8025]/health" in config["watchdog"]


def test_the_app_version_is_the_engine_version(config: dict[str, Any]) -> None:
    assert config["version"] == __version__
    assert isinstance(_yaml(APP / "config.yaml")["version"], str)
    assert f"## {__version__}" in (APP / "CHANGELOG.md").read_text()


def test_options_and_schema_are_what_the_engine_reads(config: dict[str, Any]) -> None:
    schema, options = config["schema"], config["options"]
    assert set(schema) == set(OPTION_VARIABLES)
    assert set(options) <= set(schema)
    for name, kind in schema.items():
        if kind.endswith("?"):
            # Optional options start unset, as the Supervisor's form shows them.
            assert name not in options, name
        else:
            _option_validator(kind)(options[name])
    assert schema["openai_api_key"] == "password?"


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("03:00", True), ("23:59", True), ("off", True), ("24:00", False), ("3:00", False)],
)
def test_the_analysis_time_pattern_matches_the_setting(
    config: dict[str, Any], value: str, accepted: bool, tmp_path: Path
) -> None:
    pattern = _option_validator(config["schema"]["analysis_time"])
    try:
        pattern(value)
    except vol.Invalid:
        supervisor_accepts = False
    else:
        supervisor_accepts = True
    assert supervisor_accepts is accepted
    if accepted:
        (tmp_path / "options.json").write_text(json.dumps({"analysis_time": value}))
        Settings.from_env({"SUPERVISOR_TOKEN": "t" * 16, "HOMEIQ_DATA_DIR": str(tmp_path)})


def test_the_default_options_are_the_engine_defaults(
    config: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "options.json").write_text(json.dumps(config["options"]))
    supervised = Settings.from_env({"SUPERVISOR_TOKEN": "t" * 16, "HOMEIQ_DATA_DIR": str(tmp_path)})
    plain = Settings()
    assert supervised.analysis_time == plain.analysis_time
    assert supervised.analysis_days == plain.analysis_days
    assert supervised.log_level == plain.log_level
    assert supervised.llm is None


def test_every_option_is_translated(config: dict[str, Any]) -> None:
    translations = TRANSLATIONS_SCHEMA(_yaml(APP / "translations" / "en.yaml"))
    assert set(translations["configuration"]) == set(config["schema"])
    assert set(translations["network"]) == set(config["ports"])


def test_the_dockerfile_installs_the_engine_from_its_lock(config: dict[str, Any]) -> None:
    dockerfile = (APP / "Dockerfile").read_text()
    assert "ARG BUILD_FROM\nFROM ${BUILD_FROM}\n" in dockerfile
    # The release of the app's version, with that release's lock of the engine.
    assert "/archive/refs/tags/v${BUILD_VERSION}.tar.gz" in dockerfile
    assert "pip install --constraint /usr/src/homeiq/locks/engine.txt /usr/src/homeiq" in dockerfile
    assert (REPO / "locks" / "engine.txt").is_file()
    assert 'CMD ["homeiq-engine"]' in dockerfile
    assert "HOMEIQ_DATA_DIR=/data" in dockerfile
    assert "HOMEIQ_HOST=0.0.0.0" in dockerfile
    assert "HOMEIQ_PORT=8025" in dockerfile
    build = _yaml(APP / "build.yaml")
    assert set(build["build_from"]) == set(config["arch"])
    for arch, image in build["build_from"].items():
        assert re.match(RE_DOCKER_IMAGE_BUILD, image), image
        assert image.startswith(f"ghcr.io/home-assistant/{arch}-base-python:3.13-"), image


def test_apparmor_profile_is_the_apps_and_confined(config: dict[str, Any]) -> None:
    profile = (APP / "apparmor.txt").read_text()
    assert f"profile {config['slug']} flags=(attach_disconnected,mediate_deleted)" in profile
    rules = [line.strip() for line in profile.splitlines() if line.strip() and "#" not in line]
    # Not the template's blanket "file," nor any capability: only the paths listed.
    assert "file," not in rules
    assert not any(rule.startswith("capability") for rule in rules)
    assert "/data/** rwk," in rules
    assert "deny /data/options.json w," in rules


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_icon_and_logo_are_the_sizes_the_store_shows() -> None:
    assert _png_size(APP / "icon.png") == (128, 128)
    width, height = _png_size(APP / "logo.png")
    assert height == 100
    assert width > height
    for name in ("DOCS.md", "CHANGELOG.md"):
        assert (APP / name).read_text().strip()
