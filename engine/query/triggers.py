"""Home Assistant triggers for the "when" clauses of a request."""

from __future__ import annotations

from typing import Any, Final, assert_never

from engine.query.clauses import At, Change, Clause, Every, Presence, Sun, Threshold
from engine.query.durations import Duration
from engine.query.resolve import Ask, Refuse
from engine.query.subjects import CAPABILITIES, MEDIA_OFF, MEDIA_ON, Found, State, Subjects

type Built = dict[str, Any] | Ask | Refuse
type TriggerClause = At | Sun | Every | Change | Threshold | Presence

# Home Assistant's home zone counts the people in it: its state is a number.
HOME_ZONE: Final = "zone.home"
# A player going from paused to playing is not turning on, so "on" is watched from off.
_FROM: Final[dict[State, State]] = {MEDIA_ON: MEDIA_OFF}
_HOUR_S: Final = 3600
_MINUTE_S: Final = 60


def as_trigger(clause: Clause) -> TriggerClause | None:
    """Return the clause if it says when to run; the others only say whether."""
    if isinstance(clause, Change | Threshold | Presence):
        return clause if clause.role == "trigger" else None
    return clause if isinstance(clause, At | Sun | Every) else None


def value(number: float) -> float | int:
    """Return a threshold as said: 25, not 25.0."""
    return int(number) if number.is_integer() else number


def state_value(state: State) -> str | list[str]:
    """Return a state or states as Home Assistant's config takes them."""
    return state if isinstance(state, str) else list(state)


def trigger(clause: TriggerClause, subjects: Subjects, context_area: str | None) -> Built:
    """Return the trigger config a clause says, a question, or why it cannot be."""
    match clause:
        case At():
            return {"trigger": "time", "at": clause.clock.as_time()}
        case Sun():
            return _sun(clause)
        case Every():
            return _pattern(clause.seconds)
        case Presence():
            return _presence(clause, subjects)
        case Change():
            return _state(clause, subjects, context_area)
        case Threshold():
            return _numeric(clause, subjects, context_area)
        case _:
            assert_never(clause)


def _sun(clause: Sun) -> Built:
    config: dict[str, Any] = {"trigger": "sun", "event": clause.event}
    if clause.offset_s:
        config["offset"] = Duration(abs(clause.offset_s)).as_offset(clause.offset_s)
    return config


def _state(clause: Change, subjects: Subjects, context_area: str | None) -> Built:
    found = subjects.find(clause.subject, CAPABILITIES[clause.state], context_area)
    if not isinstance(found, Found):
        return found
    config: dict[str, Any] = {"trigger": "state", "entity_id": list(found.entity_ids)}
    if (since := _FROM.get(found.state)) is not None:
        config["from"] = state_value(since)
    config["to"] = state_value(found.state)
    return _lasting(config, clause.duration)


def _numeric(clause: Threshold, subjects: Subjects, context_area: str | None) -> Built:
    found = subjects.find(clause.subject, CAPABILITIES["numeric"], context_area)
    if not isinstance(found, Found):
        return found
    config = {"trigger": "numeric_state", "entity_id": list(found.entity_ids)} | limits(clause)
    return _lasting(config, clause.duration)


def limits(clause: Threshold) -> dict[str, float | int]:
    """Return a threshold's above and below, as Home Assistant's numeric_state takes them."""
    said = {"above": clause.above, "below": clause.below}
    return {key: value(number) for key, number in said.items() if number is not None}


def _lasting(config: dict[str, Any], duration: Duration | None) -> dict[str, Any]:
    if duration is not None:
        config["for"] = duration.as_dict()
    return config


def _presence(clause: Presence, subjects: Subjects) -> Built:
    if clause.kind == "arrive":
        people = subjects.persons()
        if not people:
            return Refuse("There is no person in this home.")
        config: dict[str, Any] = {"trigger": "state", "entity_id": list(people), "to": "home"}
    elif clause.kind == "occupied":
        config = {"trigger": "numeric_state", "entity_id": [HOME_ZONE], "above": 0}
    else:
        config = {"trigger": "state", "entity_id": [HOME_ZONE], "to": "0"}
    return _lasting(config, clause.duration)


def _pattern(seconds: int) -> Built:
    """Return a time_pattern trigger; the safety limits refuse any faster than a minute."""
    hours, minutes = divmod(seconds, _HOUR_S)
    if not minutes and hours < 24:
        if hours == 1:
            return {"trigger": "time_pattern", "minutes": 0}
        return {"trigger": "time_pattern", "hours": f"/{hours}", "minutes": 0}
    if seconds % _MINUTE_S == 0 and seconds < _HOUR_S:
        every = seconds // _MINUTE_S
        return {"trigger": "time_pattern", "minutes": "*" if every == 1 else f"/{every}"}
    if seconds < _MINUTE_S:
        return {"trigger": "time_pattern", "seconds": f"/{seconds}"}
    return Refuse("Repeats can be every 1 to 59 minutes or every 1 to 23 hours.")
