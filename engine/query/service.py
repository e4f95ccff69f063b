"""Answering requests: parse (off the event loop), cache, store, and refine with answers."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.errors import BadRequestError, ConflictError, LLMUnavailableError, NotFoundError
from engine.home.catalog import Catalog
from engine.llm.backend import LimitedLLM
from engine.metrics import LatencyRecorder
from engine.query.automation import AutomationParser
from engine.query.commands import Clarification, CommandParser, CommandParsers
from engine.query.llm_parse import ANSWER_SCHEMA, INSTRUCTIONS, SCHEMA_NAME, build_prompt, interpret
from engine.query.messages import messages
from engine.query.questions import Asked, StateOf
from engine.store.cache import CorrelationCache
from engine.store.schema import queries

# A language's automation and command parsers, and the hash of the catalog they know.
Parsed = tuple[AutomationParser, CommandParser, str]
Suggest = Callable[[str, str, Mapping[str, Any]], Awaitable[dict[str, Any]]]

# The cached parse of a question (never shown): its answer is read afresh on every hit.
_ASKED = "_asked"


def not_understood(language: str) -> str:
    """Return what a request that is neither a command nor an automation gets, in its language."""
    return messages(language).say("nothing_understood")


def _clarification(item: Clarification) -> dict[str, Any]:
    return {"id": item.id, "question": item.question, "options": item.options}


@dataclass(frozen=True, slots=True)
class _Cached:
    """A parsed answer for the cache, under its key."""

    key: str
    answer: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Built:
    """One catalog's parsers per language, and the catalog's hash (replaced whole)."""

    catalog: Catalog
    fingerprint: str
    automations: dict[str, AutomationParser]


class _Parsers:
    """The parsers of the current catalog, built once per catalog and language."""

    def __init__(self, state_of: StateOf | None) -> None:
        self._commands = CommandParsers(state_of)
        # Replaced in one assignment, so a reader on another thread sees one catalog's.
        self._built: _Built | None = None

    def built(self, catalog: Catalog, language: str) -> Parsed | None:
        """Return what `get` would when it is built already, else None (never builds)."""
        current = self._built
        if current is None or current.catalog is not catalog:
            return None
        commands = self._commands.built(catalog, language)
        parser = current.automations.get(commands.language) if commands is not None else None
        if commands is None or parser is None:
            return None
        return parser, commands, current.fingerprint

    def get(self, catalog: Catalog, language: str) -> Parsed:
        """Return the automation and command parsers for a language, and the catalog's hash.

        The hash is returned with the parsers (not read later) so a cache key always names
        the catalog the answer was parsed against.
        """
        current = self._built
        if current is None or current.catalog is not catalog:
            encoded = orjson.dumps(asdict(catalog), option=orjson.OPT_SORT_KEYS)
            current = _Built(catalog, hashlib.sha256(encoded).hexdigest()[:16], {})
            self._built = current
        commands = self._commands.get(catalog, language)
        parser = current.automations.get(commands.language)
        if parser is None:
            parser = AutomationParser(catalog, commands.language, commands=commands)
            current.automations[commands.language] = parser
        return parser, commands, current.fingerprint


class QueryService:
    """Turns requests into answers (command, automation, or a question back)."""

    def __init__(
        self,
        engine: AsyncEngine,
        catalog: Callable[[], Catalog],
        cache: CorrelationCache,
        latency: LatencyRecorder,
        *,
        llm: Callable[[], LimitedLLM | None] | None = None,
        suggest: Suggest | None = None,
        state_of: StateOf | None = None,
    ) -> None:
        self._engine = engine
        # Makes (or finds) the suggestion for an automation someone asked for.
        self._suggest = suggest
        # Asked only when the deterministic parser does not understand a request; a getter,
        # as the llm setting changes the model while the engine runs.
        self._llm = llm or (lambda: None)
        self._catalog = catalog
        self._cache = cache
        self._latency = latency
        # Questions read the home's live states through it (else the catalog's).
        self._state_of = state_of
        self._parsers = _Parsers(state_of)
        # One thread: parsing is CPU work that would stall the event loop for the odd
        # long sentence, and a parser is not made for two parses at once.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="homeiq-query")

    async def warm(self, language: str = "en") -> None:
        """Build the parsers now (Home Assistant's grammar takes a while), not on a request."""
        await self._run(self._parsers.get, self._catalog(), language)

    def close(self) -> None:
        """Stop the parsing thread."""
        self._executor.shutdown(wait=True)

    async def _run[T](self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def ask(self, text: str, language: str, area_id: str | None) -> dict[str, Any]:
        """Answer a new request and store it."""
        started = time.perf_counter()
        answer, cached = await self._answer(text, language, area_id, frozenset())
        query_id = uuid.uuid4().hex
        now = time.time()
        stored = await self._with_suggestion({"query_id": query_id, "text": text, **answer})
        # One transaction for the query and its cached answer (each costs a commit).
        async with self._engine.begin() as connection:
            if cached is not None:
                await self._cache.set(cached.key, cached.answer, within=connection)
            await connection.execute(
                insert(queries).values(
                    query_id=query_id,
                    text=text,
                    language=language,
                    area_id=area_id,
                    answer=stored,
                    created_at=now,
                    updated_at=now,
                )
            )
        return self._timed(stored, started)

    async def refine(
        self, query_id: str, answers: Mapping[str, str], more_text: str | None
    ) -> dict[str, Any]:
        """Answer a request again with the user's answers to its questions."""
        started = time.perf_counter()
        row = await self._row(query_id)
        previous = row.answer
        if previous["status"] != "needs_clarification":
            raise ConflictError(
                f"Query {query_id} has no open question", {"status": previous["status"]}
            )
        asked = {item["id"]: item for item in previous["clarifications"]}
        text = row.text
        chosen: set[str] = set()
        for clarification_id, value in answers.items():
            item = asked.get(clarification_id)
            field = f"answers.{clarification_id}"
            if item is None:
                raise BadRequestError(
                    f"No question {clarification_id!r} is open on this query",
                    {"field": field, "open": sorted(asked)},
                )
            values = [option["value"] for option in item["options"]]
            if values and value not in values:
                raise BadRequestError(
                    f"{value!r} is not among the options of {clarification_id!r}",
                    {"field": field, "options": values},
                )
            if clarification_id.startswith("time"):
                text = f"{text} at {value}"
            elif clarification_id.startswith("when") or not values:
                text = f"{text} {value}"
            elif clarification_id.startswith("action"):
                # What to do, picked from the options: said after the when.
                text = f"{text}, {value}"
            else:
                chosen.add(value)
        if more_text:
            text = f"{text} {more_text}"
        answer, cached = await self._answer(text, row.language, row.area_id, frozenset(chosen))
        stored = await self._with_suggestion({"query_id": query_id, "text": text, **answer})
        async with self._engine.begin() as connection:
            if cached is not None:
                await self._cache.set(cached.key, cached.answer, within=connection)
            await connection.execute(
                update(queries)
                .where(queries.c.query_id == query_id)
                .values(text=text, answer=stored, updated_at=time.time())
            )
        return self._timed(stored, started)

    async def _with_suggestion(self, stored: dict[str, Any]) -> dict[str, Any]:
        """Return the answer with its suggestion when it is an automation ready to approve."""
        automation = stored.get("automation")
        if self._suggest is None or stored["status"] != "ready" or not automation:
            return stored
        suggestion = await self._suggest(stored["query_id"], stored["text"], automation)
        return {**stored, "suggestions": [suggestion]}

    async def get(self, query_id: str) -> dict[str, Any]:
        """Return a stored query."""
        answer: dict[str, Any] = (await self._row(query_id)).answer
        return answer

    async def _row(self, query_id: str) -> Any:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(queries).where(queries.c.query_id == query_id))
            ).first()
        if row is None:
            raise NotFoundError(f"No query {query_id!r}")
        return row

    def _timed(self, stored: dict[str, Any], started: float) -> dict[str, Any]:
        latency_ms = (time.perf_counter() - started) * 1000
        self._latency.record(latency_ms)
        return {**stored, "latency_ms": round(latency_ms, 3)}

    async def _answer(
        self, text: str, language: str, area_id: str | None, chosen: frozenset[str]
    ) -> tuple[dict[str, Any], _Cached | None]:
        """Return the answer and what the cache is to keep of it (stored with the query).

        Answers are cached by text, language, area, answers and catalog; not by states.
        """
        catalog = self._catalog()
        llm = self._llm()
        # Built already (nearly always): no trip to the parsing thread just to fetch them.
        parsed = self._parsers.built(catalog, language)
        if parsed is None:
            parsed = await self._run(self._parsers.get, catalog, language)
        automations, commands, fingerprint = parsed
        normal = " ".join(text.lower().split())
        key = (
            "query:"
            + hashlib.sha256(
                "\x1f".join(
                    [
                        fingerprint,
                        language,
                        area_id or "",
                        normal,
                        *sorted(chosen),
                        # Answers cached before a model was configured are not its answers.
                        *(["llm:" + llm.model_id] if llm is not None else []),
                    ]
                ).encode()
            ).hexdigest()
        )
        cached: dict[str, Any] | None = await self._cache.get(key)
        if cached is not None:
            return _answered_now(commands, cached), None
        answer = await self._run(_parse, automations, commands, text, area_id, chosen)
        if answer["status"] == "unsupported" and llm is not None:
            answer, cacheable = await self._ask_llm(
                llm, catalog, text, area_id=area_id, chosen=chosen, fallback=answer
            )
            if not cacheable:
                return answer, None
        return _shown(answer), _Cached(key, answer)

    async def _ask_llm(
        self,
        llm: LimitedLLM,
        catalog: Catalog,
        text: str,
        *,
        area_id: str | None,
        chosen: frozenset[str],
        fallback: dict[str, Any],
    ) -> tuple[dict[str, Any], bool]:
        """Return the language model's checked answer, or the parser's and why (not cached)."""
        prompt = await self._run(build_prompt, catalog, text, area_id, chosen)
        try:
            raw = await llm.generate(INSTRUCTIONS, prompt.text, ANSWER_SCHEMA, SCHEMA_NAME)
            answer = await self._run(interpret, raw, catalog, text, chosen, self._state_of)
            # A model's answer to a question holds the states it was read with: not cached.
            return answer, not (answer.get("kind") == "question" and answer["status"] == "ready")
        except LLMUnavailableError as err:
            # The parser's answer stands; not cached, so the model is asked again next time.
            message = f"{fallback['message']} (The language model was unavailable: {err.message})"
            return {**fallback, "message": message}, False


def _parse(
    automations: AutomationParser,
    commands: CommandParser,
    text: str,
    area_id: str | None,
    chosen: frozenset[str],
) -> dict[str, Any]:
    """Return the answer of the automation parser, else the command parser, else none."""
    automation = automations.parse(text, area_id=area_id, chosen=chosen)
    if automation is not None:
        return {
            "status": automation.status,
            "kind": "automation",
            "actions": [],
            "automation": automation.automation,
            "clarifications": [_clarification(c) for c in automation.clarifications],
            "suggestions": [],
            "message": automation.message,
        }
    command = commands.parse(text, area_id=area_id, chosen=chosen)
    if command is not None:
        return {
            "status": command.status,
            "kind": command.kind,
            "actions": command.actions,
            "automation": None,
            "clarifications": [_clarification(c) for c in command.clarifications],
            "suggestions": [],
            "message": command.message,
            # A question's answer for machines (the message has it in words).
            **({"answer": command.answer} if command.answer is not None else {}),
            **({_ASKED: command.asked.as_dict()} if command.asked is not None else {}),
        }
    return {
        "status": "unsupported",
        "kind": None,
        "actions": [],
        "automation": None,
        "clarifications": [],
        "suggestions": [],
        "message": not_understood(commands.language),
    }


def _shown(answer: dict[str, Any]) -> dict[str, Any]:
    """Return an answer without the parse kept for the cache."""
    if _ASKED not in answer:
        return answer
    return {key: value for key, value in answer.items() if key != _ASKED}


def _answered_now(commands: CommandParser, cached: dict[str, Any]) -> dict[str, Any]:
    """Return a cached answer; a question's is read again from the states now."""
    asked = cached.get(_ASKED)
    if asked is None:
        return cached
    # Cheap (no parsing), and reads only what the parsing thread does not change.
    result = commands.answer(Asked.from_dict(asked))
    return {**_shown(cached), "message": result.message, "answer": result.answer}
