"""The query routes' answers, typed once: the parsers build them, the document derives them."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, TypedDict

from engine.api.wire import Schema
from engine.automation.suggestions.wire import Suggestion

QueryStatus = Literal["ready", "needs_clarification", "unsupported"]
QueryKind = Literal["command", "automation", "question"]


class Option(TypedDict):
    """One answer a clarification offers: the value to send back and what it says."""

    value: str
    label: str


class Clarification(TypedDict):
    """A question whose answer settles what a request means."""

    id: str
    question: str
    options: list[Option]


class AnsweredEntity(TypedDict):
    """An entity a question is about, with its state now."""

    entity_id: str
    name: str
    state: str | None
    matched: NotRequired[
        Annotated[
            bool, Schema({"description": "Whether it is in the state asked about (if one was)"})
        ]
    ]


class QuestionAnswer(TypedDict):
    """An answered question's answer for machines (the message says it in words)."""

    intent: Annotated[
        str,
        Schema(
            {
                "description": "Home Assistant's intent: HassGetState, "
                "HassClimateGetTemperature or HassGetWeather"
            }
        ),
    ]
    entities: Annotated[
        list[AnsweredEntity], Schema({"description": "The entities the question is about"})
    ]
    value: Annotated[
        Any,
        Schema(
            {
                "description": "The answer: yes or no (boolean), how many (integer), which "
                "(entity ids), a temperature (number), or the state asked for (string or null)"
            }
        ),
    ]


class Answer(TypedDict):
    """What a request is understood as: a command, an automation, a question, or nothing."""

    status: QueryStatus
    kind: QueryKind | None
    actions: list[dict[str, Any]]
    automation: dict[str, Any] | None
    clarifications: list[Clarification]
    suggestions: list[Suggestion]
    message: str | None
    # Only on an answered question (kind "question", status "ready").
    answer: NotRequired[
        Annotated[
            QuestionAnswer,
            Schema(
                {"description": "The answer to a question about the home, read from current states"}
            ),
        ]
    ]


class Parsed(Answer):
    """An answer as parsed and cached: a question keeps its parse (as parse.ASKED), never shown."""

    _asked: NotRequired[dict[str, Any]]


class Query(Answer):
    """A request and its answer as stored: GET /api/v1/query/{query_id}."""

    query_id: str
    text: str


class TimedQuery(Query):
    """A request just answered (ask, refine): with how long answering it took."""

    latency_ms: float


class QuerySuggestions(TypedDict):
    """GET /api/v1/query/{query_id}/suggestions."""

    suggestions: list[Suggestion]
