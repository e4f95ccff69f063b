"""An analysis's memory: the worker's own peak, a lean window load, idle page caches released."""

from __future__ import annotations

import _sqlite3
import asyncio
import ctypes
import multiprocessing
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from engine.app import create_app
from engine.patterns import load, runs
from engine.patterns.arrays import DAY_US, ORIGIN_AUTOMATION, ORIGIN_MANUAL
from engine.patterns.load import load_window
from engine.patterns.worker import peak_memory_mb
from engine.settings import Settings
from engine.store import events as events_module
from engine.store import lifecycle
from engine.store.database import create_database_engine, release_idle_memory
from engine.store.events import BULK_WRITE_EVENTS, EventStore, NewEvent, Origin
from engine.store.migrate import migrate
from engine.store.one_writer import read, write

from .conftest import AUTH, ClientFactory
from .process import REPO

T0 = 1_767_000_000_000_000


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[EventStore]:
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    await migrate(engine)
    store = EventStore(engine)
    await store.setup()
    yield store
    await engine.dispose()


def _url(store: EventStore) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_a_spawned_worker_reports_its_own_peak_not_the_engines() -> None:
    # Linux's ru_maxrss in a spawned child includes the parent's peak before the exec.
    ballast = np.ones(16 * 1024 * 1024)  # 128 MB, touched
    parent_peak = peak_memory_mb()
    del ballast
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        worker_peak = pool.apply(peak_memory_mb)
    assert worker_peak < parent_peak - 64


def test_the_worker_imports_nothing_of_the_web_engine() -> None:
    # A spawned worker imports what its function's module does; each of these costs MBs.
    code = (
        "import sys, engine.patterns.worker; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'aiohttp', 'hassil', 'openai',"
        " 'alembic', 'pydantic'}) + [m for m in sys.modules if m.startswith('sqlalchemy.orm')])"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert found.stdout.strip() == "[]"


def test_an_engine_without_a_language_model_does_not_load_openai() -> None:
    # The openai package is some 20 MB of the engine's memory; only a configured LLM needs it.
    code = (
        "import sys, engine.app; from engine.llm.factory import create_llm; "
        "from engine.settings import Settings; "
        "print(create_llm(Settings.from_env({}), lambda: None), 'openai' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert found.stdout.strip() == "None False"


async def test_the_window_comes_sorted_by_time_then_as_stored(store: EventStore) -> None:
    await store.write([NewEvent("light.old", T0 - 40 * DAY_US, "on", Origin.MANUAL)])
    await store.write(
        [
            NewEvent("sensor.c", T0 + 40, "6", Origin.SYSTEM),
            NewEvent("sensor.c", T0 + 20, "5", Origin.SYSTEM),
        ]
    )
    await store.write(
        [
            NewEvent("light.b", T0 + 20, "off", Origin.AUTOMATION),
            NewEvent("light.a", T0 + 10, "on", Origin.MANUAL),
            NewEvent("light.a", T0 + 20, "off", Origin.MANUAL),
        ]
    )
    window = load_window(_url(store), 30)
    # Keys: light.old 1 (outside the window), sensor.c 2, light.a 3, light.b 4.
    assert window.entity_ids == ["sensor.c", "light.a", "light.b"]
    assert window.time_us.tolist() == [T0 + 10, T0 + 20, T0 + 20, T0 + 20, T0 + 40]
    assert [window.entity_ids[e] for e in window.entity] == [
        "light.a",
        "sensor.c",
        "light.b",
        "light.a",
        "sensor.c",
    ]
    assert [window.states[s] for s in window.state] == ["on", "5", "off", "off", "6"]
    assert window.origin[0] == ORIGIN_MANUAL
    assert window.origin[2] == ORIGIN_AUTOMATION
    for column in (window.entity, window.time_us, window.state, window.origin):
        assert column.flags.c_contiguous


async def test_the_window_holds_events_written_after_they_were_counted(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Undercounted(load._Columns):
        def __init__(self, rows: int) -> None:
            super().__init__(min(rows, 1))

    monkeypatch.setattr(load, "_Columns", Undercounted)
    monkeypatch.setattr(load, "CHUNK_ROWS", 3)
    await store.write(
        [NewEvent(f"light.{i % 4}", T0 + i, str(i), Origin.MANUAL) for i in range(20)]
    )
    window = load_window(_url(store), 30)
    assert window.time_us.tolist() == [T0 + i for i in range(20)]
    assert [window.states[s] for s in window.state] == [str(i) for i in range(20)]
    assert [window.entity_ids[e] for e in window.entity] == [f"light.{i % 4}" for i in range(20)]


def _sqlite_memory_used() -> int | None:
    """Return the bytes SQLite has allocated in this process, if its library says."""
    try:
        used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
    except (OSError, AttributeError):
        return None
    used.restype = ctypes.c_int64
    return int(used())


async def _fill_page_caches(engine: AsyncEngine, connections: int) -> None:
    """Read a ~10 MB table through `connections` pooled connections at once."""
    async with engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE filler (data BLOB)")
        await connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) "
            "INSERT INTO filler SELECT randomblob(1000) FROM n"
        )
    held = [await engine.connect() for _ in range(connections)]
    for connection in held:
        await connection.exec_driver_sql("SELECT max(data) FROM filler")
    for connection in held:
        await connection.close()


async def test_releasing_empties_the_page_caches_of_idle_connections(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        before = _sqlite_memory_used()
        if before is None:
            pytest.skip("SQLite's memory statistics are not available here")
        await _fill_page_caches(engine, 3)
        filled = _sqlite_memory_used()
        assert filled is not None
        if filled == 0:
            pytest.skip("SQLite was built without memory statistics")
        assert filled - before > 5_000_000  # three caches of 2 MB (SQLITE_PRAGMAS), full
        await release_idle_memory(engine)
        released = _sqlite_memory_used()
        assert released is not None
        assert released - before < (filled - before) / 4
        pool = engine.pool
        assert isinstance(pool, QueuePool)
        assert pool.checkedin() == 3  # the connections stay, only their pages go
    finally:
        await engine.dispose()


async def test_releasing_empties_the_caches_of_the_writer_and_reader_threads_too(
    tmp_path: Path,
) -> None:
    engine = create_database_engine(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    try:
        await _fill_page_caches(engine, 1)
        await release_idle_memory(engine)
        base = _sqlite_memory_used()
        if not base:
            pytest.skip("SQLite's memory statistics are not available here")

        def scan(connection: Connection) -> object:
            return connection.exec_driver_sql("SELECT max(data) FROM filler").scalar()

        # The reads on the reader threads, side by side, and a transaction on the writer's.
        await asyncio.gather(read(engine, scan), read(engine, scan), write(engine, scan))
        filled = _sqlite_memory_used()
        assert filled is not None
        assert filled - base > 3_000_000  # at least two of the threads' 2 MB caches, full
        await release_idle_memory(engine)
        released = _sqlite_memory_used()
        assert released is not None
        assert released - base < (filled - base) / 4
    finally:
        await engine.dispose()


async def test_a_bulk_write_releases_the_idle_caches_and_a_live_batch_does_not(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[AsyncEngine] = []

    async def record(engine: AsyncEngine) -> None:
        released.append(engine)

    monkeypatch.setattr(events_module, "release_idle_memory", record)
    await store.write([NewEvent("light.a", T0 + i, str(i), Origin.MANUAL) for i in range(1000)])
    assert released == []
    bulk = [NewEvent("light.a", T0 + 10_000 + i, "on", Origin.MANUAL) for i in range(10_000)]
    assert len(bulk) >= BULK_WRITE_EVENTS
    await store.write(bulk)
    assert released == [store.engine]


async def test_start_up_and_every_analysis_release_the_idle_caches(
    aiohttp_client: ClientFactory, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[str] = []

    def recorder(where: str) -> object:
        async def record(_engine: AsyncEngine) -> None:
            released.append(where)

        return record

    monkeypatch.setattr(lifecycle, "release_idle_memory", recorder("start-up"))
    monkeypatch.setattr(runs, "release_idle_memory", recorder("analysis"))
    app = create_app(settings)
    client = await aiohttp_client(app)
    assert released == ["start-up"]
    response = await client.post("/api/v1/analysis/run", json={}, headers=AUTH)
    assert response.status == 202
    path = f"/api/v1/analysis/runs/{(await response.json())['run_id']}"
    async with asyncio.timeout(60):
        while (await (await client.get(path, headers=AUTH)).json())["status"] in (  # noqa: ASYNC110 - polls the API
            "queued",
            "running",
        ):
            await asyncio.sleep(0.05)
    assert released == ["start-up", "analysis"]
