"""How deeply an automation config nests: a config deeper than the engine reads is refused."""

# Validation, rendering and hashing read a config by descending into it; a config nested
# hundreds of levels deep (no real automation is) would exhaust Python's recursion limit
# there. Checked first, without recursion, it is refused with the path where it goes too deep.

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from engine.automation.issues import Path
from engine.automation.walk import SECTIONS, Kind, children, nodes

# Triggers, conditions and actions held in one another (an if in an if, a condition in an
# and): Home Assistant's own editor rarely goes past five.
MAX_NESTING: Final = 32
# Mappings and lists in one node's fields (its data, its target), the field's own included.
MAX_DATA_DEPTH: Final = 32


def too_deep(config: Any) -> tuple[str, Path] | None:
    """Return why and where a config nests deeper than the engine reads, or None."""
    if not isinstance(config, Mapping):
        return None
    sections: list[tuple[Kind, list[Any], Path]] = []
    for kind, section in SECTIONS.items():
        # The legacy syntax's singular sections nest the same way, one item or a list.
        key = section if section in config else kind
        items = config.get(key)
        if isinstance(items, Mapping | list):
            sections.append((kind, [items] if isinstance(items, Mapping) else items, (key,)))
    found = _data_too_deep(config, (), {id(config.get(path[0])) for _, _, path in sections})
    if found is not None:
        return found
    for kind, items, path in sections:
        # Lazy: the walk stops at the first node too deep, however deep the config goes.
        for node in nodes(kind, items, path):
            if node.depth > MAX_NESTING:
                message = f"Triggers, conditions and actions may nest at most {MAX_NESTING} deep"
                return message, node.path
            # Only lists of nodes are walked; anything else in their place is data.
            nested = {id(child) for _, child, _ in children(node) if isinstance(child, list)}
            found = _data_too_deep(node.config, node.path, nested)
            if found is not None:
                return found
    return None


def _data_too_deep(
    mapping: Mapping[Any, Any], path: Path, skip: set[int]
) -> tuple[str, Path] | None:
    """Return where a mapping's fields nest too deep; the containers in `skip` are nodes'."""
    stack: list[tuple[Any, Path, int]] = [(mapping, path, 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DATA_DEPTH:
            return f"Data may nest at most {MAX_DATA_DEPTH} mappings and lists deep", where
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        # Reversed, so the first item too deep in the config's order is the one reported.
        for key, item in reversed(list(items)):
            if isinstance(item, Mapping | list | tuple) and id(item) not in skip:
                stack.append((item, (*where, _part(key)), depth + 1))
    return None


def _part(key: Any) -> str | int:
    return key if isinstance(key, int | str) else str(key)
