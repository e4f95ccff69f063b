"""Shared by the tests of automation requests in each language: entities, expected configs."""

from __future__ import annotations

from typing import Any

from engine.home.catalog import Entity
from engine.query.automation import AutomationParser


def entity(entity_id: str, name: str, area: str | None, **extra: Any) -> Entity:
    """Return an entity of a test home."""
    return Entity(entity_id=entity_id, name=name, area_id=area, **extra)


def call(action: str, *entity_ids: str, **data: Any) -> dict[str, Any]:
    """Return an action as the parser makes it."""
    return {"action": action, "target": {"entity_id": sorted(entity_ids)}, "data": data}


def state(entity_id: str, to: str, **extra: Any) -> dict[str, Any]:
    """Return a state trigger as the parser makes it."""
    return {"trigger": "state", "entity_id": [entity_id], "to": to, **extra}


def assert_says(
    parser: AutomationParser,
    text: str,
    triggers: list[Any],
    conditions: list[Any],
    actions: list[Any],
) -> None:
    """Assert a request is ready and its automation is exactly what it says, described as said."""
    result = parser.parse(text)
    assert result is not None, text
    assert result.status == "ready", result
    assert result.automation is not None
    got = {key: result.automation[key] for key in ("triggers", "conditions", "actions")}
    assert got == {"triggers": triggers, "conditions": conditions, "actions": actions}
    assert result.automation["description"] == text


def assert_on_then_off(parser: AutomationParser, text: str, door: str, light: str) -> None:
    """Assert "turn on <light> when <door> opens, and off when it closes or after 2 minutes".

    One automation: a trigger id per half, the first half's trigger held 2 minutes also
    ends it, and one `choose` option per half.
    """
    assert_says(
        parser,
        text,
        [
            {**state(door, "on"), "id": "first"},
            {**state(door, "off"), "id": "second"},
            {**state(door, "on"), "for": {"minutes": 2}, "id": "second"},
        ],
        [],
        [
            {
                "choose": [
                    {
                        "conditions": [{"condition": "trigger", "id": half}],
                        "sequence": [call(action, light)],
                    }
                    for half, action in (("first", "light.turn_on"), ("second", "light.turn_off"))
                ]
            }
        ],
    )
