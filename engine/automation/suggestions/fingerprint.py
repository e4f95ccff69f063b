"""What an automation does, as a hash: the same behaviour is the same suggestion."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from engine.automation.yaml_render import normalise_automation

# What an automation does; its id, name, description and mode are how it is presented.
BEHAVIOUR = ("triggers", "conditions", "actions")


def _canonical(node: Any) -> Any:
    """Return a config with every entity_id as a sorted list ("a" and ["a"] mean the same)."""
    # A stack rather than recursion: an automation of any depth hashes without a
    # RecursionError (Home Assistant's own automations are hashed too, unvalidated).
    if not isinstance(node, Mapping | list):
        return node
    root: dict[Any, Any] | list[Any] = {} if isinstance(node, Mapping) else []
    stack: list[tuple[Mapping[Any, Any] | list[Any], dict[Any, Any] | list[Any]]] = [(node, root)]
    while stack:
        source, copied = stack.pop()
        items = source.items() if isinstance(source, Mapping) else enumerate(source)
        for key, value in items:
            item: Any = value
            if isinstance(source, Mapping) and key == "entity_id" and isinstance(value, str | list):
                item = sorted(value if isinstance(value, list) else [value])
            elif isinstance(value, Mapping | list):
                item = {} if isinstance(value, Mapping) else []
                stack.append((value, item))
            if isinstance(copied, dict):
                copied[key] = item
            else:
                copied.append(item)
    return root


def fingerprint(automation: Mapping[str, Any]) -> str:
    """Return a hash of an automation's triggers, conditions and actions (any syntax)."""
    modern = normalise_automation(automation)
    behaviour = {key: _canonical(modern.get(key) or []) for key in BEHAVIOUR}
    return hashlib.sha256(orjson.dumps(behaviour, option=orjson.OPT_SORT_KEYS)).hexdigest()
