"""The deployment routes' answers, typed once: the store builds them, the document derives them."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from engine.api.wire import DATE_TIME, Schema


class Deployment(TypedDict):
    """An automation HomeIQ deployed into Home Assistant, as API.md's Deployment."""

    automation_id: str
    # Every deploy, rollback and status change stores the automation's entity id.
    entity_id: str
    version: Annotated[int, Schema({"description": "The version Home Assistant holds"})]
    status: Literal["deployed", "disabled", "removed"]
    suggestion_id: str | None
    deployed_at: Annotated[str, DATE_TIME]


class Version(TypedDict):
    """One stored version of a deployed automation."""

    version: int
    created_at: Annotated[str, DATE_TIME]
    automation: dict[str, Any]
    diff: Annotated[str, Schema({"description": "Unified YAML diff from the version it replaced"})]


class Deployments(TypedDict):
    """GET /api/v1/deployment/automations."""

    automations: list[Deployment]


class Versions(TypedDict):
    """GET /api/v1/deployment/{automation_id}/versions."""

    versions: list[Version]
