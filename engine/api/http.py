"""Request parsing and response helpers shared by every handler."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import orjson
import voluptuous as vol
from aiohttp import web

from engine.errors import BadRequestError
from engine.validation import validate

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# What a database's BIGINT holds: a cursor position beyond it cannot be bound to a query.
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def json_response(data: Any, status: int = 200) -> web.Response:
    """Return a JSON response (orjson: large event pages serialise several times faster)."""
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the error envelope of API.md."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


async def read_json(request: web.Request, *, empty: Any = None) -> Any:
    """Return the parsed JSON body, or raise a 400/413 that says what is wrong.

    `empty` is what an empty body means, for routes whose body is optional.
    """
    # An oversized body raises aiohttp's 413 here; the error middleware wraps it.
    raw = await request.read()
    if not raw:
        if empty is not None:
            return empty
        raise BadRequestError("Request body is empty; send a JSON object")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise BadRequestError("Request body is not valid JSON", {"reason": str(err)}) from None


async def read_body(request: web.Request, schema: vol.Schema, *, empty: Any = None) -> Any:
    """Read and validate a JSON body."""
    return validate(schema, await read_json(request, empty=empty))


def page_limit(request: web.Request) -> int:
    """Return ?limit= within 1..500 (default 50)."""
    raw = request.query.get("limit")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        limit = int(raw)
    except ValueError:
        raise BadRequestError("limit must be an integer", {"field": "limit"}) from None
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise BadRequestError(f"limit must be between 1 and {MAX_PAGE_SIZE}", {"field": "limit"})
    return limit


def encode_cursor(position: list[Any]) -> str:
    """Return an opaque cursor for a position in a listing."""
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


CursorPart = type | tuple[type, ...]


def _fits(value: Any, kind: CursorPart) -> bool:
    # bool is an int to isinstance, but never a valid position.
    if not isinstance(value, kind) or isinstance(value, bool):
        return False
    if isinstance(value, int):
        return _INT64_MIN <= value <= _INT64_MAX
    if isinstance(value, float):
        return math.isfinite(value)
    return True


def decode_cursor(request: web.Request, *shape: CursorPart) -> list[Any] | None:
    """Return the position of ?cursor= (None for the first page), checked against `shape`.

    `shape` is the type of each part of the position the listing encoded, so a forged or
    stale cursor (or one whose numbers no database column holds) is a 400, never an error
    deeper down.
    """
    raw = request.query.get("cursor")
    if not raw:
        return None
    try:
        position = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError):
        position = None
    if (
        not isinstance(position, list)
        or len(position) != len(shape)
        or not all(_fits(part, kind) for part, kind in zip(position, shape, strict=True))
    ):
        raise BadRequestError("cursor is not valid; use next_cursor", {"field": "cursor"})
    return position


def text_param(request: web.Request, name: str, max_length: int) -> str | None:
    """Return ?name= (None when absent or empty); 400 when longer than `max_length`."""
    value = request.query.get(name) or None
    if value is not None and len(value) > max_length:
        raise BadRequestError(
            f"{name} must be at most {max_length} characters",
            {"field": name, "max_length": max_length},
        )
    return value


def number_param(request: web.Request, name: str, low: float, high: float) -> float | None:
    """Return the number of ?name= (None when absent); 400 when outside [low, high]."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise BadRequestError(f"{name} must be a number from {low} to {high}", {"field": name})
    return value


def choice_param(request: web.Request, name: str, choices: tuple[Any, ...]) -> Any:
    """Return which of `choices` ?name= names (None when absent); 400 otherwise."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    for choice in choices:
        if raw == str(choice):
            return choice
    raise BadRequestError(
        f"{name} must be one of {', '.join(map(str, choices))}",
        {"field": name, "allowed": list(choices)},
    )


def best_first_page(
    key: str, items: Sequence[Mapping[str, Any]], limit: int, total: int
) -> dict[str, Any]:
    """Return one page of items ordered by (score desc, id) with its cursor."""
    page = items[:limit]
    more = len(items) > limit
    return {
        key: page,
        "next_cursor": encode_cursor([page[-1]["score"], page[-1]["id"]]) if more else None,
        "total": total,
    }


def score_cursor(request: web.Request) -> tuple[float, str] | None:
    """Return the (score, id) position of ?cursor= for a best-first listing."""
    position = decode_cursor(request, (int, float), str)
    return (float(position[0]), position[1]) if position else None


class Run(Protocol):
    """A training or analysis run, as a listing pages through it."""

    run_id: str
    created_at: float

    def as_dict(self) -> Mapping[str, Any]:
        """Return the run as the API shows it (its module's wire model)."""
        ...


RunLister = Callable[[int, tuple[float, str] | None], Awaitable[tuple[Sequence[Run], int]]]


async def runs_page(request: web.Request, list_runs: RunLister) -> web.Response:
    """Answer a listing of runs, newest first, paged by (created_at, run_id)."""
    limit = page_limit(request)
    position = decode_cursor(request, (int, float), str)
    before = (float(position[0]), position[1]) if position else None
    runs, total = await list_runs(limit + 1, before)
    page = runs[:limit]
    return json_response(
        {
            "runs": [run.as_dict() for run in page],
            "next_cursor": (
                encode_cursor([page[-1].created_at, page[-1].run_id]) if len(runs) > limit else None
            ),
            "total": total,
        }
    )
