"""Automations from plain sentences: when, only if, and what to do, as Home Assistant config."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Final

from engine.home.catalog import Catalog
from engine.query.clauses import (
    PRONOUNS,
    SPEAKER,
    VERBS,
    At,
    Change,
    Clause,
    Daylight,
    Days,
    Presence,
    Split,
    Sun,
    Threshold,
    Window,
    split,
    word_set,
)
from engine.query.commands import Clarification, CommandParser, Status
from engine.query.conditions import ConditionClause, as_condition, condition
from engine.query.durations import DURATION, WEEKDAY_CODES, Duration, duration
from engine.query.intents import language_variant
from engine.query.limits import exceeded
from engine.query.messages import Messages, messages
from engine.query.notify import Recipients, announcement, notification, speak
from engine.query.request import QueryRequest
from engine.query.resolve import Ask, Refuse
from engine.query.slots import words
from engine.query.subjects import CAPABILITIES, Subjects
from engine.query.translate import rewrites
from engine.query.triggers import TriggerClause, as_trigger, trigger


@dataclass(frozen=True)
class AutomationResult:
    """What an automation request resolves to: a config, or questions, or why not."""

    status: Status
    automation: dict[str, Any] | None
    clarifications: list[Clarification] = field(default_factory=list)
    message: str | None = None


_CONTRACTIONS: Final = [
    (
        re.compile(r"\b(it|that|there|nobody|someone|somebody|everyone|everybody|anyone)'s\b"),
        r"\1 is",
    ),
    (re.compile(r"\b(is|are|does|do)n't\b"), r"\1 not"),
    (re.compile(r"\bo'clock\b"), "oclock"),
    (re.compile(r"\ba\.m\.?"), "am"),
    (re.compile(r"\bp\.m\.?"), "pm"),
    # "no-one", "forty-five", "non-stop".
    (re.compile(r"(?<=[a-z])-(?=[a-z])"), " "),
    (re.compile(r"'"), ""),
    # Punctuation that is no part of a time ("7:30", "7.30") or a number ("22.5").
    (re.compile(r"[!?;\"()]|(?<!\d)[:.]|[:.](?!\d)"), " "),
    (re.compile(r"\s*,\s*"), ", "),
]
_POLITE: Final = re.compile(
    r"^(?:(?:(?:can|could|would|will) you|please|i want you to|i would like you to|id like you to)"
    r"\s+)+|\s+please$"
)
_QUESTION: Final = re.compile(
    r"^(?:(?:when|what|how|who|why|where|which)\s+(?:is|are|does|do|did|will|was|were|should|can)"
    r"|is|are|does|did)\b"
)
# A request that opens with these is an automation, even when its clause is not understood.
_OPENING: Final = re.compile(
    r"^(?:when|whenever|if|every|each|as soon as|once|at|on|after|before|only|between)\b"
)
_ENDLESS: Final = re.compile(
    r"\b(?:forever|endlessly|indefinitely|non ?stop|continuously|repeatedly|over and over|"
    r"again and again|on repeat|in a loop|keep (?:on )?\w+ing)\b"
)
# Words of when: left in what to do, they are a clause that was not understood.
_TIMING: Final = word_set(
    "when whenever if while every daily hourly after before until sunset sunrise dusk dawn "
    "weekday weekdays weekend weekends second seconds minute minutes hour hours am pm oclock "
    "tomorrow tonight today monday tuesday wednesday thursday friday saturday sunday "
    "mondays tuesdays wednesdays thursdays fridays saturdays sundays"
)
_LEADING: Final = word_set("in at on for by within after before every a an the")
_JOINERS: Final = re.compile(r"(?:[\s,]+(?:and|then|but|so)?)+$")
# "Turn on the hall light for 5 minutes": do it, wait, undo it.
_FOR_A_WHILE: Final = re.compile(rf"^(?P<do>.+?),? for (?P<for>{DURATION})$")
_UNDO: Final = {
    "turn_on": "turn_off",
    "turn_off": "turn_on",
    "open_cover": "close_cover",
    "close_cover": "open_cover",
    "open_valve": "close_valve",
    "close_valve": "open_valve",
    "media_play": "media_pause",
    "media_pause": "media_play",
    # Of the calls commands make, only a vacuum's is "start".
    "start": "return_to_base",
}
# Home Assistant's English intents have no colour temperature, so it is read here.
_KELVIN: Final = re.compile(
    r"(?: (?:to|at|in))? (?:(?P<kelvin>\d{4,5}) ?(?:k|kelvin)|"
    r"(?P<white>warm white|neutral white|cool white|cold white))(?=[\s,]|$)"
)
_WHITES: Final = {"warm white": 2700, "neutral white": 4000, "cool white": 5000, "cold white": 6500}
_MIN_KELVIN: Final = 1000
_MAX_KELVIN: Final = 10000
# A command said to something: "turn on the jacuzzi", "set the sauna to 80 degrees".
_COMMAND: Final = re.compile(
    rf"^(?:{'|'.join(sorted(VERBS))})(?: (?:on|off|up|down|out))?(?: (?:the|a|an|my|our|all))*"
    r" (?!(?:it|them|this|that|something|everything|things|stuff)\b)"
    r"(?P<what>.+?)(?: (?:to|at|in|for|by|with) .*)?$"
)
_SET_VERB: Final = re.compile(r"^(?:set|change|make|turn|switch)(?: on)? ")
_TIMES: Final = {
    "morning": ("06:00", "07:00", "08:00"),
    "afternoon": ("13:00", "15:00", "17:00"),
    "evening": ("18:00", "19:00", "20:00"),
    "night": ("21:00", "22:00", "23:00"),
}
_ALIAS_LENGTH: Final = 60
# "Disarm the alarm", "arm the alarm in night mode", "arm the security system away".
_ALARM: Final = re.compile(
    r"^(?P<verb>disarm|arm)(?: the| my| our)? (?P<what>.+?)"
    r"(?:(?: (?:in|to))? (?P<mode>away|home|stay|night|vacation)(?: mode)?)?$"
)
_ARM_MODES: Final = {"away": "away", "home": "home", "stay": "home", "night": "night",
                     "vacation": "vacation"}  # fmt: skip
# The question asked when a request says when but not what to do, and what it offers.
_ACTION_QUESTION: Final = "action"
_ACTION_OPTIONS: Final = 3
_SWITCHABLE: Final = frozenset({"light", "switch", "fan"})
# "Turn on A when X, and turn it off when Y": two halves, each with its own when.
_AND_VERB: Final = re.compile(rf",? and (?:then )?(?=(?:{'|'.join(sorted(VERBS))}) )")
# "... or after 2 minutes": the first half's trigger, lasting that long, also ends it.
_OR_AFTER: Final = re.compile(rf",? or (?:else )?after (?P<after>{DURATION})")
_PRONOUN: Final = re.compile(r"\b(?:it|them)\b")
_WHEN_WORDS: Final = re.compile(
    r"^(?:(?:when|whenever|if|once|as soon as|every time|each time|and|then)\b[\s,]*)+"
)


@dataclass(frozen=True, slots=True)
class _Part:
    """One "do this when that" of a request, and what "it" may refer to in the next one."""

    triggers: list[dict[str, Any]]
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    acted_on: tuple[str, ...] = ()
    watched: tuple[str, ...] = ()
    # The words the action names its target with ("pantry light").
    object: str | None = None
    lasting: bool = False


def normalise(text: str) -> str:
    """Return a request in the form the clause grammar reads: lower case, plain punctuation."""
    text = text.casefold().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _POLITE.sub("", " ".join(text.split()).strip(" ,"))
    return " ".join(text.split()).strip(" ,")


def automation_id(text: str, area_id: str | None = None) -> str:
    """Return a stable id for a request: the same words (and area spoken in) give the same id.

    The area is part of it because "when motion is detected turn on the light" means
    another automation in each room it is said in.
    """
    key = " ".join(words(text)) + (f"@{area_id}" if area_id else "")
    return f"query_{hashlib.sha256(key.encode()).hexdigest()[:12]}"


@dataclass(slots=True)
class _Outcome:
    """What parsing a request has run into so far: refusals and questions."""

    # What is said back, in the request's language.
    said: Messages
    request: QueryRequest
    # The home's subjects as this request reads them (what "it" is changes per half).
    subjects: Subjects
    refusals: list[str] = field(default_factory=list)
    clarifications: list[Clarification] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def take[T](self, built: T | Ask | Refuse, role: str) -> T | None:
        """Return what was built; note a question or refusal instead."""
        if isinstance(built, Refuse):
            self.refusals.append(built.message)
            return None
        if isinstance(built, Ask):
            options = [{"value": value, "label": label} for value, label in built.options]
            self.ask(Clarification(self._id(role), built.question, options))
            return None
        return built

    def refuse(self, key: str, **values: object) -> None:
        """Note a refusal, said in the request's language."""
        self.refusals.append(self.said.say(key, **values))

    def ask(self, clarification: Clarification) -> None:
        """Note a question."""
        self.clarifications.append(clarification)

    def _id(self, role: str) -> str:
        count = self.counts[role] = self.counts.get(role, 0) + 1
        return role if count == 1 else f"{role}_{count}"

    def result(self, automation: dict[str, Any]) -> AutomationResult:
        """Return the result: refused if anything was, else asked if anything was, else ready."""
        if self.refusals:
            return _refused(" ".join(dict.fromkeys(self.refusals)))
        if self.clarifications:
            first = self.clarifications[0].question
            return AutomationResult("needs_clarification", None, self.clarifications, first)
        if problem := exceeded(automation):
            return _refused(problem)
        return AutomationResult("ready", automation)


class AutomationParser:
    """Turns automation requests into Home Assistant automation configs for one home."""

    def __init__(
        self, catalog: Catalog, language: str = "en", *, commands: CommandParser | None = None
    ) -> None:
        # The clause grammar reads English; a language with rewrites (translate.py) is read
        # through them, the others are left to the command parser.
        variant = language_variant(language)
        self._language = variant
        self._rewrites = None if variant == "en" else rewrites(variant)
        understood = variant == "en" or self._rewrites is not None
        self._commands = (commands or CommandParser(catalog, language)) if understood else None
        filler = self._rewrites.filler if self._rewrites else frozenset()
        # Questions back in the request's language (engine/query/messages).
        self._say = messages(variant)
        self._subjects = Subjects(catalog, filler=filler, said=self._say)
        self._recipients = Recipients(catalog, self._say)
        self._speech = sorted(e.entity_id for e in catalog.entities if e.domain == "tts")
        self._areas = frozenset(area.area_id for area in catalog.areas)

    def parse(
        self, text: str, *, area_id: str | None = None, chosen: frozenset[str] = frozenset()
    ) -> AutomationResult | None:
        """Return what `read` does for text as typed, said in an area, with options picked."""
        return self.read(QueryRequest.of(text, self._language, area_id, chosen))

    def read(self, request: QueryRequest) -> AutomationResult | None:
        """Return the automation a request asks for, questions, why not, or None if it is none.

        The request's area_id is the area of the device it was spoken to: "when motion is
        detected turn on the light" then means that area's sensor and light. Its `chosen`
        holds option values picked for earlier questions (a refine), which settle them.
        """
        said = request.said
        if self._commands is None or not said or said.endswith("?"):
            return None
        area_id = request.area_id
        normal = normalise(said)
        if self._rewrites is not None:
            normal = self._rewrites.apply(normal)
        if _QUESTION.match(normal):
            return None
        context = area_id if area_id in self._areas else None
        cut = self._rewrites.halves if self._rewrites and self._rewrites.halves else _AND_VERB
        if (halves := _halves(normal, cut)) is not None:
            return self._two_parts(halves, request, context)
        return self._one_part(normal, request, context)

    def _outcome(self, request: QueryRequest) -> _Outcome:
        return _Outcome(self._say, request, self._subjects.reading(request.chosen))

    def _one_part(
        self, normal: str, request: QueryRequest, context: str | None
    ) -> AutomationResult | None:
        """Return the automation of a request with one "do this when that"."""
        parts = split(normal)
        if not parts.clauses:
            if not _OPENING.match(normal):
                return None
            unclear = _not_understood(normal) or _before_verb(normal) or normal
            return _refused(self._say.say("not_understood", fragment=unclear))
        if _ENDLESS.search(normal):
            return _refused(self._say.say("endless"))
        outcome = self._outcome(request)
        part = self._part(parts, normal, context, outcome, None)
        said = request.said
        automation = {
            "id": automation_id(said, context),
            "alias": _alias(said),
            "description": said,
            # Said again while waiting to undo, the wait starts over.
            "mode": "restart" if part.lasting else "single",
            "triggers": part.triggers,
            "conditions": part.conditions,
            "actions": part.actions,
        }
        return outcome.result(automation)

    def _part(
        self,
        parts: Split,
        normal: str,
        context: str | None,
        outcome: _Outcome,
        earlier: _Part | None,
    ) -> _Part:
        """Return the triggers, conditions and actions of one request (or one half of one)."""
        named = next(
            (
                clause.subject
                for clause in parts.clauses
                if isinstance(clause, Change | Threshold)
                and clause.subject not in PRONOUNS
                and clause.subject != SPEAKER
            ),
            None,
        )
        # "Turn it off": what the other half acted on, else what this one watches.
        do = self._with_referent(parts.action, earlier, named)
        undo = None
        if lasting := _FOR_A_WHILE.match(do):
            do, undo = lasting["do"], duration(lasting["for"])
        # Actions first, so that "if it is unlocked" can mean what they act on; their
        # questions come after those about when.
        asked, refused = len(outcome.clarifications), len(outcome.refusals)
        about = _about(normal, parts.action)
        actions = self._actions(do, context, outcome, about)
        if undo is not None and actions:
            actions = _for_a_while(actions, undo, outcome)
        acted_on = _targets(actions)
        action_questions = outcome.clarifications[asked:]
        action_refusals = outcome.refusals[refused:]
        del outcome.clarifications[asked:], outcome.refusals[refused:]
        referents = (
            (acted_on,) if earlier is None else (acted_on, earlier.watched, earlier.acted_on)
        )
        outcome.subjects = self._subjects.reading(outcome.request.chosen, referents)
        triggers, conditions = self._when(parts.clauses, context, outcome)
        watched = _targets(triggers)
        action_questions = [
            self._what_then(watched, context) if question.id == _ACTION_QUESTION else question
            for question in action_questions
        ]
        outcome.clarifications.extend(action_questions)
        outcome.refusals.extend(action_refusals)
        command = _COMMAND.match(do)
        return _Part(
            triggers,
            conditions,
            actions,
            acted_on=acted_on,
            watched=watched,
            object=command["what"] if command else None,
            lasting=undo is not None,
        )

    def _with_referent(self, do: str, earlier: _Part | None, named: str | None) -> str:
        """Return what to do with "it" replaced by what it stands for, when that is known."""
        if self._rewrites is None:
            return _with_referent(do, earlier.object if earlier else None, named)
        pronoun = self._rewrites.pronouns
        if pronoun is None or not pronoun.search(do):
            return do
        # The other half's device by its name (its grammar needs no article), else the
        # words this half watches, as said.
        acted = earlier.acted_on if earlier else ()
        entities = self._subjects.entities
        referent = entities[acted[0]].name if len(acted) == 1 and acted[0] in entities else named
        return do if referent is None else pronoun.sub(referent, do, count=1)

    def _two_parts(
        self, halves: tuple[str, str], request: QueryRequest, context: str | None
    ) -> AutomationResult:
        """Return one automation for "do A when X, and do B when Y": a trigger id per half."""
        said = request.said
        outcome = self._outcome(request)
        first_half, second_half = halves
        first = self._part(split(first_half), first_half, context, outcome, None)
        after = _OR_AFTER.search(second_half)
        second_text = (
            second_half[: after.start()] + second_half[after.end() :] if after else second_half
        )
        second = self._part(split(second_text), second_text, context, outcome, first)
        triggers = [{**trigger, "id": "first"} for trigger in first.triggers]
        triggers += [{**trigger, "id": "second"} for trigger in second.triggers]
        if after is not None and (waited := duration(after["after"])) is not None:
            # "... or after 2 minutes": the first half's trigger, still so that long.
            lasting = [t for t in first.triggers if t["trigger"] in ("state", "numeric_state")]
            if len(lasting) != 1 or "for" in lasting[0]:
                outcome.refuse("after_what", after=after["after"])
            else:
                held = copy.deepcopy(lasting[0])
                triggers.append({**held, "for": waited.as_dict(), "id": "second"})
        options = [
            {
                "conditions": [{"condition": "trigger", "id": trigger_id}, *part.conditions],
                "sequence": part.actions,
            }
            for trigger_id, part in (("first", first), ("second", second))
        ]
        automation = {
            "id": automation_id(said, context),
            "alias": _alias(said),
            "description": said,
            # Each trigger's run finishes before the next starts: on, then off, in order.
            "mode": "queued",
            "triggers": triggers,
            "conditions": [],
            "actions": [{"choose": options}],
        }
        return outcome.result(automation)

    def _when(
        self, clauses: list[Clause], context: str | None, outcome: _Outcome
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Return the trigger and condition configs of a request's clauses."""
        part = next((c.part for c in clauses if isinstance(c, Days) and c.part), None)
        clauses = [_in_part_of_day(clause, part) for clause in clauses]
        said_triggers = [t for clause in clauses if (t := as_trigger(clause)) is not None]
        said_conditions = [c for clause in clauses if (c := as_condition(clause)) is not None]
        if not said_triggers:
            said_triggers, said_conditions = _promote(said_conditions)
        if not said_triggers:
            days = any(isinstance(clause, Days) for clause in clauses)
            outcome.ask(self._time_question(part) if days else self._when_question())
        subjects = outcome.subjects
        triggers = [
            built
            for clause in said_triggers
            if (built := outcome.take(trigger(clause, subjects, context), "trigger")) is not None
        ]
        conditions = [
            built
            for clause in said_conditions
            if (built := outcome.take(condition(clause, subjects, context), "condition"))
            is not None
        ]
        weekdays = next((c.weekdays for c in clauses if isinstance(c, Days) and c.weekdays), ())
        if weekdays and len(weekdays) < len(WEEKDAY_CODES):
            window = next((c for c in conditions if c["condition"] == "time"), None)
            if window is not None:
                window["weekday"] = list(weekdays)
            else:
                conditions.insert(0, {"condition": "time", "weekday": list(weekdays)})
        return triggers, conditions

    def _actions(
        self, do: str, context: str | None, outcome: _Outcome, about: str
    ) -> list[dict[str, Any]]:
        """Return what to do, resolved as the command parser resolves commands."""
        special = self._beyond_commands(do, context, outcome, about)
        if special is not None:
            return special
        kelvin = _KELVIN.search(do)
        if kelvin is not None:
            do = _SET_VERB.sub("turn on ", (do[: kelvin.start()] + do[kelvin.end() :]).strip())
        result = (
            self._commands.read(outcome.request.part(do, context))
            if self._commands and do
            else None
        )
        if result is None or result.kind == "question":
            self._not_a_command(do, outcome)
            return []
        if result.status == "unsupported":
            if result.message:
                outcome.refusals.append(result.message)
            else:
                outcome.refuse("cannot_do", do=do)
            return []
        if result.status == "needs_clarification":
            outcome.clarifications.extend(result.clarifications)
            return []
        if kelvin is None:
            return result.actions
        return _with_colour_temperature(result.actions, kelvin, outcome)

    def _beyond_commands(
        self, do: str, context: str | None, outcome: _Outcome, about: str
    ) -> list[dict[str, Any]] | None:
        """Return what to do when no spoken command says it: notify, speak, arm; else None."""
        if (asked := notification(do)) is not None:
            # A notification of a rewritten request says it in the request's own words.
            own = about if self._rewrites is None else outcome.request.said
            message = _sentence(asked.message or own)
            sent = self._recipients.actions(asked, message, outcome.request.chosen)
            return outcome.take(sent, "notify") or []
        if (alert := announcement(do)) is not None:
            players = outcome.take(
                outcome.subjects.find(alert.where, CAPABILITIES["speaker"], context), "speaker"
            )
            if players is None:
                return []
            spoken = speak(self._speech, players.entity_ids, _sentence(alert.message or about))
            return [taken] if (taken := outcome.take(spoken, "speaker")) else []
        if (alarm := _ALARM.match(do)) is not None:
            return self._alarm(alarm, context, outcome)
        return None

    def _alarm(
        self, said: re.Match[str], context: str | None, outcome: _Outcome
    ) -> list[dict[str, Any]]:
        """Return the call that arms or disarms the alarm panel said."""
        found = outcome.take(
            outcome.subjects.find(said["what"], CAPABILITIES["alarm"], context), "alarm"
        )
        if found is None:
            return []
        service = (
            "alarm_disarm"
            if said["verb"] == "disarm"
            else f"alarm_arm_{_ARM_MODES.get(said['mode'] or '', 'away')}"
        )
        return [
            {
                "action": f"alarm_control_panel.{service}",
                "target": {"entity_id": list(found.entity_ids)},
                "data": {},
            }
        ]

    def _not_a_command(self, do: str, outcome: _Outcome) -> None:
        """Note why what to do is no command: words of when, an unknown device, or vagueness."""
        if fragment := _not_understood(do) or _before_verb(do):
            outcome.refuse("not_understood", fragment=fragment)
        elif (command := _COMMAND.match(do)) and not self._subjects.knows(command["what"]):
            outcome.refuse("not_found", what=command["what"])
        else:
            # The options come once the triggers are known (_what_then).
            outcome.ask(Clarification(_ACTION_QUESTION, self._say.say("what_then"), []))

    def _what_then(self, watched: tuple[str, ...], context: str | None) -> Clarification:
        """Return "what should happen then?" with things to do near what is watched."""
        subjects = self._subjects
        areas = {subjects.area_of(entity_id) for entity_id in watched} | {context}
        areas.discard(None)
        switchable = sorted(
            (entity for entity in subjects.entities.values() if entity.domain in _SWITCHABLE),
            key=lambda entity: (
                subjects.area_of(entity.entity_id) not in areas,
                entity.domain != "light",
                entity.name,
            ),
        )
        say = self._say.say
        options = [
            {
                "value": say("turn_on_said", name=entity.name),
                "label": say("turn_on_label", name=entity.name),
            }
            for entity in switchable[:_ACTION_OPTIONS]
        ]
        # Said in English, which every language's rewrites leave as it is.
        options.append({"value": "send me a notification", "label": say("notify_label")})
        return Clarification(_ACTION_QUESTION, say("what_then"), options)

    def _time_question(self, part: str | None) -> Clarification:
        options = [{"value": time, "label": time} for time in _TIMES[part or "morning"]]
        return Clarification("time", self._say.say("at_what_time"), options)

    def _when_question(self) -> Clarification:
        # Values in the clause grammar's words, which every language's rewrites leave be.
        options = [
            {"value": "at sunset", "label": self._say.say("at_sunset")},
            {"value": "at sunrise", "label": self._say.say("at_sunrise")},
            {"value": "every day at 07:00", "label": self._say.say("every_day_at", time="07:00")},
        ]
        return Clarification("when", self._say.say("when_question"), options)


def _in_part_of_day(clause: Clause, part: str | None) -> Clause:
    """Return a clause with bare hours read in the part of the day said ("every evening at 7")."""
    if isinstance(clause, At):
        return At(clause.clock.in_part_of_day(part))
    if isinstance(clause, Window):
        after, before = clause.after, clause.before
        return Window(
            after.in_part_of_day(part) if after else None,
            before.in_part_of_day(part) if before else None,
        )
    return clause


def _promote(
    conditions: list[ConditionClause],
) -> tuple[list[TriggerClause], list[ConditionClause]]:
    """Return the first condition that can say when as the trigger, when nothing else does.

    "If the front door opens", "after sunset" or "when it is dark" alone mean the moment
    it becomes so.
    """
    for index, clause in enumerate(conditions):
        event: TriggerClause | None = None
        if isinstance(clause, Change | Threshold | Presence):
            event = dataclasses.replace(clause, role="trigger")
        elif isinstance(clause, Daylight) and clause.after is not None:
            event = Sun(clause.after)
        elif isinstance(clause, Window) and clause.after is not None and clause.before is None:
            event = At(clause.after)
        if event is not None:
            return [event], [*conditions[:index], *conditions[index + 1 :]]
    return [], conditions


def _for_a_while(
    actions: list[dict[str, Any]], undo: Duration, outcome: _Outcome
) -> list[dict[str, Any]]:
    """Return the actions, a delay, and the actions that undo them."""
    reverse: list[dict[str, Any]] = []
    for action in actions:
        domain, _, service = action["action"].partition(".")
        opposite = _UNDO.get(service)
        if opposite is None:
            outcome.refuse("cannot_undo", action=action["action"])
            return []
        reverse.append({"action": f"{domain}.{opposite}", "target": action["target"], "data": {}})
    return [*actions, {"delay": undo.as_dict()}, *reverse]


def _with_colour_temperature(
    actions: list[dict[str, Any]], said: re.Match[str], outcome: _Outcome
) -> list[dict[str, Any]]:
    """Return light.turn_on actions with the colour temperature said."""
    kelvin = int(said["kelvin"]) if said["kelvin"] else _WHITES[said["white"]]
    if not _MIN_KELVIN <= kelvin <= _MAX_KELVIN:
        outcome.refuse("no_colour_temperature", kelvin=kelvin)
        return []
    if any(action["action"] != "light.turn_on" for action in actions):
        outcome.refuse("colour_temperature_lights")
        return []
    return [
        {**action, "data": {**action["data"], "color_temp_kelvin": kelvin}} for action in actions
    ]


def _not_understood(text: str) -> str | None:
    """Return the words of when left in a text, from their start to the next verb, if any."""
    spoken = text.split()
    clean = [word.strip(",") for word in spoken]
    marks = [index for index, word in enumerate(clean) if word in _TIMING]
    if not marks:
        return None
    start = marks[0]
    while start > 0 and (clean[start - 1] in _LEADING or clean[start - 1].isdigit()):
        start -= 1
    after = range(marks[0] + 1, len(clean))
    end = next((index for index in after if clean[index] in VERBS), len(clean))
    return _JOINERS.sub("", " ".join(spoken[start:end]))


def _before_verb(text: str) -> str | None:
    """Return the words before the first verb, if the text has one but does not start so."""
    spoken = text.split()
    verb = next((i for i, word in enumerate(spoken) if word.strip(",") in VERBS), 0)
    return _JOINERS.sub("", " ".join(spoken[:verb])) or None


def _alias(said: str) -> str:
    """Return a short title: the request, capitalised, cut at a word if long."""
    text = said.rstrip(".!")
    text = text[:1].upper() + text[1:]
    if len(text) <= _ALIAS_LENGTH:
        return text
    return text[: _ALIAS_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,") + "\u2026"


def _halves(normal: str, cuts: re.Pattern[str]) -> tuple[str, str] | None:
    """Return the two halves of "do A when X and do B when Y", if it says two whens."""
    for cut in cuts.finditer(normal):
        first, second = normal[: cut.start()], normal[cut.end() :]
        head, tail = split(first), split(second)
        when_both = head.clauses and (tail.clauses or _OR_AFTER.search(second))
        if when_both and head.action and tail.action:
            return first, second
    return None


def _with_referent(do: str, earlier: str | None, named: str | None) -> str:
    """Return what to do with "it" replaced by what it stands for, when that is known."""
    referent = earlier or named
    if referent is None or not _PRONOUN.search(do):
        return do
    words_of = referent if referent.startswith(("the ", "my ", "our ")) else f"the {referent}"
    return _PRONOUN.sub(words_of, do, count=1)


def _about(normal: str, action: str) -> str:
    """Return what a request watches for, in its words: the text of a notification."""
    rest = normal.replace(action, " ", 1) if action else normal
    rest = " ".join(rest.split()).strip(" ,")
    return _WHEN_WORDS.sub("", rest).strip(" ,") or normal


def _sentence(text: str) -> str:
    text = text.strip(" ,.")
    return f"{text[:1].upper()}{text[1:]}."


def _targets(configs: list[dict[str, Any]]) -> tuple[str, ...]:
    """Return the entity ids that triggers or actions name, in order."""
    found: dict[str, None] = {}
    for config in configs:
        ids = config.get("entity_id") or (config.get("target") or {}).get("entity_id") or []
        found.update(dict.fromkeys(ids if isinstance(ids, list) else [ids]))
    return tuple(found)


def _refused(message: str) -> AutomationResult:
    return AutomationResult("unsupported", None, [], message)
