"""Whether an automation that already exists in Home Assistant covers a habit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_NEVER_COVERED = frozenset({"anomaly", "routine"})


@dataclass(frozen=True)
class ExistingAutomation:
    """An automation of Home Assistant: its entity and its config."""

    entity_id: str
    config: Mapping[str, Any]


def _listed(config: Mapping[str, Any], modern: str, legacy: str) -> list[Any]:
    """Return triggers/conditions/actions in either syntax (plural keys or the old ones)."""
    value = config.get(modern, config.get(legacy, []))
    return value if isinstance(value, list) else [value]


def referenced_entities(node: Any) -> set[str]:
    """Return every entity id a piece of config names (entity_id keys, targets)."""
    found: set[str] = set()
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "entity_id":
                values = value if isinstance(value, list) else [value]
                found.update(v for v in values if isinstance(v, str))
            else:
                found |= referenced_entities(value)
    elif isinstance(node, list):
        for item in node:
            found |= referenced_entities(item)
    return found


def _trigger_kinds(triggers: list[Any]) -> set[str]:
    return {str(t.get("trigger", t.get("platform"))) for t in triggers if isinstance(t, Mapping)}


def covers(automation: ExistingAutomation, kind: str, entities: list[str]) -> bool:
    """Return whether an automation already does what a pattern of `kind` would suggest.

    Judged by what it names: it acts on the pattern's action entity (the last one) and is
    started by the pattern's trigger entity (the first one), or, for a time-of-day habit,
    by a time, sun or time-pattern trigger. Anomalies are never covered: they inform; nor
    are routines: they are what starts automations, not what an automation does.
    """
    if kind in _NEVER_COVERED or not entities:
        return False
    triggers = _listed(automation.config, "triggers", "trigger")
    actions = _listed(automation.config, "actions", "action")
    if entities[-1] not in referenced_entities(actions):
        return False
    if kind == "time_of_day":
        return bool(_trigger_kinds(triggers) & {"time", "sun", "time_pattern"})
    return entities[0] in referenced_entities(triggers)


def covered_by(
    automations: Iterable[ExistingAutomation], kind: str, entities: list[str]
) -> list[str]:
    """Return the entity ids of the automations that cover a pattern, sorted."""
    return sorted(a.entity_id for a in automations if covers(a, kind, entities))
