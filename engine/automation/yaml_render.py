"""Automation configs as readable YAML, and older syntax brought up to the modern one."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

import orjson
import yaml

from engine.automation.issues import format_path
from engine.automation.nesting import too_deep
from engine.automation.walk import LEGACY_KEYS, SECTIONS, walk

_TOP_ORDER: Final = ("id", "alias", "description", "mode", "max", *SECTIONS.values())
# Within an item, what it is comes first, then what it acts on, then the rest as given.
_ITEM_ORDER: Final = (*SECTIONS, "entity_id", "target")


class _Dumper(yaml.SafeDumper):
    """A safe dumper that indents list items under their key, as Home Assistant's editor does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, indentless=False)


def _ordered(mapping: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    first = [key for key in order if key in mapping]
    rest = [key for key in mapping if key not in first]
    return {key: _plain(mapping[key]) for key in [*first, *rest]}


def _plain(value: Any) -> Any:
    """Return a value as plain dicts and lists, items in their stable key order."""
    if isinstance(value, Mapping):
        return _ordered(value, _ITEM_ORDER)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"an automation holds plain data only, not a {type(value).__name__}")


def automation_to_yaml(config: Mapping[str, Any]) -> str:
    """Return an automation config as YAML in a stable key order, without Python tags."""
    try:
        # Key order is part of the YAML, and orjson keeps it: equal bytes, equal YAML. (Configs
        # come from orjson-read bodies, rows or the engine itself: no NaN, which it writes as null.)
        # orjson refuses a config deeper than 254 levels, which _checked then names.
        encoded = orjson.dumps(config)
    except TypeError:
        return _render(_checked(config))
    return _rendered(encoded)


def _checked(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return a config that nests within the limits, or raise saying where it does not."""
    # PyYAML recurses into every mapping and list: a config within the nesting limits
    # renders, and a deeper one is refused here rather than by a RecursionError.
    found = too_deep(config)
    if found is not None:
        message, path = found
        raise ValueError(f"{message} (at {format_path(path) or 'the top'}); not rendered")
    return config


@lru_cache(maxsize=1024)
def _rendered(encoded: bytes) -> str:
    """Return the YAML of an encoded config, remembered (checked only when first rendered).

    Every listing of suggestions shows each one's YAML, and PyYAML's pure-Python emitter
    (libyaml's cannot indent lists as Home Assistant's editor does) took a sixth of the
    engine's time under load for the same few configs again and again; the nesting check
    before it, another tenth.
    """
    return _render(_checked(orjson.loads(encoded)))


def _render(config: Mapping[str, Any]) -> str:
    return yaml.dump(
        _ordered(config, _TOP_ORDER),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _rename(mapping: dict[str, Any], old: str, new: str) -> None:
    """Rename a key where it stands, unless the new one is there already."""
    if old in mapping and new not in mapping:
        items = [(new if key == old else key, value) for key, value in mapping.items()]
        mapping.clear()
        mapping.update(items)


def _copy(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of a config, its mappings as dicts and its lists as lists, any depth."""
    # Iterative, so a config of any depth copies (its validation then refuses it by name);
    # a mapping or list met twice is copied once, as copy.deepcopy does.
    root: dict[str, Any] = {}
    copies: dict[int, Any] = {id(config): root}
    stack: list[tuple[Mapping[Any, Any] | list[Any], dict[Any, Any] | list[Any]]] = [(config, root)]
    while stack:
        source, copied = stack.pop()
        items = source.items() if isinstance(source, Mapping) else enumerate(source)
        for key, value in items:
            if isinstance(value, Mapping | list) and id(value) not in copies:
                copies[id(value)] = {} if isinstance(value, Mapping) else []
                stack.append((value, copies[id(value)]))
            item = copies.get(id(value), value) if isinstance(value, Mapping | list) else value
            if isinstance(copied, dict):
                copied[key] = item
            else:
                copied.append(item)
    return root


def normalise_automation(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return a config in the modern syntax: plural sections, trigger: and action: keys."""
    modern: dict[str, Any] = _copy(config)
    for kind, section in SECTIONS.items():
        _rename(modern, kind, section)
        # The legacy syntax also took a single item where a list belongs.
        if isinstance(modern.get(section), Mapping):
            modern[section] = [modern[section]]
    for node in walk(modern):
        item = node.config
        # Every mapping of the copy is a dict; this tells the type checker so.
        if not isinstance(item, dict):
            continue
        if node.kind in LEGACY_KEYS:
            _rename(item, LEGACY_KEYS[node.kind], node.kind)
        # Entity ids beside the service, not in its target, are the legacy form too.
        if node.kind == "action" and "action" in item and "entity_id" in item:
            target = item.setdefault("target", {})
            if isinstance(target, dict) and "entity_id" not in target:
                target["entity_id"] = item.pop("entity_id")
    return modern
