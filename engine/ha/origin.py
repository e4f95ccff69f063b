"""Turning Home Assistant's state_changed events into stored events, with who made them."""

from __future__ import annotations

from typing import Any

from engine.home.event_input import parse_time, to_epoch_us
from engine.store.events import NewEvent, Origin


def origin_from_context(context: dict[str, Any] | None) -> Origin:
    """Return manual for a user's change, automation for a caused one, else system."""
    if not context:
        return Origin.UNKNOWN
    if context.get("user_id"):
        return Origin.MANUAL
    if context.get("parent_id"):
        return Origin.AUTOMATION
    return Origin.SYSTEM


def event_from_state_changed(event: dict[str, Any]) -> NewEvent | None:
    """Return the stored event for a state_changed event; None for attribute-only changes."""
    data = event.get("data") or {}
    new_state, old_state = data.get("new_state"), data.get("old_state")
    if not new_state:
        return None  # the entity was removed
    state = new_state.get("state")
    if not isinstance(state, str) or (old_state and old_state.get("state") == state):
        return None
    moment = parse_time(new_state.get("last_changed"))
    if moment is None:
        return None
    context = new_state.get("context") or event.get("context")
    return NewEvent(
        new_state["entity_id"], to_epoch_us(moment), state[:255], origin_from_context(context)
    )
