"""The run machine: runs one at a time in a worker process, persisted, cancellable.

Analysis runs and training runs are both this machine; what differs (the table's columns,
the worker, what a finished run stores) is the run kind's (RunKind).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Row, Table, insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import ConflictError
from engine.runs.messages import Died, Failed, Finished, Outcome, Stopped
from engine.runs.process import ProcessJob
from engine.store.run_rows import (
    ACTIVE,
    INTERRUPTED_BY_RESTART,
    INTERRUPTED_BY_STOP,
    fail_unfinished,
    fetch_run,
    newest_first,
)

_LOGGER = logging.getLogger(__name__)

# Progress reaches the database at most this often; readers of the active run get memory.
PERSIST_PROGRESS_S = 1.0


class RunRecord(Protocol):
    """What the machine reads and writes of any run."""

    run_id: str
    status: str
    progress: float
    created_at: float
    error: str | None
    started_at: float | None
    finished_at: float | None


class RunError(Exception):
    """A run cannot go on; the message is the run's error as stored, word for word."""


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """The function a run's process executes and its arguments (the pipe and stop flag follow)."""

    target: Callable[..., None]
    args: tuple[Any, ...]


class RunKind[RunT: RunRecord, ResultT](Protocol):
    """What one kind of run (analysis, training) adds to the machine."""

    # Names the kind in messages and process names ("analysis", "training").
    label: str
    table: Table
    # The answer to a run started while another is in progress.
    busy_message: str

    def from_row(self, row: Row[Any]) -> RunT:
        """Return the run a stored row holds."""
        ...

    def row_values(self, run: RunT) -> dict[str, Any]:
        """Return the kind's own columns of a run, as stored when it changes."""
        ...

    async def worker(self, run: RunT) -> WorkerSpec:
        """Gather what the worker needs, in the engine; RunError fails the run."""
        ...

    async def succeeded(self, run: RunT, result: ResultT) -> None:
        """Keep what a finished worker produced, before the run reads "succeeded"."""
        ...


@dataclass(slots=True)
class _Active[RunT, ResultT]:
    """The run the machine is busy with, and its worker once started."""

    run: RunT
    job: ProcessJob[ResultT] | None = None
    cancel_requested: bool = False
    persisted_at: float = 0.0


class RunMachine[RunT: RunRecord, ResultT]:
    """Carries out runs of one kind, one at a time, each in a worker process of its own.

    A kind either refuses a run while one is in progress (`start`, `run_now`) or queues it
    (`enqueue`), never both: queued runs do not wait for a claimed one.
    """

    def __init__(
        self, engine: AsyncEngine, kind: RunKind[RunT, ResultT], *, worker_share: float = 1.0
    ) -> None:
        self._engine = engine
        self._kind = kind
        # Share of the progress bar the worker covers; keeping its result is the rest.
        self._worker_share = worker_share
        self._active: _Active[RunT, ResultT] | None = None
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._consumer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[RunT]] = set()
        self._closing = False
        self._updated: list[Callable[[RunT], None]] = []
        self._ended: list[Callable[[RunT], Awaitable[None]]] = []

    def on_updated(self, listener: Callable[[RunT], None]) -> None:
        """Call `listener` whenever a run's stored status or progress changes."""
        self._updated.append(listener)

    def on_ended(self, listener: Callable[[RunT], Awaitable[None]]) -> None:
        """Call `listener` after every run that ended, succeeded or not; failures are logged."""
        self._ended.append(listener)

    @property
    def active(self) -> RunT | None:
        """Return the run in progress, if any."""
        return None if self._active is None else self._active.run

    async def setup(self) -> None:
        """Fail runs a previous process left unfinished, then take queued runs in turn."""
        if failed := await fail_unfinished(self._engine, self._kind.table, INTERRUPTED_BY_RESTART):
            _LOGGER.warning("Marked %d interrupted %s runs as failed", failed, self._kind.label)
        self._consumer = asyncio.create_task(self._consume(), name=f"homeiq-{self._kind.label}")

    async def close(self) -> None:
        """Stop the run in progress and the queue; unfinished runs are failed with the reason."""
        self._closing = True
        if self._active is not None and self._active.job is not None:
            self._active.job.stop_now()
        await self._queue.put(None)
        if self._consumer is not None:
            await self._consumer
        if self._tasks:
            await asyncio.gather(*self._tasks)
        await fail_unfinished(self._engine, self._kind.table, INTERRUPTED_BY_STOP)

    def start(self, run: RunT) -> RunT:
        """Carry out a new run in the background; ConflictError while one is in progress."""
        self._claim(run)
        task = asyncio.create_task(self._execute(run, insert_row=True), name="homeiq-run")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return run

    async def run_now(self, run: RunT) -> RunT:
        """Carry out a new run and return it ended; ConflictError while one is in progress."""
        self._claim(run)
        return await self._execute(run, insert_row=True)

    async def enqueue(self, run: RunT) -> RunT:
        """Store a new queued run; it is carried out after the runs queued before it."""
        if self._closing:
            raise ConflictError("The engine is stopping")
        await self._insert(run)
        await self._queue.put(run.run_id)
        return run

    async def cancel(self, run_id: str) -> RunT:
        """Cancel a queued or running run; an ended one cannot be cancelled (409)."""
        active = self._active
        if active is not None and active.run.run_id == run_id and active.run.status in ACTIVE:
            active.cancel_requested = True
            if active.job is not None:
                active.job.stop()
            return active.run
        run = await self.get(run_id)
        if run.status not in ACTIVE:
            raise ConflictError(
                f"{self._kind.label.capitalize()} run {run_id} has already {run.status}",
                {"status": run.status},
            )
        run.status, run.finished_at = "cancelled", time.time()
        await self._persist(run)
        return run

    async def get(self, run_id: str) -> RunT:
        """Return a run; the active one comes from memory, with its latest progress."""
        if self._active is not None and self._active.run.run_id == run_id:
            return self._active.run
        row = await fetch_run(self._engine, self._kind.table, run_id, f"{self._kind.label} run")
        return self._kind.from_row(row)

    async def list_runs(
        self, limit: int, before: tuple[float, str] | None
    ) -> tuple[list[RunT], int]:
        """Return runs newest first, after a (created_at, run_id) position, and the total."""
        rows, total = await newest_first(self._engine, self._kind.table, limit, before)
        active = self.active
        runs = [
            active if active and active.run_id == row.run_id else self._kind.from_row(row)
            for row in rows
        ]
        return runs, total

    def _claim(self, run: RunT) -> None:
        """Take the one slot for a run, before any await: two requests cannot both start."""
        if self._active is not None:
            raise ConflictError(self._kind.busy_message, {"run_id": self._active.run.run_id})
        if self._closing:
            raise ConflictError("The engine is stopping")
        self._active = _Active(run)

    async def _consume(self) -> None:
        """Carry out queued runs in turn; one cancelled while it waited is skipped."""
        while (run_id := await self._queue.get()) is not None:
            try:
                run = await self.get(run_id)
            except Exception:
                _LOGGER.exception("Queued %s run %s could not be read", self._kind.label, run_id)
                continue
            if run.status == "queued" and not self._closing:
                self._active = _Active(run)
                await self._execute(run, insert_row=False)

    async def _execute(self, run: RunT, *, insert_row: bool) -> RunT:
        """Carry out the claimed run to its end, whatever happens on the way."""
        try:
            if insert_row:
                await self._insert(run)
            await self._carry_out(self._active_of(run))
        except Exception as err:
            _LOGGER.exception("%s run %s could not be carried out", self._kind.label, run.run_id)
            reason = str(err) if isinstance(err, RunError) else f"{type(err).__name__}: {err}"
            run.status, run.error, run.finished_at = "failed", reason, time.time()
            try:
                await self._persist(run)
            except Exception:
                # The next start fails the row (INTERRUPTED_BY_RESTART); the queue goes on.
                _LOGGER.exception("%s run %s could not be stored", self._kind.label, run.run_id)
        finally:
            self._active = None
        for listener in self._ended:
            try:
                await listener(run)
            except Exception:
                _LOGGER.exception("A listener of %s run %s failed", self._kind.label, run.run_id)
        return run

    def _active_of(self, run: RunT) -> _Active[RunT, ResultT]:
        """Return the claimed slot `run` holds."""
        if self._active is None or self._active.run is not run:
            raise RuntimeError(f"{self._kind.label} run {run.run_id} was not claimed")
        return self._active

    async def _carry_out(self, active: _Active[RunT, ResultT]) -> None:
        run = active.run
        run.status, run.started_at = "running", time.time()
        await self._persist(run)
        spec = await self._kind.worker(run)
        outcome: Outcome[ResultT]
        if active.cancel_requested or self._closing:
            # Asked to stop while the inputs were gathered: no process is started.
            outcome = Stopped()
        else:
            job: ProcessJob[ResultT] = ProcessJob(
                spec.target, spec.args, f"homeiq-{self._kind.label}-{run.run_id[:8]}"
            )
            active.job, active.persisted_at = job, time.monotonic()
            outcome = await job.run(lambda fraction: self._progress(active, fraction))
        run.finished_at = time.time()
        await self._end(active, outcome)
        await self._persist(run)
        _LOGGER.info("%s run %s %s", self._kind.label.capitalize(), run.run_id, run.status)

    async def _end(self, active: _Active[RunT, ResultT], outcome: Outcome[ResultT]) -> None:
        """Set the run's ending from how its worker ended."""
        run = active.run
        match outcome:
            case Finished(result=result):
                await self._kind.succeeded(run, result)
                run.status, run.progress = "succeeded", 1.0
            case _ if self._closing:
                run.status, run.error = "failed", INTERRUPTED_BY_STOP
            case _ if active.cancel_requested or isinstance(outcome, Stopped):
                run.status = "cancelled"
            case Failed(reason=reason):
                run.status, run.error = "failed", reason
            case Died(exit_code=code):
                run.status = "failed"
                run.error = f"The {self._kind.label} process died (exit code {code})"

    async def _progress(self, active: _Active[RunT, ResultT], fraction: float) -> None:
        active.run.progress = fraction * self._worker_share
        if time.monotonic() - active.persisted_at >= PERSIST_PROGRESS_S:
            active.persisted_at = time.monotonic()
            await self._persist(active.run)

    async def _insert(self, run: RunT) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(self._kind.table).values(
                    run_id=run.run_id,
                    status=run.status,
                    progress=run.progress,
                    created_at=run.created_at,
                    **self._kind.row_values(run),
                )
            )

    async def _persist(self, run: RunT) -> None:
        table = self._kind.table
        async with self._engine.begin() as connection:
            await connection.execute(
                update(table)
                .where(table.c.run_id == run.run_id)
                .values(
                    status=run.status,
                    progress=run.progress,
                    error=run.error,
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                    **self._kind.row_values(run),
                )
            )
        for listener in self._updated:
            listener(run)
