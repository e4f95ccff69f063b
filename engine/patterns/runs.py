"""Analysis runs: one at a time, in a worker process, persisted, on demand and daily."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import ConflictError
from engine.home.catalog import Catalog
from engine.patterns.detect import DetectionResult
from engine.patterns.pattern_store import PatternStore
from engine.patterns.scoring import Scorer
from engine.patterns.worker import run_analysis
from engine.process_job import ProcessJob
from engine.store.database import release_idle_memory
from engine.store.run_rows import (
    INTERRUPTED_BY_RESTART,
    INTERRUPTED_BY_STOP,
    fail_unfinished,
    fetch_run,
    iso_time,
    newest_first,
)
from engine.store.schema import analysis_runs

_LOGGER = logging.getLogger(__name__)

# Progress reaches the database at most this often; readers of the active run get memory.
PERSIST_PROGRESS_S = 1.0
# Share of the progress bar the worker covers; storing and ranking the findings is the rest.
WORKER_SHARE = 0.95


@dataclass(slots=True)
class AnalysisRun:
    """One analysis run, as stored and as the API shows it."""

    run_id: str
    status: str
    progress: float
    days: int
    trigger: str
    created_at: float
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the run as API.md shapes it."""
        answer: dict[str, Any] = {
            "run_id": self.run_id,
            "status": self.status,
            "progress": round(self.progress, 4),
            "days": self.days,
            "trigger": self.trigger,
            "stats": self.stats,
            "created_at": iso_time(self.created_at),
            "started_at": iso_time(self.started_at),
            "finished_at": iso_time(self.finished_at),
        }
        if self.error is not None:
            answer["error"] = self.error
        return answer


def _row_to_run(row: Any) -> AnalysisRun:
    return AnalysisRun(
        run_id=row.run_id,
        status=row.status,
        progress=row.progress,
        days=row.days,
        trigger=row.trigger,
        created_at=row.created_at,
        stats=row.stats or {},
        error=row.error,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


# Called with each succeeded run (the push stream and Home Assistant listen here).
CompletionListener = Callable[[AnalysisRun], Awaitable[None]]


class AnalysisRunner:
    """Starts analysis runs one at a time and stores what they find."""

    def __init__(
        self,
        engine: AsyncEngine,
        database_url: str,
        store: PatternStore,
        catalog: Callable[[], Catalog],
        scorer: Callable[[], Awaitable[Scorer]],
        *,
        excluded: Callable[[], frozenset[str]] = frozenset,
    ) -> None:
        self._engine = engine
        self._database_url = database_url
        self._store = store
        self._catalog = catalog
        self._scorer = scorer
        # The entities the household left out of the analysis, read as each run starts.
        self._excluded = excluded
        self._active: AnalysisRun | None = None
        self._job: ProcessJob | None = None
        self._task: asyncio.Task[AnalysisRun] | None = None
        self._persisted_at = 0.0
        self._closing = False
        self._listeners: list[CompletionListener] = []

    def on_completed(self, listener: CompletionListener) -> None:
        """Call `listener` after every finished run, succeeded or failed."""
        self._listeners.append(listener)

    async def setup(self) -> None:
        """Fail runs a previous process left unfinished."""
        if failed := await fail_unfinished(self._engine, analysis_runs, INTERRUPTED_BY_RESTART):
            _LOGGER.warning("Marked %d interrupted analysis runs as failed", failed)

    async def close(self) -> None:
        """Stop a run in progress; it is marked failed with the reason."""
        self._closing = True
        if self._job is not None:
            self._job.stop_event.set()
            self._job.terminate()
        if self._task is not None:
            await self._task
        await fail_unfinished(self._engine, analysis_runs, INTERRUPTED_BY_STOP)

    @property
    def active(self) -> AnalysisRun | None:
        """Return the run in progress, if any."""
        return self._active

    def submit(self, days: int, trigger: str) -> AnalysisRun:
        """Start a run in the background and return it queued (409 while one is active)."""
        run = self._claim(days, trigger)
        self._task = asyncio.create_task(self.execute(run), name="homeiq-analysis")
        return run

    async def run_now(self, days: int, trigger: str) -> AnalysisRun:
        """Carry out a run and return it ended (409 while one is active)."""
        return await self.execute(self._claim(days, trigger))

    def _claim(self, days: int, trigger: str) -> AnalysisRun:
        """Claim the one analysis slot for a new run (409 while one is in progress)."""
        if self._active is not None:
            raise ConflictError(
                "An analysis is already in progress", {"run_id": self._active.run_id}
            )
        run = AnalysisRun(
            run_id=uuid.uuid4().hex,
            status="queued",
            progress=0.0,
            days=days,
            trigger=trigger,
            created_at=time.time(),
        )
        if self._closing:
            raise ConflictError("The engine is stopping")
        # Claimed before the first await: two requests at once cannot both start a run.
        self._active = run
        return run

    async def execute(self, run: AnalysisRun) -> AnalysisRun:
        """Carry out a claimed run, from queued to its end."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    insert(analysis_runs).values(
                        run_id=run.run_id,
                        status=run.status,
                        progress=run.progress,
                        days=run.days,
                        trigger=run.trigger,
                        created_at=run.created_at,
                    )
                )
            await self._carry_out(run)
        except Exception as err:
            _LOGGER.exception("Analysis run %s could not be carried out", run.run_id)
            run.status, run.error = "failed", f"{type(err).__name__}: {err}"
            run.finished_at = time.time()
            await self._persist(run)
        finally:
            self._active, self._job = None, None
        for listener in self._listeners:
            try:
                await listener(run)
            except Exception:
                _LOGGER.exception("An analysis listener failed")
        return run

    async def _carry_out(self, run: AnalysisRun) -> None:
        run.status, run.started_at = "running", time.time()
        await self._persist(run)
        started = time.perf_counter()
        job = ProcessJob(
            run_analysis,
            (self._database_url, self._catalog(), run.days, self._excluded()),
            f"homeiq-analysis-{run.run_id[:8]}",
        )
        self._job = job
        # The worker reads the whole window through a connection of its own, so the pages
        # the engine's idle connections cache would only add to the analysis's peak memory.
        await release_idle_memory(self._engine)
        message = await job.run(lambda fraction: self._progress(run, fraction * WORKER_SHARE))
        run.finished_at = time.time()
        if message[0] == "done":
            result: DetectionResult = message[1]
            stats: dict[str, Any] = message[2]
            run.stats = await self._store_findings(run, result, stats, started)
            run.status, run.progress = "succeeded", 1.0
        elif self._closing or message[0] == "stopped":
            run.status, run.error = "failed", INTERRUPTED_BY_STOP
        elif message[0] == "failed":
            run.status, run.error = "failed", message[1]
        else:
            code = job.process.exitcode
            run.status, run.error = "failed", f"The analysis process died (exit code {code})"
        run.finished_at = time.time()
        await self._persist(run)
        _LOGGER.info("Analysis run %s %s", run.run_id, run.status, extra=run.stats)

    async def _store_findings(
        self, run: AnalysisRun, result: DetectionResult, stats: dict[str, Any], started: float
    ) -> dict[str, Any]:
        """Store the findings ranked; return the run's stats."""
        pattern_count, synergy_count = await self._store.replace(
            run.run_id, result, await self._scorer()
        )
        return {
            **stats,
            "patterns": pattern_count,
            "synergies": synergy_count,
            "duration_s": round(time.perf_counter() - started, 3),
        }

    async def get(self, run_id: str) -> AnalysisRun:
        """Return a run; the active one comes from memory, with its latest progress."""
        if self._active is not None and self._active.run_id == run_id:
            return self._active
        return _row_to_run(await fetch_run(self._engine, analysis_runs, run_id, "analysis run"))

    async def list_runs(
        self, limit: int, before: tuple[float, str] | None
    ) -> tuple[list[AnalysisRun], int]:
        """Return runs newest first, after a cursor position, and the total count."""
        rows, total = await newest_first(self._engine, analysis_runs, limit, before)
        active = self._active
        runs = [
            active if active and active.run_id == row.run_id else _row_to_run(row) for row in rows
        ]
        return runs, total

    async def last_succeeded(self) -> AnalysisRun | None:
        """Return the newest succeeded run."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(analysis_runs)
                    .where(analysis_runs.c.status == "succeeded")
                    .order_by(analysis_runs.c.finished_at.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else _row_to_run(row)

    async def _progress(self, run: AnalysisRun, fraction: float) -> None:
        run.progress = fraction
        if time.monotonic() - self._persisted_at >= PERSIST_PROGRESS_S:
            self._persisted_at = time.monotonic()
            await self._persist(run)

    async def _persist(self, run: AnalysisRun) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(analysis_runs)
                .where(analysis_runs.c.run_id == run.run_id)
                .values(
                    status=run.status,
                    progress=run.progress,
                    stats=run.stats or None,
                    error=run.error,
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                )
            )
