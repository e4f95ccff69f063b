"""Input validation with voluptuous, failing with a typed error that names the field.

Services validate what they are given, wherever it came from; the HTTP edge maps the
error to a 400 once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import voluptuous as vol

from engine.errors import BadRequestError

type Compiled = Callable[[list[Any], Any], Any]


class Described:
    """A validator with the JSON schema the OpenAPI document shows for it.

    voluptuous_openapi can only guess a plain function's schema from its parameter type.
    """

    def __init__(self, validator: Callable[[Any], Any], json_schema: Mapping[str, Any]) -> None:
        self.validator = validator
        self.json_schema = dict(json_schema)

    def __call__(self, value: Any) -> Any:
        """Validate a value."""
        return self.validator(value)


def _refusing_bool(inner: Compiled, message: str) -> Compiled:
    def check(path: list[Any], value: Any) -> Any:
        if isinstance(value, bool):
            raise vol.TypeInvalid(message, path)
        return inner(path, value)

    return check


class _StrictSchema(vol.Schema):
    """A schema in which `int`, Coerce(int) and Coerce(float) never take a bool.

    JSON's true is a bool, and bool is an int to Python: `{"days": true}` would be one day.
    """

    def _compile(self, schema: Any) -> Compiled:
        if isinstance(schema, vol.Schema) and not isinstance(schema, _StrictSchema):
            # A nested schema compiled itself the lenient way: compile its definition again.
            schema = _StrictSchema(schema.schema, required=schema.required, extra=schema.extra)
        elif hasattr(schema, "__voluptuous_compile__"):
            # All, Any and the like keep what they compiled on themselves: a copy keeps the
            # module's own schema as it was.
            schema = copy.copy(schema)
        compiled: Compiled = super()._compile(schema)  # type: ignore[no-untyped-call]
        if schema is int:
            return _refusing_bool(compiled, "expected an integer")
        if isinstance(schema, vol.Coerce) and schema.type in (int, float):
            return _refusing_bool(compiled, "expected a number")
        return compiled


# Compiling costs about half a millisecond: each schema's strict twin is kept. By identity,
# with the schema held so its id cannot be reused; cleared when full, as some schemas are
# built per call (a training type's parameters).
_STRICT: dict[int, tuple[vol.Schema, vol.Schema]] = {}
_STRICT_CACHE_SIZE = 64


def strict(schema: vol.Schema) -> vol.Schema:
    """Return a schema that validates like `schema` but takes no bool for a number."""
    cached = _STRICT.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    made = _StrictSchema(schema.schema, required=schema.required, extra=schema.extra)
    if len(_STRICT) >= _STRICT_CACHE_SIZE:
        _STRICT.clear()
    _STRICT[id(schema)] = (schema, made)
    return made


def _path_text(path: list[Any]) -> str:
    return ".".join(str(part) for part in path) or "body"


def validate(schema: vol.Schema, data: Any) -> Any:
    """Validate data against a voluptuous schema, raising a 400 naming the first bad field.

    Every schema is applied strictly (see `strict`), so no module's `int` takes a bool.
    """
    try:
        return strict(schema)(data)
    except vol.MultipleInvalid as err:
        first = err.errors[0]
        field = _path_text(first.path)
        raise BadRequestError(
            f"Invalid request: {first.msg} at '{field}'",
            {"field": field, "errors": [_path_text(e.path) + ": " + e.msg for e in err.errors]},
        ) from None
    except vol.Invalid as err:
        field = _path_text(err.path)
        raise BadRequestError(
            f"Invalid request: {err.msg} at '{field}'", {"field": field}
        ) from None
