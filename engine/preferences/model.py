"""The household's settings: their typed shape, defaults, validation and the PATCH merge."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import cache
from typing import Any, Final, cast, get_args

import voluptuous as vol

from engine.errors import BadRequestError
from engine.home.event_input import ENTITY_ID_JSON_SCHEMA, ENTITY_ID_RULE, is_entity_id
from engine.preferences.wire import MAX_DAYS, MAX_EXCLUDED, MIN_DAYS, Backend, PreferencesDict
from engine.query.intents import supported_languages
from engine.settings import Settings
from engine.validation import Described, validate

_LOGGER = logging.getLogger(__name__)

BACKENDS: Final[tuple[Backend, ...]] = get_args(Backend)
DEFAULT_MIN_SCORE: Final = 0.0
DEFAULT_LANGUAGE: Final = "en"
MAX_NAME_LENGTH: Final = 255
MAX_MODEL_LENGTH: Final = 200
OFF: Final = "off"
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Every field by its dotted name: a row of the store, and what a PATCH replaces.
FIELDS: Final = (
    "analysis_time",
    "analysis_days",
    "min_score",
    "exclude.areas",
    "exclude.entities",
    "exclude.labels",
    "language",
    "llm.backend",
    "llm.model",
    "llm.ai_task_entity",
)


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Areas, entities and labels the analysis leaves out and the suggestion list hides."""

    areas: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LLMChoice:
    """Which language model answers what the parser does not understand."""

    backend: Backend = "off"
    # OPENAI_MODEL's model for "openai"; None: the backend's default.
    model: str | None = None
    # The AI task entity for "ha_ai_task"; None: Home Assistant's preferred one.
    ai_task_entity: str | None = None


@dataclass(frozen=True, slots=True)
class Preferences:
    """The household's settings as the engine applies them."""

    # Local time of the daily analysis; None: on demand only.
    analysis_time: time | None
    analysis_days: int
    min_score: float
    language: str
    exclude: Exclusions = field(default_factory=Exclusions)
    llm: LLMChoice = field(default_factory=LLMChoice)

    def as_dict(self) -> PreferencesDict:
        """Return the settings as the API shows them."""
        return {
            "analysis_time": OFF
            if self.analysis_time is None
            else self.analysis_time.strftime("%H:%M"),
            "analysis_days": self.analysis_days,
            "min_score": self.min_score,
            "exclude": {
                "areas": list(self.exclude.areas),
                "entities": list(self.exclude.entities),
                "labels": list(self.exclude.labels),
            },
            "language": self.language,
            "llm": {
                "backend": self.llm.backend,
                "model": self.llm.model,
                "ai_task_entity": self.llm.ai_task_entity,
            },
        }


def defaults(settings: Settings) -> Preferences:
    """Return the settings the environment gives, before anything was changed."""
    return Preferences(
        analysis_time=settings.analysis_time,
        analysis_days=settings.analysis_days,
        min_score=DEFAULT_MIN_SCORE,
        language=DEFAULT_LANGUAGE,
        llm=LLMChoice(
            backend=cast(Backend, settings.llm or OFF),
            model=settings.openai_model,
            ai_task_entity=settings.llm_ai_task_entity,
        ),
    )


@cache
def _languages() -> dict[str, str]:
    """Return the grammar's languages by their folded code."""
    return {code.casefold(): code for code in supported_languages()}


def _analysis_time(value: Any) -> str:
    if not isinstance(value, str) or not (value == OFF or _CLOCK.match(value)):
        raise vol.Invalid('expected a time of day "HH:MM" from 00:00 to 23:59, or "off"')
    return value


def _language(value: Any) -> str:
    if not isinstance(value, str):
        raise vol.Invalid("expected a language code such as en")
    code = _languages().get(value.strip().replace("_", "-").casefold())
    if code is None:
        raise vol.Invalid("expected a language the engine's grammar supports, such as en or de")
    return code


def _entity_id(value: Any) -> str:
    if not is_entity_id(value):
        raise vol.Invalid(f"expected {ENTITY_ID_RULE}")
    return value


def _ai_task_entity(value: Any) -> str:
    entity_id = _entity_id(value)
    if not entity_id.startswith("ai_task."):
        raise vol.Invalid("expected an AI task entity such as ai_task.openai")
    return entity_id


def _distinct(values: list[str]) -> list[str]:
    """Return the names once each, in the order given."""
    return list(dict.fromkeys(values))


_NAME = vol.All(str, vol.Length(min=1, max=MAX_NAME_LENGTH))


def _names(item: Any, description: str, item_schema: Mapping[str, Any] | None = None) -> Described:
    """Return a validator of a list of at most MAX_EXCLUDED names, each kept once."""
    return Described(
        vol.Schema(
            vol.All(
                [item],
                vol.Length(max=MAX_EXCLUDED, msg=f"expected at most {MAX_EXCLUDED} names"),
                _distinct,
            )
        ),
        {
            "type": "array",
            "items": dict(
                item_schema or {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH}
            ),
            "maxItems": MAX_EXCLUDED,
            "description": f"{description}; each kept once, in the order given",
        },
    )


_NULLABLE_MODEL = vol.Any(None, vol.All(str, vol.Length(min=1, max=MAX_MODEL_LENGTH)))
# Any subset; the nested objects replace only the keys they name. Null for llm.model or
# llm.ai_task_entity returns it to its default from the environment.
PATCH_SCHEMA = vol.Schema(
    {
        vol.Optional("analysis_time"): Described(
            _analysis_time,
            {
                "type": "string",
                "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|off)$",
                "description": 'Local time of the daily analysis, "HH:MM", or "off"',
            },
        ),
        vol.Optional("analysis_days"): vol.All(int, vol.Range(min=MIN_DAYS, max=MAX_DAYS)),
        vol.Optional("min_score"): vol.All(
            vol.Any(int, float, msg="expected a number from 0 to 1"), vol.Range(min=0, max=1)
        ),
        vol.Optional("exclude"): {
            vol.Optional("areas"): _names(_NAME, "Area ids"),
            vol.Optional("entities"): _names(_entity_id, "Entity ids", ENTITY_ID_JSON_SCHEMA),
            vol.Optional("labels"): _names(_NAME, "Label ids"),
        },
        vol.Optional("language"): Described(
            _language,
            {
                "type": "string",
                # The codes as the engine answers them (it also takes them in any case, and
                # with "_" for "-").
                "enum": sorted(supported_languages()),
                "description": "A language of the grammar, e.g. en or de",
            },
        ),
        vol.Optional("llm"): {
            vol.Optional("backend"): vol.In(BACKENDS),
            vol.Optional("model"): _NULLABLE_MODEL,
            vol.Optional("ai_task_entity"): vol.Any(
                None,
                Described(
                    _ai_task_entity,
                    {
                        **ENTITY_ID_JSON_SCHEMA,
                        "pattern": r"^ai_task\.[a-z0-9]+(_[a-z0-9]+)*$",
                        "description": "An AI task entity, e.g. ai_task.openai",
                    },
                ),
            ),
        },
    }
)


def patched_fields(patch: Mapping[str, Any]) -> dict[str, Any]:
    """Return a validated PATCH body as {dotted field: API value} (None: back to default)."""
    body: dict[str, Any] = validate(PATCH_SCHEMA, patch)
    fields: dict[str, Any] = {}
    for key, value in body.items():
        if isinstance(value, dict):
            fields |= {f"{key}.{inner}": each for inner, each in value.items()}
        else:
            fields[key] = value
    return fields


def _flat(preferences: Preferences) -> dict[str, Any]:
    """Return every field of the settings by its dotted name, as the API shows it."""
    shown = cast(dict[str, Any], preferences.as_dict())
    flat: dict[str, Any] = {}
    for key, value in shown.items():
        if isinstance(value, dict):
            flat |= {f"{key}.{inner}": each for inner, each in value.items()}
        else:
            flat[key] = value
    return flat


def merged(base: Preferences, fields: Mapping[str, Any]) -> Preferences:
    """Return the settings with the given fields (dotted names, API values) in place."""
    values = _flat(base) | dict(fields)
    clock = values["analysis_time"]
    return Preferences(
        analysis_time=None if clock == OFF else time.fromisoformat(clock),
        analysis_days=int(values["analysis_days"]),
        min_score=float(values["min_score"]),
        language=values["language"],
        exclude=Exclusions(
            areas=tuple(values["exclude.areas"]),
            entities=tuple(values["exclude.entities"]),
            labels=tuple(values["exclude.labels"]),
        ),
        llm=LLMChoice(
            backend=values["llm.backend"],
            model=values["llm.model"],
            ai_task_entity=values["llm.ai_task_entity"],
        ),
    )


def valid_rows(rows: Mapping[str, Any]) -> dict[str, Any]:
    """Return the stored fields that are still valid settings; the others are dropped."""
    fields: dict[str, Any] = {}
    for key, value in rows.items():
        if key not in FIELDS:
            _LOGGER.warning("Ignoring the stored setting %s: no such setting", key)
            continue
        outer, _, inner = key.partition(".")
        try:
            fields |= patched_fields({outer: {inner: value}} if inner else {outer: value})
        except BadRequestError as err:
            # E.g. a language the installed grammar no longer has: its default applies.
            _LOGGER.warning("Ignoring the stored setting %s: %s", key, err.message)
    return fields


def check_llm(choice: LLMChoice, settings: Settings) -> None:
    """Raise a 400 naming llm.backend when the chosen backend's connection is not configured."""
    if choice.backend == "openai" and not (settings.openai_api_key or settings.openai_base_url):
        raise BadRequestError(
            "The openai backend needs OPENAI_API_KEY or OPENAI_BASE_URL in the engine's "
            "environment",
            {"field": "llm.backend"},
        )
    if choice.backend == "ha_ai_task" and not settings.ha_url:
        raise BadRequestError(
            "The ha_ai_task backend needs the engine connected to Home Assistant (HA_URL)",
            {"field": "llm.backend"},
        )
