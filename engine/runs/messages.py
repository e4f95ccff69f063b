"""What a run's worker process sends the engine: typed messages, never bare tuples."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    """The worker's progress so far, in [0, 1]."""

    fraction: float


@dataclass(frozen=True, slots=True)
class Finished[ResultT]:
    """The worker's work is done; `result` is what it produced."""

    result: ResultT


@dataclass(frozen=True, slots=True)
class Stopped:
    """The worker stopped because the engine asked it to (cancel, shutdown)."""


@dataclass(frozen=True, slots=True)
class Failed:
    """The worker's work raised; `reason` names the error."""

    reason: str


@dataclass(frozen=True, slots=True)
class Died:
    """The worker ended (killed, out of memory) without saying how: its exit code."""

    exit_code: int | None


# What travels on the pipe: progress any number of times, then exactly one ending.
type WorkerMessage[ResultT] = Progress | Finished[ResultT] | Stopped | Failed
# How a worker process ended, as the engine learns it.
type Outcome[ResultT] = Finished[ResultT] | Stopped | Failed | Died
