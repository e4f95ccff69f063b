"""Which entities the household's exclusions leave out, and whether an automation uses one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.automation.walk import entity_ids, referenced_entities, target, walk
from engine.home.catalog import Catalog
from engine.preferences.model import Exclusions


@dataclass(frozen=True, slots=True)
class Excluded:
    """Exclusions resolved against one catalog: the entity ids and area ids left out."""

    entities: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        """Return True when anything is left out."""
        return bool(self.entities or self.areas)

    def involves(self, automation: Mapping[str, Any]) -> bool:
        """Return True when an automation names an excluded entity or targets an excluded area."""
        for node in walk(automation):
            if any(entity_id in self.entities for entity_id, _ in referenced_entities(node)):
                return True
            areas = entity_ids(target(node).get("area_id"), node.path)
            if any(area_id in self.areas for area_id, _ in areas):
                return True
        return False


def resolve(exclusions: Exclusions, catalog: Catalog) -> Excluded:
    """Return the entities excluded by id, by their area (device's area as fallback) or label."""
    areas, labels = frozenset(exclusions.areas), frozenset(exclusions.labels)
    if not areas and not labels:
        # Most homes exclude nothing, or entities by id: no pass over the whole catalog
        # (every listing of suggestions resolves them again).
        return Excluded(entities=frozenset(exclusions.entities))
    by_place_or_label = {
        entity.entity_id
        for entity in catalog.entities
        if catalog.entity_area(entity) in areas or not labels.isdisjoint(entity.labels)
    }
    return Excluded(entities=frozenset(exclusions.entities) | by_place_or_label, areas=areas)
