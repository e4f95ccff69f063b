"""What an analysis finds, as the API shows it (minus the ids the store gives)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Patterns and synergies scoring at least this are worth suggesting as automations.
SUGGESTION_THRESHOLD = 0.5
# Anomalies inform; they never make an automation on their own, so they score below it.
ANOMALY_SCORE_CAP = 0.45


def no_evidence() -> dict[str, Any]:
    """Return the evidence of a finding that has none to show."""
    return {"days": []}


@dataclass(frozen=True)
class DetectedPattern:
    """A pattern as the API shows it, minus its id."""

    type: str
    entities: list[str]
    description: str
    confidence: float
    support_days: int
    observed_days: int
    score: float
    details: dict[str, Any]
    first_seen: datetime
    last_seen: datetime
    # What a picture of the pattern needs, in the home's local time (API.md "evidence"):
    # {"days": [{"date": "YYYY-MM-DD", "times": ["HH:MM:SS", ...], "delays_s"?: [...]}]}.
    evidence: dict[str, Any] = field(default_factory=no_evidence)


@dataclass(frozen=True)
class DetectedSynergy:
    """A synergy as the API shows it, minus its id."""

    depth: int
    chain: list[dict[str, str]]
    confidence: float
    support_days: int
    score: float
    description: str
    # The chain's runs per observed day, as a pattern's evidence (API.md).
    evidence: dict[str, Any] = field(default_factory=no_evidence)


@dataclass(frozen=True)
class DetectionResult:
    """Everything one analysis found."""

    patterns: list[DetectedPattern] = field(default_factory=list)
    synergies: list[DetectedSynergy] = field(default_factory=list)
