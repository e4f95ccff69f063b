"""The ranked score of each finding: detector score, feedback, and the trained ranker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.patterns.ranking import Candidate, Feedback, FeedbackRanking, FloatArray


class AcceptanceModel(Protocol):
    """A trained model of what this household accepts (the suggestion_ranker)."""

    def scores(self, candidates: Sequence[Candidate]) -> FloatArray:
        """Return each candidate's ranked score, in their order."""
        ...


@dataclass(frozen=True)
class Scorer:
    """Scores findings with the trained ranker once there is one, the Bayesian update otherwise."""

    model: AcceptanceModel | None = None

    def score(
        self, candidates: Sequence[Candidate], history: Sequence[Feedback]
    ) -> list[tuple[float, bool]]:
        """Return (ranked score, suppressed) for each candidate."""
        if not candidates:
            return []
        ranking = FeedbackRanking.from_history(history)
        source = ranking if self.model is None else self.model
        scores = source.scores(candidates)
        return [
            (round(float(score), 4), ranking.suppressed(candidate))
            for candidate, score in zip(candidates, scores, strict=True)
        ]
