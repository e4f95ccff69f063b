"""Detected findings as the suggestion service reads them from the store, for the tests."""

from __future__ import annotations

from engine.patterns.details import PatternDetails, Step
from engine.patterns.findings import DetectionResult, StoredPattern, StoredSynergy


def stored(
    result: DetectionResult,
) -> tuple[list[StoredPattern[PatternDetails]], list[StoredSynergy]]:
    """Return an analysis's patterns and synergies with made-up ids, none covered."""
    patterns: list[StoredPattern[PatternDetails]] = [
        StoredPattern(f"p{n}", p.type, p.description, p.score, p.details, (), p.evidence)
        for n, p in enumerate(result.patterns)
    ]
    synergies = [
        StoredSynergy(
            f"s{n}", tuple(map(Step.from_dict, s.chain)), s.description, s.score, s.evidence
        )
        for n, s in enumerate(result.synergies)
    ]
    return patterns, synergies
