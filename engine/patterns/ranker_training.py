"""The suggestion_ranker training type: the run machinery's view of the ranker model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.patterns.ranker_model import RANKER_PARAMS_SCHEMA, train_ranker
from engine.patterns.ranking import Candidate, Feedback
from engine.training.protocol import TrainingOutcome, TrainingReport

NAME = "suggestion_ranker"
IMPORT_PATH = "engine.patterns.ranker_training:SUGGESTION_RANKER"


def history_to_inputs(history: Sequence[Feedback]) -> dict[str, Any]:
    """Return the feedback history as the worker process receives it (plain data)."""
    return {
        "history": [
            {"candidate": item.candidate.to_dict(), "action": item.action, "at": item.at}
            for item in history
        ]
    }


def history_from_inputs(inputs: Mapping[str, Any]) -> list[Feedback]:
    """Return the feedback history the engine gathered for a run."""
    return [
        Feedback(Candidate.from_dict(item["candidate"]), item["action"], float(item["at"]))
        for item in inputs.get("history", [])
    ]


class SuggestionRanker:
    """Learns from the household's feedback which suggestions it accepts."""

    name = NAME
    params_schema = RANKER_PARAMS_SCHEMA

    def train(
        self, params: dict[str, Any], report: TrainingReport, inputs: Mapping[str, Any]
    ) -> TrainingOutcome:
        """Train on the feedback history gathered by the engine."""
        return train_ranker(history_from_inputs(inputs), params, report)


SUGGESTION_RANKER = SuggestionRanker()
