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
    if isinstance(node, Mapping):
        return {
            key: sorted(value if isinstance(value, list) else [value])
            if key == "entity_id" and isinstance(value, str | list)
            else _canonical(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_canonical(item) for item in node]
    return node


def fingerprint(automation: Mapping[str, Any]) -> str:
    """Return a hash of an automation's triggers, conditions and actions (any syntax)."""
    modern = normalise_automation(automation)
    behaviour = {key: _canonical(modern.get(key) or []) for key in BEHAVIOUR}
    return hashlib.sha256(orjson.dumps(behaviour, option=orjson.OPT_SORT_KEYS)).hexdigest()
