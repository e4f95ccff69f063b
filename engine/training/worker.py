"""The training worker: the function a run's spawned process executes."""

from __future__ import annotations

from collections.abc import Mapping
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

from engine.process_job import ProgressSender
from engine.training.protocol import TrainingCancelled, TrainingReport
from engine.training.registry import load_training_type


def run_training(
    import_path: str,
    params: dict[str, Any],
    inputs: Mapping[str, Any],
    connection: Connection,
    cancel: Event,
) -> None:
    """Train in this process and send ("progress", x), then ("done", ...) or an error."""
    progress = ProgressSender(connection, cancel)
    try:
        training_type = load_training_type(import_path)
        report = TrainingReport(progress, progress.should_stop)
        outcome = training_type.train(params, report, inputs)
        connection.send(("done", outcome.metrics, outcome.model, outcome.details))
    except TrainingCancelled:
        connection.send(("cancelled",))
    except Exception as err:  # noqa: BLE001 - every failure becomes the run's error
        connection.send(("failed", f"{type(err).__name__}: {err}"))
    finally:
        connection.close()
