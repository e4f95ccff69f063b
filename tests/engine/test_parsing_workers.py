"""Requests are parsed on worker processes, side by side, with the same answers as in one."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.automation.suggestions.asked import AskedSuggestions
from engine.automation.suggestions.new import asked_for
from engine.automation.yaml_render import automation_to_yaml
from engine.home.catalog import CatalogSource, catalog_from_import
from engine.home.keys import HOME
from engine.query.automation import AutomationParser
from engine.query.commands import CommandParser
from engine.query.errors import UnsupportedLanguageError
from engine.query.keys import QUERIES
from engine.query.parse import fingerprint, parse_request
from engine.query.request import QueryRequest
from engine.query.workers import AskedBy, ParsingPool, ShippedCatalog, WorkerStoppedError
from tests.e2e.polling import poll

from .conftest import AUTH, Client
from .process import EngineProcess
from .test_query_live_states import BODY

CATALOG = catalog_from_import({"devices": [], "floors": [], **BODY}, CatalogSource.IMPORT)
SENTENCES = [
    "turn on the kitchen light",
    "switch off the lights in the hall and the kitchen",
    "when the hall light turns on turn on the kitchen light",
    "turn on the light",
    "what is the temperature in the kitchen",
    "is the hall light on",
    "tell me a joke about penguins",
    "schalte das Küchenlicht ein",
]


@pytest.fixture(scope="module")
def pool() -> Iterator[ParsingPool]:
    """Two workers for the module's tests (each start loads Home Assistant's grammar)."""
    workers = ParsingPool(workers=2)
    try:
        yield workers
    finally:
        workers.close()


async def test_parsing_runs_on_as_many_processes_as_it_has_workers(pool: ParsingPool) -> None:
    pids = await pool.warm(pool.ship(CATALOG), "en")
    assert len(pids) == pool.workers == 2
    assert os.getpid() not in pids


async def test_parsing_gives_way_to_the_engine(pool: ParsingPool) -> None:
    # The event loop answers every request (/health among them): the workers, which keep
    # both cores busy under load, run at a lower priority than the engine.
    pids = await pool.warm(pool.ship(CATALOG), "en")
    engine = os.getpriority(os.PRIO_PROCESS, 0)
    assert all(os.getpriority(os.PRIO_PROCESS, pid) >= engine + 10 for pid in pids)


async def test_answers_side_by_side_are_the_answers_of_one_process(pool: ParsingPool) -> None:
    commands = CommandParser(CATALOG, "en")
    automations = AutomationParser(CATALOG, "en", commands=commands)
    requests = [QueryRequest.of(text) for text in SENTENCES]
    requests += [QueryRequest.of("turn on the light", area_id="hall")]
    requests += [QueryRequest.of("turn on the light", chosen=frozenset({"light.hall"}))]
    shipped = pool.ship(CATALOG)
    parsed = await asyncio.gather(*(pool.parse(shipped, request) for request in requests * 3))
    answers = [answer for answer, _suggestion in parsed]
    expected = [parse_request(automations, commands, request) for request in requests] * 3
    assert answers == expected
    assert {answer["status"] for answer in answers} >= {"ready", "needs_clarification"}


async def test_a_worker_drafts_the_suggestion_of_an_automation_it_parses(
    pool: ParsingPool,
) -> None:
    # Its validation and YAML were most of the engine's work for such a request: made on
    # the worker now, as the engine would have made them.
    shipped = pool.ship(CATALOG)
    text = "when the hall light turns on  turn on the kitchen light"
    request = QueryRequest.of(text)
    answer, made = await pool.parse(shipped, request, AskedBy("q1", text))
    assert answer["status"] == "ready"
    assert answer["automation"] is not None
    assert made is not None
    expected = asked_for("q1", text, answer["automation"], CATALOG)
    times = {"created_at", "updated_at"}
    assert {k: v for k, v in made.row.items() if k not in times} == {
        k: v for k, v in expected.row.items() if k not in times
    }
    assert made.yaml == expected.yaml == automation_to_yaml(made.row["automation"])
    # Not asked to (no suggestions kept), or not an automation: none.
    assert (await pool.parse(shipped, request))[1] is None
    command = QueryRequest.of("turn on the kitchen light")
    assert (await pool.parse(shipped, command, AskedBy("q2", command.said)))[1] is None


async def test_a_worker_that_dies_is_replaced(pool: ParsingPool) -> None:
    shipped = pool.ship(CATALOG)
    pids = await pool.warm(shipped, "en")
    killed, kept = sorted(pids)
    os.kill(killed, signal.SIGKILL)
    request = QueryRequest.of("turn on the kitchen light")
    for _ in range(4):  # whichever worker each goes to
        answer, _suggestion = await pool.parse(shipped, request)
        assert answer["status"] == "ready"
        assert answer["actions"][0]["target"] == {"entity_id": ["light.kitchen"]}
    # Only the dead one is replaced: the other keeps the parsers it built.
    now = await pool.warm(shipped, "en")
    assert len(now) == pool.workers
    assert killed not in now
    assert kept in now


async def test_requests_a_dying_worker_owed_are_answered_by_one_replacement(
    pool: ParsingPool,
) -> None:
    shipped = pool.ship(CATALOG)
    pids = await pool.warm(shipped, "en")
    request = QueryRequest.of("turn on the kitchen light")
    # Sent before the worker dies: those it was sent fail together, and go again.
    parses = [asyncio.create_task(pool.parse(shipped, request)) for _ in range(20)]
    await asyncio.sleep(0)
    killed = min(pids)
    os.kill(killed, signal.SIGKILL)
    answers = await asyncio.gather(*parses)
    assert {answer["status"] for answer, _suggestion in answers} == {"ready"}
    now = await pool.warm(shipped, "en")
    assert len(now) == pool.workers
    assert killed not in now


async def test_a_workers_typed_error_arrives_typed(pool: ParsingPool) -> None:
    with pytest.raises(UnsupportedLanguageError) as raised:
        await pool.parse(pool.ship(CATALOG), QueryRequest.of("turn on the light", "xx"))
    assert raised.value.details["field"] == "language"
    # The pool is not broken by it.
    answer, _suggestion = await pool.parse(
        pool.ship(CATALOG), QueryRequest.of("turn on the kitchen light")
    )
    assert answer["status"] == "ready"


async def test_the_pool_hands_tasks_over_without_threads_of_its_own() -> None:
    # The standard library's process pool ran two threads (a manager and a queue feeder)
    # that every task and answer went through, contending with the event loop for the GIL.
    before = {thread.ident for thread in threading.enumerate()}
    own = ParsingPool(workers=1)
    try:
        shipped = own.ship(CATALOG)
        requests = [QueryRequest.of(text) for text in SENTENCES] * 2
        answers = await asyncio.gather(*(own.parse(shipped, request) for request in requests))
        assert {answer["status"] for answer, _suggestion in answers} >= {"ready"}
        assert {thread.ident for thread in threading.enumerate()} == before
    finally:
        own.close()


async def test_cancelled_parses_give_their_workers_back(pool: ParsingPool) -> None:
    shipped = pool.ship(CATALOG)
    await pool.warm(shipped, "en")
    request = QueryRequest.of("turn on the kitchen light")
    # Cancelled while waiting for a worker, and while a worker parses them.
    parses = [asyncio.create_task(pool.parse(shipped, request)) for _ in range(12)]
    await asyncio.sleep(0)
    for parse in parses:
        parse.cancel()
    await asyncio.gather(*parses, return_exceptions=True)
    # Every worker's every place is free again: as many parses as there are places finish.
    answers = await asyncio.wait_for(
        asyncio.gather(*(pool.parse(shipped, request) for _ in range(2 * pool.workers))), 30
    )
    assert all(
        answer["actions"][0]["target"] == {"entity_id": ["light.kitchen"]}
        for answer, _suggestion in answers
    )


def test_an_answer_no_one_waits_for_is_not_given_to_the_next_request() -> None:
    # A test's event loop can end while a worker parses for it; the worker's late answer
    # must not be taken for the answer to the next request it is sent, on another loop.
    pool = ParsingPool(workers=1)
    try:
        shipped = pool.ship(CATALOG)
        asyncio.run(pool.warm(shipped, "en"))

        async def left_unanswered() -> None:
            for text in ("turn on the hall light", "is the hall light on"):
                asyncio.get_running_loop().create_task(pool.parse(shipped, QueryRequest.of(text)))
            await asyncio.sleep(0)  # sent; the loop ends before they are answered

        asyncio.run(left_unanswered())
        answer, _suggestion = asyncio.run(
            pool.parse(shipped, QueryRequest.of("turn off the kitchen light"))
        )
        assert answer["actions"][0]["action"] == "light.turn_off"
        assert answer["actions"][0]["target"] == {"entity_id": ["light.kitchen"]}
    finally:
        pool.close()


def test_a_catalog_larger_than_the_pipe_is_written_off_the_event_loop() -> None:
    # Written by the loop, a catalog the pipe cannot take whole would hold the loop (and
    # every request) until the worker reads it; while the worker itself writes an answer as
    # large, for good. A stopped worker reads nothing: the loop must keep running meanwhile.
    sensors = [
        {"entity_id": f"sensor.probe_{n}", "name": f"Probe {n} temperature", "area_id": "hall"}
        for n in range(16_000)
    ]
    body = {"devices": [], "floors": [], **BODY, "entities": BODY["entities"] + sensors}
    large = catalog_from_import(body, CatalogSource.IMPORT)
    own = ParsingPool(workers=1)
    try:
        shipped = own.ship(large)
        assert shipped.pickled is not None
        assert len(shipped.pickled) > 1_000_000  # well beyond a socket pair's buffers
        (pid,) = asyncio.run(own.warm(own.ship(CATALOG), "en"))

        resumed = threading.Event()

        def resume() -> None:
            resumed.set()
            os.kill(pid, signal.SIGCONT)

        async def warm_while_stopped() -> tuple[int, set[int]]:
            os.kill(pid, signal.SIGSTOP)
            timer = threading.Timer(3.0, resume)
            timer.start()
            try:
                warming = asyncio.create_task(own.warm(shipped, "en"))
                ticks_while_stopped = 0
                for _tick in range(1200):  # a minute at most
                    if warming.done():
                        break
                    await asyncio.sleep(0.05)
                    ticks_while_stopped += not resumed.is_set()
                return ticks_while_stopped, await asyncio.wait_for(warming, 0)
            finally:
                timer.join()

        ticks, pids = asyncio.run(warm_while_stopped())
        assert pids == {pid}
        # The loop ran on while the worker was stopped (3 s: ~60 ticks), not only after.
        assert ticks >= 20
    finally:
        own.close()


def test_a_catalog_is_shipped_once_per_catalog() -> None:
    pool = ParsingPool(workers=1)
    first = pool.ship(CATALOG)
    assert pool.ship(CATALOG) is first
    other = catalog_from_import(
        {"devices": [], "floors": [], **BODY, "time_zone": "UTC"}, CatalogSource.IMPORT
    )
    assert pool.ship(other).key != first.key


def _recorded_catalogs(monkeypatch: pytest.MonkeyPatch) -> list[ShippedCatalog]:
    """Record the catalog sent with each task the pool runs."""
    sent: list[ShippedCatalog] = []
    run = ParsingPool._run

    async def recorded(pool: ParsingPool, function: Any, *args: Any) -> Any:
        sent.extend(arg for arg in args if isinstance(arg, ShippedCatalog))
        return await run(pool, function, *args)

    monkeypatch.setattr(ParsingPool, "_run", recorded)
    return sent


async def test_a_request_carries_the_catalogs_key_alone_once_the_workers_keep_it(
    pool: ParsingPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = pool.ship(CATALOG)
    await pool.warm(shipped, "en")
    sent = _recorded_catalogs(monkeypatch)
    requests = [QueryRequest.of(text) for text in SENTENCES]
    answers = await asyncio.gather(*(pool.parse(shipped, request) for request in requests))
    assert {answer["status"] for answer, _suggestion in answers} >= {"ready", "needs_clarification"}
    assert len(sent) == len(requests)
    assert all(catalog == ShippedCatalog(shipped.key, None) for catalog in sent)
    assert shipped.pickled is not None
    assert len(pickle.dumps(sent[0])) < 200 < len(shipped.pickled)


async def test_a_worker_without_the_catalog_gets_it_with_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cold = ParsingPool(workers=1)
    try:
        sent = _recorded_catalogs(monkeypatch)
        shipped = cold.ship(CATALOG)
        answer, _suggestion = await cold.parse(
            shipped, QueryRequest.of("turn on the kitchen light")
        )
        assert answer["actions"][0]["target"] == {"entity_id": ["light.kitchen"]}
        # The key alone first, then the whole catalog; from then on, the key alone.
        assert [catalog.pickled is None for catalog in sent] == [True, False]
        await cold.parse(shipped, QueryRequest.of("turn off the kitchen light"))
        assert [catalog.pickled is None for catalog in sent] == [True, False, True]
    finally:
        cold.close()


async def test_a_new_catalog_is_built_for_before_the_first_request(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    warmed: list[tuple[str, str]] = []
    warm = ParsingPool.warm

    async def recorded(pool: ParsingPool, shipped: ShippedCatalog, language: str) -> set[int]:
        warmed.append((shipped.key, language))
        return await warm(pool, shipped, language)

    monkeypatch.setattr(ParsingPool, "warm", recorded)
    response = await client.post("/api/v1/home/import", json=BODY, headers=AUTH)
    assert response.status == 200, await response.text()
    service = client.app[QUERIES]
    await service.stop()
    assert (fingerprint(client.app[HOME].catalog), "en") in warmed


def _workers(pid: int) -> set[int]:
    """Return the process ids of a process's spawned workers (Linux's /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    # Not multiprocessing's resource tracker, also a child.
    return {
        child for child in found if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    }


def _running(pid: int) -> bool:
    """Return whether a process exists and has not ended (a zombie has)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "stopped"])
def test_the_workers_end_with_the_engine(tmp_path: Path, sig: signal.Signals) -> None:
    engine = EngineProcess(tmp_path / "data", {"HOMEIQ_QUERY_WORKERS": "2"}).start()
    assert engine.process is not None
    try:
        pid = engine.process.pid
        workers = poll(
            lambda: children if len(children := _workers(pid)) == 2 else None,
            "the engine's two parsing workers",
            60.0,
        )
    finally:
        engine.stop(sig)
    # Killed, the engine closes nothing: its workers notice on their own.
    poll(lambda: not any(_running(pid) for pid in workers) or None, "the workers to end")


async def test_a_warm_up_that_fails_is_logged_and_the_next_language_still_warms(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    warmed: list[str] = []

    async def failing_in_german(
        pool: ParsingPool, shipped: ShippedCatalog, language: str
    ) -> set[int]:
        if language == "de":
            raise WorkerStoppedError
        warmed.append(language)
        return set()

    service = client.app[QUERIES]
    service._languages.update({"de", "en"})
    monkeypatch.setattr(ParsingPool, "warm", failing_in_german)
    service.catalog_changed(client.app[HOME].catalog)
    assert service._warming is not None
    await service._warming  # ends without an error
    assert warmed == ["en"]
    (record,) = [r for r in caplog.records if "Could not prepare the parsers" in r.getMessage()]
    assert record.levelname == "WARNING"
    assert "'de'" in record.getMessage()


async def test_the_engine_drafts_only_what_no_worker_drafted(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = await client.post("/api/v1/home/import", json=BODY, headers=AUTH)
    assert response.status == 200, await response.text()
    drafted_here: list[str] = []
    draft = AskedSuggestions.draft

    def counted(asked: AskedSuggestions, query_id: str, text: str, automation: Any) -> Any:
        drafted_here.append(text)
        return draft(asked, query_id, text, automation)

    monkeypatch.setattr(AskedSuggestions, "draft", counted)
    text = "when the hall light turns on turn on the kitchen light"
    answers = []
    for _ in range(2):
        response = await client.post("/api/v1/query", json={"text": text}, headers=AUTH)
        assert response.status == 200, await response.text()
        answers.append(await response.json())
    first, again = (answer["suggestions"] for answer in answers)
    assert first == again
    assert first[0]["status"] == "pending"
    assert first[0]["yaml"].startswith("id: ")
    # The first parsed on a worker, which drafted it; the second answered from the cache.
    assert drafted_here == [text]
