"""The run machine on its own: a run kind of the test's, real worker processes, real SQLite."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, Row, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import ConflictError
from engine.runs.machine import RunError, RunMachine, WorkerSpec
from engine.runs.messages import Died, Failed, Finished, Outcome
from engine.runs.process import ProcessJob, WorkerChannel, serve
from engine.store.database import create_database_engine
from engine.store.run_rows import INTERRUPTED_BY_RESTART, INTERRUPTED_BY_STOP

DEADLINE_S = 30.0

_METADATA = MetaData()
# The columns every run table has, and one of this kind's own.
test_runs = Table(
    "test_runs",
    _METADATA,
    Column("run_id", String, primary_key=True),
    Column("status", String, nullable=False),
    Column("progress", Float, nullable=False),
    Column("steps", Integer, nullable=False),
    Column("result", Integer),
    Column("error", String),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
)


class Halted(Exception):  # noqa: N818 - a stop signal, not a failure
    """Raised in the worker when the engine asked it to stop."""


def count_worker(steps: int, step_s: float, connection: Connection, stop: Event) -> None:
    """Count to `steps`, a step every `step_s`, stopping when asked; the result is the count."""

    def count(channel: WorkerChannel) -> int:
        for step in range(steps):
            if channel.should_stop():
                raise Halted
            channel((step + 1) / steps)
            time.sleep(step_s)
        return steps

    serve(connection, stop, count, stopped=(Halted,))


def failing_worker(connection: Connection, stop: Event) -> None:
    """Raise in the worker."""

    def fail(_channel: WorkerChannel) -> int:
        raise ValueError("planned failure")

    serve(connection, stop, fail, stopped=(Halted,))


def dying_worker(code: int, connection: Connection, stop: Event) -> None:
    """End the process without a word, as a kill or the OOM killer would."""
    os._exit(code)


@dataclass(slots=True)
class Run:
    """A run of the test's kind."""

    run_id: str
    status: str
    progress: float
    created_at: float
    steps: int
    # What the worker is: "count", "fail", "die", "refuse".
    behaviour: str = "count"
    step_s: float = 0.0
    result: int | None = None
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None


def new_run(steps: int = 3, behaviour: str = "count", step_s: float = 0.0) -> Run:
    """Return a queued run of the test's kind."""
    return Run(uuid.uuid4().hex, "queued", 0.0, time.time(), steps, behaviour, step_s)


class CountKind:
    """The test's run kind: a counting worker; the count is kept when it succeeds."""

    label = "test"
    table = test_runs
    busy_message = "A test run is already in progress"

    def __init__(self) -> None:
        self.kept: list[tuple[str, int]] = []

    def from_row(self, row: Row[Any]) -> Run:
        """Return the run a row holds."""
        return Run(
            row.run_id,
            row.status,
            row.progress,
            row.created_at,
            row.steps,
            result=row.result,
            error=row.error,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )

    def row_values(self, run: Run) -> dict[str, Any]:
        """Return the kind's columns."""
        return {"steps": run.steps, "result": run.result}

    async def worker(self, run: Run) -> WorkerSpec:
        """Return the worker the run's behaviour names."""
        match run.behaviour:
            case "fail":
                return WorkerSpec(failing_worker, ())
            case "die":
                return WorkerSpec(dying_worker, (3,))
            case "refuse":
                raise RunError("inputs unavailable")
        return WorkerSpec(count_worker, (run.steps, run.step_s))

    async def succeeded(self, run: Run, result: int) -> None:
        """Keep the count."""
        run.result = result
        self.kept.append((run.run_id, result))


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty SQLite database with the test's run table."""
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'runs.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(_METADATA.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def kind() -> CountKind:
    """The test's run kind."""
    return CountKind()


@pytest.fixture
async def machine(database: AsyncEngine, kind: CountKind) -> AsyncIterator[RunMachine[Run, int]]:
    """A started machine, closed after the test."""
    machine: RunMachine[Run, int] = RunMachine(database, kind)
    await machine.setup()
    yield machine
    await machine.close()


async def stored(database: AsyncEngine, run_id: str) -> Row[Any]:
    """Return a run's row as stored."""
    async with database.connect() as connection:
        return (
            await connection.execute(select(test_runs).where(test_runs.c.run_id == run_id))
        ).one()


async def until_ended(machine: RunMachine[Run, int], run_id: str) -> Run:
    """Poll a run until it ends, within the deadline."""
    async with asyncio.timeout(DEADLINE_S):
        while (run := await machine.get(run_id)).status in {"queued", "running"}:  # noqa: ASYNC110 - polls the machine
            await asyncio.sleep(0.02)
    return run


async def until_progress(machine: RunMachine[Run, int], run_id: str) -> Run:
    """Poll a run until its worker reported progress, within the deadline."""
    async with asyncio.timeout(DEADLINE_S):
        while not (run := await machine.get(run_id)).progress > 0:  # noqa: ASYNC110 - polls the machine
            await asyncio.sleep(0.02)
    return run


async def test_a_run_succeeds_and_its_result_is_kept(
    machine: RunMachine[Run, int], kind: CountKind, database: AsyncEngine
) -> None:
    run = await machine.run_now(new_run(steps=4))
    assert (run.status, run.progress, run.result) == ("succeeded", 1.0, 4)
    assert kind.kept == [(run.run_id, 4)]
    row = await stored(database, run.run_id)
    assert (row.status, row.result, row.error) == ("succeeded", 4, None)
    assert row.started_at is not None
    assert row.finished_at >= row.started_at


async def test_a_second_run_is_refused_while_one_runs(machine: RunMachine[Run, int]) -> None:
    first = machine.start(new_run(steps=2000, step_s=0.005))
    with pytest.raises(ConflictError) as refused:
        machine.start(new_run())
    assert refused.value.details == {"run_id": first.run_id}
    with pytest.raises(ConflictError):
        await machine.run_now(new_run())
    await until_progress(machine, first.run_id)
    await machine.cancel(first.run_id)
    assert (await until_ended(machine, first.run_id)).status == "cancelled"
    # The slot is free again once the run ended (its listeners have been told).
    async with asyncio.timeout(DEADLINE_S):
        while machine.active is not None:  # noqa: ASYNC110 - polls the machine
            await asyncio.sleep(0.02)
    assert (await machine.run_now(new_run(steps=1))).status == "succeeded"


async def test_cancel_stops_the_worker_and_an_ended_run_cannot_be_cancelled(
    machine: RunMachine[Run, int], database: AsyncEngine
) -> None:
    run = machine.start(new_run(steps=2000, step_s=0.005))
    running = await until_progress(machine, run.run_id)
    assert running.status == "running"
    await machine.cancel(run.run_id)
    ended = await until_ended(machine, run.run_id)
    assert ended.status == "cancelled"
    assert ended.progress < 1
    assert (await stored(database, run.run_id)).status == "cancelled"
    with pytest.raises(ConflictError, match="has already cancelled"):
        await machine.cancel(run.run_id)


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("fail", "ValueError: planned failure"),
        ("die", "The test process died (exit code 3)"),
        ("refuse", "inputs unavailable"),
    ],
)
async def test_a_failing_or_dying_worker_fails_the_run_with_its_reason(
    machine: RunMachine[Run, int], database: AsyncEngine, behaviour: str, error: str
) -> None:
    run = await machine.run_now(new_run(behaviour=behaviour))
    assert (run.status, run.error, run.result) == ("failed", error, None)
    row = await stored(database, run.run_id)
    assert (row.status, row.error) == ("failed", error)
    # The machine is free for the next run.
    assert (await machine.run_now(new_run(steps=1))).status == "succeeded"


async def test_queued_runs_are_carried_out_in_turn_and_can_be_cancelled_while_waiting(
    machine: RunMachine[Run, int], kind: CountKind
) -> None:
    busy = await machine.enqueue(new_run(steps=2000, step_s=0.005))
    waiting = await machine.enqueue(new_run(steps=2))
    after = await machine.enqueue(new_run(steps=5))
    await until_progress(machine, busy.run_id)
    assert (await machine.get(waiting.run_id)).status == "queued"
    assert (await machine.cancel(waiting.run_id)).status == "cancelled"
    await machine.cancel(busy.run_id)
    assert (await until_ended(machine, after.run_id)).status == "succeeded"
    assert (await machine.get(busy.run_id)).status == "cancelled"
    assert (await machine.get(waiting.run_id)).status == "cancelled"
    assert kind.kept == [(after.run_id, 5)]


async def test_a_run_left_running_by_a_crash_is_failed_at_setup(
    database: AsyncEngine, kind: CountKind
) -> None:
    async with database.begin() as connection:
        await connection.execute(
            insert(test_runs).values(
                run_id="crashed",
                status="running",
                progress=0.4,
                steps=9,
                created_at=time.time(),
                started_at=time.time(),
            )
        )
    machine: RunMachine[Run, int] = RunMachine(database, kind)
    await machine.setup()
    try:
        run = await machine.get("crashed")
        assert (run.status, run.error) == ("failed", INTERRUPTED_BY_RESTART)
        assert run.finished_at is not None
    finally:
        await machine.close()


async def test_closing_fails_the_run_in_progress(database: AsyncEngine, kind: CountKind) -> None:
    machine: RunMachine[Run, int] = RunMachine(database, kind)
    await machine.setup()
    run = machine.start(new_run(steps=5000, step_s=0.01))
    await until_progress(machine, run.run_id)
    await machine.close()
    assert (run.status, run.error) == ("failed", INTERRUPTED_BY_STOP)
    assert (await stored(database, run.run_id)).status == "failed"
    with pytest.raises(ConflictError, match="stopping"):
        machine.start(new_run())


async def test_the_worker_messages_are_typed() -> None:
    progress: list[float] = []

    async def record(fraction: float) -> None:
        progress.append(fraction)

    finished: Outcome[int] = await ProcessJob[int](count_worker, (3, 0.0), "t-count").run(record)
    assert finished == Finished(3)
    assert progress == [1 / 3]  # throttled: one message within PROGRESS_INTERVAL_S
    failed: Outcome[int] = await ProcessJob[int](failing_worker, (), "t-fail").run(record)
    assert failed == Failed("ValueError: planned failure")
    died: Outcome[int] = await ProcessJob[int](dying_worker, (7,), "t-die").run(record)
    assert died == Died(7)
