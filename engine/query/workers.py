"""Parsing on worker processes, as many as the machine has cores.

Parsing is CPU work in pure Python: on threads it would take turns on one core (and
hold up the event loop); each worker process parses on its own. A request is sent as its
frozen `QueryRequest` with the catalog's key only; a worker that does not keep that
catalog (new, or one it let go) says so, and the request goes again with the pickled
catalog, so any worker can answer any request. The standard library's
ProcessPoolExecutor does the pooling; only the catalog hand-over and the warm-up are
HomeIQ's.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
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
# How long a warm-up waits for every worker to have started (then warms those that have).
_WARM_TIMEOUT_S: Final = 120.0


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


# In each worker process: the parsers it built, and the barrier of a warm-up.
_PARSERS = Parsers()
_WARM_BARRIER: Any = None


def _start_worker(barrier: Any) -> None:
    global _WARM_BARRIER  # noqa: PLW0603 - the worker's own, set once as it starts
    _WARM_BARRIER = barrier
    os.nice(WORKER_NICENESS)
    # A worker holds both ends of its task queue, so an engine that is killed (not stopped)
    # would leave it waiting forever, holding its memory: it leaves with its parent.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_with, args=(parent.sentinel,), daemon=True, name="homeiq-parent"
        ).start()


def _exit_with(sentinel: int) -> None:
    """End this worker as soon as the engine that started it has ended."""
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


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
    """Build the parsers, then wait for the other workers (so each gets one warm-up)."""
    _parsers(shipped, language)
    if _WARM_BARRIER is not None:
        with contextlib.suppress(threading.BrokenBarrierError):
            _WARM_BARRIER.wait(_WARM_TIMEOUT_S)
    return os.getpid()


class ParsingPool:
    """Worker processes that parse requests against the home's current catalog."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None
        self._barrier: Any = None
        # The last catalog shipped: the home service replaces it whole, never mutates it.
        self._shipped: tuple[Catalog, ShippedCatalog] | None = None

    def ship(self, catalog: Catalog) -> ShippedCatalog:
        """Return a catalog as the workers get it (made once per catalog)."""
        if self._shipped is None or self._shipped[0] is not catalog:
            shipped = ShippedCatalog(fingerprint(catalog), pickle.dumps(catalog))
            self._shipped = (catalog, shipped)
        return self._shipped[1]

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._barrier = _SPAWN.Barrier(self.workers)
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=_SPAWN,
                initializer=_start_worker,
                initargs=(self._barrier,),
            )
        return self._pool

    async def _run[T](self, function: Any, *args: Any) -> T:
        """Run a function on a worker; once more on a new pool if a worker died."""
        loop = asyncio.get_running_loop()
        pool = self._executor()
        try:
            result: T = await loop.run_in_executor(pool, _guarded, function, *args)
        except BrokenProcessPool:
            # Requests that found the pool broken together replace it once: a second
            # replacement would close the new pool (and free the barrier its workers are
            # still starting with).
            if pool is self._pool:
                _LOGGER.warning("A parsing worker stopped unexpectedly; starting new workers")
                self._close_broken()
            result = await loop.run_in_executor(self._executor(), _guarded, function, *args)
        return result

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
        """Build the parsers on every worker now; return the workers' process ids."""
        pids: list[int] = await asyncio.gather(
            *(self._run(_warm_in_worker, shipped, language) for _ in range(self.workers))
        )
        if self._barrier is not None and self._barrier.broken:
            # A worker that did not start in time: the next warm-up waits afresh.
            self._barrier.reset()
        return set(pids)

    def _close_broken(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers (after the parses in progress)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


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
