"""What an analysis finds, as the API shows it (minus the ids the store gives)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from engine.patterns.details import PatternDetails, PatternType, Step, details_from_dict

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

    type: PatternType
    entities: list[str]
    description: str
    confidence: float
    support_days: int
    observed_days: int
    score: float
    # Typed between the detectors and the suggestions; JSON only in the store and the API.
    details: PatternDetails
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


@dataclass(frozen=True, slots=True)
class StoredPattern[DetailsT: PatternDetails]:
    """A stored pattern as the suggestions read it: typed details, the API's other fields."""

    id: str
    type: PatternType
    description: str
    score: float
    details: DetailsT
    covered_by: tuple[str, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=no_evidence)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredPattern[PatternDetails]:
        """Return a pattern from its API shape (the store's edge)."""
        kind = PatternType(data["type"])
        return StoredPattern(
            str(data["id"]),
            kind,
            str(data["description"]),
            float(data["score"]),
            details_from_dict(kind, data["details"]),
            tuple(str(automation) for automation in data.get("covered_by") or ()),
            data.get("evidence") or no_evidence(),
        )

    def of[OtherT: PatternDetails](
        self, kind: builtins.type[OtherT]
    ) -> StoredPattern[OtherT] | None:
        """Return this pattern typed by its details when they are of this kind, else None."""
        # The details decide: a pattern whose details are `kind` is a pattern of `kind`.
        return cast("StoredPattern[OtherT]", self) if isinstance(self.details, kind) else None


@dataclass(frozen=True, slots=True)
class StoredSynergy:
    """A stored synergy as the suggestions read it."""

    id: str
    chain: tuple[Step, ...]
    description: str
    score: float
    evidence: Mapping[str, Any] = field(default_factory=no_evidence)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredSynergy:
        """Return a synergy from its API shape (the store's edge)."""
        return cls(
            str(data["id"]),
            tuple(Step.from_dict(step) for step in data["chain"]),
            str(data["description"]),
            float(data["score"]),
            data.get("evidence") or no_evidence(),
        )
