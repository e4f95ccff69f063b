"""Training runs: queued, run one at a time in a worker process, persisted, cancellable."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import voluptuous as vol
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import ConflictError, NotFoundError
from engine.process_job import ProcessJob
from engine.store.run_rows import (
    ACTIVE,
    INTERRUPTED_BY_RESTART,
    INTERRUPTED_BY_STOP,
    fail_unfinished,
    fetch_run,
    iso_time,
    newest_first,
)
from engine.store.schema import models, training_runs
from engine.training.registry import TRAINING_TYPES, load_training_type
from engine.training.worker import run_training
from engine.validation import validate

_LOGGER = logging.getLogger(__name__)

# Progress reaches the database at most this often; readers of a running run get memory.
PERSIST_PROGRESS_S = 1.0

# Gathers what a training type needs from the engine's own data, before the worker starts.
InputsProvider = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(slots=True)
class TrainingRun:
    """One run, as stored and as the API shows it."""

    run_id: str
    training_type: str
    status: str
    progress: float
    params: dict[str, Any]
    created_at: float
    metrics: dict[str, Any] = field(default_factory=dict)
    model_version: int | None = None
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the run as API.md shapes it."""
        answer: dict[str, Any] = {
            "run_id": self.run_id,
            "training_type": self.training_type,
            "status": self.status,
            "progress": round(self.progress, 4),
            "params": self.params,
            "metrics": self.metrics,
            "model_version": self.model_version,
            "created_at": iso_time(self.created_at),
            "started_at": iso_time(self.started_at),
            "finished_at": iso_time(self.finished_at),
        }
        if self.error is not None:
            answer["error"] = self.error
        return answer


@dataclass(slots=True)
class _Active:
    """The run the worker process is busy with."""

    run: TrainingRun
    job: ProcessJob
    cancel_requested: bool = False
    persisted_at: float = 0.0


def _row_to_run(row: Any) -> TrainingRun:
    return TrainingRun(
        run_id=row.run_id,
        training_type=row.training_type,
        status=row.status,
        progress=row.progress,
        params=row.params,
        created_at=row.created_at,
        metrics=row.metrics or {},
        model_version=row.model_version,
        error=row.error,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a file so a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


class TrainingRunner:
    """Accepts runs, trains them one at a time in a worker process, keeps their status."""

    def __init__(
        self,
        engine: AsyncEngine,
        models_dir: Path,
        types: Mapping[str, str] = TRAINING_TYPES,
    ) -> None:
        self._engine = engine
        self._models_dir = models_dir
        self._types = types
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._active: _Active | None = None
        self._worker: asyncio.Task[None] | None = None
        self._closing = False
        self._inputs: dict[str, InputsProvider] = {}
        self._listeners: list[Callable[[TrainingRun], Awaitable[None]]] = []
        self._updated: list[Callable[[TrainingRun], None]] = []

    def on_updated(self, listener: Callable[[TrainingRun], None]) -> None:
        """Call `listener` whenever a run's stored status or progress changes."""
        self._updated.append(listener)

    def on_succeeded(self, listener: Callable[[TrainingRun], Awaitable[None]]) -> None:
        """Call `listener` after every succeeded run (a module reloads its model)."""
        self._listeners.append(listener)

    def provide_inputs(self, training_type: str, provider: InputsProvider) -> None:
        """Let a module gather a training type's data in the engine (e.g. feedback history)."""
        self._inputs[training_type] = provider

    async def setup(self) -> None:
        """Fail runs a previous process left unfinished, then start the worker."""
        if failed := await fail_unfinished(self._engine, training_runs, INTERRUPTED_BY_RESTART):
            _LOGGER.warning("Marked %d interrupted training runs as failed", failed)
        self._worker = asyncio.create_task(self._work(), name="homeiq-training")

    async def close(self) -> None:
        """Stop the worker; a run in progress is stopped and marked failed with the reason."""
        self._closing = True
        active = self._active
        if active is not None:
            active.job.stop_event.set()
            active.job.terminate()
        await self._queue.put(None)
        if self._worker is not None:
            await self._worker
        await fail_unfinished(self._engine, training_runs, INTERRUPTED_BY_STOP)

    def _schema(self, training_type: str) -> vol.Schema:
        if training_type not in self._types:
            raise NotFoundError(
                f"Unknown training type {training_type!r}",
                {"training_types": sorted(self._types)},
            )
        params_schema = load_training_type(self._types[training_type]).params_schema
        return vol.Schema({vol.Optional("params", default=dict): params_schema})

    async def submit(self, training_type: str, body: Any) -> TrainingRun:
        """Validate the parameters, store a queued run, and queue it."""
        params = validate(self._schema(training_type), body)["params"]
        run = TrainingRun(
            run_id=uuid.uuid4().hex,
            training_type=training_type,
            status="queued",
            progress=0.0,
            params=params,
            created_at=time.time(),
        )
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(training_runs).values(
                    run_id=run.run_id,
                    training_type=run.training_type,
                    status=run.status,
                    progress=run.progress,
                    params=run.params,
                    created_at=run.created_at,
                )
            )
        await self._queue.put(run.run_id)
        return run

    async def get(self, run_id: str) -> TrainingRun:
        """Return a run; the one in progress comes from memory, with its latest progress."""
        if self._active is not None and self._active.run.run_id == run_id:
            return self._active.run
        return _row_to_run(await fetch_run(self._engine, training_runs, run_id, "training run"))

    async def list_runs(
        self, limit: int, before: tuple[float, str] | None
    ) -> tuple[list[TrainingRun], int]:
        """Return runs newest first, after a cursor position, and the total count."""
        rows, total = await newest_first(self._engine, training_runs, limit, before)
        active = self._active.run if self._active else None
        runs = [
            active if active and active.run_id == row.run_id else _row_to_run(row) for row in rows
        ]
        return runs, total

    async def cancel(self, run_id: str) -> TrainingRun:
        """Cancel a queued or running run; a finished one cannot be cancelled (409)."""
        active = self._active
        if active is not None and active.run.run_id == run_id and active.run.status == "running":
            active.cancel_requested = True
            active.job.stop()
            return active.run
        run = await self.get(run_id)
        if run.status not in ACTIVE:
            raise ConflictError(
                f"Training run {run_id} has already {run.status}", {"status": run.status}
            )
        run.status, run.finished_at = "cancelled", time.time()
        await self._persist(run)
        return run

    async def newest_model(self, name: str) -> tuple[int, bytes] | None:
        """Return the newest version of a model and its bytes, if one was trained."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(models.c.version, models.c.path)
                    .where(models.c.name == name)
                    .order_by(models.c.version.desc())
                    .limit(1)
                )
            ).first()
        if row is None:
            return None
        return row.version, await asyncio.to_thread(Path(row.path).read_bytes)

    async def list_models(self) -> list[dict[str, Any]]:
        """Return the newest version of every trained model."""
        newest = (
            select(models.c.name, func.max(models.c.version).label("version"))
            .group_by(models.c.name)
            .subquery()
        )
        query = (
            select(models)
            .join(newest, (models.c.name == newest.c.name) & (models.c.version == newest.c.version))
            .order_by(models.c.name)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            {
                "name": row.name,
                "version": row.version,
                "trained_at": iso_time(row.trained_at),
                "metrics": row.metrics,
                "run_id": row.run_id,
            }
            for row in rows
        ]

    async def _persist(self, run: TrainingRun) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(training_runs)
                .where(training_runs.c.run_id == run.run_id)
                .values(
                    status=run.status,
                    progress=run.progress,
                    metrics=run.metrics or None,
                    model_version=run.model_version,
                    error=run.error,
                    started_at=run.started_at,
                    finished_at=run.finished_at,
                )
            )
        for listener in self._updated:
            listener(run)

    async def _work(self) -> None:
        while (run_id := await self._queue.get()) is not None:
            try:
                run = await self.get(run_id)
                if run.status == "queued":
                    await self._execute(run)
            except Exception:
                _LOGGER.exception("Training run %s could not be carried out", run_id)

    async def _execute(self, run: TrainingRun) -> None:
        """Run one training in a worker process and record how it ended."""
        run.status, run.started_at = "running", time.time()
        await self._persist(run)
        provider = self._inputs.get(run.training_type)
        try:
            inputs = await provider() if provider else {}
        except Exception as err:
            _LOGGER.exception("Could not gather the inputs of training run %s", run.run_id)
            run.status, run.error, run.finished_at = "failed", str(err), time.time()
            await self._persist(run)
            return
        job = ProcessJob(
            run_training,
            (self._types[run.training_type], run.params, inputs),
            f"homeiq-training-{run.run_id[:8]}",
        )
        active = _Active(run, job, persisted_at=time.monotonic())
        self._active = active
        try:
            message = await job.run(lambda fraction: self._progress(active, fraction))
            await self._finish(active, message)
        finally:
            self._active = None

    async def _progress(self, active: _Active, fraction: float) -> None:
        active.run.progress = fraction
        if time.monotonic() - active.persisted_at >= PERSIST_PROGRESS_S:
            active.persisted_at = time.monotonic()
            await self._persist(active.run)

    async def _finish(self, active: _Active, message: tuple[Any, ...]) -> None:
        run = active.run
        run.finished_at = time.time()
        kind = message[0]
        if kind == "done":
            _, metrics, model, _details = message
            run.metrics = metrics
            run.model_version = await self._save_model(run, metrics, model)
            # Before the run reads "succeeded": whoever sees that can rely on the new model
            # being in use already.
            await self._notify(run)
            run.status, run.progress = "succeeded", 1.0
        elif self._closing:
            run.status, run.error = "failed", INTERRUPTED_BY_STOP
        elif kind == "cancelled" or active.cancel_requested:
            run.status = "cancelled"
        elif kind == "failed":
            run.status, run.error = "failed", message[1]
        else:
            code = active.job.process.exitcode
            run.status, run.error = "failed", f"The training process died (exit code {code})"
        await self._persist(run)
        _LOGGER.info("Training run %s %s", run.run_id, run.status)

    async def _notify(self, run: TrainingRun) -> None:
        """Tell the listeners of a run that trained a model; a failing one is logged."""
        for listener in self._listeners:
            try:
                await listener(run)
            except Exception:
                _LOGGER.exception("A listener of training run %s failed", run.run_id)

    async def _save_model(self, run: TrainingRun, metrics: dict[str, Any], model: bytes) -> int:
        """Store the model file and its version row; return the version."""
        async with self._engine.begin() as connection:
            current = await connection.scalar(
                select(func.max(models.c.version)).where(models.c.name == run.training_type)
            )
            version = (current or 0) + 1
            path = self._models_dir / run.training_type / f"v{version}.model"
            await asyncio.to_thread(_write_atomically, path, model)
            await connection.execute(
                insert(models).values(
                    name=run.training_type,
                    version=version,
                    trained_at=run.finished_at,
                    metrics=metrics,
                    path=str(path),
                    run_id=run.run_id,
                )
            )
        return version
