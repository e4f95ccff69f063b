"""Parsing imported events: strict, and fast enough for 100,000 per request."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard

from engine.errors import BadRequestError, PayloadTooLargeError
from engine.home.attributes import attributes_problem
from engine.store.events import (
    EARLIEST_EVENT_US,
    MAX_ENTITY_ID_LENGTH,
    ORIGINS_BY_LABEL,
    NewEvent,
    latest_event_us,
    now_us,
)

MAX_EVENTS_PER_REQUEST = 100_000
MAX_STATE_LENGTH = 255
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_ALLOWED_KEYS = frozenset({"entity_id", "state", "time", "origin", "attributes"})
# Home Assistant's own rule for entity ids (homeassistant.core.VALID_ENTITY_ID); its
# length limit is the store's MAX_ENTITY_ID_LENGTH.
VALID_ENTITY_ID = re.compile(r"^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$")
ENTITY_ID_RULE = f"an entity id such as light.kitchen, at most {MAX_ENTITY_ID_LENGTH} characters"
# The same rule for the OpenAPI document, without look-arounds: parts of lower-case letters and
# digits joined by single underscores.
ENTITY_ID_JSON_SCHEMA = {
    "type": "string",
    "maxLength": MAX_ENTITY_ID_LENGTH,
    "pattern": r"^[a-z0-9]+(_[a-z0-9]+)*\.[a-z0-9]+(_[a-z0-9]+)*$",
    "description": ENTITY_ID_RULE,
}


def is_entity_id(value: Any) -> TypeGuard[str]:
    """Return True for a valid Home Assistant entity id."""
    # Length first: the pattern need not scan a 100,000-character string.
    return (
        isinstance(value, str)
        and len(value) <= MAX_ENTITY_ID_LENGTH
        and VALID_ENTITY_ID.match(value) is not None
    )


def utc_now() -> datetime:
    """Return the current time in UTC (the default clock of background jobs)."""
    return datetime.now(UTC)


def to_epoch_us(moment: datetime) -> int:
    """Return exact integer microseconds since the epoch (no float rounding)."""
    return (moment - EPOCH) // _MICROSECOND


def from_epoch_us(value: int) -> datetime:
    """Return the UTC time for epoch microseconds."""
    return EPOCH + timedelta(microseconds=value)


def parse_time(value: Any) -> datetime | None:
    """Return an aware datetime for ISO 8601 text with a UTC offset, else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class _ItemError(Exception):
    """One imported event is invalid: which field and why."""

    def __init__(self, field: str, reason: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.details = details or {}


def _time_bounds(latest_us: int) -> tuple[str, dict[str, Any]]:
    """Return why an event time is refused, and the bounds for the error's details."""
    earliest = from_epoch_us(EARLIEST_EVENT_US).isoformat()
    latest = from_epoch_us(latest_us).isoformat()
    reason = f"must be from {earliest} to {latest} (now, plus a day for clocks that differ)"
    return reason, {"earliest": earliest, "latest": latest}


def _parse_item(item: Any, latest_us: int) -> NewEvent:
    """Return one event, or raise naming its first bad field."""
    if not isinstance(item, dict):
        raise _ItemError("", "must be an object")
    extra = item.keys() - _ALLOWED_KEYS
    if extra:
        raise _ItemError(sorted(extra)[0], "is not a known field")
    entity_id = item.get("entity_id")
    if not is_entity_id(entity_id):
        raise _ItemError("entity_id", f"must be {ENTITY_ID_RULE}")
    state = item.get("state")
    if not isinstance(state, str) or len(state) > MAX_STATE_LENGTH:
        raise _ItemError("state", f"must be a string of at most {MAX_STATE_LENGTH} characters")
    moment = parse_time(item.get("time"))
    if moment is None:
        raise _ItemError("time", "must be ISO 8601 with a UTC offset, e.g. 2026-01-31T07:00:00Z")
    time_us = to_epoch_us(moment)
    # One event dated 2099 would become "the newest event" that retention and analysis
    # count back from; one before 1970 is a typo (the store counts from 1970).
    if not EARLIEST_EVENT_US <= time_us <= latest_us:
        raise _ItemError("time", *_time_bounds(latest_us))
    label = item.get("origin") or "unknown"
    # A list or an object is no label (and no dictionary key: it is unhashable).
    origin = ORIGINS_BY_LABEL.get(label) if isinstance(label, str) else None
    if origin is None:
        raise _ItemError("origin", f"must be one of {', '.join(ORIGINS_BY_LABEL)}")
    attributes = item.get("attributes")
    if attributes is not None:
        if not isinstance(attributes, dict):
            raise _ItemError("attributes", "must be an object")
        if (problem := attributes_problem(attributes)) is not None:
            raise _ItemError("attributes", problem)
    return NewEvent(entity_id, time_us, state, origin)


def parse_events(body: Any, *, limit: int | None = MAX_EVENTS_PER_REQUEST) -> list[NewEvent]:
    """Return the events of an import body, or raise naming the first bad item's index.

    `limit` caps a request's size; the engine's own loads (synthetic homes) pass None.
    """
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise BadRequestError("Body must be an object with an 'events' list", {"field": "events"})
    items: list[Any] = body["events"]
    if limit is not None and len(items) > limit:
        raise PayloadTooLargeError(
            f"At most {limit} events per request; split the import",
            {"max_events": limit, "events": len(items)},
        )
    index = 0
    latest_us = latest_event_us(now_us())
    try:
        parsed = []
        for index, item in enumerate(items):  # noqa: B007 - index names the bad item below
            parsed.append(_parse_item(item, latest_us))
    except _ItemError as err:
        path = f"events[{index}].{err.field}" if err.field else f"events[{index}]"
        raise BadRequestError(
            f"{path} {err.reason}", {"index": index, "field": err.field or None, **err.details}
        ) from None
    return parsed
