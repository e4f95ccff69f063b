"""Stable ids: the same habit keeps its id from one analysis to the next."""

from __future__ import annotations

import hashlib
from typing import Any

from engine.patterns.details import CoOccurrenceDetails, RoutineDetails, TimeOfDayDetails
from engine.patterns.detect import DetectedPattern, DetectedSynergy

ID_LENGTH = 16


def _digest(*parts: Any) -> str:
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.blake2b(text.encode(), digest_size=ID_LENGTH // 2).hexdigest()


def pattern_id(pattern: DetectedPattern) -> str:
    """Return an id made of what the pattern is, not of its counts or its exact time.

    A time-of-day habit or routine that drifts by a few minutes, or a pair whose support
    grows, is still the same habit: feedback given to it must keep applying.
    """
    details = pattern.details
    if isinstance(details, TimeOfDayDetails):
        return _digest(pattern.type, details.entity_id, details.state, details.days)
    if isinstance(details, CoOccurrenceDetails):
        trigger, action = details.trigger, details.action
        # After a routine's moment is not after every change of its sensor: another pair.
        routine = trigger.routine
        moment = [routine.kind, routine.area_id or "", routine.days] if routine else []
        return _digest(
            pattern.type,
            trigger.entity_id,
            trigger.state,
            action.entity_id,
            action.state,
            *moment,
        )
    if isinstance(details, RoutineDetails):
        # Seen in an area, or on one sensor: either may be absent, never both.
        return _digest(
            pattern.type,
            details.kind,
            details.area_id or "",
            details.entity_id or "",
            details.state,
            details.days,
        )
    return _digest(pattern.type, details.entity_id, details.state, details.kind, details.at)


def synergy_id(synergy: DetectedSynergy) -> str:
    """Return an id made of the chain's steps."""
    return _digest("synergy", *(f"{step['entity_id']}={step['state']}" for step in synergy.chain))
