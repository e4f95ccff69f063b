"""The analysis worker: the function an analysis run's spawned process executes."""

from __future__ import annotations

import resource
import sys
import time
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path

from engine.home.catalog import Catalog
from engine.patterns.detect import detect
from engine.patterns.load import load_window
from engine.process_job import ProgressSender

# Reading the window is most of the work a progress bar can show; detection is the rest.
LOAD_SHARE = 0.6


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
    """Load the window without `excluded` entities, detect, and send the outcome.

    The outcome is ("done", result, stats), ("stopped",) or ("failed", reason).
    """
    progress = ProgressSender(connection, stop)

    def loading(fraction: float) -> None:
        if progress.should_stop():
            raise AnalysisStopped
        progress(fraction * LOAD_SHARE)

    started = time.perf_counter()
    try:
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
        connection.send(("done", result, stats))
    except AnalysisStopped:
        connection.send(("stopped",))
    except Exception as err:  # noqa: BLE001 - every failure becomes the run's error
        connection.send(("failed", f"{type(err).__name__}: {err}"))
    finally:
        connection.close()
