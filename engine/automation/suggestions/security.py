"""Safety direction: history never earns an automation that opens the home by itself.

A door unlocked at 07:15 every weekday is someone leaving; an automation that unlocks it
at 07:15 lets anyone in on the first day they leave late. What the data does support is
the protective counterpart: lock at the usual time if it is still unlocked, or say so
when the garage stays open longer than it usually does.
"""

from __future__ import annotations

from typing import Final

from engine.home.catalog import Entity

# Covers that let people into the home (Home Assistant's cover device classes).
ENTRANCE_COVERS: Final = frozenset({"garage", "gate", "door"})
_ENTRANCE_WORDS: Final = ("garage", "gate")


def entrance_cover(entity: Entity) -> bool:
    """Return whether a cover is a garage door, gate or door (not a blind)."""
    if entity.domain != "cover":
        return False
    text = f"{entity.entity_id} {entity.name}".lower()
    return entity.device_class in ENTRANCE_COVERS or any(word in text for word in _ENTRANCE_WORDS)


def opens_up(entity: Entity, state: str) -> bool:
    """Return whether reaching a state unlocks, disarms or opens the home (never automated)."""
    domain = entity.domain
    if domain == "lock":
        return state in ("unlocked", "open", "opening", "unlocking")
    if domain == "alarm_control_panel":
        return state == "disarmed"
    if domain == "valve":
        return state in ("open", "opening")
    if domain == "cover" and entrance_cover(entity):
        return state in ("open", "opening")
    return False


def secures(entity: Entity, state: str) -> bool:
    """Return whether reaching a state closes the home up again (the counterpart's goal)."""
    domain = entity.domain
    if domain == "lock":
        return state == "locked"
    if domain == "alarm_control_panel":
        return state.startswith("armed_")
    if domain in ("valve", "cover"):
        return state == "closed"
    return False


def sensitive(entity: Entity) -> bool:
    """Return whether an entity guards the home (locks, alarms, entrance covers, valves)."""
    return entity.domain in ("lock", "alarm_control_panel", "valve") or entrance_cover(entity)
