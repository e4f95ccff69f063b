"""Commands from plain sentences: Home Assistant's intents, mapped to the service calls it makes."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from hassil.expression import TextChunk
from hassil.intents import SlotList, TextSlotList
from hassil.models import MatchEntity
from hassil.recognize import RecognizeResult

from engine.home.catalog import Area, Catalog, Entity
from engine.query.fitting import IntentFitting
from engine.query.intents import (
    MAX_UNMATCHED_WORDS,
    Grammar,
    Unmatched,
    language_variant,
    load_grammar,
    recognize,
    recognize_unmatched,
)
from engine.query.messages import messages
from engine.query.questions import (
    EVERY_RESPONSES,
    GET_STATE,
    GET_TEMPERATURE,
    GET_WEATHER,
    QUESTION_DOMAINS,
    QUESTIONS,
    Answers,
    Asked,
    StateOf,
    StateWords,
)
from engine.query.request import QueryRequest
from engine.query.resolve import (
    Ask,
    Refuse,
    Resolution,
    Resolved,
    Resolver,
    Target,
    settle,
)
from engine.query.slots import (
    NO_AREA,
    VOCABULARIES,
    HomeIndex,
    SlotRef,
    Vocabulary,
    spoken_words,
    words,
)

type Status = Literal["ready", "needs_clarification", "unsupported"]
type Kind = Literal["command", "question"]


@dataclass(frozen=True)
class Clarification:
    """A question whose answer settles what a request means; options are value and label."""

    id: str
    question: str
    options: list[dict[str, str]]


@dataclass(frozen=True)
class CommandResult:
    """What a sentence resolves to: service calls or an answer, or questions, or why not."""

    status: Status
    actions: list[dict[str, Any]]
    clarifications: list[Clarification] = field(default_factory=list)
    message: str | None = None
    # A question about the home is answered (message and answer), never acted on.
    kind: Kind = "command"
    answer: dict[str, Any] | None = None
    # The question answered, to answer it again from newer states (a cached parse).
    asked: Asked | None = None


# What Home Assistant's on/off intents call per domain (its OnOffIntentHandler): covers and
# valves open and close, locks lock ("on") and unlock; everything else turns on and off.
_ON_OFF: Final[dict[str, tuple[str, str | None]]] = {
    "automation": ("turn_on", "turn_off"),
    "button": ("press", None),
    "climate": ("turn_on", "turn_off"),
    "cover": ("open_cover", "close_cover"),
    "fan": ("turn_on", "turn_off"),
    "humidifier": ("turn_on", "turn_off"),
    "input_boolean": ("turn_on", "turn_off"),
    "input_button": ("press", None),
    "lawn_mower": ("start_mowing", "dock"),
    "light": ("turn_on", "turn_off"),
    "lock": ("lock", "unlock"),
    "media_player": ("turn_on", "turn_off"),
    "remote": ("turn_on", "turn_off"),
    "scene": ("turn_on", None),
    "script": ("turn_on", "turn_off"),
    "siren": ("turn_on", "turn_off"),
    "switch": ("turn_on", "turn_off"),
    # StateVacuumEntity has no turn_on/turn_off (deprecated in 2025.4): start and dock,
    # which is what those services did on the old vacuum entity.
    "vacuum": ("start", "return_to_base"),
    "valve": ("open_valve", "close_valve"),
    "water_heater": ("turn_on", "turn_off"),
}

# Domains a sentence can act on; the name slot list holds only their entities.
COMMAND_DOMAINS: Final = frozenset(_ON_OFF) | {"todo"}
# The most commands one request is read as: each part is matched in several readings, so
# a longer run ("turn on A and B and C and ...", 1,000 characters of it) would cost
# seconds; no one asks for more at once, and the work stays bounded whatever the length.
MAX_PARTS: Final = 8

# Supported-feature bits Home Assistant's handlers require (its *EntityFeature enums).
_PAUSE: Final = 1
_VOLUME_SET: Final = 4
_VOLUME_MUTE: Final = 8
_VACUUM_PAUSE: Final = 4
_FAN_MODE: Final = 8
_PREVIOUS_TRACK: Final = 16
_NEXT_TRACK: Final = 32
_TARGET_TEMPERATURE: Final = 1


def _no_data(_slots: Mapping[str, Any]) -> dict[str, Any]:
    return {}


def _light_data(slots: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if "brightness" in slots:
        data["brightness_pct"] = int(slots["brightness"])
    if "color" in slots:
        # light.turn_on takes the colour name; Home Assistant converts it the same way.
        data["color_name"] = str(slots["color"])
    if "temperature" in slots:
        data["color_temp_kelvin"] = int(slots["temperature"])
    return data


@dataclass(frozen=True, slots=True)
class _Handler:
    """How Home Assistant handles an intent: which entities it takes and the call it makes."""

    services: Mapping[str, str]  # domain -> service; only these domains are targets
    data: Callable[[Mapping[str, Any]], dict[str, Any]] = _no_data
    features: int = 0
    states: frozenset[str] | None = None
    single: bool = False


def _item(slots: Mapping[str, Any]) -> dict[str, Any]:
    return {"item": str(slots["item"]).strip()}


# A to-do list's items, in any list or in the shopping list (which the target settles).
_ADD_ITEM: Final = _Handler({"todo": "add_item"}, _item, single=True)
_COMPLETE_ITEM: Final = _Handler(
    {"todo": "update_item"}, lambda slots: {**_item(slots), "status": "completed"}, single=True
)
_PLAYING: Final = frozenset({"playing"})
_HANDLERS: Final[dict[str, _Handler]] = {
    "HassTurnOn": _Handler({d: on for d, (on, _off) in _ON_OFF.items()}),
    "HassTurnOff": _Handler({d: off for d, (_on, off) in _ON_OFF.items() if off}),
    "HassLightSet": _Handler({"light": "turn_on"}, _light_data),
    "HassClimateSetTemperature": _Handler(
        {"climate": "set_temperature"},
        lambda slots: {"temperature": float(slots["temperature"])},
        features=_TARGET_TEMPERATURE,
        single=True,
    ),
    "HassSetPosition": _Handler(
        {"cover": "set_cover_position", "valve": "set_valve_position"},
        lambda slots: {"position": int(slots["position"])},
    ),
    "HassMediaPause": _Handler({"media_player": "media_pause"}, features=_PAUSE, states=_PLAYING),
    "HassMediaUnpause": _Handler({"media_player": "media_play"}, states=frozenset({"paused"})),
    "HassMediaNext": _Handler(
        {"media_player": "media_next_track"}, features=_NEXT_TRACK, states=_PLAYING
    ),
    "HassMediaPrevious": _Handler(
        {"media_player": "media_previous_track"}, features=_PREVIOUS_TRACK, states=_PLAYING
    ),
    "HassSetVolume": _Handler(
        {"media_player": "volume_set"},
        lambda slots: {"volume_level": int(slots["volume_level"]) / 100},
        features=_VOLUME_SET,
        states=_PLAYING,
    ),
    "HassMediaPlayerMute": _Handler(
        {"media_player": "volume_mute"},
        lambda _slots: {"is_volume_muted": True},
        features=_VOLUME_MUTE,
    ),
    "HassMediaPlayerUnmute": _Handler(
        {"media_player": "volume_mute"},
        lambda _slots: {"is_volume_muted": False},
        features=_VOLUME_MUTE,
    ),
    # "Turn the volume up": one step, as the player's own volume buttons do.
    "HassSetVolumeRelative": _Handler({"media_player": "volume_up"}),
    "HassVacuumStart": _Handler({"vacuum": "start"}),
    # Not in Home Assistant's grammar; HomeIQ's own sentences (sentences.py) add it.
    "HomeIQVacuumPause": _Handler({"vacuum": "pause"}, features=_VACUUM_PAUSE),
    "HassLawnMowerStartMowing": _Handler({"lawn_mower": "start_mowing"}),
    "HassLawnMowerDock": _Handler({"lawn_mower": "dock"}),
    "HassClimateSetFanMode": _Handler(
        {"climate": "set_fan_mode"},
        lambda slots: {"fan_mode": str(slots["fan_mode"])},
        features=_FAN_MODE,
    ),
    "HassVacuumReturnToBase": _Handler({"vacuum": "return_to_base"}),
    # "Clean the kitchen": the vacuum of that area starts, as "start the vacuum in the
    # kitchen" does (Home Assistant 2025.4 has no per-area cleaning service to call).
    "HassVacuumCleanArea": _Handler({"vacuum": "start"}),
    "HassFanSetSpeed": _Handler(
        {"fan": "set_percentage"}, lambda slots: {"percentage": int(slots["percentage"])}
    ),
    "HassListAddItem": _ADD_ITEM,
    "HassListCompleteItem": _COMPLETE_ITEM,
    "HassListRemoveItem": _Handler({"todo": "remove_item"}, _item, single=True),
    "HassShoppingListAddItem": _ADD_ITEM,
    "HassShoppingListCompleteItem": _COMPLETE_ITEM,
}
_ON_OFF_INTENTS: Final = frozenset({"HassTurnOn", "HassTurnOff"})
_SHOPPING_LIST_INTENTS: Final = frozenset(
    {"HassShoppingListAddItem", "HassShoppingListCompleteItem"}
)
_VOLUME_STEPS: Final = {
    "up": _Handler({"media_player": "volume_up"}),
    "down": _Handler({"media_player": "volume_down"}),
}


def _relative_volume(step: Any) -> _Handler | None:
    """Return the call for "volume up/down"; a step by an amount has no service to call."""
    return _VOLUME_STEPS.get(step) if isinstance(step, str) else None


# Words of a device's name at most, when no word says what kind of device it is.
_NAME_WORDS: Final = 3
# Home Assistant's shopping list integration keeps its items in this to-do list.
_SHOPPING_LIST: Final = "todo.shopping_list"


def _subset(grammar: Grammar, keep: Callable[[str], bool]) -> Grammar:
    """Return a grammar with only the intents kept."""
    intents = grammar.intents
    kept = {name: intent for name, intent in intents.intents.items() if keep(name)}
    return Grammar(grammar.language, dataclasses.replace(intents, intents=kept))


def _slot_values(result: RecognizeResult) -> dict[str, Any]:
    return {name: entity.value for name, entity in result.entities.items()}


def _as_set(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(item) for item in value)


def _intersect(*sets: frozenset[str] | None) -> frozenset[str] | None:
    known = [item for item in sets if item is not None]
    if not known:
        return None
    result = known[0]
    for item in known[1:]:
        result &= item
    return result


def _ref(value: Any) -> SlotRef | None:
    return value if isinstance(value, SlotRef) else None


@dataclass(slots=True)
class _Reading:
    """One parse of one request: the request, and the matches found so far (its own)."""

    request: QueryRequest
    # The parts of a longer sentence are tried in several readings that repeat.
    recognized: dict[tuple[str, str | None], RecognizeResult | None] = field(default_factory=dict)


class CommandParser:
    """Turns sentences into Home Assistant service calls, or answers, for one home's catalog."""

    def __init__(
        self, catalog: Catalog, language: str = "en", *, state_of: StateOf | None = None
    ) -> None:
        # Questions read states through `state_of` (the home's live states); without
        # it, from the catalog.
        self._state_of = state_of
        # Loading and compiling the grammar takes a while; it happens here, once per
        # language per process, so that requests only match.
        self._grammar: Grammar = load_grammar(language)
        # Only the intents a sentence can be answered by: a sentence no whole match
        # explains is searched again (near names, parts, unknown words) in these alone,
        # which keeps a refusal about as fast as an answer.
        self._acting = _subset(self._grammar, lambda name: name in _HANDLERS or name in QUESTIONS)
        vocabulary = VOCABULARIES.get(self._grammar.language, Vocabulary())
        self._vocabulary = vocabulary
        self._home = HomeIndex(catalog, COMMAND_DOMAINS | QUESTION_DOMAINS, vocabulary)
        self._skip_words = list(self._grammar.intents.skip_words)
        # Each search only in the templates whose words can explain the sentence. Only for
        # the languages HomeIQ has words for (slots.VOCABULARIES), whose sentences split
        # into the words their templates and names have; in others a name may carry an
        # ending or a prefix ("Quibblefluxnak"), and every intent is searched.
        self._fitting = IntentFitting(
            self._grammar,
            self._home.words,
            self._skip_words,
            checked=self._grammar.language in VOCABULARIES,
        )
        self._say = messages(self._grammar.language)
        self._resolver = Resolver(self._home, self._say)
        self._answers = Answers(self._grammar.intents)

    @property
    def language(self) -> str:
        """Return the intents language in use (e.g. "en" for "en-US")."""
        return self._grammar.language

    @property
    def state_words(self) -> StateWords:
        """Return the words its grammar says each state with (what answers are made of)."""
        return self._answers.words

    def parse(
        self, text: str, *, area_id: str | None = None, chosen: frozenset[str] = frozenset()
    ) -> CommandResult | None:
        """Return what `read` does for text as typed, said in an area, with options picked."""
        return self.read(QueryRequest.of(text, self.language, area_id, chosen))

    def read(self, request: QueryRequest) -> CommandResult | None:
        """Return the calls a sentence makes, an answer, a question, or None if it is neither.

        The request's area_id is the area of the device it was spoken to (a satellite):
        like Home Assistant, "turn off the lights" then means that area's lights. Its
        `chosen` holds option values the user picked for earlier questions (a refine): a
        question whose options include one is settled with it instead of being asked again.
        """
        reading = _Reading(request)
        text = request.said
        if not text:
            return None
        area_id = request.area_id
        context_area = area_id if area_id in self._home.areas else None
        match = self._recognize(reading, text, context_area, whole=True)
        if match is not None:
            return self._handle(reading, match, text, context_area)
        for parts, lenient in self._splits(text):
            results: list[CommandResult] = []
            for part in parts:
                # One part that is no command makes the whole reading none: stop there.
                if (result := self._parse_part(reading, part, context_area, lenient)) is None:
                    break
                results.append(result)
            else:
                return _combine(results)
        return self._ask_unmatched(reading, text, context_area)

    def _parse_part(
        self, reading: _Reading, variants: list[str], context_area: str | None, lenient: bool
    ) -> CommandResult | None:
        """Return one command of a longer sentence: its first ready variant, else the first."""
        first: CommandResult | None = None
        for variant in variants:
            match = self._recognize(reading, variant, context_area)
            # Part of a longer sentence is a command or nothing: questions are asked whole.
            result = (
                self._handle(reading, match, variant, context_area, questions=False)
                if match is not None
                else None
            )
            if result is None and lenient:
                result = self._ask_unmatched(reading, variant, context_area, questions=False)
            if result is not None and result.status == "ready":
                return result
            first = first or result
        return first

    def _splits(self, text: str) -> Iterator[tuple[list[list[str]], bool]]:
        """Yield ways to read a sentence as several commands, and whether parts may be asked about.

        "Turn on the kitchen light, then turn off the hall light" is two full commands. In
        "turn on the kitchen and the hall lights" a part borrows the verb or the noun of the
        others, so each part is tried as said, then with what it may borrow.
        """
        vocabulary = self._vocabulary
        spoken = text.split()
        folded = [word.strip(",;").casefold() for word in spoken]
        cuts = [i for i, word in enumerate(folded) if word in vocabulary.then]
        parts = _cut(spoken, folded, cuts, vocabulary.conjunctions) if cuts else []
        if 1 < len(parts) <= MAX_PARTS:
            yield [[part] for part in parts], True
        cuts = [i for i, word in enumerate(folded) if word in vocabulary.conjunctions]
        if not cuts or not 1 < len(parts := _cut(spoken, folded, cuts, frozenset())) <= MAX_PARTS:
            return
        first = parts[0].split()
        has_particle = len(first) > 1 and first[1].casefold() in vocabulary.particles
        verb = first[:2] if has_particle else first[:1]
        last = parts[-1].split()[-1]
        nouns = frozenset().union(*vocabulary.nouns.values())
        tail = [last] if vocabulary.singular(last.casefold()) in nouns else []
        variants: list[list[str]] = []
        for index, part in enumerate(parts):
            own = part.split()
            head = [] if index == 0 else verb
            end = [] if index == len(parts) - 1 else tail
            # A later part reads with the borrowed verb first: bare, "bedroom lights" is
            # itself a sentence (Home Assistant turns a named light on) whatever the verb.
            options = (
                [own, [*own, *end]]
                if index == 0
                else [[*head, *own], [*head, *own, *end], own, [*own, *end]]
            )
            variants.append(list(dict.fromkeys(" ".join(option) for option in options)))
        yield variants, False

    def _context(self, context_area: str | None) -> dict[str, Any]:
        """Return hassil's intent context: the area of the device spoken to, if any."""
        if context_area is None:
            return {"area": {"value": NO_AREA, "text": ""}}
        area = self._home.areas[context_area]
        ref = SlotRef(text=area.name, ids=(context_area,), from_context=True)
        return {"area": {"value": ref, "text": area.name}}

    def _slot_lists(self, text: str) -> dict[str, TextSlotList]:
        return {
            "area": self._home.area_list(text),
            "floor": self._home.floor_list(text),
            "name": self._home.name_list(text),
        }

    def _recognize(
        self, reading: _Reading, text: str, context_area: str | None, *, whole: bool = False
    ) -> RecognizeResult | None:
        """Return Home Assistant's strict match, then one allowing near names (plurals, typos).

        A whole sentence is matched strictly against the whole grammar (a timer is
        recognised, then left alone); the rest only against the intents answered here.
        """
        key = (text, context_area)
        if key not in reading.recognized:
            reading.recognized[key] = self._recognize_now(text, context_area, whole=whole)
        return reading.recognized[key]

    def _recognize_now(
        self, text: str, context_area: str | None, *, whole: bool
    ) -> RecognizeResult | None:
        context = self._context(context_area)
        lists = self._slot_lists(text)
        # A word no template, list or name has can only be taken by a slot that takes any
        # words: then only those templates are searched (after the whole grammar's first).
        grammar = self._fitting.fitting(
            self._grammar if whole else self._acting, text, empty=_empty(lists)
        )
        match = recognize(grammar, text, {**lists}, context)
        if match is not None:
            return match
        near = self._home.near_lists(text, self._skip_words)
        if not any(near.values()):
            return None
        widened: dict[str, SlotList] = {
            slot: TextSlotList(name=slot, values=[*lists[slot].values, *values])
            for slot, values in near.items()
        }
        nearly = {
            word
            for values in near.values()
            for value in values
            if isinstance(value.text_in, TextChunk)
            for word in spoken_words(value.text_in.text)
        }
        fitting = self._fitting.fitting(self._acting, text, nearly=nearly, empty=_empty(widened))
        return recognize(fitting, text, widened, context)

    def _target(self, match: RecognizeResult, text: str, domains: frozenset[str] | None) -> Target:
        """Return the constraints a recognised sentence puts on its target (of these domains)."""
        slots = match.entities
        name = _ref(slots["name"].value) if "name" in slots else None
        area = _ref(slots["area"].value) if "area" in slots else None
        floor = _ref(slots["floor"].value) if "floor" in slots else None
        domains = _intersect(domains, _as_set(slots["domain"].value) if "domain" in slots else None)
        device_classes = _as_set(slots["device_class"].value) if "device_class" in slots else None
        every = (match.response or "").endswith("_all") or bool(
            set(words(text)) & self._vocabulary.every
        )
        return Target(
            name=name,
            area=area,
            floor=floor,
            domains=domains,
            device_classes=device_classes,
            every=every,
        )

    def _handle(
        self,
        reading: _Reading,
        match: RecognizeResult,
        text: str,
        context_area: str | None,
        *,
        questions: bool = True,
    ) -> CommandResult | None:
        """Return the calls Home Assistant would make for a recognised sentence, or its answer."""
        if match.intent.name in QUESTIONS:
            return self._question(reading, match, text, context_area) if questions else None
        handler = _HANDLERS.get(match.intent.name)
        if handler is None:
            # A timer, a date: recognised, but nothing this home's devices do or tell.
            return None
        target = replace(
            self._target(match, text, frozenset(handler.services)),
            features=handler.features,
            states=handler.states,
            single=handler.single,
        )
        if match.intent.name == "HassSetVolumeRelative":
            handler = _relative_volume(match.entities["volume_step"].value)
            if handler is None:
                return CommandResult("unsupported", [], [], self._say.say("volume_step"))
        if match.intent.name in _SHOPPING_LIST_INTENTS:
            target = self._shopping_list(target)
        if self._here_unknown(target, text):
            here = self._here(reading, target)
            if isinstance(here, CommandResult):
                return here
            target = here
        resolution = self._settled(reading, target, context_area)
        if not isinstance(resolution, Resolved):
            return _unresolved(resolution)
        return CommandResult("ready", self._actions(resolution, handler, _slot_values(match)))

    def _here(self, reading: _Reading, target: Target) -> Target | CommandResult:
        """Return the target in the room picked for "here", or the question which room.

        "Turn off the lights in here" from nowhere in particular: which room is the
        user's to say; all of the home's would be more than was asked.
        """
        where = self._resolver.ask_area(target)
        if isinstance(where, Refuse):
            return CommandResult("unsupported", [], [], where.message)
        picked = settle(where, reading.request.chosen)
        if not picked:
            return _asked(where)
        area = self._home.areas[picked[0]]
        return replace(target, area=SlotRef(area.name, (area.area_id,)))

    def _here_unknown(self, target: Target, text: str) -> bool:
        """Return whether the sentence says "here" where no area of the device is known."""
        area = target.area
        unplaced = area is None or (area.from_context and not area.ids)
        return unplaced and target.name is None and bool(set(words(text)) & self._vocabulary.here)

    def _settled(self, reading: _Reading, target: Target, context_area: str | None) -> Resolution:
        """Return what a target resolves to, with the user's earlier picks (a refine) applied."""
        resolution = self._resolver.resolve(target, context_area)
        chosen = reading.request.chosen
        if isinstance(resolution, Ask) and (picked := settle(resolution, chosen)):
            # An area picked re-resolves there; entities picked are the target.
            resolution = (
                Resolved(picked)
                if resolution.kind == "entity"
                else self._resolver.resolve(target, picked[0])
            )
            if isinstance(resolution, Ask) and (
                picked := settle(resolution, reading.request.chosen)
            ):
                resolution = Resolved(picked)
        return resolution

    def _question(
        self, reading: _Reading, match: RecognizeResult, text: str, context_area: str | None
    ) -> CommandResult:
        """Return the answer to a question about the home, from the entities' current states."""
        intent = match.intent.name
        response = match.response or ""
        target = self._target(match, text, QUESTIONS[intent].domains)
        # One reading (a temperature, the weather, where someone is) is asked about one entity.
        single = intent in (GET_TEMPERATURE, GET_WEATHER) or response == "where"
        every = not single and (
            target.every or response in EVERY_RESPONSES or self._plural(target.name)
        )
        target = replace(target, single=single, every=every, read_only=True)
        resolution = self._settled(reading, target, context_area)
        if intent == GET_TEMPERATURE and isinstance(resolution, Refuse):
            # Home Assistant reads thermostats only; most rooms that have none have a
            # temperature sensor, which answers the question as well.
            sensors = replace(
                target, domains=frozenset({"sensor"}), device_classes=frozenset({"temperature"})
            )
            if not isinstance(found := self._settled(reading, sensors, context_area), Refuse):
                resolution = found
        if isinstance(resolution, Refuse):
            return CommandResult("unsupported", [], [], resolution.message, kind="question")
        if isinstance(resolution, Ask):
            return _asked(resolution, kind="question")
        return self._answered_question(match, resolution.entity_ids)

    def _answered_question(
        self, match: RecognizeResult, entity_ids: tuple[str, ...]
    ) -> CommandResult:
        """Return a question's answer about the given entities."""
        state = match.entities.get("state")
        # Fixed slots ("is there motion": state on) have no words of their own.
        said = state.text.strip() if state is not None and state.text.strip() else None
        return self.answer(
            Asked(
                match.intent.name,
                entity_ids,
                match.response or "one",
                None if state is None else str(state.value),
                said,
            )
        )

    def answer(self, asked: Asked) -> CommandResult:
        """Return a parsed question's answer, from the entities' states now."""
        entities = [self._now(self._home.entities[entity_id]) for entity_id in asked.entity_ids]
        answer = self._answers.answer(asked, entities)
        return CommandResult(
            "ready", [], [], answer.message, kind="question", answer=answer.fields, asked=asked
        )

    def _now(self, entity: Entity) -> Entity:
        """Return the entity with its current state and attributes."""
        if self._state_of is None:
            return entity
        state, attributes = self._state_of(entity.entity_id) or (None, None)
        return replace(entity, state=state, attributes=attributes)

    def _plural(self, name: SlotRef | None) -> bool:
        """Return whether a name of a kind of device is plural ("the blinds": all of them)."""
        if name is None or name.exact:
            return False
        spoken = words(name.text)
        return bool(spoken) and self._vocabulary.singular(spoken[-1]) != spoken[-1]

    def _shopping_list(self, target: Target) -> Target:
        """Return the target for "add milk to the shopping list": the list of that name, if any."""
        lists = [e for e in self._home.entities.values() if e.domain == "todo"]
        for entity in lists:
            if entity.entity_id == _SHOPPING_LIST or words(entity.name) == ["shopping", "list"]:
                return Target(
                    name=SlotRef(entity.name, (entity.entity_id,)), domains=target.domains
                )
        # No shopping list: which of the home's lists is meant is the user's call.
        return Target(domains=target.domains, single=True)

    def _actions(
        self, resolution: Resolved, handler: _Handler, slots: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """Return one action per service, with the resolved entity ids."""
        data = handler.data(slots)
        by_service: dict[str, list[str]] = {}
        for entity_id in resolution.entity_ids:
            domain = entity_id.partition(".")[0]
            by_service.setdefault(f"{domain}.{handler.services[domain]}", []).append(entity_id)
        return [
            {"action": action, "target": {"entity_id": sorted(ids)}, "data": dict(data)}
            for action, ids in by_service.items()
        ]

    def _ask_unmatched(
        self, reading: _Reading, text: str, context_area: str | None, *, questions: bool = True
    ) -> CommandResult | None:
        """Return a question when a template fits but a name or area is unknown."""
        unmatched = self._unmatched(text, context_area)
        if unmatched is None:
            return None
        if unmatched.result.intent.name in QUESTIONS:
            return self._ask_unmatched_question(reading, unmatched, text) if questions else None
        return self._ask_unmatched_command(reading, unmatched, text)

    def _ask_unmatched_command(
        self, reading: _Reading, unmatched: Unmatched, text: str
    ) -> CommandResult | None:
        """Return a question when a command template fits but a name or area is unknown."""
        handler = _HANDLERS.get(unmatched.result.intent.name)
        if handler is None:
            return None
        match = unmatched.result
        slot_domain = match.entities["domain"].value if "domain" in match.entities else None
        required = match.intent_data.requires_context.get("domain")
        context_domains = _intersect(_as_set(slot_domain), _as_set(required))
        if context_domains is not None and context_domains <= {"scene", "script"}:
            # Scenes and scripts have free names: any unknown words would fit.
            return None
        domains = _intersect(frozenset(handler.services), context_domains)
        # "Turn on <unknown words>" could mean any kind of device; other intents say which.
        constrained = context_domains is not None or match.intent.name not in _ON_OFF_INTENTS
        if unmatched.slot == "name" and (named := self._home.named(unmatched.text)):
            # A device of another kind: "open the front door" when the front door is a lock.
            return CommandResult(
                "unsupported",
                [],
                [],
                self._say.say("cannot", name=self._home.entities[named[0]].name),
            )
        said = self._kinds_said(unmatched.text)
        if constrained and said and domains is not None and not said & domains:
            # "Open the blinds halfway" fits a valve template; the words say it is no valve.
            return None
        device_class = match.entities.get("device_class")
        what = self._say.noun(domains, _as_set(device_class.value) if device_class else None)
        asked = self._resolver.suggest(
            unmatched.text,
            unmatched.slot,
            domains if constrained else None,
            what,
            within=COMMAND_DOMAINS,
        )
        if isinstance(asked, Refuse):
            return CommandResult("unsupported", [], [], asked.message)
        return self._answered(reading, asked, handler, match, text) if asked else None

    def _ask_unmatched_question(
        self, reading: _Reading, unmatched: Unmatched, text: str
    ) -> CommandResult | None:
        """Return what a question about an unknown device or area gets: options, or why not."""
        match = unmatched.result
        slot_domain = match.entities["domain"].value if "domain" in match.entities else None
        required = match.intent_data.requires_context.get("domain")
        # Else the words of the unknown name may say ("the patio door": a lock or a cover).
        domains = _intersect(
            QUESTIONS[match.intent.name].domains, _as_set(slot_domain), _as_set(required)
        ) or (self._kinds_said(unmatched.text) or None)
        if unmatched.slot == "name" and (named := self._home.named(unmatched.text)):
            # A device of another kind ("is the front door open" when it is a lock): what
            # it reports answers the question.
            return self.answer(Asked(GET_STATE, tuple(named[:1])))
        device_class = match.entities.get("device_class")
        what = self._say.noun(domains, _as_set(device_class.value) if device_class else None)
        asked = self._resolver.suggest(unmatched.text, unmatched.slot, domains, what)
        if isinstance(asked, Refuse):
            return CommandResult("unsupported", [], [], asked.message, kind="question")
        if asked is None and (
            domains is None
            or (not self._kinds_said(unmatched.text) and len(words(unmatched.text)) > _NAME_WORDS)
        ):
            # Nothing alike, and no word for a kind of device: "tell me a joke about
            # penguins" is no question about the home, though "tell me <name>" asks one.
            return None
        if asked is None:
            place = unmatched.slot in ("area", "floor")
            kind = unmatched.slot if place else what
            return CommandResult(
                "unsupported",
                [],
                [],
                self._say.say("none_called", kind=kind, spoken=unmatched.text),
                kind="question",
            )
        return self._answered_asked_question(reading, asked, match, text)

    def _answered(
        self, reading: _Reading, asked: Ask, handler: _Handler, match: RecognizeResult, text: str
    ) -> CommandResult:
        """Return the calls for what the user already picked (a refine), else the question."""
        picked = settle(asked, reading.request.chosen)
        if not picked:
            return _asked(asked)
        if asked.kind == "area":
            # The area picked for words no area has ("the hall"): the sentence, said there.
            in_area = _in_area(match, self._home.areas[picked[0]])
            return self._handle(reading, in_area, text, None) or _asked(asked)
        return CommandResult("ready", self._actions(Resolved(picked), handler, _slot_values(match)))

    def _answered_asked_question(
        self, reading: _Reading, asked: Ask, match: RecognizeResult, text: str
    ) -> CommandResult:
        """Return a question's answer for what the user already picked, else the question."""
        picked = settle(asked, reading.request.chosen)
        if not picked:
            return _asked(asked, kind="question")
        if asked.kind == "area":
            return self._question(reading, _in_area(match, self._home.areas[picked[0]]), text, None)
        return self._answered_question(match, picked)

    def _kinds_said(self, text: str) -> frozenset[str]:
        """Return the domains whose device words occur in a text ("blinds" -> cover)."""
        terms = set(self._vocabulary.terms(text))
        return frozenset(
            kind.partition(".")[0]
            for kind, nouns in self._vocabulary.nouns.items()
            if nouns & terms
        )

    def _unmatched(self, text: str, context_area: str | None) -> Unmatched | None:
        """Return the command template that fits but for one unknown name, area or floor."""
        vocabulary = self._vocabulary
        if set(words(text)) & vocabulary.timing:
            # "Turn on the light at sunset" is an automation; its words are no unknown name.
            return None
        unmatched = recognize_unmatched(
            self._fitting.fitting(self._acting, text, unknown_run=MAX_UNMATCHED_WORDS),
            text,
            {**self._slot_lists(text)},
            self._context(context_area),
            vocabulary.asking,
        )
        if unmatched is None or set(words(unmatched.text)) & vocabulary.breaks:
            return None
        return unmatched


class CommandParsers:
    """Parsers for the home's current catalog, one per language, rebuilt when it is replaced."""

    def __init__(self, state_of: StateOf | None = None) -> None:
        self._state_of = state_of
        self._catalog: Catalog | None = None
        self._parsers: dict[str, CommandParser] = {}
        self._lock = threading.Lock()

    def built(self, catalog: Catalog, language: str) -> CommandParser | None:
        """Return the parser for a catalog and language if it is built (never waits)."""
        if catalog is not self._catalog:
            return None
        return self._parsers.get(language_variant(language))

    def get(self, catalog: Catalog, language: str = "en") -> CommandParser:
        """Return the parser for a catalog and language, building it on first use."""
        variant = language_variant(language)
        with self._lock:
            # The home service replaces the catalog whole and never mutates it, so the
            # object itself is the catalog's version.
            if catalog is not self._catalog:
                # The parsers first: `built` reads them without the lock, after the catalog.
                self._parsers = {}
                self._catalog = catalog
            parser = self._parsers.get(variant)
            if parser is None:
                parser = self._parsers[variant] = CommandParser(
                    catalog, variant, state_of=self._state_of
                )
            return parser


def _cut(
    spoken: list[str], folded: list[str], cuts: list[int], joiners: frozenset[str]
) -> list[str]:
    """Return the parts of a sentence between the cut words (", and then" cuts once)."""
    parts: list[str] = []
    start = 0
    for index in [*cuts, len(spoken)]:
        end = index
        while end > start and folded[end - 1] in joiners:
            end -= 1
        part = " ".join(spoken[start:end]).strip(" ,;")
        if part:
            parts.append(part)
        start = index + 1
    return parts


def _unresolved(resolution: Ask | Refuse) -> CommandResult:
    """Return the question a command's target needs, or why it cannot be done."""
    if isinstance(resolution, Refuse):
        return CommandResult("unsupported", [], [], resolution.message)
    return _asked(resolution)


def _empty(lists: Mapping[str, SlotList]) -> list[str]:
    """Return the home's lists with no value for a sentence (no template needing one fits)."""
    return [
        slot
        for slot, values in lists.items()
        if isinstance(values, TextSlotList) and not values.values
    ]


def _in_area(match: RecognizeResult, area: Area) -> RecognizeResult:
    """Return a match with its area slot set to an area (one the user picked from options)."""
    entity = MatchEntity(name="area", value=SlotRef(area.name, (area.area_id,)), text=area.name)
    return dataclasses.replace(match, entities={**match.entities, "area": entity})


def _asked(ask: Ask, kind: Kind = "command") -> CommandResult:
    clarification = Clarification(
        id="target" if ask.kind == "entity" else "area",
        question=ask.question,
        options=[{"value": value, "label": label} for value, label in ask.options],
    )
    return CommandResult("needs_clarification", [], [clarification], ask.question, kind=kind)


def _combine(results: list[CommandResult]) -> CommandResult:
    """Return one result for a sentence of several commands; acts only if all are ready."""
    refused = [result.message for result in results if result.status == "unsupported"]
    if refused:
        return CommandResult("unsupported", [], [], " ".join(filter(None, refused)))
    if all(result.status == "ready" for result in results):
        return CommandResult("ready", _merge_calls([a for r in results for a in r.actions]))
    clarifications = [
        Clarification(f"{c.id}_{index}", c.question, c.options)
        for index, result in enumerate(results, start=1)
        for c in result.clarifications
    ]
    return CommandResult("needs_clarification", [], clarifications, clarifications[0].question)


def _merge_calls(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the actions with neighbours that make the same call merged; order is kept."""
    merged: list[dict[str, Any]] = []
    for action in actions:
        previous = merged[-1] if merged else None
        if previous and (previous["action"], previous["data"]) == (
            action["action"],
            action["data"],
        ):
            # "Turn on the kitchen and the hall lights" is one call.
            ids = dict.fromkeys([*previous["target"]["entity_id"], *action["target"]["entity_id"]])
            merged[-1] = {**previous, "target": {"entity_id": sorted(ids)}}
        else:
            merged.append(action)
    return merged
