"""To-do list of pending suggestions: check to approve and deploy, delete to reject."""

from __future__ import annotations

from homeassistant.components.todo import TodoItem, TodoListEntity
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Suggestion
from .const import DOMAIN, SERVICE_APPROVE
from .coordinator import HomeIQConfigEntry
from .entity import HomeIQEntity
from .errors import engine_errors

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


def _item(suggestion: Suggestion) -> TodoItem:
    """Return a pending suggestion as a to-do item."""
    return TodoItem(
        uid=suggestion["id"],
        summary=suggestion["title"],
        status=TodoItemStatus.NEEDS_ACTION,
        description=f"{suggestion['description']} (score {suggestion['score']:.2f})",
    )


class HomeIQSuggestionsTodo(HomeIQEntity, TodoListEntity):
    """The engine's pending suggestions, best first."""

    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM | TodoListEntityFeature.DELETE_TODO_ITEM
    )

    @property
    def todo_items(self) -> list[TodoItem]:
        """The pending suggestions shown (at least the minimum score)."""
        return [_item(suggestion) for suggestion in self.coordinator.data.pending]

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Approve and deploy the suggestion of a checked item."""
        suggestion = self._suggestion(item.uid)
        # Checking is the one edit there is: a rename (even with the check) is refused
        # rather than silently dropped, so the user never approves what they did not see.
        if item.status != TodoItemStatus.COMPLETED or item.summary != suggestion["title"]:
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
            await self.coordinator.client.approve_suggestion(suggestion["id"], deploy=True)
        await self.coordinator.async_request_refresh()

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
