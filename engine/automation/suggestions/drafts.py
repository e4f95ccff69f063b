"""Draft suggestions: an automation, a title and a sentence for each kind of finding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from engine.automation.suggestions.fingerprint import fingerprint
from engine.automation.suggestions.templates import (
    Step,
    action_step,
    event_phrase,
    notification,
    state_trigger,
)
from engine.home.catalog import Catalog, Entity

SUGGESTION_PREFIX: Final = "homeiq_"
_WEEKDAYS: Final = ["mon", "tue", "wed", "thu", "fri"]
_DAY_CONDITIONS: Final[Mapping[str, list[str]]] = {
    "weekdays": _WEEKDAYS,
    "weekends": ["sat", "sun"],
}
_DAY_WORDS: Final = {"all": "every day", "weekdays": "on weekdays", "weekends": "at weekends"}
# An unusually long state is reported this much past what is usual, and never sooner.
_LONG_STATE_MARGIN: Final = 1.5
_LONG_STATE_MIN_S: Final = 15 * 60
_LONG_STATE_MAX_S: Final = 12 * 3600


@dataclass(frozen=True, slots=True)
class Draft:
    """A suggestion before it is validated and stored."""

    source: str
    source_id: str | None
    title: str
    description: str
    explanation: str
    score: float
    automation: dict[str, Any]
    fingerprint: str
    # The finding's evidence (API.md), so the suggestion's chart needs no other query.
    evidence: dict[str, Any] = field(default_factory=lambda: {"days": []})

    @property
    def id(self) -> str:
        """Return the suggestion's id: the same behaviour always has the same id."""
        return self.fingerprint[:20]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _draft(
    source: str,
    source_id: str | None,
    *,
    title: str,
    description: str,
    explanation: str,
    score: float,
    behaviour: Mapping[str, list[dict[str, Any]]],
    evidence: Mapping[str, Any] | None = None,
) -> Draft:
    """Return a draft whose automation id is derived from what it does."""
    hashed = fingerprint(behaviour)
    automation = {
        "id": f"{SUGGESTION_PREFIX}{hashed[:20]}",
        "alias": _sentence(title),
        "description": description,
        "mode": "single",
        "triggers": behaviour["triggers"],
        "conditions": behaviour.get("conditions", []),
        "actions": behaviour["actions"],
    }
    return Draft(
        source,
        source_id,
        _sentence(title),
        description,
        explanation,
        round(score, 4),
        automation,
        hashed,
        dict(evidence) if evidence else {"days": []},
    )


class Drafter:
    """Turns findings into drafts, with the names and features of this home's devices."""

    def __init__(self, catalog: Catalog) -> None:
        self._entities = {entity.entity_id: entity for entity in catalog.entities}

    def _entity(self, entity_id: str) -> Entity | None:
        return self._entities.get(entity_id)

    def _name(self, entity_id: str) -> str:
        entity = self._entities.get(entity_id)
        return entity.name if entity is not None and entity.name else entity_id

    def _act(self, step: Mapping[str, Any], hour: int | None = None) -> Step | None:
        entity = self._entity(str(step.get("entity_id")))
        return action_step(entity, str(step.get("state")), hour) if entity else None

    def pattern(self, pattern: Mapping[str, Any]) -> Draft | None:
        """Return a draft for a stored pattern, or None when it suggests nothing to do."""
        kind = pattern["type"]
        if kind == "time_of_day":
            return self._time_of_day(pattern)
        if kind == "co_occurrence":
            return self._chain(
                "pattern",
                pattern,
                [pattern["details"]["trigger"], pattern["details"]["action"]],
            )
        if kind == "anomaly":
            return self._anomaly(pattern)
        return None

    def synergy(self, synergy: Mapping[str, Any]) -> Draft | None:
        """Return a draft for a stored synergy chain."""
        return self._chain("synergy", synergy, list(synergy["chain"]))

    def _time_of_day(self, pattern: Mapping[str, Any]) -> Draft | None:
        details = pattern["details"]
        at = str(details["time"])
        step = self._act(details, int(at.split(":", maxsplit=1)[0]))
        if step is None:
            return None
        days = str(details.get("days", "all"))
        conditions = (
            [{"condition": "time", "weekday": _DAY_CONDITIONS[days]}]
            if days in _DAY_CONDITIONS
            else []
        )
        when = f"{_DAY_WORDS.get(days, 'every day')} at {at}"
        return _draft(
            "pattern",
            pattern["id"],
            title=f"{step.phrase} {when}",
            description=f"{_sentence(when)}, {step.phrase}.",
            explanation=pattern["description"],
            evidence=pattern.get("evidence"),
            score=pattern["score"],
            behaviour={
                "triggers": [{"trigger": "time", "at": f"{at}:00"}],
                "conditions": conditions,
                "actions": step.actions,
            },
        )

    def _chain(
        self, source: str, finding: Mapping[str, Any], steps: list[Mapping[str, Any]]
    ) -> Draft | None:
        """Return "when the first step happens, do the others" for a pair or a chain."""
        first, rest = steps[0], steps[1:]
        done = [self._act(step) for step in rest]
        if not rest or any(step is None for step in done):
            return None
        actions = [action for step in done if step for action in step.actions]
        phrases = [step.phrase for step in done if step]
        what = ", then ".join(phrases)
        trigger_id, trigger_state = str(first["entity_id"]), str(first["state"])
        when = event_phrase(self._name(trigger_id), trigger_state)
        return _draft(
            source,
            finding["id"],
            title=f"{phrases[0]} when {when}" + (" and more" if len(phrases) > 1 else ""),
            description=f"When {when}, {what}.",
            explanation=finding["description"],
            evidence=finding.get("evidence"),
            score=finding["score"],
            behaviour={"triggers": [state_trigger(trigger_id, trigger_state)], "actions": actions},
        )

    def _anomaly(self, pattern: Mapping[str, Any]) -> Draft | None:
        """Return a notification for the next time an unusually long state happens."""
        details = pattern["details"]
        if details.get("kind") != "unusual_duration":
            # A one-off odd time or burst says nothing about when to warn next time.
            return None
        usual_s = int((details.get("expected") or {}).get("p95_duration_s") or 0)
        after_s = min(_LONG_STATE_MAX_S, max(_LONG_STATE_MIN_S, int(usual_s * _LONG_STATE_MARGIN)))
        after_s -= after_s % 60
        entity_id, state = str(details["entity_id"]), str(details["state"])
        name = self._name(entity_id)
        minutes = after_s // 60
        message = f"{event_phrase(name, state)} and has stayed so for {minutes} minutes."
        return _draft(
            "anomaly",
            pattern["id"],
            title=f"notify when {name} stays {state} for {minutes} min",
            description=f"When {name} has been {state} for {minutes} minutes, longer than "
            "usual, send a notification.",
            explanation=pattern["description"],
            evidence=pattern.get("evidence"),
            score=pattern["score"],
            behaviour={
                "triggers": [state_trigger(entity_id, state, after_s)],
                "actions": [notification("HomeIQ", _sentence(message))],
            },
        )


def query_draft(query_id: str, text: str, automation: Mapping[str, Any]) -> Draft:
    """Return a draft for an automation a person asked for in words."""
    behaviour = {
        "triggers": list(automation.get("triggers") or []),
        "conditions": list(automation.get("conditions") or []),
        "actions": list(automation.get("actions") or []),
    }
    title = str(automation.get("alias") or text)
    description = str(automation.get("description") or f'Asked for: "{text}".')
    # Someone asked for exactly this: it ranks above anything only observed.
    return _draft(
        "query",
        query_id,
        title=title,
        description=description,
        explanation=f'Asked for: "{text}".',
        score=1.0,
        behaviour=behaviour,
    )
