"""The settings routes' answer, typed once: the settings build it, the document derives it."""

from __future__ import annotations

from typing import Annotated, Final, Literal, TypedDict

from engine.api.wire import Schema

# Here rather than in model.py, which builds the answer: the answer's schema states them too.
Backend = Literal["off", "openai", "ha_ai_task"]
# The same bounds as HOMEIQ_ANALYSIS_DAYS and POST /api/v1/analysis/run.
MIN_DAYS: Final = 1
MAX_DAYS: Final = 365
# A home has a few hundred areas and labels at most; more than this is no exclusion list.
MAX_EXCLUDED: Final = 1000

_NAMES = Schema({"maxItems": MAX_EXCLUDED})


class ExcludeDict(TypedDict):
    """What the analysis leaves out, as the API shows it."""

    areas: Annotated[list[str], _NAMES]
    entities: Annotated[list[str], _NAMES]
    labels: Annotated[list[str], _NAMES]


class LLMDict(TypedDict):
    """The language-model backend, as the API shows it (never a key)."""

    backend: Backend
    model: str | None
    ai_task_entity: str | None


class PreferencesDict(TypedDict):
    """GET and PATCH /api/v1/settings."""

    analysis_time: Annotated[
        str,
        Schema(
            {"description": 'Local time of the daily analysis "HH:MM", or "off" (on demand only)'}
        ),
    ]
    analysis_days: Annotated[
        int,
        Schema(
            {
                "minimum": MIN_DAYS,
                "maximum": MAX_DAYS,
                "description": "Days a scheduled analysis, or one started without days, looks back",
            }
        ),
    ]
    min_score: Annotated[
        float,
        Schema(
            {
                "minimum": 0,
                "maximum": 1,
                "description": "Default min_score of the suggestion list and of generation",
            }
        ),
    ]
    exclude: Annotated[
        ExcludeDict,
        Schema(
            {
                "description": "Left out of the next analysis and of generation; pending "
                "suggestions that use them are hidden from the list. An area leaves out its "
                "entities (and its devices' entities), a label the entities that carry it",
            }
        ),
    ]
    language: Annotated[str, Schema({"description": "Language of a request that names none"})]
    llm: Annotated[
        LLMDict,
        Schema(
            {
                "description": "The language model for requests the parser does not understand; "
                "its key stays in the engine's environment",
            }
        ),
    ]
