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
from typing import Any, cast

import voluptuous as vol
from sqlalchemy import Row, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import NotFoundError
from engine.runs.machine import RunError, RunMachine, WorkerSpec
from engine.store.run_rows import iso_time
from engine.store.schema import models, training_runs
from engine.training import wire
from engine.training.protocol import TrainingOutcome
from engine.training.registry import TRAINING_TYPES, load_training_type
from engine.training.worker import run_training
from engine.validation import validate

_LOGGER = logging.getLogger(__name__)

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

    def as_dict(self) -> wire.TrainingRun:
        """Return the run as API.md shapes it."""
        answer: wire.TrainingRun = {
            "run_id": self.run_id,
            "training_type": self.training_type,
            # The run machine only ever sets the statuses the wire model names.
            "status": cast(wire.TrainingStatus, self.status),
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


def _row_to_run(row: Row[Any]) -> TrainingRun:
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


class _TrainingKind:
    """What training adds to the run machine: its columns, its worker, saving the model."""

    label = "training"
    table = training_runs
    busy_message = "A training run is already in progress"

    def __init__(self, engine: AsyncEngine, models_dir: Path, types: Mapping[str, str]) -> None:
        self._engine = engine
        self._models_dir = models_dir
        self._types = types
        self.inputs: dict[str, InputsProvider] = {}
        self.succeeded_listeners: list[Callable[[TrainingRun], Awaitable[None]]] = []

    def from_row(self, row: Row[Any]) -> TrainingRun:
        """Return the run a stored row holds."""
        return _row_to_run(row)

    def row_values(self, run: TrainingRun) -> dict[str, Any]:
        """Return training's own columns of a run."""
        return {
            "training_type": run.training_type,
            "params": run.params,
            "metrics": run.metrics or None,
            "model_version": run.model_version,
        }

    async def worker(self, run: TrainingRun) -> WorkerSpec:
        """Gather the type's inputs in the engine; return the training worker."""
        provider = self.inputs.get(run.training_type)
        try:
            inputs = await provider() if provider else {}
        except Exception as err:
            raise RunError(str(err)) from err
        return WorkerSpec(run_training, (self._types[run.training_type], run.params, inputs))

    async def succeeded(self, run: TrainingRun, result: TrainingOutcome) -> None:
        """Save the model and tell the listeners, before the run reads "succeeded"."""
        run.metrics = result.metrics
        run.model_version = await self._save_model(run, result.metrics, result.model)
        # Whoever sees "succeeded" can rely on the new model being in use already.
        for listener in self.succeeded_listeners:
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


class TrainingRunner:
    """Accepts runs, trains them one at a time in a worker process, keeps their status."""

    def __init__(
        self,
        engine: AsyncEngine,
        models_dir: Path,
        types: Mapping[str, str] = TRAINING_TYPES,
    ) -> None:
        self._engine = engine
        self._types = types
        self._kind = _TrainingKind(engine, models_dir, types)
        self._machine: RunMachine[TrainingRun, TrainingOutcome] = RunMachine(engine, self._kind)

    def on_updated(self, listener: Callable[[TrainingRun], None]) -> None:
        """Call `listener` whenever a run's stored status or progress changes."""
        self._machine.on_updated(listener)

    def on_succeeded(self, listener: Callable[[TrainingRun], Awaitable[None]]) -> None:
        """Call `listener` after every succeeded run (a module reloads its model)."""
        self._kind.succeeded_listeners.append(listener)

    def provide_inputs(self, training_type: str, provider: InputsProvider) -> None:
        """Let a module gather a training type's data in the engine (e.g. feedback history)."""
        self._kind.inputs[training_type] = provider

    async def setup(self) -> None:
        """Fail runs a previous process left unfinished, then start the worker."""
        await self._machine.setup()

    async def close(self) -> None:
        """Stop the worker; a run in progress is stopped and marked failed with the reason."""
        await self._machine.close()

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
        return await self._machine.enqueue(run)

    async def get(self, run_id: str) -> TrainingRun:
        """Return a run; the one in progress comes from memory, with its latest progress."""
        return await self._machine.get(run_id)

    async def list_runs(
        self, limit: int, before: tuple[float, str] | None
    ) -> tuple[list[TrainingRun], int]:
        """Return runs newest first, after a cursor position, and the total count."""
        return await self._machine.list_runs(limit, before)

    async def cancel(self, run_id: str) -> TrainingRun:
        """Cancel a queued or running run; a finished one cannot be cancelled (409)."""
        return await self._machine.cancel(run_id)

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

    async def list_models(self) -> list[wire.TrainedModel]:
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
