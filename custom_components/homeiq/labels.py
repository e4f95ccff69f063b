"""Deployed automations carry a "HomeIQ" label and automation category in Home Assistant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import category_registry as cr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import label_registry as lr

# Names, not translations: labels and categories are the user's own data, named once.
LABEL_NAME: Final = "HomeIQ"
CATEGORY_NAME: Final = "HomeIQ"
ICON: Final = "mdi:home-lightbulb-outline"
AUTOMATION: Final = "automation"
REMOVED: Final = "removed"


@callback
def async_tag_deployment(hass: HomeAssistant, deployment: Mapping[str, Any]) -> None:
    """Label and categorise a deployed automation, so the user finds it in the editor.

    The label is added beside the user's own; a category the user chose is kept. An
    automation Home Assistant has not registered yet is tagged on its next change.
    """
    if deployment.get("status") == REMOVED:
        return
    entities = er.async_get(hass)
    automation_id = deployment.get("automation_id")
    # Its config `id` is the entity's unique id, which survives a rename of the entity id.
    entity_id = (
        entities.async_get_entity_id(AUTOMATION, AUTOMATION, automation_id)
        if isinstance(automation_id, str)
        else None
    ) or deployment.get("entity_id")
    entry = entities.async_get(entity_id) if isinstance(entity_id, str) else None
    if entry is None:
        return
    label_id = _label_id(hass)
    labels = entry.labels if label_id in entry.labels else entry.labels | {label_id}
    categories = entry.categories
    if AUTOMATION not in categories:
        categories = {**categories, AUTOMATION: _category_id(hass)}
    if labels != entry.labels or categories != entry.categories:
        entities.async_update_entity(entry.entity_id, labels=labels, categories=categories)


def _label_id(hass: HomeAssistant) -> str:
    """Return the HomeIQ label's id, creating the label the first time."""
    registry = lr.async_get(hass)
    label = registry.async_get_label_by_name(LABEL_NAME) or registry.async_create(
        LABEL_NAME, icon=ICON
    )
    return label.label_id


def _category_id(hass: HomeAssistant) -> str:
    """Return the HomeIQ automation category's id, creating the category the first time."""
    registry = cr.async_get(hass)
    existing = (
        category
        for category in registry.async_list_categories(scope=AUTOMATION)
        if category.name == CATEGORY_NAME
    )
    category = next(existing, None) or registry.async_create(
        name=CATEGORY_NAME, scope=AUTOMATION, icon=ICON
    )
    return category.category_id
