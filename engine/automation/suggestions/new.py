"""New suggestions: a draft's row as stored, and its YAML (rendered where it was drafted)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.automation.suggestions.drafts import Draft, query_draft
from engine.automation.validate import ValidationResult, validate_automation
from engine.automation.yaml_render import automation_to_yaml
from engine.home.catalog import Catalog


@dataclass(frozen=True, slots=True)
class NewSuggestion:
    """A suggestion not stored yet: its row, and its YAML when rendered already."""

    row: dict[str, Any]
    yaml: str | None = None


def new_row(draft: Draft, result: ValidationResult, now: float) -> dict[str, Any]:
    """Return a draft as a new pending suggestion's row."""
    return {
        "id": draft.id,
        "source": draft.source,
        "source_id": draft.source_id,
        "fingerprint": draft.fingerprint,
        "title": draft.title,
        "description": draft.description,
        "explanation": draft.explanation,
        "score": draft.score,
        "status": "pending",
        "automation": draft.automation,
        "validation": result.as_dict(),
        "requires_confirmation": result.requires_confirmation,
        "reason": None,
        "created_at": now,
        "updated_at": now,
        "evidence": draft.evidence,
    }


def asked_for(
    query_id: str, text: str, automation: Mapping[str, Any], catalog: Catalog
) -> NewSuggestion:
    """Return the suggestion of an automation asked for in words, validated and rendered.

    Made on a parsing worker with the request's parse (the YAML and the validation are
    most of the engine's work for such a request), or on the engine for an answer it
    did not parse (a cached one, a language model's).
    """
    draft = query_draft(query_id, text, automation)
    result = validate_automation(draft.automation, catalog)
    return NewSuggestion(new_row(draft, result, time.time()), automation_to_yaml(draft.automation))
