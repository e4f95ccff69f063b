"""Voluptuous schemas for every trigger, condition and action form the engine produces."""

# Stricter than Home Assistant's: anything else is a mistake of the engine (or of an edit),
# so unknown keys and forms are errors rather than passed through.

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Final

import voluptuous as vol

from engine.automation.nesting import too_deep
from engine.automation.walk import LEGACY_KEYS, SECTIONS
from engine.home.event_input import VALID_ENTITY_ID

type Validator = Callable[[Any], Any]

MODES: Final = ("single", "restart", "queued", "parallel")
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SUN_EVENTS: Final = ("sunrise", "sunset")
_PERIOD_UNITS: Final = {
    "days": 86400,
    "hours": 3600,
    "minutes": 60,
    "seconds": 1,
    "milliseconds": 0.001,
}
_PERIOD_TEXT: Final = re.compile(r"(?P<sign>[-+]?)(\d+):([0-5]\d)(?::([0-5]\d))?")
_OFFSET_TEXT: Final = re.compile(r"[-+]?\d{2}:[0-5]\d:[0-5]\d")
_CLOCK_TEXT: Final = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?")
_PATTERN_STEP: Final = re.compile(r"/(\d+)")


def period_seconds(value: Any) -> float | None:
    """Return the seconds of a time period ("-HH:MM[:SS]" or {"minutes": 5}); None if none."""
    if isinstance(value, str):
        match = _PERIOD_TEXT.fullmatch(value)
        if match is None:
            return None
        hours, minutes, seconds = (int(part or 0) for part in match.groups()[1:])
        total = hours * 3600 + minutes * 60 + seconds
        return -total if match["sign"] == "-" else total
    if not isinstance(value, Mapping) or not value or not set(value) <= set(_PERIOD_UNITS):
        return None
    amounts = list(value.values())
    if not all(_is_number(amount) and amount >= 0 for amount in amounts):
        return None
    return float(sum(amount * _PERIOD_UNITS[unit] for unit, amount in value.items()))


def _is_number(value: Any) -> bool:
    # bool is an int to Python, never a number in a config.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any) -> float:
    if not _is_number(value):
        raise vol.Invalid("expected a number")
    return float(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid("expected a non-empty string")
    return value


def _entity_id(value: Any) -> str:
    if not isinstance(value, str) or not VALID_ENTITY_ID.match(value):
        raise vol.Invalid(f"expected an entity id such as light.kitchen, got {value!r}")
    return value


def _zone_id(value: Any) -> str:
    entity_id = _entity_id(value)
    if not entity_id.startswith("zone."):
        raise vol.Invalid(f"expected a zone such as zone.home, got {value!r}")
    return entity_id


def _service(value: Any) -> str:
    if not isinstance(value, str) or not VALID_ENTITY_ID.match(value):
        raise vol.Invalid(f"expected a service such as light.turn_on, got {value!r}")
    return value


def _clock(value: Any) -> str:
    if not isinstance(value, str) or not _CLOCK_TEXT.fullmatch(value):
        raise vol.Invalid(f"expected a time of day as HH:MM or HH:MM:SS, got {value!r}")
    return value


def _offset(value: Any) -> str:
    if not isinstance(value, str) or not _OFFSET_TEXT.fullmatch(value):
        raise vol.Invalid(f"expected an offset as ±HH:MM:SS, got {value!r}")
    return value


def _duration(value: Any) -> Any:
    seconds = period_seconds(value)
    if seconds is None or seconds < 0:
        raise vol.Invalid(
            f"expected a duration as HH:MM:SS or {{hours, minutes, seconds}}, got {value!r}"
        )
    return value


def _state(value: Any) -> str:
    if not isinstance(value, str):
        raise vol.Invalid(f"expected a state as a string, got {value!r}")
    return value


def _plain(value: Any) -> Any:
    """Accept data made only of what YAML and JSON both hold: no Python objects."""
    # A stack rather than recursion, so data of any depth is read without a RecursionError.
    stack: list[tuple[Any, list[Hashable]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, Mapping):
            for key in item:
                if not isinstance(key, str):
                    raise vol.Invalid(f"expected string keys, got {key!r}", path=path)
            entries: list[tuple[Hashable, Any]] = list(item.items())
        elif isinstance(item, list):
            entries = list(enumerate(item))
        elif item is not None and not isinstance(item, str | int | float | bool):
            raise vol.Invalid(f"expected plain data, got a {type(item).__name__}", path=path)
        else:
            continue
        # Reversed, so the first bad item in the data's order is the one reported.
        stack.extend((child, [*path, key]) for key, child in reversed(entries))
    return value


def _data(value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise vol.Invalid("expected a mapping")
    return _plain(value)


def _positive_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise vol.Invalid(f"expected a whole number of at least 1, got {value!r}")
    return value


def _unsupported(why: str) -> Validator:
    def refuse(value: Any) -> Any:
        raise vol.Invalid(why)

    return refuse


def _one_or_list(validator: Validator) -> Validator:
    """Accept one value or a non-empty list of them, naming the index of a bad item."""

    def validate(value: Any) -> Any:
        if not isinstance(value, list):
            return validator(value)
        if not value:
            raise vol.Invalid("expected at least one value")
        return _list_of(validator, "value")(value)

    return validate


def _list_of(validator: Validator, noun: str, *, required: bool = True) -> Validator:
    """Accept a list of items, reporting every bad one rather than only the first."""

    def validate(value: Any) -> Any:
        if not isinstance(value, list):
            raise vol.Invalid(f"expected a list of {noun}s")
        if required and not value:
            raise vol.Invalid(f"expected at least one {noun}")
        errors: list[vol.Invalid] = []
        for index, item in enumerate(value):
            try:
                validator(item)
            except vol.Invalid as err:
                err.prepend([index])
                errors.extend(err.errors if isinstance(err, vol.MultipleInvalid) else [err])
        if errors:
            raise vol.MultipleInvalid(errors)
        return value

    return validate


def _at_least_one(*keys: str) -> Validator:
    def validate(value: dict[str, Any]) -> dict[str, Any]:
        if not any(key in value for key in keys):
            raise vol.Invalid(f"expected at least one of {', '.join(keys)}")
        return value

    return validate


def _exactly_one(*keys: str) -> Validator:
    def validate(value: dict[str, Any]) -> dict[str, Any]:
        if sum(key in value for key in keys) != 1:
            raise vol.Invalid(f"expected exactly one of {', '.join(keys)}")
        return value

    return validate


def _above_below(value: dict[str, Any]) -> dict[str, Any]:
    """Require a threshold, and one that some value can cross (as Home Assistant does)."""
    _at_least_one("above", "below")(value)
    if "above" in value and "below" in value and value["above"] >= value["below"]:
        raise vol.Invalid("'above' must be less than 'below'", path=["above"])
    return value


def _time_pattern(maximum: int) -> Validator:
    def validate(value: Any) -> Any:
        step = _PATTERN_STEP.fullmatch(value) if isinstance(value, str) else None
        if value == "*" or (step and 1 <= int(step[1]) <= maximum):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum:
            return value
        raise vol.Invalid(f'expected 0 to {maximum}, "*" or "/N" (every N), got {value!r}')

    return validate


def _by_kind(
    noun: str, schemas: Mapping[str, Validator], kind_of: Callable[[dict[str, Any]], Any]
) -> Validator:
    """Return a validator that checks an item against the schema of its kind."""
    legacy = LEGACY_KEYS.get(noun)

    def validate(value: Any) -> Any:
        if not isinstance(value, dict):
            raise vol.Invalid(f"expected a {noun} as a mapping")
        if legacy is not None and legacy in value:
            raise vol.Invalid(f"'{legacy}' is the legacy syntax, use '{noun}'", path=[legacy])
        kind = kind_of(value)
        schema = schemas.get(kind) if isinstance(kind, str) else None
        if schema is None:
            known = ", ".join(schemas)
            raise vol.Invalid(f"unknown {noun} {kind!r}, expected one of {known}", path=[noun])
        return schema(value)

    return validate


def _action_kind(value: dict[str, Any]) -> str | None:
    """Return which action an item is: the first key that names one."""
    return next((key for key in _ACTIONS if key in value), None)


def _service_call(value: dict[str, Any]) -> Any:
    # Notifications carry their text in data, so a notify call without one says nothing.
    name = value.get("action")
    notifies = isinstance(name, str) and name.startswith("notify.")
    return (_NOTIFY_SCHEMA if notifies else _SERVICE_SCHEMA)(value)


_ENTITY_IDS: Final = _one_or_list(_entity_id)
_STATES: Final = _one_or_list(_state)

# Every trigger may carry an id, which a "trigger" condition (in a choose) tests.
_TRIGGERS: Final[dict[str, Validator]] = {
    "time": vol.Schema(
        {
            vol.Required("trigger"): "time",
            vol.Optional("id"): _text,
            vol.Required("at"): _one_or_list(_clock),
            vol.Optional("weekday"): _unsupported(
                "Home Assistant 2025.4's time trigger has no weekday: use a time condition"
            ),
        }
    ),
    "sun": vol.Schema(
        {
            vol.Required("trigger"): "sun",
            vol.Optional("id"): _text,
            vol.Required("event"): vol.In(SUN_EVENTS),
            vol.Optional("offset"): _offset,
        }
    ),
    "state": vol.Schema(
        {
            vol.Required("trigger"): "state",
            vol.Optional("id"): _text,
            vol.Required("entity_id"): _ENTITY_IDS,
            vol.Optional("from"): _STATES,
            vol.Optional("to"): _STATES,
            vol.Optional("for"): _duration,
        }
    ),
    "numeric_state": vol.All(
        vol.Schema(
            {
                vol.Required("trigger"): "numeric_state",
                vol.Optional("id"): _text,
                vol.Required("entity_id"): _ENTITY_IDS,
                vol.Optional("above"): _number,
                vol.Optional("below"): _number,
                vol.Optional("for"): _duration,
            }
        ),
        _above_below,
    ),
    "time_pattern": vol.All(
        vol.Schema(
            {
                vol.Required("trigger"): "time_pattern",
                vol.Optional("id"): _text,
                vol.Optional("hours"): _time_pattern(23),
                vol.Optional("minutes"): _time_pattern(59),
                vol.Optional("seconds"): _time_pattern(59),
            }
        ),
        _at_least_one("hours", "minutes", "seconds"),
    ),
    "zone": vol.Schema(
        {
            vol.Required("trigger"): "zone",
            vol.Optional("id"): _text,
            vol.Required("entity_id"): _ENTITY_IDS,
            vol.Required("zone"): _zone_id,
            vol.Optional("event"): vol.In(("enter", "leave")),
        }
    ),
}
trigger: Final = _by_kind("trigger", _TRIGGERS, lambda value: value.get("trigger"))
_TRIGGER_LIST: Final = _list_of(trigger, "trigger")


def _nested_conditions(kind: str) -> Validator:
    return vol.Schema(
        {vol.Required("condition"): kind, vol.Required("conditions"): _condition_list}
    )


def _condition_list(value: Any) -> Any:
    # Called, not bound, because conditions nest conditions: the list is defined below.
    return _CONDITION_LIST(value)


_CONDITIONS: Final[dict[str, Validator]] = {
    "time": vol.All(
        vol.Schema(
            {
                vol.Required("condition"): "time",
                vol.Optional("after"): _clock,
                vol.Optional("before"): _clock,
                vol.Optional("weekday"): _one_or_list(vol.In(WEEKDAYS)),
            }
        ),
        _at_least_one("after", "before", "weekday"),
    ),
    "sun": vol.All(
        vol.Schema(
            {
                vol.Required("condition"): "sun",
                vol.Optional("after"): vol.In(SUN_EVENTS),
                vol.Optional("after_offset"): _offset,
                vol.Optional("before"): vol.In(SUN_EVENTS),
                vol.Optional("before_offset"): _offset,
            }
        ),
        _at_least_one("after", "before"),
    ),
    "state": vol.Schema(
        {
            vol.Required("condition"): "state",
            vol.Required("entity_id"): _ENTITY_IDS,
            vol.Required("state"): _STATES,
            vol.Optional("for"): _duration,
            vol.Optional("match"): vol.In(("all", "any")),
        }
    ),
    "numeric_state": vol.All(
        vol.Schema(
            {
                vol.Required("condition"): "numeric_state",
                vol.Required("entity_id"): _ENTITY_IDS,
                vol.Optional("above"): _number,
                vol.Optional("below"): _number,
            }
        ),
        _above_below,
    ),
    "and": _nested_conditions("and"),
    "or": _nested_conditions("or"),
    "not": _nested_conditions("not"),
    "zone": vol.Schema(
        {
            vol.Required("condition"): "zone",
            vol.Required("entity_id"): _ENTITY_IDS,
            vol.Required("zone"): _one_or_list(_zone_id),
        }
    ),
    # Which trigger started the run: how one automation with several triggers chooses.
    "trigger": vol.Schema(
        {vol.Required("condition"): "trigger", vol.Required("id"): _one_or_list(_text)}
    ),
    # Read-only: a condition template cannot call services; the secret check reads it too.
    "template": vol.Schema(
        {vol.Required("condition"): "template", vol.Required("value_template"): _text}
    ),
}
condition: Final = _by_kind("condition", _CONDITIONS, lambda value: value.get("condition"))
_CONDITION_LIST: Final = _list_of(condition, "condition")


def _sequence(value: Any) -> Any:
    # Called, not bound, because actions nest actions: the list is defined below.
    return _ACTION_LIST(value)


_CALL_FIELDS: Final = {
    vol.Required("action"): _service,
    vol.Optional("target"): vol.All(
        vol.Schema(
            {
                vol.Optional("entity_id"): _ENTITY_IDS,
                vol.Optional("area_id"): _one_or_list(_text),
            }
        ),
        _at_least_one("entity_id", "area_id"),
    ),
}
_SERVICE_SCHEMA: Final = vol.Schema({**_CALL_FIELDS, vol.Optional("data"): _data})
_NOTIFY_SCHEMA: Final = vol.Schema(
    {
        **_CALL_FIELDS,
        vol.Required("data"): vol.Schema(
            {
                vol.Required("message"): _text,
                vol.Optional("title"): _text,
                vol.Optional("data"): _data,
            }
        ),
    }
)

_ACTIONS: Final[dict[str, Validator]] = {
    "action": _service_call,
    "delay": vol.Schema({vol.Required("delay"): _duration}),
    "wait_for_trigger": vol.Schema(
        {
            vol.Required("wait_for_trigger"): _TRIGGER_LIST,
            vol.Optional("timeout"): _duration,
            vol.Optional("continue_on_timeout"): bool,
        }
    ),
    "choose": vol.Schema(
        {
            vol.Required("choose"): _list_of(
                vol.Schema(
                    {
                        vol.Required("conditions"): _CONDITION_LIST,
                        vol.Required("sequence"): _sequence,
                    }
                ),
                "option",
            ),
            vol.Optional("default"): _sequence,
        }
    ),
    "if": vol.Schema(
        {
            vol.Required("if"): _CONDITION_LIST,
            vol.Required("then"): _sequence,
            vol.Optional("else"): _sequence,
        }
    ),
    "repeat": vol.Schema(
        {
            vol.Required("repeat"): vol.All(
                vol.Schema(
                    {
                        vol.Optional("count"): _positive_int,
                        vol.Optional("while"): _CONDITION_LIST,
                        vol.Optional("until"): _CONDITION_LIST,
                        vol.Required("sequence"): _sequence,
                    }
                ),
                _exactly_one("count", "while", "until"),
            )
        }
    ),
    "stop": vol.Schema({vol.Required("stop"): _text, vol.Optional("error"): bool}),
}
action: Final = _by_kind("action", _ACTIONS, _action_kind)
_ACTION_LIST: Final = _list_of(action, "action")


def _max_needs_a_queue(value: dict[str, Any]) -> dict[str, Any]:
    if "max" in value and value.get("mode") not in ("queued", "parallel"):
        raise vol.Invalid("'max' only applies to the queued and parallel modes", path=["max"])
    return value


# The legacy syntax's singular sections, refused with the name of the modern one.
_LEGACY_SECTIONS: Final[dict[vol.Marker, Validator]] = {
    vol.Optional(kind): _unsupported(f"'{kind}' is the legacy syntax, use '{section}'")
    for kind, section in SECTIONS.items()
}


def _not_too_deep(value: Any) -> Any:
    """Refuse a config nested deeper than the schemas below can descend without recursing."""
    found = too_deep(value)
    if found is not None:
        message, path = found
        raise vol.Invalid(message, path=list(path))
    return value


AUTOMATION_SCHEMA: Final = vol.All(
    _not_too_deep,
    vol.Schema(
        {
            vol.Optional("id"): _text,
            vol.Required("alias"): _text,
            vol.Optional("description"): str,
            vol.Optional("mode"): vol.In(MODES),
            vol.Optional("max"): _positive_int,
            vol.Required("triggers"): _TRIGGER_LIST,
            vol.Optional("conditions"): _list_of(condition, "condition", required=False),
            vol.Required("actions"): _ACTION_LIST,
            **_LEGACY_SECTIONS,
        }
    ),
    _max_needs_a_queue,
)
