"""Draft suggestions: the automation a person would have written for what the history shows.

Findings become automations in Home Assistant's own idioms: a light that follows motion
is one motion-light automation (on at motion, off after no motion for the learned time); a
habit that tracks sunset is a sun trigger; one entity's on and off habits, and one room's
habits at one moment, are one automation; a chain is one automation from its root cause;
and nothing learned from history unlocks, disarms or opens the home by itself (its
protective counterpart is offered instead).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Final

from engine.automation.suggestions.fingerprint import fingerprint
from engine.automation.suggestions.security import opens_up, secures, sensitive
from engine.automation.suggestions.templates import (
    Step,
    action_step,
    notification,
    period,
    state_trigger,
    wait_text,
)
from engine.home.catalog import Catalog, Entity
from engine.home.phrases import event_phrase
from engine.patterns.details import (
    AnomalyDetails,
    CoOccurrenceDetails,
    PatternDetails,
    TimeOfDayDetails,
)
from engine.patterns.details import Step as Change
from engine.patterns.findings import StoredPattern, StoredSynergy

# What the drafter reads: stored findings with typed details (findings.py, details.py).
Pattern = StoredPattern[PatternDetails]
Habit = StoredPattern[TimeOfDayDetails]
PairPattern = StoredPattern[CoOccurrenceDetails]
AnomalyPattern = StoredPattern[AnomalyDetails]
Finding = Pattern | StoredSynergy

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
# Habits of one room this close in time, on the same days, are one moment of the day.
_SAME_MOMENT_MIN: Final = 5
# One entity's on and off habits read as one automation when they are this close.
_ON_AND_OFF_MAX_MIN: Final = 8 * 60
# A routine-started automation waits for the routine from this long before its usual time
# (rounded down to a quarter hour), and only until this long after it.
_ROUTINE_BEFORE_MIN: Final = 90
_ROUTINE_AFTER_MIN: Final = 120
# Habits that open the home earn their counterpart from this score (a real habit of a
# week or more: a warning is cheap, and the habit itself is never automated).
PROTECT_MIN_SCORE: Final = 0.2
# The protective counterpart locks this long after the usual locking time, at the least.
_PROTECT_MARGIN_MIN: Final = 10
_PROTECT_DEFAULT_S: Final = 15 * 60


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
    mode: str = "single",
) -> Draft:
    """Return a draft whose automation id is derived from what it does."""
    hashed = fingerprint(behaviour)
    automation = {
        "id": f"{SUGGESTION_PREFIX}{hashed[:20]}",
        "alias": _sentence(title),
        # Deployed, the automation keeps why it was suggested (the counts), not only what.
        "description": _with_explanation(description, explanation),
        "mode": mode,
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


def _with_explanation(description: str, explanation: str) -> str:
    """Return the description followed by the explanation, unless one already says the other."""
    if not explanation or explanation in description or description in explanation:
        return description or explanation
    return f"{description} {explanation}"


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")[:2]
    return int(hours) * 60 + int(minutes)


def _hhmm(minute: int) -> str:
    minute %= 1440
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _weekday_conditions(days: str) -> list[dict[str, Any]]:
    return (
        [{"condition": "time", "weekday": _DAY_CONDITIONS[days]}] if days in _DAY_CONDITIONS else []
    )


def _joined(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _acted(finding: Pattern) -> Change | None:
    """Return the change a habit's or a pair's automation would make, None for others."""
    details = finding.details
    if isinstance(details, TimeOfDayDetails):
        return Change(details.entity_id, details.state)
    if isinstance(details, CoOccurrenceDetails):
        return details.action
    return None


class Drafter:
    """Turns findings into drafts, with the names and features of this home's devices."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._entities = {entity.entity_id: entity for entity in catalog.entities}
        self._areas = {area.area_id: area.name for area in catalog.areas}

    # -- names -------------------------------------------------------------------------

    def _entity(self, entity_id: str) -> Entity | None:
        return self._entities.get(entity_id)

    def _name(self, entity_id: str) -> str:
        entity = self._entities.get(entity_id)
        return entity.name if entity is not None and entity.name else entity_id

    def _area_of(self, entity_id: str) -> str | None:
        entity = self._entities.get(entity_id)
        return self._catalog.entity_area(entity) if entity is not None else None

    def _when(self, entity_id: str, state: str) -> str:
        """Return how an entity reaching a state reads as a trigger: "Front door opens"."""
        entity = self._entities.get(entity_id)
        area = self._area_of(entity_id)
        return event_phrase(
            entity or entity_id, state, area=self._areas.get(area) if area else None
        )

    def _act(self, entity_id: str, state: str, hour: int | None = None) -> Step | None:
        """Return the actions for a change, or None when history may not automate it."""
        entity = self._entity(entity_id)
        if entity is None or opens_up(entity, state):
            return None
        return action_step(entity, state, hour)

    # -- single findings ---------------------------------------------------------------

    def pattern(self, pattern: Pattern) -> Draft | None:
        """Return a draft for a stored pattern, or None when it suggests nothing to do."""
        if habit := pattern.of(TimeOfDayDetails):
            return self._habits([habit])
        if pair := pattern.of(CoOccurrenceDetails):
            return self._pair(pair)
        if anomaly := pattern.of(AnomalyDetails):
            return self._anomaly(anomaly)
        return None

    def synergy(self, synergy: StoredSynergy) -> Draft | None:
        """Return a draft for a stored synergy chain."""
        return self._chain("synergy", synergy, list(synergy.chain))

    # -- everything at once ------------------------------------------------------------

    def drafts(
        self,
        patterns: Iterable[Pattern],
        synergies: Iterable[StoredSynergy],
        context: Iterable[Pattern] = (),
    ) -> list[Draft]:
        """Return the drafts of a whole analysis, best first, merged and safe.

        `patterns` and `synergies` are what is worth suggesting; `context` is every finding,
        for what a counterpart needs (the lock's usual locking time).
        """
        patterns = list(patterns)
        known = [*patterns, *context]
        drafts: list[Draft | None] = []
        # A habit that opens the home deserves its counterpart even when it is too weak to
        # suggest on its own: locking up is cheap, and the habit is never automated.
        insecure = [p for p in known if self._opens_up(p) and p.score >= PROTECT_MIN_SCORE]
        drafts += self._protective(insecure, known)
        safe = [p for p in patterns if not self._opens_up(p)]
        habits = [habit for p in safe if (habit := p.of(TimeOfDayDetails))]
        pairs = [pair for p in safe if (pair := p.of(CoOccurrenceDetails))]
        for group in self._habit_groups(habits):
            drafts.append(self._habits(group))
        chains = [s for s in synergies if len(s.chain) > 2]
        linked: set[tuple[Change, Change]] = set()
        for chain in sorted(chains, key=lambda s: -s.score):
            draft = self.synergy(chain)
            if draft is None:
                continue
            links = set(pairwise(chain.chain))
            if links & linked:
                continue
            linked |= links
            drafts.append(draft)
        after_routines: dict[tuple[str, str | None, str], list[PairPattern]] = {}
        for pair in pairs:
            routine = pair.details.trigger.routine
            if routine is not None:
                moment = (routine.kind, routine.area_id, routine.time)
                after_routines.setdefault(moment, []).append(pair)
        for after in after_routines.values():
            drafts.append(self._after_routine(*sorted(after, key=lambda p: -p.score)))
        for pair in pairs:
            trigger = pair.details.trigger
            if trigger.routine is not None:
                continue
            if (Change(trigger.entity_id, trigger.state), pair.details.action) not in linked:
                drafts.append(self._pair(pair))
        drafts += [self._anomaly(a) for p in safe if (a := p.of(AnomalyDetails))]
        found = [d for d in drafts if d is not None]
        return sorted(found, key=lambda d: -d.score)

    def _opens_up(self, finding: Pattern) -> bool:
        acted = _acted(finding)
        entity = self._entity(acted.entity_id) if acted is not None else None
        return entity is not None and acted is not None and opens_up(entity, acted.state)

    # -- time-of-day habits ------------------------------------------------------------

    def _habit_groups(self, habits: list[Habit]) -> list[list[Habit]]:
        """Return habits grouped into the automations a person would write for them."""
        groups: list[list[Habit]] = []
        used: set[int] = set()
        ordered = sorted(habits, key=lambda p: -p.score)
        for i, habit in enumerate(ordered):
            if i in used:
                continue
            used.add(i)
            group = [habit]
            details = habit.details
            for j, other in enumerate(ordered):
                if j in used:
                    continue
                theirs = other.details
                same_days = theirs.days == details.days
                if not same_days or (theirs.sun is None) != (details.sun is None):
                    continue
                same_entity = theirs.entity_id == details.entity_id
                apart = abs(_minutes(theirs.time) - _minutes(details.time)) % 1440
                apart = min(apart, 1440 - apart)
                same_moment = (
                    apart <= _SAME_MOMENT_MIN
                    and not same_entity
                    and self._area_of(theirs.entity_id) is not None
                    and self._area_of(theirs.entity_id) == self._area_of(details.entity_id)
                    and len({g.details.entity_id for g in group}) == len(group)
                )
                on_and_off = (
                    same_entity
                    and theirs.state != details.state
                    and len(group) == 1
                    and details.sun is None
                    and apart <= _ON_AND_OFF_MAX_MIN
                )
                if same_moment or on_and_off:
                    used.add(j)
                    group.append(other)
            groups.append(group)
        return groups

    def _time_trigger(self, details: TimeOfDayDetails) -> tuple[dict[str, Any], str]:
        """Return a habit's trigger and how it reads: a clock time, or the sun with an offset."""
        sun = details.sun
        if sun is not None:
            offset = round(sun.offset_minutes)
            event = sun.event
            trigger: dict[str, Any] = {"trigger": "sun", "event": event}
            if offset:
                sign = "-" if offset < 0 else ""
                trigger["offset"] = f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}:00"
            side = "before" if offset < 0 else "after"
            words = f"{abs(offset)} min {side} {event}" if offset else f"at {event}"
            return trigger, words
        at = details.time
        return {"trigger": "time", "at": f"{at}:00"}, f"at {at}"

    def _habits(self, group: list[Habit]) -> Draft | None:
        """Return one automation for habits of one moment, or one entity's on and off."""
        first = group[0].details
        hour = _minutes(first.time) // 60
        days = first.days
        conditions = _weekday_conditions(days)
        day_words = _DAY_WORDS.get(days, "every day")
        explanation = " ".join(p.description for p in group)
        score = max(p.score for p in group)
        evidence = group[0].evidence
        entities = {p.details.entity_id for p in group}
        if len(group) == 2 and len(entities) == 1:
            return self._on_and_off(group, conditions, day_words, explanation, score)
        steps = [self._act(p.details.entity_id, p.details.state, hour) for p in group]
        if any(step is None for step in steps):
            return None
        done = [step for step in steps if step is not None]
        trigger, when = self._time_trigger(first)
        actions = [action for step in done for action in step.actions]
        phrase = _joined([step.phrase for step in done])
        title = (
            f"{phrase} {day_words} {when}"
            if len(group) == 1
            else (f"{_sentence(when)} {day_words}, {phrase}")
        )
        off_after = first.off_after_s
        if len(group) == 1 and off_after is not None and off_after >= 60:
            back = self._act(first.entity_id, _idle_of(first.state))
            if back is not None:
                actions += [{"delay": period(off_after)}, *back.actions]
                then = f", then {back.phrase} {wait_text(off_after)} later"
                title, phrase = title + then, phrase + then
        return _draft(
            "pattern",
            group[0].id,
            title=title,
            description=f"{_sentence(when)} {day_words}, {phrase}.",
            explanation=explanation,
            score=score,
            behaviour={"triggers": [trigger], "conditions": conditions, "actions": actions},
            evidence=evidence,
        )

    def _on_and_off(
        self,
        group: list[Habit],
        conditions: list[dict[str, Any]],
        day_words: str,
        explanation: str,
        score: float,
    ) -> Draft | None:
        """Return one automation with a trigger per habit of one entity, choosing by trigger."""
        ordered = sorted(group, key=lambda p: _minutes(p.details.time))
        triggers, options, parts = [], [], []
        for pattern in ordered:
            details = pattern.details
            step = self._act(details.entity_id, details.state, _minutes(details.time) // 60)
            if step is None:
                return None
            trigger, when = self._time_trigger(details)
            trigger_id = details.state
            triggers.append({**trigger, "id": trigger_id})
            options.append(
                {
                    "conditions": [{"condition": "trigger", "id": trigger_id}],
                    "sequence": step.actions,
                }
            )
            parts.append(f"{step.phrase} {when}")
        title = f"{_joined(parts)} {day_words}"
        return _draft(
            "pattern",
            ordered[0].id,
            title=title,
            description=f"{_sentence(title)}.",
            explanation=explanation,
            score=score,
            behaviour={
                "triggers": triggers,
                "conditions": conditions,
                "actions": [{"choose": options}],
            },
            evidence=ordered[0].evidence,
        )

    # -- pairs, idioms, routines -------------------------------------------------------

    def _pair(self, pattern: PairPattern) -> Draft | None:
        details = pattern.details
        if details.trigger.routine is not None:
            return self._after_routine(pattern)
        if details.idiom in ("motion_light", "door_light"):
            return self._light_idiom(pattern)
        trigger = Change(details.trigger.entity_id, details.trigger.state)
        return self._chain("pattern", pattern, [trigger, details.action])

    def _condition_words(self, condition: Mapping[str, Any] | None) -> str:
        if not condition:
            return ""
        if condition.get("entity_id") == "sun.sun" or condition.get("condition") == "or":
            return " when it is dark"
        if condition.get("condition") == "numeric_state":
            return (
                f" when {self._name(str(condition['entity_id']))} reads below {condition['below']}"
            )
        if condition.get("condition") == "time":
            return f" between {str(condition['after'])[:5]} and {str(condition['before'])[:5]}"
        return ""

    def _dark(self) -> dict[str, Any]:
        """Return Home Assistant's "after sunset, before sunrise" for this home."""
        if "sun.sun" in self._entities:
            return {"condition": "state", "entity_id": "sun.sun", "state": "below_horizon"}
        return {
            "condition": "or",
            "conditions": [
                {"condition": "sun", "after": "sunset"},
                {"condition": "sun", "before": "sunrise"},
            ],
        }

    def _light_idiom(self, pattern: PairPattern) -> Draft | None:
        """Return the motion-light (or door-light) automation: on, then off after a wait."""
        details = pattern.details
        trigger_id = details.trigger.entity_id
        light_id = details.action.entity_id
        on = self._act(light_id, details.action.state)
        off = self._act(light_id, "off")
        if on is None or off is None:
            return None
        condition = details.condition
        if condition is not None and condition.get("entity_id") == "sun.sun":
            condition = self._dark()
        conditions = [dict(condition)] if condition is not None else []
        when = self._when(trigger_id, "on")
        actions: list[dict[str, Any]] = list(on.actions)
        wait = details.off_after_s
        title = f"{on.phrase} when {when}"
        if wait is not None and wait > 0:
            if details.idiom == "motion_light":
                # The motion-light blueprint's shape: mode restart, so new motion restarts
                # the wait; the light goes off once motion has stopped for `wait`.
                actions += [
                    {
                        "wait_for_trigger": [
                            {
                                "trigger": "state",
                                "entity_id": trigger_id,
                                "from": "on",
                                "to": "off",
                            }
                        ]
                    },
                    {"delay": period(wait)},
                    *off.actions,
                ]
                title += f", and off after {wait_text(wait)} without motion"
            else:
                actions += [{"delay": period(wait)}, *off.actions]
                title += f", and off {wait_text(wait)} later"
        title += self._condition_words(condition)
        trigger: dict[str, Any] = {
            "trigger": "state",
            "entity_id": trigger_id,
            "from": "off",
            "to": "on",
        }
        return _draft(
            "pattern",
            pattern.id,
            title=title,
            description=f"{_sentence(title)}.",
            explanation=pattern.description,
            score=pattern.score,
            behaviour={"triggers": [trigger], "conditions": conditions, "actions": actions},
            evidence=pattern.evidence,
            mode="restart",
        )

    def _after_routine(self, *patterns: PairPattern) -> Draft | None:
        """Return "when someone is first active in the kitchen after 05:00, start the coffee".

        Several actions after one routine's moment are one automation (desk lamp, monitor
        and speaker when someone is first in the office), in their patterns' order.
        """
        pattern = patterns[0]
        details = pattern.details
        routine = details.trigger.routine
        if routine is None:
            return None
        usual = _minutes(routine.time)
        steps = [
            self._act(p.details.action.entity_id, p.details.action.state, usual // 60)
            for p in patterns
        ]
        if any(step is None for step in steps):
            return None
        step = Step(
            [action for done in steps if done for action in done.actions],
            _joined([done.phrase for done in steps if done]),
        )
        sensors = list(routine.sensors) or [details.trigger.entity_id]
        state = details.trigger.state
        after = (usual - _ROUTINE_BEFORE_MIN) // 15 * 15
        before = usual + _ROUTINE_AFTER_MIN
        days = routine.days
        area = self._areas.get(routine.area_id) if routine.area_id else None
        if routine.kind == "arrival":
            moment = f"someone comes home after {_hhmm(after)}"
        elif area is not None:
            moment = f"someone is first active in the {area} after {_hhmm(after)}"
        else:
            moment = f"{self._when(sensors[0], state)} for the first time after {_hhmm(after)}"
        day_words = _DAY_WORDS.get(days, "every day")
        title = f"{step.phrase} when {moment} {day_words}"
        conditions: list[dict[str, Any]] = [
            {"condition": "time", "after": f"{_hhmm(after)}:00", "before": f"{_hhmm(before)}:00"},
            *_weekday_conditions(days),
            # Once a day: the routine is the first activity after the quiet, not every one.
            {
                "condition": "template",
                "value_template": "{{ this.attributes.last_triggered is none or "
                f"this.attributes.last_triggered < today_at('{_hhmm(after)}') }}}}",
            },
        ]
        return _draft(
            "pattern",
            pattern.id,
            title=title,
            description=f"{_sentence(title)}.",
            explanation=" ".join(p.description for p in patterns),
            score=max(p.score for p in patterns),
            behaviour={
                "triggers": [
                    {"trigger": "state", "entity_id": sensors, "to": state}
                    if len(sensors) > 1
                    else {"trigger": "state", "entity_id": sensors[0], "to": state}
                ],
                "conditions": conditions,
                "actions": step.actions,
            },
            evidence=pattern.evidence,
        )

    def _chain(self, source: str, finding: Finding, steps: list[Change]) -> Draft | None:
        """Return "when the first step happens, do the others" for a pair or a chain."""
        first, rest = steps[0], steps[1:]
        root = first.entity_id
        # The root's own later changes are no actions (the garage door closing once the car
        # is in), and neither is anything that guards the home.
        rest = [
            step for step in rest if step.entity_id != root and not self._guards(step.entity_id)
        ]
        done = [self._act(step.entity_id, step.state) for step in rest]
        if not rest or any(step is None for step in done):
            return None
        actions = [action for step in done if step for action in step.actions]
        phrases = [step.phrase for step in done if step]
        trigger_state = first.state
        when = self._when(root, trigger_state)
        title = f"{phrases[0]} when {when}"
        if len(phrases) > 1:
            title = f"When {when}, {', then '.join(phrases)}"
        return _draft(
            source,
            finding.id,
            title=title,
            description=f"When {when}, {', then '.join(phrases)}.",
            explanation=finding.description,
            score=finding.score,
            behaviour={"triggers": [state_trigger(root, trigger_state)], "actions": actions},
            evidence=finding.evidence,
        )

    def _guards(self, entity_id: str) -> bool:
        entity = self._entity(entity_id)
        return entity is not None and sensitive(entity)

    # -- safety direction --------------------------------------------------------------

    def _protective(self, insecure: list[Pattern], patterns: list[Pattern]) -> list[Draft]:
        """Return, once per entity, the protective counterpart of habits that open the home."""
        drafts: list[Draft] = []
        done: set[str] = set()
        habits = [habit for p in patterns if (habit := p.of(TimeOfDayDetails))]
        for finding in sorted(insecure, key=lambda p: -p.score):
            acted = _acted(finding)
            entity = self._entity(acted.entity_id) if acted is not None else None
            if acted is None or entity is None or entity.entity_id in done:
                continue
            done.add(entity.entity_id)
            securing = [
                p
                for p in habits
                if p.details.entity_id == entity.entity_id and secures(entity, p.details.state)
            ]
            draft = self._secure_at(entity, securing[0], finding, acted.state) if securing else None
            if draft is None:
                draft = self._warn_when_left(entity, finding, acted.state)
            if draft is not None:
                drafts.append(draft)
        return drafts

    def _secure_at(
        self, entity: Entity, habit: Habit, finding: Pattern, insecure: str
    ) -> Draft | None:
        """Return "at the usual time, if it is still open, close it"."""
        details = habit.details
        state = details.state
        step = action_step(entity, state)
        if step is None:
            return None
        at = _minutes(details.time) + max(_PROTECT_MARGIN_MIN, round(2 * details.spread_minutes))
        at = -(-at // 5) * 5
        days = details.days
        name = entity.name or entity.entity_id
        still = _state_word(entity, insecure)
        title = f"{step.phrase} {_DAY_WORDS.get(days, 'every day')} at {_hhmm(at)} if still {still}"
        return _draft(
            "pattern",
            habit.id,
            title=title,
            description=f"{_sentence(title)}: {name} is usually {_state_word(entity, state)} "
            "by then.",
            explanation=f"{habit.description} {finding.description}",
            score=max(habit.score, finding.score),
            behaviour={
                "triggers": [{"trigger": "time", "at": f"{_hhmm(at)}:00"}],
                "conditions": [
                    {"condition": "state", "entity_id": entity.entity_id, "state": insecure},
                    *_weekday_conditions(days),
                ],
                "actions": step.actions,
            },
            evidence=habit.evidence,
        )

    def _warn_when_left(self, entity: Entity, finding: Pattern, insecure: str) -> Draft | None:
        """Return "notify when it stays open longer than usual"."""
        # Habits and pairs know no usual duration: the default wait, with the margin.
        wait = max(
            _LONG_STATE_MIN_S, min(_LONG_STATE_MAX_S, int(_PROTECT_DEFAULT_S * _LONG_STATE_MARGIN))
        )
        wait -= wait % 300
        name = entity.name or entity.entity_id
        word = _state_word(entity, insecure)
        minutes = wait // 60
        message = f"{name} has been {word} for {minutes} minutes, longer than usual."
        title = f"notify when {name} stays {word} longer than usual ({minutes} min)"
        return _draft(
            "pattern",
            finding.id,
            title=title,
            description=f"When {name} has been {word} for {minutes} minutes, longer than it "
            "usually is, send a notification.",
            explanation=finding.description,
            score=finding.score,
            behaviour={
                "triggers": [state_trigger(entity.entity_id, insecure, wait)],
                "actions": [notification("HomeIQ", message)],
            },
            evidence=finding.evidence,
        )

    # -- anomalies ---------------------------------------------------------------------

    def _anomaly(self, pattern: AnomalyPattern) -> Draft | None:
        """Return a notification for the next time an unusually long state happens."""
        details = pattern.details
        if details.kind != "unusual_duration":
            # A one-off odd time or burst says nothing about when to warn next time.
            return None
        usual_s = int(details.expected.get("p95_duration_s") or 0)
        after_s = min(_LONG_STATE_MAX_S, max(_LONG_STATE_MIN_S, int(usual_s * _LONG_STATE_MARGIN)))
        after_s -= after_s % 60
        entity_id, state = details.entity_id, details.state
        entity = self._entity(entity_id)
        name = self._name(entity_id)
        word = _state_word(entity, state) if entity else state
        minutes = after_s // 60
        message = f"{name} has been {word} for {minutes} minutes, longer than usual."
        return _draft(
            "anomaly",
            pattern.id,
            title=f"notify when {name} stays {word} for {minutes} min",
            description=f"When {name} has been {word} for {minutes} minutes, longer than "
            "usual, send a notification.",
            explanation=pattern.description,
            score=pattern.score,
            behaviour={
                "triggers": [state_trigger(entity_id, state, after_s)],
                "actions": [notification("HomeIQ", message)],
            },
            evidence=pattern.evidence,
        )


# How a state reads after "is" / "stays": by domain, then in plain words.
_STATE_WORDS: Final[Mapping[str, str]] = {
    "on": "on",
    "off": "off",
    "open": "open",
    "closed": "closed",
    "unlocked": "unlocked",
    "locked": "locked",
    "disarmed": "disarmed",
    "playing": "playing",
}


def _state_word(entity: Entity | None, state: str) -> str:
    """Return a state as an adjective ("open", "unlocked"), by device class for sensors."""
    if entity is not None and entity.domain == "binary_sensor":
        verb = event_phrase(entity, state).removeprefix(f"{entity.name} ")
        return {"opens": "open", "closes": "closed"}.get(verb, "on" if state == "on" else "off")
    return _STATE_WORDS.get(state, state.replace("_", " "))


def _idle_of(state: str) -> str:
    """Return the state an entity returns to after a habit's state."""
    return {"on": "off", "open": "closed", "playing": "off", "closed": "open"}.get(state, "off")


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
        mode=str(automation.get("mode") or "single"),
    )
