"""The one-line messages of ask, refine and approve, for what the engine may answer."""

from __future__ import annotations

from typing import Any, cast

import pytest

from custom_components.homeiq.api import Approval, Query
from custom_components.homeiq.messages import approval_message, query_message

from .conftest import suggestion

QUERY: dict[str, Any] = {
    "query_id": "q-1",
    "text": "is the garage open",
    "status": "ready",
    "kind": "question",
    "actions": [],
    "automation": None,
    "clarifications": [],
    "suggestions": [],
    "latency_ms": 3.0,
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "Understood 'is the garage open'"),
        ({"status": "unsupported", "kind": None}, "HomeIQ did not understand 'is the garage open'"),
        (
            {"kind": "command", "actions": [{"action": "homeassistant.reload_all"}]},
            "Understood: homeassistant.reload_all",
        ),
    ],
    ids=["question", "not understood, no sentence", "command without a target"],
)
def test_a_query_is_said_in_one_line(changes: dict[str, Any], message: str) -> None:
    assert query_message(cast(Query, {**QUERY, **changes})) == message


def test_an_approval_is_named_by_its_alias_else_its_title() -> None:
    untitled = suggestion(1)
    untitled["automation"] = {**untitled["automation"], "alias": ""}
    deployment = {"automation_id": "homeiq_x", "version": 1, "status": "deployed"}
    approval = cast(Approval, {"suggestion": untitled, "deployment": deployment})
    assert approval_message(approval) == f"Deployed '{untitled['title']}'"
