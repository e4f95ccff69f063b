"""To-do list of pending suggestions: check to approve and deploy, delete to reject."""

from __future__ import annotations

from homeassistant.components.todo import TodoItem, TodoListEntity
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Suggestion
from .const import DOMAIN, SERVICE_APPROVE
from .coordinator import HomeIQConfigEntry
from .entity import HomeIQEntity
from .errors import engine_errors
from .labels import async_tag_deployment

# One engine call at a time: approving deploys into Home Assistant, one after the other.
PARALLEL_UPDATES = 1

SUGGESTIONS = EntityDescription(key="suggestions", translation_key="suggestions")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomeIQConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the suggestions to-do list."""
    async_add_entities([HomeIQSuggestionsTodo(entry.runtime_data, SUGGESTIONS)])


def _description(suggestion: Suggestion) -> str:
    """Return what the item says about a suggestion: what, why, how often, how sure."""
    description, explanation = suggestion["description"], suggestion.get("explanation")
    # A pattern's description is often its title as a sentence, which the item shows already.
    lines = [] if description.rstrip(".") == suggestion["title"].rstrip(".") else [description]
    if explanation and explanation != description:
        lines.append(f"Why: {explanation}")
    # The engine sends the finding's evidence (one entry per observed day) with each one.
    evidence = suggestion.get("evidence") or {}
    days = evidence.get("days") or []
    if days:
        seen = sum(1 for day in days if day.get("times"))
        lines.append(f"Seen on {seen} of {len(days)} days.")
    lines.append(f"Score {suggestion['score']:.2f} (0 to 1: how likely it is a habit worth it).")
    if suggestion["requires_confirmation"]:
        lines.append("Controls a security-sensitive device: approve it in the HomeIQ panel.")
    return "\n".join(lines)


def _item(suggestion: Suggestion) -> TodoItem:
    """Return a pending suggestion as a to-do item."""
    return TodoItem(
        uid=suggestion["id"],
        summary=suggestion["title"],
        status=TodoItemStatus.NEEDS_ACTION,
        description=_description(suggestion),
    )


def _edited(item: TodoItem, suggestion: Suggestion) -> bool:
    """Return whether the item's text differs from the suggestion's.

    Home Assistant's item dialog saves the summary and description it shows with the
    check, so only a change to them is an edit; a cleared description changes nothing.
    """
    if (item.summary or "").strip() != suggestion["title"].strip():
        return True
    return (
        bool(item.description)
        and (item.description or "").strip() != _description(suggestion).strip()
    )


class HomeIQSuggestionsTodo(HomeIQEntity, TodoListEntity):
    """The engine's pending suggestions, best first."""

    # Home Assistant's item dialog saves the description it shows with every check: without
    # this feature the save fails ("does not support setting field: description").
    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.SET_DESCRIPTION_ON_ITEM
    )

    @property
    def todo_items(self) -> list[TodoItem]:
        """The pending suggestions shown (at least the minimum score)."""
        return [_item(suggestion) for suggestion in self.coordinator.data.pending]

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Approve and deploy the suggestion of a checked item."""
        try:
            await self._approve(item)
        except HomeAssistantError:
            # The frontend shows the item checked already: show it unchecked again.
            self.async_write_ha_state()
            raise
        await self.coordinator.async_request_refresh()

    async def _approve(self, item: TodoItem) -> None:
        """Approve the suggestion of a checked, otherwise unchanged item."""
        suggestion = self._suggestion(item.uid)
        # Checking is the one edit there is: a rename (even with the check) is refused
        # rather than silently dropped, so the user never approves what they did not see.
        if item.status != TodoItemStatus.COMPLETED or _edited(item, suggestion):
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="todo_edit_unsupported"
            )
        if suggestion["requires_confirmation"]:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="confirmation_required",
                translation_placeholders={
                    "title": suggestion["title"],
                    "service": f"{DOMAIN}.{SERVICE_APPROVE}",
                    "suggestion_id": suggestion["id"],
                },
            )
        async with engine_errors(self.coordinator):
            approval = await self.coordinator.client.approve_suggestion(
                suggestion["id"], deploy=True
            )
        if approval["deployment"] is not None:
            async_tag_deployment(self.hass, approval["deployment"])

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Reject the suggestions of deleted items, so they are not made again."""
        for uid in uids:
            self._suggestion(uid)
        try:
            async with engine_errors(self.coordinator):
                for uid in uids:
                    await self.coordinator.client.reject_suggestion(uid)
        finally:
            await self.coordinator.async_request_refresh()

    def _suggestion(self, uid: str | None) -> Suggestion:
        """Return the pending suggestion behind a to-do item."""
        suggestion = None if uid is None else self.coordinator.data.pending_by_id(uid)
        if suggestion is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="suggestion_not_pending",
                translation_placeholders={"suggestion_id": str(uid)},
            )
        return suggestion
