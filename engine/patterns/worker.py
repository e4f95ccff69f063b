"""The analysis worker: the function an analysis run's spawned process executes."""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from engine.home.catalog import Catalog
from engine.patterns.detect import DetectionResult, detect
from engine.patterns.load import load_window
from engine.runs.process import WorkerChannel, serve

# Reading the window is most of the work a progress bar can show; detection is the rest.
LOAD_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """What a finished analysis worker sends: the findings and the run's statistics."""

    detection: DetectionResult
    stats: dict[str, Any]


class AnalysisStopped(Exception):  # noqa: N818 - a stop signal, not a failure
    """Raised inside the worker when the engine asked it to stop."""


def peak_memory_mb() -> float:
    """Return this process's peak resident memory in MB."""
    # Linux's ru_maxrss of a spawned process also counts the parent's peak before the exec,
    # so it would report the engine's memory; VmHWM is this process's own.
    try:
        with Path("/proc/self/status").open() as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def run_analysis(  # noqa: PLR0917 - ProcessJob passes the run's arguments, then its pipe
    database_url: str,
    catalog: Catalog,
    days: int,
    excluded: frozenset[str],
    connection: Connection,
    stop: Event,
) -> None:
    """Load the window without `excluded` entities, detect, and send the outcome."""
    serve(
        connection,
        stop,
        lambda channel: _analyse(database_url, catalog, days, excluded, channel),
        stopped=(AnalysisStopped,),
    )


def _analyse(
    database_url: str,
    catalog: Catalog,
    days: int,
    excluded: frozenset[str],
    progress: WorkerChannel,
) -> AnalysisResult:
    """Load the window and detect patterns in it, reporting progress."""

    def loading(fraction: float) -> None:
        if progress.should_stop():
            raise AnalysisStopped
        progress(fraction * LOAD_SHARE)

    started = time.perf_counter()
    events = load_window(database_url, days, loading, excluded=excluded)
    progress(LOAD_SHARE)
    result = detect(events, catalog, time_zone=catalog.time_zone)
    stats = {
        "events": len(events),
        "entities": len(events.entity_ids),
        "patterns": len(result.patterns),
        "synergies": len(result.synergies),
        "duration_s": round(time.perf_counter() - started, 3),
        "peak_memory_mb": peak_memory_mb(),
    }
    return AnalysisResult(result, stats)
