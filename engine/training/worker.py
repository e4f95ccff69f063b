"""The training worker: the function a run's spawned process executes."""

from __future__ import annotations

from collections.abc import Mapping
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

from engine.runs.process import WorkerChannel, serve
from engine.training.protocol import TrainingCancelled, TrainingOutcome, TrainingReport
from engine.training.registry import load_training_type


def run_training(
    import_path: str,
    params: dict[str, Any],
    inputs: Mapping[str, Any],
    connection: Connection,
    cancel: Event,
) -> None:
    """Train in this process, sending progress and then the outcome (or how it ended)."""

    def train(channel: WorkerChannel) -> TrainingOutcome:
        training_type = load_training_type(import_path)
        return training_type.train(params, TrainingReport(channel, channel.should_stop), inputs)

    serve(connection, cancel, train, stopped=(TrainingCancelled,))
