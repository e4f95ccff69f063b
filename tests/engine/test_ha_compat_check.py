"""scripts/check_ha_compat.py: the integration against a Home Assistant read as text.

The failing cases use a small synthetic `homeassistant` tree, so no test needs the network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from textwrap import dedent

import pytest

from tests.environments import REPO, homeassistant_python

SCRIPT = REPO / "scripts" / "check_ha_compat.py"
DEADLINE_S = 120

# A little Home Assistant: a module, a package that re-exports, and deprecations of each kind.
CORE = {
    "homeassistant/__init__.py": "",
    "homeassistant/core.py": """
        from __future__ import annotations

        class HomeAssistant:
            def async_run(self) -> None: ...
    """,
    "homeassistant/helpers/__init__.py": "",
    "homeassistant/helpers/registry.py": """
        from homeassistant.helpers.frame import report_usage
        from homeassistant.helpers.deprecation import DeprecatedConstant

        OLD_NAME = "old"
        _DEPRECATED_GONE_SOON = DeprecatedConstant(OLD_NAME, "NEW_NAME", "2027.1")

        class Registry:
            def async_get_or_create(self, breaks_in_ha_version=None) -> None:
                # Passing on a parameter of that name is no deprecation.
                other(breaks_in_ha_version=breaks_in_ha_version)

            def async_get_device(self) -> None:
                report_usage("calls async_get_device", breaks_in_ha_version="2027.8.0")

            def async_update(self, legacy: bool = False) -> None:
                if legacy:
                    report_usage("passes legacy", breaks_in_ha_version="2027.8.0")

        def async_get() -> Registry:
            return Registry()

        @deprecated_function("async_get", breaks_in_ha_version="2027.2.0")
        def async_get_registry() -> Registry:
            return Registry()

        def other(breaks_in_ha_version=None) -> None:
            try:
                pass
            except ValueError, TypeError:
                pass
    """,
    "homeassistant/components/__init__.py": "",
    "homeassistant/components/todo/__init__.py": "from .const import TodoItemStatus\n",
    "homeassistant/components/todo/const.py": "class TodoItemStatus: ...\n",
}
GOOD_INTEGRATION = """
    from homeassistant.components.todo import TodoItemStatus
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import registry as reg


    def setup(hass: HomeAssistant) -> None:
        registry = reg.async_get()
        registry.async_get_or_create()
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))


def _integration(tmp_path: Path, code: str) -> Path:
    """A custom integration of one module, `custom_components/demo/__init__.py`."""
    folder = tmp_path / "config" / "custom_components" / "demo"
    _write(folder, {"__init__.py": code})
    return folder


def _run(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        check=False,
        env=env,
    )


def _check(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "ha"
    _write(source, CORE)
    return _run("--source", str(source), "--integration", str(_integration(tmp_path, code)))


def _failures(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stdout.splitlines() if line.startswith("FAIL: ")]


def test_the_integration_passes_against_the_test_environments_home_assistant() -> None:
    located = subprocess.run(
        [
            str(homeassistant_python()),
            "-c",
            "import homeassistant, pathlib; print(pathlib.Path(homeassistant.__file__).parents[1])",
        ],
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        check=True,
    )
    done = _run("--source", located.stdout.strip())
    assert done.returncode == 0, done.stdout + done.stderr
    assert _failures(done) == []
    assert "the integration's imports resolve and it calls nothing deprecated" in done.stdout


def test_imports_that_resolve_and_calls_of_current_functions_pass(tmp_path: Path) -> None:
    done = _check(tmp_path, GOOD_INTEGRATION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _failures(done) == []


@pytest.mark.parametrize(
    ("line", "failure"),
    [
        (
            "from homeassistant.core import HomeAssistant, Gone",
            "homeassistant.core no longer defines or re-exports Gone",
        ),
        ("from homeassistant.missing import Anything", "module homeassistant.missing is gone"),
        ("import homeassistant.helpers.vanished", "module homeassistant.helpers.vanished is gone"),
        (
            "from homeassistant.components.todo import TodoListEntity",
            "homeassistant.components.todo no longer defines or re-exports TodoListEntity",
        ),
        (
            "from homeassistant.helpers.registry import GONE_SOON",
            "homeassistant.helpers.registry.GONE_SOON is only a deprecated alias",
        ),
    ],
    ids=["name", "module", "plain import", "re-export", "deprecated constant"],
)
def test_a_planted_bad_import_fails(tmp_path: Path, line: str, failure: str) -> None:
    done = _check(tmp_path, f"{line}\n{dedent(GOOD_INTEGRATION)}")
    assert done.returncode == 1
    assert _failures(done) == [f"FAIL: custom_components/demo/__init__.py:1: {failure}"]


@pytest.mark.parametrize(
    ("call", "deprecated"),
    [
        # Where the report is: the `report_usage` call, or the decorated function.
        ("registry.async_get_device()", "Registry.async_get_device (deprecated at {}:14)"),
        ("reg.async_get_registry()", "async_get_registry (deprecated at {}:24)"),
    ],
    ids=["method", "decorated function"],
)
def test_a_call_of_a_deprecated_function_fails(tmp_path: Path, call: str, deprecated: str) -> None:
    done = _check(tmp_path, f"{dedent(GOOD_INTEGRATION)}    {call}\n")
    assert done.returncode == 1
    where = deprecated.format("homeassistant/helpers/registry.py")
    assert _failures(done) == [
        f"FAIL: custom_components/demo/__init__.py:10: calls homeassistant.helpers.registry."
        f"{where}, which names a breaking version"
    ]


def test_a_deprecation_under_a_condition_is_a_note(tmp_path: Path) -> None:
    done = _check(tmp_path, f"{dedent(GOOD_INTEGRATION)}    registry.async_update()\n")
    assert done.returncode == 0, done.stdout
    [note] = [line for line in done.stdout.splitlines() if line.startswith("note: ")]
    assert "Registry.async_update" in note
    assert note.endswith("under a condition; check it does not apply")


def test_a_cached_wheel_is_read_without_the_registry(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    with zipfile.ZipFile(cache / "homeassistant-2099.1.0-py3-none-any.whl", "w") as wheel:
        for name, text in CORE.items():
            wheel.writestr(name, dedent(text))
    (cache / "latest.json").write_text(
        json.dumps({"version": "2099.1.0", "checked_at": time.time()})
    )
    # A pip that asked the registry would fail: no index, and an unreachable one.
    offline = {**os.environ, "PIP_NO_INDEX": "1", "PIP_INDEX_URL": "http://127.0.0.1:9/simple"}
    integration = _integration(tmp_path, GOOD_INTEGRATION)
    done = _run("--cache", str(cache), "--integration", str(integration), env=offline)
    assert done.returncode == 0, done.stdout + done.stderr
    # The version came from the lookup of less than a day ago, not from a failed one.
    assert "Registry unreachable" not in done.stdout
    assert done.stdout.splitlines()[-1].startswith("Home Assistant 2099.1.0: ")
