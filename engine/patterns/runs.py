"""Analysis runs: one at a time, in a worker process, persisted, on demand and daily."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.home.catalog import Catalog
from engine.patterns import wire
from engine.patterns.pattern_store import PatternStore
from engine.patterns.scoring import Scorer
from engine.patterns.worker import AnalysisResult, run_analysis
from engine.runs.machine import RunMachine, WorkerSpec
from engine.store.database import release_idle_memory
from engine.store.run_rows import iso_time
from engine.store.schema import analysis_runs

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

    def as_dict(self) -> wire.AnalysisRun:
        """Return the run as API.md shapes it."""
        answer: wire.AnalysisRun = {
            "run_id": self.run_id,
            # The run machine and the scheduler only ever set the values the wire model names.
            "status": cast(wire.AnalysisStatus, self.status),
            "progress": round(self.progress, 4),
            "days": self.days,
            "trigger": cast(Literal["api", "schedule"], self.trigger),
            "stats": cast(wire.AnalysisStats, self.stats),
            "created_at": iso_time(self.created_at),
            "started_at": iso_time(self.started_at),
            "finished_at": iso_time(self.finished_at),
        }
        if self.error is not None:
            answer["error"] = self.error
        return answer


def _row_to_run(row: Row[Any]) -> AnalysisRun:
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


# Called with each finished run (the push stream and Home Assistant listen here).
CompletionListener = Callable[[AnalysisRun], Awaitable[None]]


class _AnalysisKind:
    """What analysis adds to the run machine: its columns, its worker, storing the findings."""

    label = "analysis"
    table = analysis_runs
    busy_message = "An analysis is already in progress"

    def __init__(
        self,
        engine: AsyncEngine,
        database_url: str,
        *,
        store: PatternStore,
        catalog: Callable[[], Catalog],
        scorer: Callable[[], Awaitable[Scorer]],
        excluded: Callable[[], frozenset[str]],
    ) -> None:
        self._engine = engine
        self._database_url = database_url
        self._store = store
        self._catalog = catalog
        self._scorer = scorer
        # The entities the household left out of the analysis, read as each run starts.
        self._excluded = excluded

    def from_row(self, row: Row[Any]) -> AnalysisRun:
        """Return the run a stored row holds."""
        return _row_to_run(row)

    def row_values(self, run: AnalysisRun) -> dict[str, Any]:
        """Return analysis's own columns of a run."""
        return {"days": run.days, "trigger": run.trigger, "stats": run.stats or None}

    async def worker(self, run: AnalysisRun) -> WorkerSpec:
        """Return the analysis worker for this run's window, catalog and exclusions."""
        # The worker reads the whole window through a connection of its own, so the pages
        # the engine's idle connections cache would only add to the analysis's peak memory.
        await release_idle_memory(self._engine)
        return WorkerSpec(
            run_analysis, (self._database_url, self._catalog(), run.days, self._excluded())
        )

    async def succeeded(self, run: AnalysisRun, result: AnalysisResult) -> None:
        """Store the findings ranked and set the run's stats."""
        pattern_count, synergy_count = await self._store.replace(
            run.run_id, result.detection, await self._scorer()
        )
        started = run.started_at or run.created_at
        run.stats = {
            **result.stats,
            "patterns": pattern_count,
            "synergies": synergy_count,
            "duration_s": round(time.time() - started, 3),
        }


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
        kind = _AnalysisKind(
            engine, database_url, store=store, catalog=catalog, scorer=scorer, excluded=excluded
        )
        self._machine: RunMachine[AnalysisRun, AnalysisResult] = RunMachine(
            engine, kind, worker_share=WORKER_SHARE
        )

    def on_completed(self, listener: CompletionListener) -> None:
        """Call `listener` after every finished run, succeeded or failed."""
        self._machine.on_ended(listener)

    async def setup(self) -> None:
        """Fail runs a previous process left unfinished."""
        await self._machine.setup()

    async def close(self) -> None:
        """Stop a run in progress; it is marked failed with the reason."""
        await self._machine.close()

    @property
    def active(self) -> AnalysisRun | None:
        """Return the run in progress, if any."""
        return self._machine.active

    def submit(self, days: int, trigger: str) -> AnalysisRun:
        """Start a run in the background and return it queued (409 while one is active)."""
        return self._machine.start(_new_run(days, trigger))

    async def run_now(self, days: int, trigger: str) -> AnalysisRun:
        """Carry out a run and return it ended (409 while one is active)."""
        return await self._machine.run_now(_new_run(days, trigger))

    async def get(self, run_id: str) -> AnalysisRun:
        """Return a run; the active one comes from memory, with its latest progress."""
        return await self._machine.get(run_id)

    async def list_runs(
        self, limit: int, before: tuple[float, str] | None
    ) -> tuple[list[AnalysisRun], int]:
        """Return runs newest first, after a cursor position, and the total count."""
        return await self._machine.list_runs(limit, before)

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


def _new_run(days: int, trigger: str) -> AnalysisRun:
    return AnalysisRun(
        run_id=uuid.uuid4().hex,
        status="queued",
        progress=0.0,
        days=days,
        trigger=trigger,
        created_at=time.time(),
    )
