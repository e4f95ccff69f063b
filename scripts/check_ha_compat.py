#!/usr/bin/env python3
"""Check the integration against the newest Home Assistant on the package registry.

Home Assistant's newest wheel needs a newer Python than the test environment has, so its
code is read as text (unzipped and parsed with `ast`), never imported. The check fails when
an import of `custom_components/homeiq` from `homeassistant.*` no longer resolves (the
module file is gone, or the name is neither defined nor re-exported there, or only kept as a
deprecated alias) or when a core function or method the integration calls reports a
deprecation with a `breaks_in_ha_version` every time it runs. A deprecation that only
reports under a condition (e.g. `async_update_reload_and_abort` with an update listener) is
printed as a note: whether it applies depends on how the integration uses it.

Wheels are cached per version under `.cache/ha-compat/` (git-ignored); the newest version
is looked up at most once a day, so repeated runs are offline and fast.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INTEGRATION = REPO / "custom_components" / "homeiq"
DEFAULT_CACHE = REPO / ".cache" / "ha-compat"
LATEST_TTL_S = 24 * 3600
# Newer than any real Python: the newest Home Assistant may need a newer one than this.
ANY_PYTHON = "3.99"
DEPRECATION_KEYWORD = "breaks_in_ha_version"
_WHEEL = re.compile(r"^homeassistant-(?P<version>[^-]+)-py3-none-any\.whl$")
# PEP 758 (Python 3.14): `except A, B:` without parentheses, which older parsers refuse.
_BARE_EXCEPT_TUPLE = re.compile(r"^(?P<head>\s*except\*?\s+)(?P<types>[^():]+,[^():]+?)\s*:")
_CONDITIONAL = (ast.If, ast.IfExp, ast.For, ast.AsyncFor, ast.While, ast.Match, ast.BoolOp)


class CheckError(Exception):
    """The check could not run (no wheel, no network and nothing cached)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, located in the integration."""

    where: str
    message: str


@dataclass(slots=True)
class Module:
    """One Home Assistant module read as text."""

    name: str
    is_package: bool
    tree: ast.Module
    # Module-level names: what a `from module import name` finds there.
    defined: set[str] = field(default_factory=set)
    # Names re-exported from another module: name -> (module, name there).
    reexports: dict[str, tuple[str, str]] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    # Functions (and `Class.method`) that report a deprecation: name -> (unconditional, line).
    deprecations: dict[str, tuple[bool, int]] = field(default_factory=dict)
    # Classes and their bases as written (dotted names resolved later).
    classes: dict[str, list[str]] = field(default_factory=dict)


class HomeAssistantSource:
    """Home Assistant's modules, read lazily from a wheel or a source folder."""

    def __init__(self, files: dict[str, str]) -> None:
        """Keep the sources by path (`homeassistant/helpers/foo.py`)."""
        self._files = files
        self._modules: dict[str, Module | None] = {}

    @classmethod
    def from_wheel(cls, wheel: Path) -> HomeAssistantSource:
        """Read the Python files of a `homeassistant` wheel."""
        with zipfile.ZipFile(wheel) as archive:
            files = {
                name: archive.read(name).decode("utf-8")
                for name in archive.namelist()
                if name.startswith("homeassistant/") and name.endswith(".py")
            }
        return cls(files)

    @classmethod
    def from_folder(cls, root: Path) -> HomeAssistantSource:
        """Read the Python files of a folder that holds a `homeassistant` package."""
        files = {
            path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
            for path in (root / "homeassistant").rglob("*.py")
        }
        return cls(files)

    def has_module(self, name: str) -> bool:
        """Return whether a module (or package) of this dotted name exists."""
        return self._path(name) is not None

    def module(self, name: str) -> Module | None:
        """Return the parsed module of this dotted name, or None when there is none."""
        if name not in self._modules:
            path = self._path(name)
            self._modules[name] = None if path is None else _read_module(name, path, self._files)
        return self._modules[name]

    def _path(self, name: str) -> str | None:
        base = name.replace(".", "/")
        for path in (f"{base}.py", f"{base}/__init__.py"):
            if path in self._files:
                return path
        return None

    def resolve(self, module_name: str, name: str, seen: frozenset[str] = frozenset()) -> bool:
        """Return whether `from module_name import name` works (without a deprecated alias)."""
        key = f"{module_name}:{name}"
        module = self.module(module_name)
        if module is None or key in seen:
            return False
        seen |= {key}
        if name in module.defined:
            return True
        if name in module.reexports:
            source_module, source_name = module.reexports[name]
            if self.has_module(f"{source_module}.{source_name}"):
                return True
            return self.resolve(source_module, source_name, seen)
        if module.is_package and self.has_module(f"{module_name}.{name}"):
            return True
        return any(self.resolve(star, name, seen) for star in module.star_imports)

    def is_deprecated_alias(self, module_name: str, name: str) -> bool:
        """Return whether the name only lives on as `_DEPRECATED_<name>` (a removal is due)."""
        module = self.module(module_name)
        return module is not None and f"_DEPRECATED_{name}" in module.defined

    def deprecation(self, module_name: str, name: str) -> tuple[str, bool, int] | None:
        """Return where a function, class or method reports a deprecation, if it does."""
        module = self.module(module_name)
        if module is None:
            return None
        if name in module.deprecations:
            unconditional, line = module.deprecations[name]
            return module_name, unconditional, line
        if name in module.reexports:
            source_module, source_name = module.reexports[name]
            return self.deprecation(source_module, source_name)
        return None

    def class_closure(self, module_name: str, class_name: str) -> Iterator[tuple[str, str]]:
        """Yield (module, class) for a class and, through the imports, all its bases."""
        todo, seen = [(module_name, class_name)], set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            found = self._class_home(*current)
            if found is None:
                continue
            home, module = found
            yield home, current[1]
            todo.extend(_qualify(module, base) for base in module.classes.get(current[1], []))

    def _class_home(self, module_name: str, class_name: str) -> tuple[str, Module] | None:
        """Follow re-exports to the module that defines the class."""
        for _ in range(10):
            module = self.module(module_name)
            if module is None:
                return None
            if class_name in module.classes:
                return module_name, module
            if class_name not in module.reexports:
                return None
            module_name, class_name = module.reexports[class_name]
        return None


def _qualify(module: Module, base: str) -> tuple[str, str]:
    """Return (module, class) of a base class as its module imports it."""
    head, _, rest = base.partition(".")
    if not rest:
        return module.reexports.get(head, (module.name, head))
    # `dr.DeviceEntry`: `dr` names a module imported into this one.
    imported_module, imported_name = module.reexports.get(head, (module.name, head))
    return f"{imported_module}.{imported_name}", rest


def _parse(source: str, path: str) -> ast.Module:
    """Parse a file of a newer Python: rewrite the newer syntax this parser refuses."""
    lines = source.splitlines(keepends=True)
    for _ in range(len(lines) + 1):
        try:
            return ast.parse("".join(lines), filename=path)
        except SyntaxError as err:
            index = (err.lineno or 0) - 1
            fixed = None
            if 0 <= index < len(lines):
                fixed = _BARE_EXCEPT_TUPLE.sub(r"\g<head>(\g<types>):", lines[index], count=1)
            if fixed is None or fixed == lines[index]:
                raise
            lines[index] = fixed
    raise SyntaxError(f"Cannot parse {path}")


def _read_module(name: str, path: str, files: dict[str, str]) -> Module:
    """Parse one module and index what it defines, re-exports and deprecates."""
    is_package = path.endswith("/__init__.py")
    module = Module(name=name, is_package=is_package, tree=_parse(files[path], path))
    package = name if is_package else name.rpartition(".")[0]
    for statement in _top_level(module.tree.body):
        _index_statement(module, statement, package)
    return module


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Yield the module-level statements, including those under `if` and `try`."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from _top_level(statement.body)
            yield from _top_level(statement.orelse)
        elif isinstance(statement, ast.Try):
            yield from _top_level(statement.body)
            for handler in statement.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(statement.orelse)
            yield from _top_level(statement.finalbody)


def _index_statement(module: Module, statement: ast.stmt, package: str) -> None:
    """Record what one module-level statement defines."""
    if isinstance(statement, (ast.ImportFrom, ast.Import)):
        _index_import(module, statement, package)
    elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        module.defined.add(statement.name)
        _index_deprecation(module, statement.name, statement)
    elif isinstance(statement, ast.ClassDef):
        module.defined.add(statement.name)
        module.classes[statement.name] = [ast.unparse(base) for base in statement.bases]
        if _reports(statement.decorator_list):
            module.deprecations[statement.name] = (True, statement.lineno)
        for item in statement.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                _index_deprecation(module, f"{statement.name}.{item.name}", item)
    else:
        module.defined.update(_assigned(statement))


def _index_import(module: Module, statement: ast.ImportFrom | ast.Import, package: str) -> None:
    """Record the names an import binds: re-exports, star imports, top-level packages."""
    if isinstance(statement, ast.ImportFrom):
        source = _absolute(statement, package)
        for alias in statement.names:
            if alias.name == "*":
                module.star_imports.append(source)
            else:
                module.reexports[alias.asname or alias.name] = (source, alias.name)
        return
    for alias in statement.names:
        if alias.asname:
            parent, _, last = alias.name.rpartition(".")
            module.reexports[alias.asname] = (parent, last)
        else:
            module.defined.add(alias.name.partition(".")[0])


def _assigned(statement: ast.stmt) -> Iterator[str]:
    """Yield the names a module-level assignment binds."""
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    elif isinstance(statement, ast.TypeAlias):
        targets = [statement.name]
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                yield node.id


def _absolute(statement: ast.ImportFrom, package: str) -> str:
    """Return the absolute module name of a (possibly relative) `from … import`."""
    if not statement.level:
        return statement.module or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - statement.level + 1])
    return f"{base}.{statement.module}" if statement.module else base


def _reports(nodes: list[ast.expr]) -> bool:
    """Return whether any of these expressions is a call that names a breaking version."""
    return any(_names_breaking_version(node) for node in nodes)


def _names_breaking_version(node: ast.AST) -> bool:
    """Return whether a call names a version; passing on a parameter of that name does not."""
    if not isinstance(node, ast.Call):
        return False
    for keyword in node.keywords:
        value = keyword.value
        if keyword.arg == DEPRECATION_KEYWORD and (
            isinstance(value, ast.JoinedStr)
            or (isinstance(value, ast.Constant) and isinstance(value.value, str))
        ):
            return True
    return False


def _index_deprecation(
    module: Module, name: str, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> None:
    """Record a function that reports a deprecation when called, and whether always."""
    if _reports(function.decorator_list):
        module.deprecations[name] = (True, function.lineno)
        return
    found = _find_report(function.body, conditional=False)
    if found is not None:
        module.deprecations[name] = found


def _find_report(body: list[ast.stmt], *, conditional: bool) -> tuple[bool, int] | None:
    """Return (unconditional, line) of the first deprecation report in a function body."""
    best: tuple[bool, int] | None = None
    for statement in body:
        found = _report_in(statement, conditional=conditional)
        if found is not None and (best is None or (found[0] and not best[0])):
            best = found
    return best


def _report_in(node: ast.AST, *, conditional: bool) -> tuple[bool, int] | None:
    """Search one node; nested functions and classes run later, so they do not count."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
        return None
    if _names_breaking_version(node):
        return (not conditional, getattr(node, "lineno", 0))
    inner = conditional or isinstance(node, _CONDITIONAL)
    best: tuple[bool, int] | None = None
    for child in ast.iter_child_nodes(node):
        # An except handler runs only on an error; the `try` body always runs.
        child_conditional = inner or isinstance(child, ast.ExceptHandler)
        found = _report_in(child, conditional=child_conditional)
        if found is not None and (best is None or (found[0] and not best[0])):
            best = found
    return best


@dataclass(frozen=True, slots=True)
class Imported:
    """One name the integration imports from Home Assistant."""

    module: str
    name: str | None
    alias: str
    where: str


def integration_imports(integration: Path) -> tuple[list[Imported], list[tuple[str, str, str]]]:
    """Return the integration's Home Assistant imports and its calls (alias, attribute, where)."""
    imports: list[Imported] = []
    calls: list[tuple[str, str, str]] = []
    for path in sorted(integration.rglob("*.py")):
        relative = path.relative_to(integration.parent.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            where = f"{relative}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                if node.module.partition(".")[0] == "homeassistant":
                    imports.extend(
                        Imported(node.module, a.name, a.asname or a.name, where) for a in node.names
                    )
            elif isinstance(node, ast.Import):
                imports.extend(
                    Imported(a.name, None, a.asname or a.name, where)
                    for a in node.names
                    if a.name.partition(".")[0] == "homeassistant"
                )
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name):
                    calls.append(("", func.id, where))
                elif isinstance(func, ast.Attribute):
                    owner = func.value.id if isinstance(func.value, ast.Name) else ""
                    calls.append((owner, func.attr, where))
    return imports, calls


type Names = dict[str, tuple[str, str | None]]


def check(source: HomeAssistantSource, integration: Path) -> tuple[list[Problem], list[Problem]]:
    """Return (failures, notes) of the integration against this Home Assistant."""
    imports, calls = integration_imports(integration)
    names, failures = _resolve_imports(source, imports)
    notes: list[Problem] = []
    methods = _deprecated_methods(source, names)
    seen: set[tuple[str, str]] = set()
    for owner, attribute, where in calls:
        for module_name, name in _call_targets(names, methods, owner, attribute):
            found = source.deprecation(module_name, name)
            if found is None or (where, name) in seen:
                continue
            seen.add((where, name))
            home, unconditional, line = found
            text = f"calls {home}.{name} (deprecated at {home.replace('.', '/')}.py:{line})"
            if unconditional:
                failures.append(Problem(where, f"{text}, which names a breaking version"))
            else:
                notes.append(Problem(where, f"{text} under a condition; check it does not apply"))
    return failures, notes


def _resolve_imports(
    source: HomeAssistantSource, imports: list[Imported]
) -> tuple[Names, list[Problem]]:
    """Return what each alias of the integration stands for, and the imports that fail.

    An alias maps to (module, name) in Home Assistant; name None when it is a module.
    """
    names: Names = {}
    failures: list[Problem] = []
    for imported in imports:
        if not source.has_module(imported.module):
            failures.append(Problem(imported.where, f"module {imported.module} is gone"))
        elif imported.name is None:
            names[imported.alias] = (imported.module, None)
        elif source.has_module(f"{imported.module}.{imported.name}"):
            names[imported.alias] = (f"{imported.module}.{imported.name}", None)
        elif source.is_deprecated_alias(imported.module, imported.name):
            where = f"{imported.module}.{imported.name}"
            failures.append(Problem(imported.where, f"{where} is only a deprecated alias"))
        elif not source.resolve(imported.module, imported.name):
            message = f"{imported.module} no longer defines or re-exports {imported.name}"
            failures.append(Problem(imported.where, message))
        else:
            names[imported.alias] = (imported.module, imported.name)
    return names, failures


def _deprecated_methods(
    source: HomeAssistantSource, names: Names
) -> dict[str, list[tuple[str, str]]]:
    """Return the deprecated methods of the classes the integration touches, by method name.

    Methods are matched by name on every class of the modules the integration imports and,
    through their bases, on the classes it subclasses or uses.
    """
    methods: dict[str, list[tuple[str, str]]] = {}
    for module_name, name in sorted(set(names.values()), key=str):
        module = source.module(module_name)
        if module is None:
            continue
        classes = [name] if name is not None else list(module.classes)
        for class_name in classes:
            for home, cls in source.class_closure(module_name, class_name):
                home_module = source.module(home)
                for qualified in home_module.deprecations if home_module else {}:
                    owner, _, method = qualified.partition(".")
                    if owner == cls and method:
                        methods.setdefault(method, []).append((home, qualified))
    return methods


def _call_targets(
    names: Names, methods: dict[str, list[tuple[str, str]]], owner: str, attribute: str
) -> list[tuple[str, str]]:
    """Return the (module, function) pairs a call of the integration may reach."""
    targets: list[tuple[str, str]] = []
    if not owner and attribute in names and names[attribute][1] is not None:
        module_name, name = names[attribute]
        targets.append((module_name, str(name)))
    elif owner in names and names[owner][1] is None:
        targets.append((names[owner][0], attribute))
    targets.extend(methods.get(attribute, []))
    return targets


def _pip(*arguments: str) -> str:
    """Run the registry's own client and return its output."""
    # Fixed arguments to this Python's pip: nothing from outside reaches the command.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pip", *arguments],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise CheckError(f"pip {' '.join(arguments)} failed:\n{done.stderr.strip()}")
    return done.stdout


def newest_version(cache: Path) -> str:
    """Return the newest `homeassistant` version: looked up once a day, else the cached one."""
    marker = cache / "latest.json"
    if marker.exists():
        known = json.loads(marker.read_text())
        if time.time() - known["checked_at"] < LATEST_TTL_S:
            return str(known["version"])
    try:
        output = _pip(
            "index",
            "versions",
            "homeassistant",
            "--python-version",
            ANY_PYTHON,
            "--only-binary=:all:",
        )
    except CheckError:
        cached = _cached_versions(cache)
        if not cached:
            raise
        print(f"Registry unreachable; using the newest cached wheel {cached[-1]}")
        return cached[-1]
    match = re.search(r"^homeassistant \(([^)]+)\)", output, re.MULTILINE)
    if match is None:
        raise CheckError(f"pip index versions said nothing usable:\n{output}")
    cache.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"version": match.group(1), "checked_at": time.time()}))
    return match.group(1)


def _cached_versions(cache: Path) -> list[str]:
    """Return the versions of the cached wheels, oldest first."""
    found = [m.group("version") for p in cache.glob("*.whl") if (m := _WHEEL.match(p.name))]
    return sorted(found, key=lambda v: [int(x) if x.isdigit() else -1 for x in v.split(".")])


def wheel_for(version: str, cache: Path) -> Path:
    """Return the cached wheel of this version, downloading it once."""
    wheel = cache / f"homeassistant-{version}-py3-none-any.whl"
    if wheel.exists():
        return wheel
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as download:
        _pip(
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            ANY_PYTHON,
            "--dest",
            download,
            f"homeassistant=={version}",
        )
        [downloaded] = Path(download).glob("homeassistant-*.whl")
        downloaded.replace(wheel)
    return wheel


def main(argv: list[str] | None = None) -> int:
    """Run the check; exit 1 on a failure, 2 when it cannot run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--integration", type=Path, default=DEFAULT_INTEGRATION)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--version", help="a Home Assistant version (default: the newest)")
    parser.add_argument(
        "--source", type=Path, help="a folder holding a homeassistant package (no download)"
    )
    arguments = parser.parse_args(argv)
    try:
        if arguments.source is not None:
            source = HomeAssistantSource.from_folder(arguments.source)
            label = str(arguments.source)
        else:
            version = arguments.version or newest_version(arguments.cache)
            source = HomeAssistantSource.from_wheel(wheel_for(version, arguments.cache))
            label = f"Home Assistant {version}"
        failures, notes = check(source, arguments.integration)
    except CheckError as err:
        print(f"check_ha_compat: {err}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"note: {note.where}: {note.message}")
    for failure in failures:
        print(f"FAIL: {failure.where}: {failure.message}")
    if failures:
        print(f"{label}: {len(failures)} incompatibilities")
        return 1
    print(f"{label}: the integration's imports resolve and it calls nothing deprecated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
