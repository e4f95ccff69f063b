"""The safety policy's limits on how often an automation runs, how long it waits, repeats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from engine.automation.safety import assess_safety
from engine.home.catalog import empty_catalog

# The policy's hard limits: a request that breaks one is refused outright, not suggested.
LIMIT_CODES: Final = frozenset(
    {"fast_time_pattern", "long_delay", "unbounded_repeat", "too_many_repeats"}
)


def exceeded(automation: Mapping[str, Any]) -> str | None:
    """Return why an automation config breaks a limit of the safety policy, or None.

    The same policy the validator applies (engine.automation.safety), so the parser never
    offers what deployment would refuse; the catalog does not matter to these limits.
    """
    for issue in assess_safety(automation, empty_catalog()).issues:
        if issue.code in LIMIT_CODES:
            return issue.message
    return None
