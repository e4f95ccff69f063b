"""What a training type provides; the run machinery (runs.py) drives any of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import voluptuous as vol


class TrainingCancelled(Exception):  # noqa: N818 - a stop signal, not a failure
    """Raised inside a training function when the run was cancelled."""


@dataclass(frozen=True, slots=True)
class TrainingReport:
    """Lets a training function report progress and learn that it should stop."""

    set_progress: Callable[[float], None]
    should_stop: Callable[[], bool]

    def progress(self, fraction: float) -> None:
        """Report progress in [0, 1]; raise TrainingCancelled when the run was cancelled."""
        if self.should_stop():
            raise TrainingCancelled
        self.set_progress(min(1.0, max(0.0, fraction)))


@dataclass(frozen=True, slots=True)
class TrainingOutcome:
    """What a finished training produced: its metrics and the model, serialised."""

    metrics: dict[str, Any]
    model: bytes
    details: dict[str, Any] = field(default_factory=dict)


class TrainingType(Protocol):
    """A kind of model the engine can train (home_type_classifier, suggestion_ranker ...)."""

    name: str
    # Validates the request's "params"; every key optional with a default.
    params_schema: vol.Schema

    def train(
        self, params: dict[str, Any], report: TrainingReport, inputs: Mapping[str, Any]
    ) -> TrainingOutcome:
        """Train synchronously (in a worker process) and return the outcome.

        `inputs` is what the engine gathered for this type before the worker started
        (TrainingRunner.provide_inputs), empty for types that need nothing from it.
        """
        ...
