"""JSON schemas derived from typed wire models, so that an answer's shape is written once.

A wire model is a TypedDict: answers stay the plain dicts orjson serialises fast, mypy checks
that the code building them fills every field with the right type, and the annotations say
enough to derive the OpenAPI document's schema. `Annotated[T, Schema({...})]` adds what a
type cannot say (a format, a description, a range).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import (
    Annotated,
    Any,
    Final,
    Literal,
    NotRequired,
    Required,
    TypedDict,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


@dataclass(frozen=True, slots=True)
class Schema:
    """More of a field's JSON schema than its type says."""

    extra: Mapping[str, Any] = field(default_factory=dict)


# What several answers say of a field beyond its type.
DATE_TIME = Schema({"format": "date-time"})
SHARE = Schema({"minimum": 0, "maximum": 1})

# A frozen dataclass can be a wire model too, where the code needs the typed object (the
# patterns' details); its JSON shape is `as_wire`'s, and a field marked `omitted_when_empty`
# is left out (not null) when it is None or empty.
_OMITTED: Final = "homeiq.omitted_when_empty"


def omitted_when_empty(default: Any = None) -> Any:
    """Return a dataclass field that its JSON shape leaves out when it is None or empty."""
    return field(default=default, metadata={_OMITTED: True})


def as_wire(record: Any) -> dict[str, Any]:
    """Return a dataclass wire model as its JSON shape: its fields in order, nested ones too."""
    shape: dict[str, Any] = {}
    for item in fields(record):
        value = getattr(record, item.name)
        if item.metadata.get(_OMITTED) and (value is None or value == ()):
            continue
        shape[item.name] = _wire_value(value)
    return shape


def _wire_value(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return as_wire(value)
    if isinstance(value, tuple | list):
        return [_wire_value(item) for item in value]
    if isinstance(value, Mapping):
        return dict(value)
    return value


def json_schema(annotation: Any) -> dict[str, Any]:
    """Return the JSON schema (OpenAPI 3.1) of a wire model or of one of its field types."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        schema = json_schema(inner)
        for item in metadata:
            if isinstance(item, Schema):
                schema |= item.extra
        return schema
    if origin in (NotRequired, Required):
        return json_schema(get_args(annotation)[0])
    if is_typeddict(annotation):
        return _object(annotation)
    if isinstance(annotation, type) and is_dataclass(annotation):
        return _record(annotation)
    return _plain(annotation, origin)


def _plain(annotation: Any, origin: Any) -> dict[str, Any]:
    """Return the schema of a type that is not a model."""
    if annotation is Any:
        schema: dict[str, Any] = {}
    elif annotation is None or annotation is type(None):
        schema = {"type": "null"}
    # Only a class is looked up: hashing list[Annotated[...]] would hash its Schema dict.
    elif isinstance(annotation, type) and annotation in _SCALARS:
        schema = {"type": _SCALARS[annotation]}
    elif origin is Literal:
        values = list(get_args(annotation))
        schema = {"type": _SCALARS[type(values[0])], "enum": values}
    elif origin in (Union, types.UnionType):
        schema = _union(get_args(annotation))
    elif origin is list or (origin is tuple and get_args(annotation)[1:] == (...,)):
        schema = {"type": "array", "items": json_schema(get_args(annotation)[0])}
    elif origin in (dict, Mapping) or annotation is dict:
        schema = {"type": "object"}
    else:
        raise TypeError(f"no JSON schema for {annotation!r}")
    return schema


def _object(model: Any) -> dict[str, Any]:
    hints = get_type_hints(model, include_extras=True)
    return {
        "type": "object",
        "required": [name for name, hint in hints.items() if _required(model, hint)],
        "properties": {name: json_schema(hint) for name, hint in hints.items()},
    }


def _record(model: Any) -> dict[str, Any]:
    """Return a dataclass's schema: exactly its fields, as `as_wire` writes them."""
    hints = get_type_hints(model, include_extras=True)
    schema: dict[str, Any] = {"type": "object"}
    if model.__doc__:
        schema["description"] = model.__doc__.strip().splitlines()[0]
    omitted = {item.name for item in fields(model) if item.metadata.get(_OMITTED)}
    schema["required"] = [item.name for item in fields(model) if item.name not in omitted]
    schema["properties"] = {
        item.name: json_schema(
            _never_null(hints[item.name]) if item.name in omitted else hints[item.name]
        )
        for item in fields(model)
    }
    schema["additionalProperties"] = False
    return schema


def _never_null(hint: Any) -> Any:
    """Return `T` for `T | None` (in Annotated too): a field left out when None is never null."""
    if get_origin(hint) is Annotated:
        inner, *metadata = get_args(hint)
        return Annotated[(_never_null(inner), *metadata)]
    if get_origin(hint) in (Union, types.UnionType):
        members = [member for member in get_args(hint) if member is not type(None)]
        return members[0] if len(members) == 1 else Union[tuple(members)]  # noqa: UP007
    return hint


def _required(model: Any, hint: Any) -> bool:
    """Whether a key must be present."""
    # Read from the hint: with postponed annotations, __required_keys__ misses NotRequired.
    while get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    if get_origin(hint) is NotRequired:
        return False
    return get_origin(hint) is Required or bool(model.__total__)


def _union(members: tuple[Any, ...]) -> dict[str, Any]:
    schemas = [json_schema(member) for member in members]
    kinds = [schema.get("type") for schema in schemas]
    # T | None of plain types: one schema with null among its types.
    if all(isinstance(kind, str) for kind in kinds) and all(
        set(schema) <= {"type"} or kind == "null"
        for schema, kind in zip(schemas, kinds, strict=True)
    ):
        return {"type": list(dict.fromkeys(str(kind) for kind in kinds))}
    return {"anyOf": schemas}


# The core's own answers (engine/api/health.py and stats.py).

_COUNT = Schema({"minimum": 0})


class Liveness(TypedDict):
    """GET /health/live."""

    status: Literal["ok"]


class Health(TypedDict):
    """GET /health: from memory only."""

    status: Literal["ok"]
    version: str
    instance_id: str


class ReadinessChecks(TypedDict):
    """Each dependency's state; the optional modules' checks report theirs as text."""

    database: Literal["ok", "error"]
    home_assistant: Annotated[
        str, Schema({"enum": ["connected", "disconnected", "not_configured"]})
    ]
    llm: Annotated[str, Schema({"enum": ["disabled", "ok", "error"]})]


class Readiness(TypedDict):
    """GET /health/ready (200 or 503)."""

    status: Literal["ready", "not_ready"]
    checks: ReadinessChecks


class CacheCounters(TypedDict):
    """The correlation cache's counters."""

    hits: Annotated[int, _COUNT]
    misses: Annotated[int, _COUNT]
    hit_rate: float
    entries: Annotated[int, _COUNT]


class QueryLatency(TypedDict):
    """Answered requests and their latency percentiles (null before the first)."""

    count: Annotated[int, _COUNT]
    p50_ms: float | None
    p95_ms: float | None


class Stats(TypedDict):
    """GET /api/v1/stats."""

    cache: CacheCounters
    queries: QueryLatency
    events_total: Annotated[int, _COUNT]
    memory_rss_mb: float
    uptime_s: float
