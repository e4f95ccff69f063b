"""Bounds on entity attributes: deep or huge JSON must never reach a reader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

# Home Assistant's own attributes are a few levels deep and a few KB at most; deeper JSON
# breaks serialisers (orjson stops at 255 levels, dataclasses.asdict at Python's recursion
# limit) and bigger JSON is carried into every entity listing and question.
MAX_ATTRIBUTE_DEPTH = 16
MAX_ATTRIBUTE_BYTES = 64 * 1024


def _deeper_than(value: Any, limit: int) -> bool:
    """Return True when containers nest more than `limit` levels (the value itself is one)."""
    # Iterative, and stops at the limit: a value 100,000 levels deep costs `limit` steps down.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, Mapping | list | tuple):
            continue
        if depth > limit:
            return True
        children = item.values() if isinstance(item, Mapping) else item
        stack.extend((child, depth + 1) for child in children)
    return False


def _json_size(value: Any) -> int | None:
    """Return the size of a value as JSON, or None if it is not JSON."""
    try:
        return len(orjson.dumps(value))
    except orjson.JSONEncodeError:
        return None


def attributes_problem(attributes: Mapping[str, Any]) -> str | None:
    """Return why attributes are out of bounds, or None when they are fine."""
    if _deeper_than(attributes, MAX_ATTRIBUTE_DEPTH):
        return f"must nest at most {MAX_ATTRIBUTE_DEPTH} levels deep"
    size = _json_size(attributes)
    if size is None:
        return "must be a JSON object"
    if size > MAX_ATTRIBUTE_BYTES:
        return f"must be at most {MAX_ATTRIBUTE_BYTES} bytes as JSON ({size} given)"
    return None


def trim_attributes(attributes: Mapping[Any, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return the attributes within the bounds and the names of those dropped to get there.

    For data the engine cannot refuse (Home Assistant's): one bad attribute costs only
    itself, so the useful ones (brightness, temperatures, features) stay.
    """
    if attributes_problem(attributes) is None:
        return dict(attributes), []
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    budget = MAX_ATTRIBUTE_BYTES - 2  # the braces
    for name, value in attributes.items():
        if not isinstance(name, str):
            dropped.append(repr(name))
            continue
        size = None if _deeper_than(value, MAX_ATTRIBUTE_DEPTH - 1) else _json_size(value)
        # The name, its quotes, the colon and a comma.
        cost = None if size is None else size + len(orjson.dumps(name)) + 2
        if cost is None or cost > budget:
            dropped.append(name)
            continue
        kept[name] = value
        budget -= cost
    return kept, dropped


def dropped_note(entity_id: str, dropped: list[str]) -> str:
    """Return a log line's account of attributes dropped from an entity (names shortened)."""
    shown = ", ".join(name[:64] for name in dropped[:5])
    more = f" and {len(dropped) - 5} more" if len(dropped) > 5 else ""
    return (
        f"{entity_id}: attributes {shown}{more} dropped (deeper than {MAX_ATTRIBUTE_DEPTH} "
        f"levels, or beyond {MAX_ATTRIBUTE_BYTES // 1024} KB)"
    )
