"""The safety policy's limits on how often an automation runs and how long it waits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

MAX_DELAY_S: Final = 24 * 3600
_SECONDS: Final = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}


def exceeded(automation: Mapping[str, Any]) -> str | None:
    """Return which limit an automation config breaks, or None if it keeps them all."""
    for trigger in automation.get("triggers", []):
        # A time pattern with seconds fires more than once a minute.
        if trigger.get("trigger") == "time_pattern" and str(trigger.get("seconds", 0)) != "0":
            return "An automation may run at most once a minute."
    for action in automation.get("actions", []):
        delay = action.get("delay")
        if isinstance(delay, Mapping) and _seconds(delay) > MAX_DELAY_S:
            return "An automation may wait at most 24 hours."
    return None


def _seconds(period: Mapping[str, Any]) -> float:
    """Return the length of a Home Assistant time period dict, e.g. {"minutes": 5}."""
    return sum(float(period.get(unit, 0)) * seconds for unit, seconds in _SECONDS.items())
