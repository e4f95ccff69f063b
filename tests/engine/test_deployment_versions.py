"""What makes a deployed version: its id, content hash, description and diff."""

from __future__ import annotations

from typing import Any

import pytest

from engine.automation.deployment.versions import (
    HOMEIQ_NOTE,
    automation_id_for,
    content_hash,
    prepare,
    version_diff,
)
from engine.errors import UnprocessableError


def automation(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "alias": "Hall light at the door",
        "triggers": [{"trigger": "state", "entity_id": "binary_sensor.front_door", "to": "on"}],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": "light.hall"}}],
    }
    config.update(changes)
    return config


def test_content_hash_ignores_key_order_but_not_content() -> None:
    config = automation()
    reordered = dict(reversed(list(config.items())))
    assert content_hash(config) == content_hash(reordered)
    assert content_hash(config) != content_hash(automation(alias="Other"))


def test_ids_are_kept_taken_from_the_suggestion_or_stable_for_the_content() -> None:
    assert automation_id_for(automation(id="kitchen_1"), "abc") == "kitchen_1"
    assert automation_id_for(automation(), "abc") == "homeiq_abc"
    derived = automation_id_for(automation(), None)
    assert derived.startswith("homeiq_")
    # A retry of the same automation lands on the same id; other content on another one.
    assert automation_id_for(dict(reversed(list(automation().items()))), None) == derived
    assert automation_id_for(automation(alias="Other"), None) != derived


def test_prepare_modernises_names_homeiq_and_puts_the_id_first() -> None:
    legacy = {
        "alias": "Legacy",
        "trigger": {"platform": "state", "entity_id": "binary_sensor.front_door"},
        "action": [{"service": "light.turn_on", "entity_id": "light.hall"}],
    }
    prepared = prepare(legacy, "s1")
    assert next(iter(prepared)) == "id"
    assert prepared["id"] == "homeiq_s1"
    assert prepared["triggers"] == [{"trigger": "state", "entity_id": "binary_sensor.front_door"}]
    assert prepared["actions"] == [
        {"action": "light.turn_on", "target": {"entity_id": "light.hall"}}
    ]
    assert prepared["description"] == HOMEIQ_NOTE
    described = prepare(automation(description="Lights the hall."))
    assert described["description"] == f"Lights the hall.\n\n{HOMEIQ_NOTE}"
    assert prepare(automation(description="From HomeIQ"))["description"] == "From HomeIQ"
    assert "id" not in legacy  # the caller's config is not changed


@pytest.mark.parametrize("bad", ["a/b", "with space", "x" * 201, "../up"])
def test_prepare_refuses_ids_that_do_not_fit_a_url(bad: str) -> None:
    with pytest.raises(UnprocessableError) as caught:
        prepare(automation(id=bad))
    assert caught.value.details["field"] == "id"


def test_first_version_diffs_from_nothing_later_ones_from_the_replaced_one() -> None:
    first = prepare(automation(id="hall"))
    diff = version_diff(None, first, 1)
    assert diff.startswith("--- /dev/null\n+++ version 1\n")
    assert "+id: hall\n" in diff
    assert not [line for line in diff.splitlines()[2:] if line.startswith("-")]

    second = prepare(automation(id="hall", alias="Hall light when the door opens"))
    diff = version_diff((1, first), second, 2)
    assert diff.startswith("--- version 1\n+++ version 2\n")
    assert "-alias: Hall light at the door\n" in diff
    assert "+alias: Hall light when the door opens\n" in diff
    # Only the changed line differs: the YAML keeps a stable key order.
    changed = [line for line in diff.splitlines()[2:] if line[:1] in "+-"]
    assert len(changed) == 2
    reordered = dict(reversed(list(second.items())))
    assert version_diff((1, first), reordered, 2) == diff
