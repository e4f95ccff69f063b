"""Home Assistant conditions for the "if", "only" and time window clauses of a request."""

from __future__ import annotations

from typing import Any, assert_never

from engine.query.clauses import Change, Clause, Daylight, Presence, Threshold, Window
from engine.query.resolve import Ask, Refuse
from engine.query.subjects import CAPABILITIES, Found, Subjects
from engine.query.triggers import HOME_ZONE, limits, state_value

type Built = dict[str, Any] | Ask | Refuse
type ConditionClause = Window | Daylight | Change | Threshold | Presence


def as_condition(clause: Clause) -> ConditionClause | None:
    """Return the clause if it says whether to run (days of the week are merged apart)."""
    if isinstance(clause, Change | Threshold | Presence):
        return clause if clause.role == "condition" else None
    return clause if isinstance(clause, Window | Daylight) else None


def condition(clause: ConditionClause, subjects: Subjects, context_area: str | None) -> Built:
    """Return the condition config a clause says, a question, or why it cannot be."""
    match clause:
        case Window():
            config: dict[str, Any] = {"condition": "time"}
            if clause.after is not None:
                config["after"] = clause.after.as_time()
            if clause.before is not None:
                config["before"] = clause.before.as_time()
            return config
        case Daylight():
            # Home Assistant reads after sunset and before sunrise together as "dark".
            said = {"after": clause.after, "before": clause.before}
            return {"condition": "sun"} | {key: e for key, e in said.items() if e is not None}
        case Presence():
            if clause.kind != "empty":
                return {"condition": "numeric_state", "entity_id": [HOME_ZONE], "above": 0}
            config = {"condition": "state", "entity_id": [HOME_ZONE], "state": "0"}
            return _lasting(config, clause)
        case Change():
            return _state(clause, subjects, context_area)
        case Threshold():
            return _numeric(clause, subjects, context_area)
        case _:
            assert_never(clause)


def _state(clause: Change, subjects: Subjects, context_area: str | None) -> Built:
    found = subjects.find(clause.subject, CAPABILITIES[clause.state], context_area)
    if not isinstance(found, Found):
        return found
    config: dict[str, Any] = {"condition": "state", "entity_id": list(found.entity_ids)}
    config["state"] = state_value(found.state)
    if found.any:
        config["match"] = "any"
    return _lasting(config, clause)


def _numeric(clause: Threshold, subjects: Subjects, context_area: str | None) -> Built:
    if clause.duration is not None:
        # Home Assistant's numeric_state condition has no "for".
        return Refuse("Home Assistant cannot check how long a value has been so.")
    found = subjects.find(clause.subject, CAPABILITIES["numeric"], context_area)
    if not isinstance(found, Found):
        return found
    return {"condition": "numeric_state", "entity_id": list(found.entity_ids)} | limits(clause)


def _lasting(config: dict[str, Any], clause: Change | Presence) -> dict[str, Any]:
    if clause.duration is not None:
        config["for"] = clause.duration.as_dict()
    return config
