"""Who made a state change, read from Home Assistant's event context."""

from __future__ import annotations

from typing import Any

from engine.store.events import Origin


def origin_from_context(context: dict[str, Any] | None) -> Origin:
    """Return manual for a user's change, automation for a caused one, else system."""
    if not context:
        return Origin.UNKNOWN
    if context.get("user_id"):
        return Origin.MANUAL
    if context.get("parent_id"):
        return Origin.AUTOMATION
    return Origin.SYSTEM
