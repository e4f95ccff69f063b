"""JSON schemas derived from typed wire models, so that an answer's shape is written once.

A wire model is a TypedDict: answers stay the plain dicts orjson serialises fast, mypy checks
that the code building them fills every field with the right type, and the annotations say
enough to derive the OpenAPI document's schema. `Annotated[T, Schema({...})]` adds what a
type cannot say (a format, a description, a range).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import (
    Annotated,
    Any,
    Literal,
    NotRequired,
    Required,
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
    return _plain(annotation, origin)


def _plain(annotation: Any, origin: Any) -> dict[str, Any]:
    """Return the schema of a type that is not a model."""
    if annotation is Any:
        schema: dict[str, Any] = {}
    elif annotation is None or annotation is type(None):
        schema = {"type": "null"}
    elif annotation in _SCALARS:
        schema = {"type": _SCALARS[annotation]}
    elif origin is Literal:
        values = list(get_args(annotation))
        schema = {"type": _SCALARS[type(values[0])], "enum": values}
    elif origin in (Union, types.UnionType):
        schema = _union(get_args(annotation))
    elif origin is list:
        schema = {"type": "array", "items": json_schema(get_args(annotation)[0])}
    elif origin is dict or annotation is dict:
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
