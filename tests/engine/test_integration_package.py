"""Static checks of the Home Assistant integration's package (no Home Assistant needed)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.version import Version

from tests.engine.process import REPO

INTEGRATION = REPO / "custom_components" / "homeiq"
PLATFORMS = ("binary_sensor", "button", "sensor", "todo")
TESTED_HOME_ASSISTANT = Version("2025.4.4")
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
    "virtual",
}
# The exceptions Home Assistant translates; their translation keys live under "exceptions".
EXCEPTIONS = {
    "ConfigEntryAuthFailed",
    "ConfigEntryError",
    "ConfigEntryNotReady",
    "HomeAssistantError",
    "ServiceValidationError",
    "UpdateFailed",
}
# Home Assistant 2025.4's integration quality scale (script/hassfest/quality_scale.py).
QUALITY_SCALE_RULES = {
    # Bronze
    "action-setup",
    "appropriate-polling",
    "brands",
    "common-modules",
    "config-flow",
    "config-flow-test-coverage",
    "dependency-transparency",
    "docs-actions",
    "docs-high-level-description",
    "docs-installation-instructions",
    "docs-removal-instructions",
    "entity-event-setup",
    "entity-unique-id",
    "has-entity-name",
    "runtime-data",
    "test-before-configure",
    "test-before-setup",
    "unique-config-entry",
    # Silver
    "action-exceptions",
    "config-entry-unloading",
    "docs-configuration-parameters",
    "docs-installation-parameters",
    "entity-unavailable",
    "integration-owner",
    "log-when-unavailable",
    "parallel-updates",
    "reauthentication-flow",
    "test-coverage",
    # Gold
    "devices",
    "diagnostics",
    "discovery",
    "discovery-update-info",
    "docs-data-update",
    "docs-examples",
    "docs-known-limitations",
    "docs-supported-devices",
    "docs-supported-functions",
    "docs-troubleshooting",
    "docs-use-cases",
    "dynamic-devices",
    "entity-category",
    "entity-device-class",
    "entity-disabled-by-default",
    "entity-translations",
    "exception-translations",
    "icon-translations",
    "reconfiguration-flow",
    "repair-issues",
    "stale-devices",
    # Platinum
    "async-dependency",
    "inject-websession",
    "strict-typing",
}


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _yaml(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def strings() -> dict[str, Any]:
    return _json(INTEGRATION / "strings.json")


@pytest.fixture(scope="module")
def icons() -> dict[str, Any]:
    return _json(INTEGRATION / "icons.json")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return _yaml(INTEGRATION / "services.yaml")


def _callee(call: ast.Call) -> str:
    """The called name: `ir.async_create_issue(...)` gives "async_create_issue"."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _string(node: ast.AST | None) -> str | None:
    """The value of a string literal, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _enclosing_functions(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    """Map every node to the innermost function (or the module) that contains it."""
    owner: dict[ast.AST, ast.AST] = {}

    def visit(node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            owner[child] = scope
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else scope
            visit(child, inner)

    visit(tree, tree)
    return owner


def _module_dict_values(tree: ast.Module, name: str) -> set[str]:
    """String values of a module-level dict literal assigned to `name`."""
    for node in tree.body:
        targets = (
            [node.target]
            if isinstance(node, ast.AnnAssign)
            else node.targets
            if isinstance(node, ast.Assign)
            else []
        )
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) and isinstance(
            value, ast.Dict
        ):
            return {text for v in value.values if (text := _string(v)) is not None}
    return set()


def _bound_strings(tree: ast.Module, scope: ast.AST, name: str) -> set[str]:
    """Every string the variable `name` is bound to inside `scope` (assignments and loops)."""
    found: set[str] = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs: list[tuple[ast.expr, ast.expr]]
                if isinstance(target, ast.Name) and target.id == name:
                    pairs = [(target, node.value)]
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    pairs = list(zip(target.elts, node.value.elts, strict=False))
                else:
                    continue
                found |= {
                    text
                    for element, value in pairs
                    if isinstance(element, ast.Name) and element.id == name
                    if (text := _string(value)) is not None
                }
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Tuple):
            names = [e.id for e in node.target.elts if isinstance(e, ast.Name)]
            iterated = node.iter
            if (
                name in names
                and isinstance(iterated, ast.Call)
                and isinstance(iterated.func, ast.Attribute)
                and iterated.func.attr == "items"
                and isinstance(iterated.func.value, ast.Name)
                and names.index(name) == 1
            ):
                found |= _module_dict_values(tree, iterated.func.value.id)
    return found


def _translation_keys(path: Path, callees: set[str] | None, suffix: str = "") -> set[str]:
    """Translation keys passed to calls of `callees` (or of any name ending with `suffix`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owner = _enclosing_functions(tree)
    keys: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node)
        if not (
            (callees is not None and callee in callees) or (suffix and callee.endswith(suffix))
        ):
            continue
        value = _keyword(node, "translation_key")
        if value is None:
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            keys.add(value.value)
        elif isinstance(value, ast.Name):
            bound = _bound_strings(tree, owner[node], value.id)
            assert bound, f"{path.name}:{node.lineno}: cannot tell which keys {value.id} holds"
            keys |= bound
        else:
            pytest.fail(f"{path.name}:{node.lineno}: translation_key is not a name or string")
    return keys


def _modules() -> list[Path]:
    return sorted(INTEGRATION.glob("*.py"))


# -- manifest and HACS -------------------------------------------------------------------------


def test_manifest_has_what_home_assistant_and_hacs_need() -> None:
    manifest = _json(INTEGRATION / "manifest.json")
    assert manifest["domain"] == "homeiq" == INTEGRATION.name
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] in IOT_CLASSES
    assert manifest["integration_type"] in INTEGRATION_TYPES
    # Custom integrations must carry a version Home Assistant can parse.
    Version(manifest["version"])
    assert manifest["name"]
    assert manifest["codeowners"]
    assert manifest["documentation"].startswith("https://")
    assert isinstance(manifest["requirements"], list)


def test_hacs_json_fits_the_tested_home_assistant() -> None:
    hacs = _json(REPO / "hacs.json")
    assert hacs["name"]
    assert Version(hacs["homeassistant"]) <= TESTED_HOME_ASSISTANT
    assert set(hacs) <= {
        "name",
        "homeassistant",
        "render_readme",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "hacs",
        "persistent_directory",
    }


def test_hacs_layout_has_exactly_one_integration() -> None:
    integrations = [
        path.name
        for path in (REPO / "custom_components").iterdir()
        if path.is_dir() and (path / "manifest.json").exists()
    ]
    assert integrations == ["homeiq"]


# -- translations and icons --------------------------------------------------------------------


def test_english_translation_is_strings_json(strings: dict[str, Any]) -> None:
    assert _json(INTEGRATION / "translations" / "en.json") == strings


def test_every_action_is_translated_with_its_fields(
    services: dict[str, Any], strings: dict[str, Any]
) -> None:
    translated = strings["services"]
    assert set(translated) == set(services)
    for name, service in services.items():
        text = translated[name]
        assert text.get("name"), name
        assert text.get("description"), name
        fields = set((service or {}).get("fields") or {})
        assert set(text.get("fields") or {}) == fields, name
        for field in fields:
            assert text["fields"][field].get("name"), f"{name}.{field}"
            assert text["fields"][field].get("description"), f"{name}.{field}"


def test_every_selector_translation_key_is_translated(
    services: dict[str, Any], strings: dict[str, Any]
) -> None:
    for name, service in services.items():
        for field, spec in ((service or {}).get("fields") or {}).items():
            for selector in (spec.get("selector") or {}).values():
                key = (selector or {}).get("translation_key")
                if key is None:
                    continue
                options = strings["selector"][key]["options"]
                assert set(selector["options"]) == set(options), f"{name}.{field}"


def test_every_action_has_an_icon(services: dict[str, Any], icons: dict[str, Any]) -> None:
    assert set(icons["services"]) == set(services)
    for name in services:
        assert icons["services"][name]["service"].startswith("mdi:"), name


def test_every_entity_translation_key_has_a_name_and_an_icon(
    strings: dict[str, Any], icons: dict[str, Any]
) -> None:
    seen = 0
    for platform in PLATFORMS:
        keys = _translation_keys(INTEGRATION / f"{platform}.py", None, "EntityDescription")
        tree = ast.parse((INTEGRATION / f"{platform}.py").read_text(encoding="utf-8"))
        keys |= {
            text
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Name) and t.id == "_attr_translation_key" for t in node.targets
            )
            if (text := _string(node.value)) is not None
        }
        assert keys, f"{platform}.py names no entity translation key"
        for key in keys:
            assert strings["entity"][platform][key]["name"], f"{platform}.{key}"
            assert icons["entity"][platform][key]["default"].startswith("mdi:"), f"{platform}.{key}"
        seen += len(keys)
    assert seen >= len(PLATFORMS)


def test_every_raised_translation_key_is_translated(strings: dict[str, Any]) -> None:
    raised: set[str] = set()
    for module in _modules():
        raised |= _translation_keys(module, EXCEPTIONS)
    assert raised, "no translated exceptions found: did the parsing break?"
    missing = raised - set(strings["exceptions"])
    assert not missing
    for key in raised:
        assert strings["exceptions"][key]["message"], key


def test_every_issue_translation_key_is_translated(strings: dict[str, Any]) -> None:
    issues: set[str] = set()
    for module in _modules():
        issues |= _translation_keys(module, {"async_create_issue", "create_issue"})
    assert issues
    for key in issues:
        assert strings["issues"][key]["title"], key
        assert strings["issues"][key]["description"], key


def test_config_flow_steps_errors_and_aborts_are_translated(strings: dict[str, Any]) -> None:
    source = (INTEGRATION / "config_flow.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    steps = {
        node.name.removeprefix("async_step_")
        for node in ast.walk(tree)
        if isinstance(node, ast.AsyncFunctionDef) and node.name.startswith("async_step_")
    }
    shown = {
        value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _callee(node) == "async_show_form"
        if isinstance(value := _keyword(node, "step_id"), ast.Constant)
    }
    assert shown <= steps
    config_steps = shown - {"init"}
    assert config_steps <= set(strings["config"]["step"])
    if "init" in shown:
        assert "init" in strings["options"]["step"]
    errors = {
        value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and key.value == "base" and isinstance(value, ast.Constant)
    }
    assert errors <= set(strings["config"]["error"])
    aborts = {
        value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _callee(node) == "_abort_if_unique_id_mismatch"
        if isinstance(value := _keyword(node, "reason"), ast.Constant)
    } | {"already_configured", "reauth_successful", "reconfigure_successful"}
    assert aborts <= set(strings["config"]["abort"])


# -- quality scale -----------------------------------------------------------------------------


def test_quality_scale_lists_every_rule_with_a_status() -> None:
    rules = _yaml(INTEGRATION / "quality_scale.yaml")["rules"]
    assert set(rules) == QUALITY_SCALE_RULES
    for name, rule in rules.items():
        if isinstance(rule, str):
            assert rule == "done", f"{name}: {rule!r} needs a comment (or is not a status)"
            continue
        assert set(rule) <= {"status", "comment"}, name
        assert rule["status"] in {"done", "exempt", "todo"}, name
        if rule["status"] != "done":
            assert str(rule.get("comment") or "").strip(), (
                f"{name}: {rule['status']} needs a comment"
            )
