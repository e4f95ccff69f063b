"""Requests the deterministic parser does not understand, answered by a language model.

The model sees only the slice of the catalog the request is about, answers in a strict JSON
schema, and its answer goes through the same checks as everything else: entity ids must
exist (a near miss is healed when unambiguous, asked about otherwise), automations pass
`validate_automation`, and service calls pass the same structure and safety policy.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson
from rapidfuzz import fuzz, process

from engine.automation.issues import ValidationIssue
from engine.automation.validate import validate_automation
from engine.automation.walk import referenced_entities, walk
from engine.errors import LLMUnavailableError
from engine.home.catalog import Catalog, Entity
from engine.query.questions import StateOf
from engine.query.slots import ENGLISH, words

# Entities in a prompt at most: enough for "everything upstairs", small enough for a
# local model's context and to keep the rest of the home out of a cloud model's view.
MAX_SLICE: Final = 40
# More options than this make a poor question.
MAX_OPTIONS: Final = 8
# A word of the request matches a word of an entity's description from this similarity.
_WORD_SCORE: Final = 80
# A wrong id is healed to an existing one this alike (0-100) ...
_HEAL_SCORE: Final = 80
# ... when no other entity comes within this many points of it.
_HEAL_MARGIN: Final = 8
# Below the healing score, entities this alike are still worth offering in a question.
_OPTION_SCORE: Final = 60
# Words that say nothing about which device is meant ("switch" and "set" can name one).
_STOP_WORDS: Final = frozenset(
    {"a", "an", "the", "my", "our", "your", "to", "of", "in", "on", "at", "and", "or", "is"}
    | {"are", "be", "it", "its", "me", "please", "can", "could", "would", "you", "i", "we"}
    | {"when", "then", "if", "for", "with", "turn", "make", "what", "whats", "how"}
)
_SLUG: Final = re.compile(r"[^a-z0-9]+")
SCHEMA_NAME: Final = "homeiq_request"
KINDS: Final = ("command", "automation", "question", "clarify", "unsupported")

ANSWER_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "actions", "automation", "entity_ids", "question", "message"],
    "properties": {
        "kind": {"type": "string", "enum": list(KINDS)},
        "actions": {
            "type": "array",
            "description": "kind command: the service calls, in order; [] otherwise",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["action", "entity_id", "data"],
                "properties": {
                    "action": {"type": "string", "description": "e.g. light.turn_on"},
                    "entity_id": {"type": "array", "items": {"type": "string"}},
                    "data": {
                        "type": "string",
                        "description": 'the service data as a JSON object, "{}" for none',
                    },
                },
            },
        },
        "automation": {
            "type": "string",
            "description": "kind automation: the automation config as a JSON object in Home "
            "Assistant's modern syntax (alias, description, triggers, conditions, actions, "
            'mode); "" otherwise',
        },
        "entity_ids": {
            "type": "array",
            "items": {"type": "string"},
            "description": "kind question: the entities asked about; kind clarify: the "
            "entities the user should choose from; [] otherwise",
        },
        "question": {
            "type": "string",
            "description": 'kind clarify: the one question to ask the user; "" otherwise',
        },
        "message": {
            "type": "string",
            "description": "kind unsupported: why; otherwise a short summary",
        },
    },
}

INSTRUCTIONS: Final = """\
You turn a request for a Home Assistant home into Home Assistant service calls (kind \
"command"), an automation config (kind "automation"), the entities a question about the \
home's state is about (kind "question"), one question back when the request is ambiguous \
(kind "clarify"), or "unsupported" when it is not about this home.
Rules:
- Use only entity ids from the list in the request; never invent one.
- Service calls use Home Assistant's action syntax: "light.turn_on" with entity ids of the \
same domain and data such as {"brightness_pct": 50}.
- Automations use the modern syntax: "triggers" (each with "trigger"), "conditions" (each \
with "condition") and "actions" (each with "action", "delay", ...), plus "alias".
- Never call shell_command, python_script, hassio, homeassistant.stop or \
homeassistant.restart, and never read or send secrets.
- When unsure which entity is meant, answer kind "clarify" with the candidates."""


@dataclass(frozen=True, slots=True)
class Prompt:
    """What the model is asked, and the catalog slice it was shown."""

    text: str
    entity_ids: tuple[str, ...]


def _slug(text: str) -> str:
    return _SLUG.sub("_", text.casefold()).strip("_")


def _descriptions(catalog: Catalog) -> dict[str, set[str]]:
    """Return each description word and the entities it describes: names, areas, kinds."""
    areas = {area.area_id: area for area in catalog.areas}
    floors = {floor.floor_id: floor for floor in catalog.floors}
    described: dict[str, set[str]] = defaultdict(set)
    for entity in catalog.entities:
        if entity.entity_category is not None:
            continue
        texts = [entity.name, *entity.aliases, entity.entity_id.partition(".")[2]]
        area = areas.get(catalog.entity_area(entity) or "")
        if area is not None:
            texts += [area.name, *area.aliases]
            floor = floors.get(area.floor_id or "")
            if floor is not None:
                texts += [floor.name, *floor.aliases]
        kind = {entity.domain, *ENGLISH.nouns_for(entity.domain, entity.device_class)}
        if entity.device_class:
            kind.add(entity.device_class)
        for word in {*kind, *(w for text in texts for w in words(text.replace("_", " ")))}:
            described[ENGLISH.singular(word)].add(entity.entity_id)
    return described


def catalog_slice(
    catalog: Catalog, text: str, chosen: Iterable[str] = (), limit: int = MAX_SLICE
) -> list[Entity]:
    """Return the entities a request may be about, best match first, at most `limit`."""
    described = _descriptions(catalog)
    vocabulary = list(described)
    scores: dict[str, float] = defaultdict(float)
    for word in dict.fromkeys(ENGLISH.singular(w) for w in words(text)):
        if word in _STOP_WORDS:
            continue
        for found, score, _index in process.extract(
            word, vocabulary, scorer=fuzz.ratio, score_cutoff=_WORD_SCORE, limit=None
        ):
            for entity_id in described[found]:
                scores[entity_id] += score / 100
    by_id = {entity.entity_id: entity for entity in catalog.entities}
    picked = [entity_id for entity_id in chosen if entity_id in by_id]
    ranked = sorted(scores, key=lambda entity_id: (-scores[entity_id], entity_id))
    ids = list(dict.fromkeys([*picked, *ranked]))[:limit]
    return [by_id[entity_id] for entity_id in ids]


def build_prompt(catalog: Catalog, text: str, area_id: str | None, chosen: Iterable[str]) -> Prompt:
    """Return the user message: the request and only the relevant part of the home."""
    chosen = list(chosen)
    entities = catalog_slice(catalog, text, chosen)
    areas = {area.area_id: area for area in catalog.areas}
    shown = dict.fromkeys(catalog.entity_area(entity) for entity in entities)
    lines = [f"Request: {text}"]
    if area_id in areas:
        lines.append(f"The request was made in area: {area_id}")
    if chosen:
        lines.append(f"The user already chose: {', '.join(chosen)}")
    lines.append("Areas (id: name):")
    lines += [f"- {a}: {areas[a].name}" for a in shown if a is not None and a in areas]
    lines.append("Entities (id | name | area | state):")
    for entity in entities:
        aliases = f" (also: {', '.join(entity.aliases)})" if entity.aliases else ""
        lines.append(
            f"- {entity.entity_id} | {entity.name}{aliases} | "
            f"{catalog.entity_area(entity) or '-'} | {entity.state or 'unknown'}"
        )
    if not entities:
        lines.append("- (none of this home's entities match the request)")
    return Prompt("\n".join(lines), tuple(entity.entity_id for entity in entities))


# -- checking the model's answer ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Question:
    """An entity id the model used that needs the user's choice."""

    wrong: str
    options: tuple[str, ...]


class _Healer:
    """Maps the model's entity ids to the home's: as is, healed, or a question."""

    def __init__(self, catalog: Catalog, chosen: frozenset[str]) -> None:
        self._catalog = catalog
        self._chosen = chosen
        self.entities = {entity.entity_id: entity for entity in catalog.entities}
        self.known = set(self.entities) | {"zone.home"}
        # Every id an entity goes by: its own, and its name and aliases spelled as ids,
        # since a model writes "light.kitchen_light" for the "Kitchen light".
        self._spellings: list[tuple[str, str]] = []
        for entity in catalog.entities:
            self._spellings.append((entity.entity_id, entity.entity_id))
            for name in (entity.name, *entity.aliases):
                if slug := _slug(name):
                    self._spellings.append((f"{entity.domain}.{slug}", entity.entity_id))
        self.questions: list[_Question] = []
        self.healed: dict[str, str] = {}

    def heal(self, entity_id: str) -> str | None:
        """Return the existing entity meant by an id, or None when the user must choose."""
        if entity_id in self.known:
            return entity_id
        if entity_id in self.healed:
            return self.healed[entity_id]
        ranked = self._ranked(entity_id)
        best = ranked[0][1] if ranked else 0.0
        close = [found for found, score in ranked if score >= best - _HEAL_MARGIN]
        if best >= _HEAL_SCORE and len(close) == 1:
            self.healed[entity_id] = close[0]
            return close[0]
        options = [found for found, score in ranked if score >= _OPTION_SCORE]
        if best >= _HEAL_SCORE:
            options = close
        if not options:
            # Nothing alike: offer the entities of the same kind, if the home has any.
            domain = entity_id.partition(".")[0]
            options = [e for e in self.entities if e.partition(".")[0] == domain]
        picked = [option for option in options if option in self._chosen]
        if len(picked) == 1:
            self.healed[entity_id] = picked[0]
            return picked[0]
        if not any(question.wrong == entity_id for question in self.questions):
            self.questions.append(_Question(entity_id, tuple(options[:MAX_OPTIONS])))
        return None

    def _ranked(self, wrong: str) -> list[tuple[str, float]]:
        """Return the entities like a wrong id, best first, one score per entity."""
        domain = wrong.partition(".")[0]
        # A model that says "light." means a light: other domains only if the home has none.
        same = [(text, eid) for text, eid in self._spellings if eid.partition(".")[0] == domain]
        spellings = same or self._spellings
        scores: dict[str, float] = {}
        for _text, score, index in process.extract(
            wrong, [text for text, _ in spellings], scorer=fuzz.ratio, limit=None
        ):
            entity_id = spellings[index][1]
            scores[entity_id] = max(scores.get(entity_id, 0.0), score)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    def label(self, entity_id: str) -> str:
        """Return an entity's name and area, as a question shows it."""
        entity = self.entities[entity_id]
        area_id = self._catalog.entity_area(entity)
        areas = {area.area_id: area.name for area in self._catalog.areas}
        return f"{entity.name} ({areas[area_id]})" if area_id in areas else entity.name


def _answer(
    status: str,
    kind: str | None,
    *,
    actions: list[dict[str, Any]] | None = None,
    automation: dict[str, Any] | None = None,
    clarifications: list[dict[str, Any]] | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    return {
        "status": status,
        "kind": kind,
        "actions": actions or [],
        "automation": automation,
        "clarifications": clarifications or [],
        "suggestions": [],
        "message": message,
    }


def _unsupported(message: str) -> dict[str, Any]:
    return _answer("unsupported", None, message=message)


def _ask(healer: _Healer, kind: str | None) -> dict[str, Any]:
    """Return the questions about entity ids that could not be healed alone."""
    clarifications = []
    for index, question in enumerate(healer.questions):
        clarifications.append(
            {
                "id": "entity" if index == 0 else f"entity_{index + 1}",
                "question": f"Which device do you mean by {question.wrong}?",
                "options": [
                    {"value": option, "label": healer.label(option)} for option in question.options
                ],
            }
        )
    if any(not item["options"] for item in clarifications):
        missing = ", ".join(q.wrong for q in healer.questions if not q.options)
        return _unsupported(f"The language model named devices this home does not have: {missing}")
    return _answer("needs_clarification", kind, clarifications=clarifications)


def _checked_shape(answer: Mapping[str, Any]) -> None:
    """Raise when the model's answer does not follow the schema (not every server enforces it)."""
    ok = (
        answer.get("kind") in KINDS
        and isinstance(answer.get("actions", []), list)
        and all(isinstance(item, Mapping) for item in answer.get("actions", []))
        and isinstance(answer.get("automation", ""), (str, Mapping))
        and isinstance(answer.get("entity_ids", []), list)
        and all(isinstance(item, str) for item in answer.get("entity_ids", []))
        and isinstance(answer.get("question", ""), str)
        and isinstance(answer.get("message", ""), str)
    )
    if not ok:
        raise LLMUnavailableError("The language model's answer did not follow the schema")


def _json_object(value: Any) -> dict[str, Any] | None:
    """Return a JSON object given as text (or already as one), or None."""
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str) or not value.strip():
        return {} if value in ("", None) else None
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _issues_text(issues: Iterable[ValidationIssue]) -> str:
    return "; ".join(f"{found.path}: {found.message}" for found in issues)


def interpret(
    answer: Mapping[str, Any],
    catalog: Catalog,
    text: str,
    chosen: frozenset[str],
    state_of: StateOf | None = None,
) -> dict[str, Any]:
    """Return the engine's answer for the model's, after resolution, validation and safety.

    A question is answered from `state_of` (the home's live states), else the catalog's.
    """
    _checked_shape(answer)
    kind = answer["kind"]
    healer = _Healer(catalog, chosen)
    if kind == "unsupported":
        reason = answer.get("message") or "it is not a request for this home"
        return _unsupported(f"The language model could not help either: {reason}")
    if kind in ("question", "clarify"):
        return _entities_answer(healer, kind, answer, state_of)
    if kind == "command":
        return _command(healer, answer.get("actions", []), catalog)
    return _automation(healer, answer.get("automation"), catalog, text)


def _entities_answer(
    healer: _Healer, kind: str, answer: Mapping[str, Any], state_of: StateOf | None
) -> dict[str, Any]:
    """Return the model's question back, or the states a question about the home asks for."""
    healed = [healer.heal(entity_id) for entity_id in answer.get("entity_ids", [])]
    found = list(dict.fromkeys(entity_id for entity_id in healed if entity_id is not None))
    if kind == "clarify":
        options = [entity_id for entity_id in found if entity_id in healer.entities]
        for question in healer.questions:
            options += [o for o in question.options if o not in options]
        if not options:
            return _unsupported("The language model asked about devices this home does not have.")
        question_text = answer.get("question") or "Which device do you mean?"
        item = {
            "id": "entity",
            "question": question_text,
            "options": [{"value": o, "label": healer.label(o)} for o in options[:MAX_OPTIONS]],
        }
        return _answer("needs_clarification", None, clarifications=[item])
    if healer.questions:
        return _ask(healer, "question")
    if not found:
        return _unsupported("The language model did not say which device the question is about.")
    # The states come from the catalog, not the model: it may not invent one.
    parts = []
    for entity_id in found:
        entity = healer.entities.get(entity_id)
        if entity is not None:
            unit = f" {entity.unit_of_measurement}" if entity.unit_of_measurement else ""
            live = state_of(entity_id) if state_of is not None else (entity.state, None)
            state = live[0] if live is not None else None
            parts.append(f"{healer.label(entity_id)} is {state or 'unknown'}{unit}.")
    return _answer("ready", "question", message=" ".join(parts))


def _command(healer: _Healer, items: list[Mapping[str, Any]], catalog: Catalog) -> dict[str, Any]:
    """Return the model's service calls, resolved and checked like an automation's actions."""
    actions: list[dict[str, Any]] = []
    for item in items:
        data = _json_object(item.get("data"))
        ids = item.get("entity_id", [])
        if data is None or not isinstance(item.get("action"), str) or not isinstance(ids, list):
            return _unsupported("The language model's service call was malformed.")
        resolved = [healer.heal(str(entity_id)) for entity_id in ids]
        action: dict[str, Any] = {"action": item["action"]}
        targets = list(dict.fromkeys(e for e in resolved if e is not None))
        if targets:
            action["target"] = {"entity_id": targets}
        action["data"] = data
        actions.append(action)
    if healer.questions:
        return _ask(healer, "command")
    if not actions:
        return _unsupported("The language model made no service call.")
    # The same structure and safety checks as an automation's actions; the trigger is a
    # stand-in that is always valid, so every finding is about the calls.
    check = {
        "alias": "command",
        "triggers": [{"trigger": "time", "at": "00:00:00"}],
        "actions": actions,
    }
    result = validate_automation(check, catalog)
    if result.errors:
        return _unsupported(
            "The language model's answer was refused: " + _issues_text(result.errors)
        )
    return _answer("ready", "command", actions=actions, message=_healed_note(healer))


def _automation(healer: _Healer, raw: Any, catalog: Catalog, text: str) -> dict[str, Any]:
    """Return the model's automation, its entity ids resolved, if it passes validation."""
    config = _json_object(raw)
    if not config:
        return _unsupported("The language model's automation was not a JSON object.")
    config = copy.deepcopy(config)
    if not isinstance(config.get("alias"), str) or not config["alias"].strip():
        config["alias"] = text[:100]
    for node in list(walk(config)):
        for entity_id, path in list(referenced_entities(node)):
            healed = healer.heal(entity_id)
            if healed is not None and healed != entity_id:
                _replace(config, path, healed)
    if healer.questions:
        return _ask(healer, "automation")
    result = validate_automation(config, catalog)
    if not result.valid:
        return _unsupported(
            "The language model's automation did not pass validation: "
            + _issues_text(result.errors)
        )
    notes = [_healed_note(healer)]
    if result.requires_confirmation:
        notes.append("Deploying it needs confirm: true: " + _issues_text(result.warnings))
    message = " ".join(note for note in notes if note) or None
    return _answer("ready", "automation", automation=config, message=message)


def _healed_note(healer: _Healer) -> str | None:
    """Return which unknown ids were taken to mean which entities, for the user to see."""
    if not healer.healed:
        return None
    pairs = ", ".join(f"{wrong} -> {right}" for wrong, right in healer.healed.items())
    return f"Unknown entity ids were matched to this home's: {pairs}."


def _replace(config: dict[str, Any], path: tuple[str | int, ...], value: str) -> None:
    """Set the entity id at a path of `referenced_entities` (a field or an item of a list)."""
    holder: Any = config
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value
