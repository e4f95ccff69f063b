"""The engine's imports, read from its source: no cycle between folders, no core locator.

Units: each folder of `engine/` is one unit, except the core's own folders (`store`, `api`),
which belong with the top-level modules (`engine/*.py`) to the unit `core` (DESIGN.md: the
core owns settings, the app factory, auth, the error envelope, the store). Every import
counts, also one inside a function or under TYPE_CHECKING: an import moved out of sight to
dodge a cycle is still a dependency.

`engine/app.py` is the composition root and may import every module: it builds each
module's service and passes the ones another needs in at construction. Nothing but the CLI
imports it (checked below), so its imports can never close a cycle and are left out of it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .process import REPO

ENGINE = REPO / "engine"
CORE = "core"
CORE_FOLDERS = frozenset({"store", "api"})
COMPOSITION_ROOT = "engine.app"
# Who may import the composition root, and who the command line.
ENTRY_POINTS = {"engine.app": {"engine.cli"}, "engine.cli": {"engine.__main__"}}

# Known edges this test shrinks toward: (importing module, imported unit) -> why it is still
# here. Remove an entry when its edge goes (the last test fails until it is removed).
KNOWN_EDGES: dict[tuple[str, str], str] = {
    # Supervisor mode reads the app's options.json while the settings are read.
    ("engine.settings", "supervisor"): "settings read the Supervisor's options",
    # Analysis and training runs are one machine written twice; patterns borrows training's.
    ("engine.patterns.lifecycle", "training"): "the ranker's registry lives in training",
    ("engine.patterns.ranker_model", "training"): "the model protocol lives in training",
    ("engine.patterns.ranker_training", "training"): "the model protocol lives in training",
    ("engine.patterns.service", "training"): "analysis runs reuse the training runner",
    # The settings model checks a language against the parser's languages.
    ("engine.preferences.model", "query"): "languages are listed by the query module",
    # Exclusions read entity ids out of automation configs with the validator's walk.
    ("engine.preferences.exclusion", "automation"): "the config walk lives in automation",
}


@dataclass(frozen=True)
class Edge:
    """One import of another unit by a module."""

    module: str
    imported: str
    line: int

    @property
    def source_unit(self) -> str:
        """Return the importing module's unit."""
        return unit_of(self.module)

    @property
    def target_unit(self) -> str:
        """Return the imported module's unit."""
        return unit_of(self.imported)


def unit_of(module: str) -> str:
    """Return the unit of a dotted engine module name."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (ENGINE / parts[1]).is_dir()):
        return CORE if parts[1] in CORE_FOLDERS else parts[1]
    return CORE


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """Return the engine modules an import-from names (submodules, else the package)."""
    if node.level:
        base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
        package = ".".join([*base, *([node.module] if node.module else [])])
    else:
        package = node.module or ""
    names = []
    for alias in node.names:
        candidate = f"{package}.{alias.name}"
        path = REPO.joinpath(*candidate.split("."))
        names.append(candidate if path.is_dir() or path.with_suffix(".py").is_file() else package)
    return names


def engine_imports() -> Iterator[Edge]:
    """Yield every import of an engine module by an engine module."""
    for path in sorted(ENGINE.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                imported = _resolve(module, path.name == "__init__.py", node)
            else:
                continue
            for name in imported:
                if name == "engine" or name.startswith("engine."):
                    yield Edge(module, name, node.lineno)


@cache
def _all_edges() -> tuple[Edge, ...]:
    """Return the engine's imports, read once per test session."""
    return tuple(engine_imports())


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of a graph as a path of units, or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        # Iterative depth-first search; `path` is the current chain from `start`.
        path = [start]
        on_path = {start}
        pending = [iter(sorted(graph[start]))]
        while pending:
            step = next(pending[-1], None)
            if step is None:
                pending.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
            elif step in on_path:
                return [*path[path.index(step) :], step]
            elif step not in done:
                path.append(step)
                on_path.add(step)
                pending.append(iter(sorted(graph.get(step, ()))))
    return None


def _between_units(edges: tuple[Edge, ...]) -> list[Edge]:
    return [e for e in edges if e.source_unit != e.target_unit]


def _unexplained(edges: list[Edge]) -> list[Edge]:
    return [e for e in edges if (e.module, e.target_unit) not in KNOWN_EDGES]


def test_the_reader_sees_the_engine() -> None:
    edges = _all_edges()
    units = {e.source_unit for e in edges}
    assert {CORE, "home", "query", "patterns", "automation", "training", "ha"} <= units
    assert any(e.module == "engine.cli" and e.imported == COMPOSITION_ROOT for e in edges)


def test_no_import_cycle_between_engine_folders() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for edge in _unexplained(_between_units(_all_edges())):
        if edge.module != COMPOSITION_ROOT:
            graph[edge.source_unit].add(edge.target_unit)
    assert _cycle(graph) is None, f"import cycle between engine folders: {_cycle(graph)}"


def test_the_core_imports_no_module() -> None:
    """A core module (top level, store, api) reaches no module's service but by injection."""
    offending = [
        f"{e.module}:{e.line} imports {e.imported}"
        for e in _unexplained(_between_units(_all_edges()))
        if e.source_unit == CORE and e.module != COMPOSITION_ROOT
    ]
    assert offending == []


def test_only_the_entry_points_import_the_composition_root() -> None:
    for root, allowed in ENTRY_POINTS.items():
        importers = {e.module for e in _all_edges() if e.imported == root}
        assert importers <= allowed, f"{root} is imported by {sorted(importers - allowed)}"


def test_every_known_edge_still_exists() -> None:
    """The allow-list only shrinks: an edge that went away must leave it too."""
    present = {(e.module, e.target_unit) for e in _between_units(_all_edges())}
    assert sorted(set(KNOWN_EDGES) - present) == []


def test_a_cycle_is_found() -> None:
    """The cycle search itself: a loop through three units is reported as a path."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "d": {"a", "c"}}) is None


def test_each_module_owns_its_keys() -> None:
    """A module's keys.py types its keys with its own services and the core's, no other's."""
    key_modules = {e.module for e in _all_edges() if e.module.endswith(".keys")}
    assert {"engine.home.keys", "engine.patterns.keys", "engine.query.keys"} <= key_modules
    offending = [
        f"{e.module}:{e.line} imports {e.imported}"
        for e in _all_edges()
        if e.module in key_modules and e.target_unit not in {e.source_unit, CORE}
    ]
    assert offending == []
