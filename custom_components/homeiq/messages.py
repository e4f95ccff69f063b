"""One-line sentences that say what an ask or an approval did, for actions and the panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .api import Approval, Query


def approved_name(approval: Approval) -> str:
    """Return what the user calls an approved suggestion: its alias, else its title."""
    suggestion = approval["suggestion"]
    alias = suggestion["automation"].get("alias")
    return alias if isinstance(alias, str) and alias else suggestion["title"]


def approval_message(approval: Approval) -> str:
    """Say in one sentence what approving did."""
    name, deployment = approved_name(approval), approval["deployment"]
    if deployment is None:
        return f"Approved '{name}' without deploying it"
    if entity_id := deployment.get("entity_id"):
        return f"Deployed '{name}' as {entity_id}"
    return f"Deployed '{name}'"


def query_message(query: Query) -> str:
    """Say in one sentence what the engine made of a request (its own sentence if it has one)."""
    if message := query.get("message"):
        return message
    if query["status"] == "needs_clarification":
        return " ".join(c["question"] for c in query["clarifications"])
    if query["status"] != "ready":
        return f"HomeIQ did not understand '{query['text']}'"
    if query["kind"] == "automation" and query["suggestions"]:
        return f"Suggested '{query['suggestions'][0]['title']}': approve it to deploy it"
    if query["kind"] == "command":
        calls = ", ".join(_describe_action(action) for action in query["actions"])
        return f"Understood: {calls}"
    return f"Understood '{query['text']}'"


def _describe_action(action: Mapping[str, Any]) -> str:
    """Describe an action as `light.turn_on (light.kitchen)`."""
    entities = (action.get("target") or {}).get("entity_id") or []
    return f"{action['action']} ({', '.join(entities)})" if entities else str(action["action"])
