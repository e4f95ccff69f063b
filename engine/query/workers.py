"""Parsing on worker processes, as many as the machine has cores.

Parsing is CPU work in pure Python: on threads it would take turns on one core (and
hold up the event loop); each worker process parses on its own. A request is sent as its
frozen `QueryRequest` with the catalog's key only; a worker that does not keep that
catalog (new, or one it let go) says so, and the request goes again with the pickled
catalog, so any worker can answer any request.

Each worker has a pipe of its own that the event loop writes and reads (a reader on its
end), rather than the standard library's ProcessPoolExecutor: that executor hands every
task and answer through two threads of its own (a manager and a queue feeder), each woken
through a pipe, which cost the engine ~4 times the CPU of the parse's hand-over itself
(~180 against ~45 us a task, measured) and contend with the event loop for the GIL.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Final

from engine.automation.suggestions.new import NewSuggestion, asked_for
from engine.home.catalog import Catalog
from engine.query.automation import AutomationParser
from engine.query.commands import CommandParser
from engine.query.parse import Parsers, fingerprint, parse_request
from engine.query.questions import StateWords
from engine.query.request import QueryRequest
from engine.query.wire import Parsed

_LOGGER = logging.getLogger(__name__)
_SPAWN = multiprocessing.get_context("spawn")
# Parsing yields the CPU to the engine's event loop (which answers every request, /health
# among them) and to Home Assistant on the same machine; it takes the rest.
WORKER_NICENESS = 10
# How long closing waits for a worker to finish its parse and end (then stops it).
_CLOSE_TIMEOUT_S: Final = 10.0
# A task and its answer are each prefixed with the task's number on its worker, so an
# answer no one waits for any more (its event loop closed meanwhile) is told apart.
_NUMBER_BYTES: Final = 8
# Tasks a worker is sent before it has answered: the next waits in its pipe, so a worker
# starts on it as it answers, not after the event loop has read the answer (under load,
# several milliseconds later).
_TASKS_AHEAD: Final = 2
# Tasks up to this size are written by the event loop itself (a request's, ~200 bytes:
# the pipe always has room); larger ones (a catalog) on a thread, in turn.
_INLINE_BYTES: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class ShippedCatalog:
    """A catalog as sent to the workers: its key (also the cache's) and its pickle, or none."""

    key: str
    # None: the key alone. A 500-entity home pickles to ~40 KB, which every request would
    # carry through the pipe (and the engine's event loop pickle) for workers that have it.
    pickled: bytes | None

    def keyed(self) -> ShippedCatalog:
        """Return the catalog as its key alone (what a worker that keeps it needs)."""
        return ShippedCatalog(self.key, None)


@dataclass(frozen=True, slots=True)
class AskedBy:
    """The request a parse is for (its id, its words as given): its suggestion is drafted too.

    An automation's suggestion is validated and rendered as YAML with its parse, on the
    worker: on the engine it was most of the event loop's work for such a request.
    """

    query_id: str
    text: str


class CatalogNotKeptError(Exception):
    """A worker was sent a catalog's key alone, and does not keep that catalog."""


class WorkerStoppedError(Exception):
    """A parsing worker ended (or the pool was closed) before it answered."""


# In each worker process: the parsers it built.
_PARSERS = Parsers()


def _serve(connection: Connection) -> None:
    """Answer the engine's tasks in turn until it closes its end (or ends, killed or not)."""
    os.nice(WORKER_NICENESS)
    while True:
        try:
            task = connection.recv_bytes()
        except (EOFError, OSError):
            return
        number = task[:_NUMBER_BYTES]
        function, args = pickle.loads(memoryview(task)[_NUMBER_BYTES:])  # noqa: S301 - ours
        try:
            answer = pickle.dumps((True, _guarded(function, *args)))
        except Exception as error:  # noqa: BLE001 - sent back, raised where it was asked
            answer = pickle.dumps((False, error))
        try:
            connection.send_bytes(number + answer)
        except OSError:
            return  # the engine has gone


def _parsers(shipped: ShippedCatalog, language: str) -> tuple[AutomationParser, CommandParser]:
    """Return this worker's parsers of a catalog, unpickling it only when they are new."""
    return _PARSERS.get(shipped.key, language, lambda: _unpickled(shipped))


def _unpickled(shipped: ShippedCatalog) -> Catalog:
    if shipped.pickled is None:
        raise CatalogNotKeptError(shipped.key)
    catalog: Catalog = pickle.loads(shipped.pickled)  # noqa: S301 - the engine's own
    return catalog


def _guarded(function: Callable[..., Any], *args: Any) -> Any:
    """Run a function; an error that cannot be pickled back is raised as one that can.

    An error the main process cannot unpickle would mark the whole pool broken.
    """
    try:
        return function(*args)
    except Exception as error:
        try:
            pickle.loads(pickle.dumps(error))  # noqa: S301 - our own
        except Exception:  # noqa: BLE001 - whatever stops it from crossing
            raise RuntimeError(f"{type(error).__name__}: {error}") from None
        raise


def _parse_in_worker(
    shipped: ShippedCatalog, request: QueryRequest, asked_by: AskedBy | None
) -> tuple[Parsed, NewSuggestion | None]:
    automations, commands = _parsers(shipped, request.language)
    parsed = parse_request(automations, commands, request)
    automation = parsed["automation"]
    if asked_by is None or parsed["status"] != "ready" or not automation:
        return parsed, None
    catalog = _PARSERS.catalog(shipped.key)
    return parsed, asked_for(asked_by.query_id, asked_by.text, automation, catalog)


def _state_words_in_worker(shipped: ShippedCatalog, language: str) -> tuple[str, StateWords]:
    _automations, commands = _parsers(shipped, language)
    return commands.language, commands.state_words


def _warm_in_worker(shipped: ShippedCatalog, language: str) -> int:
    """Build the parsers of a catalog and language now; return this worker's process id."""
    _parsers(shipped, language)
    return os.getpid()


def _write(worker: _Worker, message: bytes) -> None:
    with worker.write_lock:
        worker.connection.send_bytes(message)


@dataclass(frozen=True, slots=True)
class _Owed:
    """An answer a worker owes: its task's number, who waits for it, and if it took a place."""

    number: int
    answer: asyncio.Future[tuple[bool, Any]]
    placed: bool


@dataclass(eq=False, slots=True)
class _Worker:
    """A worker process, the engine's end of its pipe, and the answers it owes, in order."""

    process: BaseProcess
    connection: Connection
    # Tasks sent so far; the answers awaited, oldest first.
    sent: int = 0
    owed: deque[_Owed] = field(default_factory=deque)
    # The event loop reading its pipe (its last task's): it also sees the worker end.
    loop: asyncio.AbstractEventLoop | None = None
    # The last write made off the event loop: the writes after it wait for it. The lock
    # keeps two writes from mixing should one be left running by a loop that ended.
    writing: asyncio.Task[None] | None = None
    write_lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(eq=False, slots=True)
class _Workers:
    """The pool's workers, their free places, and the tasks waiting for one (first first)."""

    started: list[_Worker] = field(default_factory=list)
    # A worker is free as often as it has room for a task (`_TASKS_AHEAD` at most).
    free: deque[_Worker] = field(default_factory=deque)
    waiting: deque[asyncio.Future[_Worker]] = field(default_factory=deque)


class ParsingPool:
    """Worker processes that parse requests against the home's current catalog."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._started: _Workers | None = None
        # The last catalog shipped: the home service replaces it whole, never mutates it.
        self._shipped: tuple[Catalog, ShippedCatalog] | None = None

    def ship(self, catalog: Catalog) -> ShippedCatalog:
        """Return a catalog as the workers get it (made once per catalog)."""
        if self._shipped is None or self._shipped[0] is not catalog:
            shipped = ShippedCatalog(fingerprint(catalog), pickle.dumps(catalog))
            self._shipped = (catalog, shipped)
        return self._shipped[1]

    def _pool(self) -> _Workers:
        if self._started is None:
            pool = self._started = _Workers()
            for _ in range(self.workers):
                self._start_worker(pool, places=0)
            # First one place on each, then the next: the first tasks spread over them all.
            for _ in range(_TASKS_AHEAD):
                for worker in pool.started:
                    self._free(pool, worker)
        return self._started

    def _start_worker(self, pool: _Workers, places: int = _TASKS_AHEAD) -> None:
        engine_end, worker_end = _SPAWN.Pipe()
        process = _SPAWN.Process(
            target=_serve, args=(worker_end,), name="homeiq-parser", daemon=True
        )
        process.start()
        worker_end.close()
        worker = _Worker(process, engine_end)
        pool.started.append(worker)
        for _ in range(places):
            self._free(pool, worker)

    async def _run[T](self, function: Any, *args: Any) -> T:
        """Run a function on a worker; once more (on another) if that worker died."""
        task = pickle.dumps((function, args))
        try:
            return await self._on_worker(task)
        except WorkerStoppedError:
            if self._started is None:
                raise  # closed
            return await self._on_worker(task)

    async def _on_worker[T](self, task: bytes, worker: _Worker | None = None) -> T:
        """Run a pickled task on a free worker (or on one given, free or not)."""
        pool = self._pool()
        self._forget_closed_loops(pool)
        placed = worker is None
        if worker is None:
            worker = await self._free_worker(pool)
        loop = asyncio.get_running_loop()
        worker.sent += 1
        answer: asyncio.Future[tuple[bool, Any]] = loop.create_future()
        worker.owed.append(_Owed(worker.sent, answer, placed))
        message = worker.sent.to_bytes(_NUMBER_BYTES) + task
        if len(message) <= _INLINE_BYTES and (worker.writing is None or worker.writing.done()):
            self._send(pool, worker, message)
        else:
            worker.writing = loop.create_task(
                self._send_later(pool, worker, message, worker.writing)
            )
        if worker.loop is not loop and worker in pool.started:
            self._unwatched(worker)
            worker.loop = loop
            loop.add_reader(worker.connection.fileno(), self._answered, pool, worker)
        # Cancelled meanwhile, the worker still answers; the answer frees its place.
        ok, value = await answer
        if not ok:
            raise value
        result: T = value
        return result

    def _send(self, pool: _Workers, worker: _Worker, message: bytes) -> None:
        """Write a task into a worker's pipe; a worker that ended fails what it owes."""
        try:
            _write(worker, message)
        except OSError:  # it ended (or was replaced) meanwhile: its places go with it
            self._replace(pool, worker)

    async def _send_later(
        self, pool: _Workers, worker: _Worker, message: bytes, before: asyncio.Task[None] | None
    ) -> None:
        """Write a task after those before it, on a thread (a catalog may fill the pipe).

        On the event loop, a write the pipe cannot take whole waits for the worker to read,
        and the worker, writing an answer as large, for the loop: both would wait forever.
        """
        if before is not None:
            await asyncio.wait([before])
        try:
            await asyncio.to_thread(_write, worker, message)
        except OSError:
            self._replace(pool, worker)

    def _forget_closed_loops(self, pool: _Workers) -> None:
        """Free the places of tasks whose event loop ended first (a test's); skip their answers."""
        for worker in pool.started:
            if worker.writing is not None and worker.writing.get_loop().is_closed():
                worker.writing = None
            if worker.loop is not None and worker.loop.is_closed():
                for owed in worker.owed:
                    if owed.placed:
                        self._free(pool, worker)
                worker.owed.clear()
                worker.loop = None

    async def _free_worker(self, pool: _Workers) -> _Worker:
        if pool.free:
            return pool.free.popleft()
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        pool.waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._free(pool, waiter.result())
            raise

    @staticmethod
    def _free(pool: _Workers, worker: _Worker) -> None:
        """Give a worker's free place to the task that waited longest, else keep it."""
        while pool.waiting:
            waiter = pool.waiting.popleft()
            if not waiter.done() and not waiter.get_loop().is_closed():
                waiter.set_result(worker)
                return
        pool.free.append(worker)

    def _answered(self, pool: _Workers, worker: _Worker) -> None:
        """Read a worker's answers (its pipe is readable) and give each to its task."""
        try:
            while worker.connection.poll():
                message = worker.connection.recv_bytes()
                number = int.from_bytes(message[:_NUMBER_BYTES])
                if not worker.owed or number < worker.owed[0].number:
                    continue  # the answer to a task whose event loop ended
                owed = worker.owed.popleft()
                if owed.placed:
                    self._free(pool, worker)
                if not owed.answer.done():
                    outcome = pickle.loads(memoryview(message)[_NUMBER_BYTES:])  # noqa: S301
                    owed.answer.set_result(outcome)
        except (EOFError, OSError):
            self._replace(pool, worker)

    def _replace(self, pool: _Workers, worker: _Worker) -> None:
        """Start another worker in the place of one that ended unexpectedly (once)."""
        if worker not in pool.started:
            return  # replaced already
        self._stopped(pool, worker)
        worker.process.join(0)  # reaped
        if pool is self._started:
            _LOGGER.warning("A parsing worker stopped unexpectedly; starting another")
            self._start_worker(pool)

    def _stopped(self, pool: _Workers, worker: _Worker) -> None:
        """Forget a worker that ended (or is made to); the tasks it owes get an error."""
        self._unwatched(worker)
        worker.connection.close()
        pool.started.remove(worker)
        pool.free = deque(free for free in pool.free if free is not worker)
        for owed in worker.owed:
            if not owed.answer.done() and not owed.answer.get_loop().is_closed():
                owed.answer.set_exception(WorkerStoppedError())
        worker.owed.clear()

    @staticmethod
    def _unwatched(worker: _Worker) -> None:
        if worker.loop is not None and not worker.connection.closed:
            worker.loop.remove_reader(worker.connection.fileno())
        worker.loop = None

    async def parse(
        self, shipped: ShippedCatalog, request: QueryRequest, asked_by: AskedBy | None = None
    ) -> tuple[Parsed, NewSuggestion | None]:
        """Return the answer to a request, and its suggestion when it is an automation ready.

        The suggestion is drafted only for a request `asked_by` says; a question's answer
        is the catalog's states.
        """
        try:
            return await self._run(_parse_in_worker, shipped.keyed(), request, asked_by)
        except CatalogNotKeptError:
            # The first request of a catalog on this worker (the warm-up reaches each once).
            return await self._run(_parse_in_worker, shipped, request, asked_by)

    async def state_words(self, shipped: ShippedCatalog, language: str) -> tuple[str, StateWords]:
        """Return a language's intents variant and the words its grammar says states with."""
        return await self._run(_state_words_in_worker, shipped, language)

    async def warm(self, shipped: ShippedCatalog, language: str) -> set[int]:
        """Build the parsers on every worker now; return the workers' process ids.

        A worker found stopped is replaced, and its replacement warmed in turn.
        """
        task = pickle.dumps((_warm_in_worker, (shipped, language)))
        pool = self._pool()
        warmed: set[_Worker] = set()
        pids: set[int] = set()
        for _round in range(2):
            workers = [worker for worker in pool.started if worker not in warmed]
            outcomes: list[int | BaseException] = await asyncio.gather(
                *(self._on_worker(task, worker) for worker in workers), return_exceptions=True
            )
            warmed.update(workers)
            for outcome in outcomes:
                if isinstance(outcome, int):
                    pids.add(outcome)
                elif not isinstance(outcome, WorkerStoppedError):
                    raise outcome
        return pids

    def close(self) -> None:
        """Stop the workers (after the parses in progress)."""
        pool, self._started = self._started, None
        if pool is None:
            return
        workers = list(pool.started)
        for worker in workers:
            # Its end closed, a worker ends once it has answered (to no one) what it parses.
            self._stopped(pool, worker)
        for worker in workers:
            worker.process.join(_CLOSE_TIMEOUT_S)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        for waiter in pool.waiting:
            if not waiter.done() and not waiter.get_loop().is_closed():
                waiter.set_exception(WorkerStoppedError())


_SHARED: ParsingPool | None = None


def shared_pool(workers: int | None = None) -> ParsingPool:
    """Return the process's parsing workers: started once, kept across app restarts.

    Starting a worker loads Home Assistant's grammar (seconds); an app that stops and
    starts again in the same process (the tests' engines) keeps the warm workers. The
    first caller says how many.
    """
    global _SHARED  # noqa: PLW0603 - one pool per process, made on first use
    if _SHARED is None:
        _SHARED = ParsingPool(workers)
        atexit.register(_SHARED.close)
    return _SHARED


def close_shared_pool() -> None:
    """Stop the process's parsing workers, if they were started (the tests' end)."""
    global _SHARED  # noqa: PLW0603 - one pool per process
    if _SHARED is not None:
        _SHARED.close()
        _SHARED = None
