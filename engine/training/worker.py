"""The training worker: one spawned process per run, reporting over a pipe.

A separate process, not a thread: training is CPU-bound Python and numpy, and in a
thread it would take the GIL from the event loop that answers /health.
"""

from __future__ import annotations

import time
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

from engine.training.protocol import TrainingCancelled, TrainingReport
from engine.training.registry import load_training_type

# Progress messages at most this often: a tight training loop must not flood the pipe.
PROGRESS_INTERVAL_S = 0.2


def run_training(
    import_path: str, params: dict[str, Any], connection: Connection, cancel: Event
) -> None:
    """Train in this process and send ("progress", x), then ("done", ...) or an error."""
    last_sent = 0.0

    def set_progress(fraction: float) -> None:
        nonlocal last_sent
        now = time.monotonic()
        if now - last_sent >= PROGRESS_INTERVAL_S:
            last_sent = now
            connection.send(("progress", fraction))

    try:
        training_type = load_training_type(import_path)
        outcome = training_type.train(params, TrainingReport(set_progress, cancel.is_set))
        connection.send(("done", outcome.metrics, outcome.model, outcome.details))
    except TrainingCancelled:
        connection.send(("cancelled",))
    except Exception as err:  # noqa: BLE001 - every failure becomes the run's error
        connection.send(("failed", f"{type(err).__name__}: {err}"))
    finally:
        connection.close()
