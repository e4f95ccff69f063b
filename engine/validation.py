"""Input validation with voluptuous, failing with a typed error that names the field.

Services validate what they are given, wherever it came from; the HTTP edge maps the
error to a 400 once.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from engine.errors import BadRequestError


def _path_text(path: list[Any]) -> str:
    return ".".join(str(part) for part in path) or "body"


def validate(schema: vol.Schema, data: Any) -> Any:
    """Validate data against a voluptuous schema, raising a 400 naming the first bad field."""
    try:
        return schema(data)
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
