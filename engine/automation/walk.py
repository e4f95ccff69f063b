"""Every trigger, condition and action of an automation config, nested ones included."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from engine.automation.issues import Path

type Kind = Literal["trigger", "condition", "action"]

# The top-level list of each kind, in the modern syntax.
SECTIONS: dict[Kind, str] = {"trigger": "triggers", "condition": "conditions", "action": "actions"}
# The key that names a node's kind in the legacy syntax, where it differs from the modern one.
LEGACY_KEYS: dict[str, str] = {"trigger": "platform", "action": "service"}


@dataclass(frozen=True, slots=True)
class Node:
    """One trigger, condition or action, and where it is in the config."""

    kind: Kind
    config: Mapping[str, Any]
    path: Path
    # How many nodes hold this one, itself included: a top-level action is 1, its then's 2.
    depth: int = 1


def walk(automation: Mapping[str, Any]) -> Iterator[Node]:
    """Yield every node of an automation, each before the ones nested in it."""
    for kind, section in SECTIONS.items():
        yield from nodes(kind, automation.get(section), (section,))


def nodes(kind: Kind, items: Any, path: Path, depth: int = 1) -> Iterator[Node]:
    """Yield the nodes of a list and every node nested in them, each before its children."""
    # A stack of lazy lists rather than recursion: any depth of nesting walks without a
    # RecursionError, and a caller that changes a node sees its children after the change.
    stack = [_listed(kind, items, path, depth)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        yield node
        stack.append(_nested(node))


def _nested(node: Node) -> Iterator[Node]:
    """Yield the nodes nested right in a node (not theirs), read only when first asked for."""
    for kind, items, path in children(node):
        yield from _listed(kind, items, path, node.depth + 1)


def _listed(kind: Kind, items: Any, path: Path, depth: int) -> Iterator[Node]:
    # Malformed parts are skipped: the schema reports them, and the other checks still run.
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, Mapping):
            yield Node(kind, item, (*path, index), depth)


def children(node: Node) -> Iterator[tuple[Kind, Any, Path]]:
    """Yield the lists of nodes nested in a node: (their kind, the list, its path)."""
    config, path = node.config, node.path
    if node.kind == "condition":
        yield "condition", config.get("conditions"), (*path, "conditions")
    if node.kind != "action":
        return
    options = config.get("choose")
    for index, option in enumerate(options if isinstance(options, list) else []):
        if isinstance(option, Mapping):
            option_path = (*path, "choose", index)
            yield "condition", option.get("conditions"), (*option_path, "conditions")
            yield "action", option.get("sequence"), (*option_path, "sequence")
    yield "action", config.get("default"), (*path, "default")
    yield "condition", config.get("if"), (*path, "if")
    yield "action", config.get("then"), (*path, "then")
    yield "action", config.get("else"), (*path, "else")
    repeat = config.get("repeat")
    if isinstance(repeat, Mapping):
        for key in ("while", "until"):
            yield "condition", repeat.get(key), (*path, "repeat", key)
        yield "action", repeat.get("sequence"), (*path, "repeat", "sequence")
    yield "trigger", config.get("wait_for_trigger"), (*path, "wait_for_trigger")


def entity_ids(value: Any, path: Path) -> Iterator[tuple[str, Path]]:
    """Yield the entity ids of a field that holds one or a list, each with its path."""
    if isinstance(value, str):
        yield value, path
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield item, (*path, index)


def target(node: Node) -> Mapping[str, Any]:
    """Return the target of a service call action, or an empty one."""
    value = node.config.get("target") if node.kind == "action" else None
    return value if isinstance(value, Mapping) else {}


def referenced_entities(node: Node) -> Iterator[tuple[str, Path]]:
    """Yield every entity id a node names, each with its path."""
    if node.kind == "action":
        yield from entity_ids(target(node).get("entity_id"), (*node.path, "target", "entity_id"))
        return
    for key in ("entity_id", "zone"):
        yield from entity_ids(node.config.get(key), (*node.path, key))


def service_call(node: Node) -> tuple[str, str] | None:
    """Return the (domain, service) a service call action calls, or None for other nodes."""
    name = node.config.get("action") if node.kind == "action" else None
    if not isinstance(name, str) or name.count(".") != 1:
        return None
    domain, _, service = name.partition(".")
    return domain, service
