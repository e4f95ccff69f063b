"""Answering requests: parse (on worker processes), cache, store, and refine with answers."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import Connection, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from engine.automation.suggestions.asked import AskedSuggestions
from engine.automation.suggestions.new import NewSuggestion
from engine.automation.suggestions.wire import Suggestion
from engine.errors import BadRequestError, ConflictError, LLMUnavailableError, NotFoundError
from engine.home.catalog import Catalog, Entity
from engine.llm.backend import LimitedLLM
from engine.metrics import LatencyRecorder
from engine.query.llm_parse import ANSWER_SCHEMA, INSTRUCTIONS, SCHEMA_NAME, build_prompt, interpret
from engine.query.parse import ASKED
from engine.query.query_writer import AnsweredQuery, QueryWriter, with_suggestions
from engine.query.questions import Answers, Asked, StateOf
from engine.query.request import QueryRequest
from engine.query.wire import Answer, Parsed, Query, QuestionAnswer, TimedQuery
from engine.query.workers import AskedBy, ParsingPool, shared_pool
from engine.store.cache import CorrelationCache
from engine.store.one_writer import write
from engine.store.schema import queries

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Cached:
    """A parsed answer for the cache, under its key."""

    key: str
    answer: Parsed


@dataclass(frozen=True, slots=True)
class _Answered:
    """An answer, what the cache is to keep of it, and its suggestion if drafted with it."""

    answer: Answer
    cached: _Cached | None = None
    drafted: NewSuggestion | None = None


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
        asked: AskedSuggestions | None = None,
        state_of: StateOf | None = None,
        pool: ParsingPool | None = None,
    ) -> None:
        self._engine = engine
        # Makes (or finds) the suggestion for an automation someone asked for.
        self._asked = asked
        # Asked only when the deterministic parser does not understand a request; a getter,
        # as the llm setting changes the model while the engine runs.
        self._llm = llm or (lambda: None)
        self._catalog = catalog
        self._cache = cache
        self._latency = latency
        # Questions read the home's live states through it (else the catalog's).
        self._state_of = state_of
        # The process's workers unless given others (which their giver closes).
        self._pool = pool or shared_pool()
        self._writer = QueryWriter(engine, cache, asked)
        # Per language: its intents variant and the words its states are said with.
        self._state_words: dict[str, tuple[str, Answers]] = {}
        # The languages requests came in, and warm-ups running for a new catalog.
        self._languages: set[str] = set()
        self._next_catalog: Catalog | None = None
        self._warming: asyncio.Task[None] | None = None
        # The catalog's entities by id, for answers read from live states.
        self._entities: tuple[Catalog, dict[str, Entity]] | None = None

    async def warm(self, language: str = "en") -> None:
        """Build the parsers now (Home Assistant's grammar takes a while), not on a request."""
        self._languages.add(language)
        await self._pool.warm(self._pool.ship(self._catalog()), language)

    def catalog_changed(self, catalog: Catalog) -> None:
        """Build every worker's parsers for a new catalog now, in the languages asked in."""
        self._next_catalog = catalog
        if self._warming is None or self._warming.done():
            self._warming = asyncio.create_task(self._warm_latest(), name="homeiq-query-warm")

    async def _warm_latest(self) -> None:
        # Catalogs that come in a burst (Home Assistant starting) are built for once, the last.
        while (catalog := self._next_catalog) is not None:
            self._next_catalog = None
            shipped = self._pool.ship(catalog)
            for language in sorted(self._languages) or ["en"]:
                try:
                    await self._pool.warm(shipped, language)
                except Exception:
                    _LOGGER.warning(
                        "Could not prepare the parsers in %r for the new home",
                        language,
                        exc_info=True,
                    )

    async def stop(self) -> None:
        """Wait for a warm-up in progress (a worker's build is not interrupted) and the writes."""
        self._next_catalog = None
        if self._warming is not None:
            await asyncio.gather(self._warming, return_exceptions=True)
        await self._writer.close()

    async def ask(self, text: str, language: str, area_id: str | None) -> TimedQuery:
        """Answer a new request and store it."""
        started = time.perf_counter()
        self._languages.add(language)
        query_id = uuid.uuid4().hex
        answered = await self._answer(
            QueryRequest.of(text, language, area_id), AskedBy(query_id, text)
        )
        cached = answered.cached
        now = time.time()
        shown: Query = {"query_id": query_id, "text": text, **answered.answer}
        row = {
            "query_id": query_id,
            "text": text,
            "language": language,
            "area_id": area_id,
            "answer": shown,
            "created_at": now,
            "updated_at": now,
        }
        # With its suggestion and cached answer, in the transaction of the rows written with it.
        stored = await self._writer.write(
            AnsweredQuery(
                row,
                cached.key if cached is not None else None,
                cached.answer if cached is not None else None,
                suggestion=self._drafted(shown, answered.drafted),
            )
        )
        return self._timed(stored, started)

    async def refine(
        self, query_id: str, answers: Mapping[str, str], more_text: str | None
    ) -> TimedQuery:
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
        request = QueryRequest.of(text, row.language, row.area_id, frozenset(chosen))
        answered = await self._answer(request, AskedBy(query_id, text))
        cached = answered.cached
        shown: Query = {"query_id": query_id, "text": text, **answered.answer}
        suggestion = self._drafted(shown, answered.drafted)
        entries = self._cache.entries([(cached.key, cached.answer)] if cached is not None else [])

        def store(connection: Connection) -> tuple[list[Query], list[Suggestion]]:
            answers, new = with_suggestions(self._asked, connection, [(shown, suggestion)])
            self._cache.store(connection, entries)
            connection.execute(
                update(queries)
                .where(queries.c.query_id == query_id)
                .values(text=text, answer=answers[0], updated_at=time.time())
            )
            return answers, new

        (stored,), new = await write(self._engine, store)
        self._cache.remember(entries)
        if self._asked is not None:
            self._asked.announce(new)
        return self._timed(stored, started)

    def _drafted(self, shown: Query, drafted: NewSuggestion | None) -> NewSuggestion | None:
        """Return the suggestion of an answer that is an automation ready to approve.

        Drafted with its parse, on a worker; else (a cached answer, a model's) here.
        """
        automation = shown.get("automation")
        if self._asked is None or shown["status"] != "ready" or not automation:
            return None
        return drafted or self._asked.draft(shown["query_id"], shown["text"], automation)

    async def get(self, query_id: str) -> Query:
        """Return a stored query."""
        answer: Query = (await self._row(query_id)).answer
        return answer

    async def _row(self, query_id: str) -> Any:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(queries).where(queries.c.query_id == query_id))
            ).first()
        if row is None:
            raise NotFoundError(f"No query {query_id!r}")
        return row

    def _timed(self, stored: Query, started: float) -> TimedQuery:
        latency_ms = (time.perf_counter() - started) * 1000
        self._latency.record(latency_ms)
        return {**stored, "latency_ms": round(latency_ms, 3)}

    async def _answer(self, request: QueryRequest, asked_by: AskedBy) -> _Answered:
        """Return the answer and what the cache is to keep of it (stored with the query).

        Answers are cached by text, language, area, answers and catalog; not by states.
        """
        catalog = self._catalog()
        llm = self._llm()
        shipped = self._pool.ship(catalog)
        key = (
            "query:"
            + hashlib.sha256(
                "\x1f".join(
                    [
                        shipped.key,
                        request.language,
                        request.area_id or "",
                        request.folded,
                        *sorted(request.chosen),
                        # Answers cached before a model was configured are not its answers.
                        *(["llm:" + llm.model_id] if llm is not None else []),
                    ]
                ).encode()
            ).hexdigest()
        )
        cached: Parsed | None = await self._cache.get(key)
        if cached is not None:
            return _Answered(await self._answered_now(catalog, request.language, cached))
        answer, drafted = await self._pool.parse(
            shipped, request, asked_by if self._asked is not None else None
        )
        if answer["status"] == "unsupported" and llm is not None:
            answer, cacheable = await self._ask_llm(llm, catalog, request, fallback=answer)
            if not cacheable:
                return _Answered(answer)
        shown = await self._answered_now(catalog, request.language, answer)
        return _Answered(shown, _Cached(key, answer), drafted)

    async def _answered_now(self, catalog: Catalog, language: str, parsed: Parsed) -> Answer:
        """Return a parsed answer as shown; a question's is read from the states now."""
        asked = parsed.get(ASKED)
        if asked is None:
            return parsed
        shown = cast("Answer", {key: value for key, value in parsed.items() if key != ASKED})
        answers = self._state_words.get(language)
        if answers is None:
            variant, words = await self._pool.state_words(self._pool.ship(catalog), language)
            answers = self._state_words[language] = (variant, Answers(words=words))
        if self._entities is None or self._entities[0] is not catalog:
            self._entities = (catalog, {entity.entity_id: entity for entity in catalog.entities})
        entities = self._entities[1]
        question = Asked.from_dict(asked)
        now = [self._now(entities[e]) for e in question.entity_ids if e in entities]
        if len(now) != len(question.entity_ids):
            # Parsed against another catalog (it changed meanwhile): as parsed.
            return shown
        result = answers[1].answer(question, now)
        fields = cast("QuestionAnswer", result.fields)
        return {**shown, "message": result.message, "answer": fields}

    def _now(self, entity: Entity) -> Entity:
        """Return an entity with its live state and attributes (else as the catalog has it)."""
        if self._state_of is None:
            return entity
        state, attributes = self._state_of(entity.entity_id) or (None, None)
        return replace(entity, state=state, attributes=attributes)

    async def _ask_llm(
        self,
        llm: LimitedLLM,
        catalog: Catalog,
        request: QueryRequest,
        *,
        fallback: Parsed,
    ) -> tuple[Parsed, bool]:
        """Return the language model's checked answer, or the parser's and why (not cached)."""
        text, area_id, chosen = request.said, request.area_id, request.chosen
        prompt = await asyncio.to_thread(build_prompt, catalog, text, area_id, chosen)
        try:
            raw = await llm.generate(INSTRUCTIONS, prompt.text, ANSWER_SCHEMA, SCHEMA_NAME)
            interpreted = await asyncio.to_thread(
                interpret, raw, catalog, text, chosen, self._state_of
            )
            # The model's answer checked and built in the parser's shape.
            answer = cast("Parsed", interpreted)
            # A model's answer to a question holds the states it was read with: not cached.
            return answer, not (answer.get("kind") == "question" and answer["status"] == "ready")
        except LLMUnavailableError as err:
            # The parser's answer stands; not cached, so the model is asked again next time.
            message = f"{fallback['message']} (The language model was unavailable: {err.message})"
            return {**fallback, "message": message}, False
