"""The suggestion routes' answers, typed once: the store builds them, the document derives them."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from engine.api.wire import DATE_TIME, SHARE, Schema
from engine.automation.deployment.wire import Deployment
from engine.patterns.schemas import EVIDENCE_SCHEMA

SuggestionSource = Literal["pattern", "synergy", "anomaly", "query"]
SuggestionStatus = Literal["pending", "approved", "rejected", "deployed", "dismissed"]


class Issue(TypedDict):
    """One problem validation or the safety check found, at a path of the config."""

    code: str
    message: str
    path: str


class Safety(TypedDict):
    """The safety check's score and what lowered it."""

    score: Annotated[int, Schema({"minimum": 0, "maximum": 100})]
    issues: list[Issue]


class Validation(TypedDict):
    """A suggestion's validation against the home."""

    valid: bool
    errors: list[Issue]
    warnings: list[Issue]
    safety: Safety


class Suggestion(TypedDict):
    """An automation HomeIQ suggests, as API.md's Suggestion."""

    id: str
    source: SuggestionSource
    source_id: str | None
    title: str
    description: Annotated[str, Schema({"description": "One sentence: what it does"})]
    explanation: Annotated[str, Schema({"description": "Why: the finding it comes from"})]
    score: Annotated[float, SHARE]
    status: SuggestionStatus
    automation: Annotated[
        dict[str, Any], Schema({"description": "Home Assistant automation config"})
    ]
    yaml: str
    validation: Validation
    requires_confirmation: bool
    reason: Annotated[str | None, Schema({"description": "Why it was rejected"})]
    created_at: Annotated[str, DATE_TIME]
    updated_at: Annotated[str, DATE_TIME]
    evidence: Annotated[
        dict[str, Any],
        Schema(
            {
                **EVIDENCE_SCHEMA,
                "description": "The evidence of the finding it was made from, as the pattern "
                "or synergy shows it, so it can be charted without another query; "
                '{"days": []} for a suggestion asked for in words',
            }
        ),
    ]


class Generated(TypedDict):
    """POST /api/v1/suggestions/generate."""

    generated: int
    suggestions: list[Suggestion]


class Approved(TypedDict):
    """POST /api/v1/suggestions/{id}/approve."""

    suggestion: Suggestion
    deployment: Annotated[Deployment | None, Schema({"description": "Deployment, when deployed"})]


class Rejected(TypedDict):
    """POST /api/v1/suggestions/{id}/reject."""

    suggestion: Suggestion
