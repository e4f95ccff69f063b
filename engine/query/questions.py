"""Questions about the home: Home Assistant's question intents, answered from current states."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hassil.expression import Alternative, Expression, Group, TextChunk
from hassil.intents import Intents, TextSlotList

from engine.home.catalog import Entity, LiveState
from engine.query.resolve import noun

# Domains only asked about, never acted on; the name slot list holds their entities too.
QUESTION_DOMAINS: Final = frozenset({"binary_sensor", "person", "sensor", "weather"})

GET_STATE: Final = "HassGetState"
GET_TEMPERATURE: Final = "HassClimateGetTemperature"
GET_WEATHER: Final = "HassGetWeather"


@dataclass(frozen=True, slots=True)
class Question:
    """Which entities an intent reads (None: whatever the sentence names)."""

    domains: frozenset[str] | None


QUESTIONS: Final[dict[str, Question]] = {
    GET_STATE: Question(None),
    GET_TEMPERATURE: Question(frozenset({"climate"})),
    GET_WEATHER: Question(frozenset({"weather"})),
}
# Responses of HassGetState about every entity that fits, not one of them.
EVERY_RESPONSES: Final = frozenset({"any", "all", "which", "how_many"})

# Home Assistant's lists of states by the kind of entity they are said of ("": any).
_STATE_LISTS: Final = (("on_off_states", ""), ("cover_states", "cover"), ("lock_states", "lock"))
# The device classes a binary-sensor state list of the grammar speaks of ("bs_open_states":
# door, window...); a list named for one device class ("bs_door_states") speaks of that one.
_BINARY_SENSOR_KINDS: Final = {
    "open": ("door", "garage_door", "opening", "window"),
    "occupancy": ("motion", "occupancy", "presence"),
}
# Names listed in a message; the answer field lists them all.
_LISTED: Final = 5
# How Home Assistant's weather response words a condition.
_CONDITIONS: Final = {
    "clear-night": "clear",
    "partlycloudy": "partly cloudy",
    "lightning-rainy": "lightning and rain",
    "snowy-rainy": "snow and rain",
    "windy-variant": "wind and clouds",
    "pouring": "pouring rain",
    "rainy": "raining",
    "snowy": "snowing",
}


@dataclass(frozen=True, slots=True)
class Answer:
    """What a question is answered with: words for people, fields for machines."""

    message: str
    fields: dict[str, Any]


# An entity's state and attributes now; None for an entity whose state is not known.
type StateOf = Callable[[str], LiveState | None]


@dataclass(frozen=True, slots=True)
class Asked:
    """A parsed question without its answer, so the answer can be read afresh each time."""

    intent: str
    entity_ids: tuple[str, ...]
    response: str = "one"
    wanted: str | None = None
    said: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the question as JSON (it is cached with the parse)."""
        return {
            "intent": self.intent,
            "entity_ids": list(self.entity_ids),
            "response": self.response,
            "wanted": self.wanted,
            "said": self.said,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Asked:
        """Return the question `as_dict` gave."""
        return cls(
            str(data["intent"]),
            tuple(data["entity_ids"]),
            str(data["response"]),
            data["wanted"],
            data["said"],
        )


def _first_wording(expression: Expression) -> str:
    """Return the first way a template fragment can be said ("(closed|shut)" -> "closed")."""
    if isinstance(expression, TextChunk):
        return expression.text
    if isinstance(expression, Alternative):
        if expression.is_optional or not expression.items:
            return ""
        return _first_wording(expression.items[0])
    if isinstance(expression, Group):
        return "".join(_first_wording(item) for item in expression.items)
    return ""


type StateWords = dict[str, dict[str, str]]


def state_words(intents: Intents) -> StateWords:
    """Return how the grammar says each state, per kind ("binary_sensor.door": on -> "open").

    Home Assistant's state lists map the words of a question to the state it reads; read
    backwards, they say a state in the question's own words, in any language.
    """
    wording: dict[str, dict[str, str]] = {}
    for list_name, kind in _STATE_LISTS:
        _add_words(wording, kind, intents.slot_lists.get(list_name))
    for list_name, slot_list in intents.slot_lists.items():
        if list_name.startswith("bs_") and list_name.endswith("_states"):
            kind = list_name.removeprefix("bs_").removesuffix("_states")
            for device_class in _BINARY_SENSOR_KINDS.get(kind, (kind,)):
                _add_words(wording, f"binary_sensor.{device_class}", slot_list)
    return wording


def _add_words(wording: dict[str, dict[str, str]], kind: str, slot_list: Any) -> None:
    if not isinstance(slot_list, TextSlotList):
        return
    said = wording.setdefault(kind, {})
    for value in slot_list.values:
        words = " ".join(_first_wording(value.text_in).split())
        if words:
            # The first wording of a state is its plainest.
            said.setdefault(str(value.value_out), words)


class Answers:
    """Builds answers from entities' states, in the words the grammar uses for states."""

    def __init__(self, intents: Intents | None = None, *, words: StateWords | None = None) -> None:
        # The words alone (from a parsing worker) are enough: no grammar in this process.
        self._words = words if words is not None else state_words(intents) if intents else {}

    @property
    def words(self) -> StateWords:
        """Return the words each state is said with, per kind."""
        return self._words

    def answer(self, asked: Asked, entities: Sequence[Entity]) -> Answer:
        """Return a question's answer from the entities, which carry their current states."""
        if asked.intent == GET_TEMPERATURE:
            return self.temperature(entities[0])
        if asked.intent == GET_WEATHER:
            return self.weather(entities[0])
        return self.state(entities, asked.response, asked.wanted, asked.said)

    def state_text(self, entity: Entity) -> str:
        """Return an entity's state as said: "open" for a door contact that is on, "21.5 °C"."""
        state = entity.state
        if state is None:
            return "unknown"
        for kind in (f"{entity.domain}.{entity.device_class}", entity.domain, ""):
            if (said := self._words.get(kind, {}).get(state)) is not None:
                return said
        if entity.domain == "person" and state == "not_home":
            return "away"
        if entity.domain == "weather":
            return _CONDITIONS.get(state, state.replace("_", " "))
        unit = _unit(entity)
        return f"{state} {unit}" if unit and _is_number(state) else state.replace("_", " ")

    def state(
        self, entities: Sequence[Entity], response: str, wanted: str | None, said: str | None
    ) -> Answer:
        """Return HassGetState's answer: the state, yes or no, which ones, or how many."""
        matched = [e for e in entities if wanted is not None and e.state == wanted]
        listed = [self._entry(entity, wanted) for entity in entities]
        what = noun(
            frozenset(entity.domain for entity in entities),
            frozenset(entity.device_class for entity in entities if entity.device_class) or None,
        )
        state = said or wanted or ""
        names = [entity.name for entity in matched]
        value: Any
        if response == "where" or wanted is None:
            entity = entities[0]
            value = entity.state
            text = self.state_text(entity)
            message = (
                f"{entity.name} is {'away' if text == 'away' else f'at {text}'}."
                if response == "where"
                else self._described(entities)
            )
        elif response == "any":
            value = bool(matched)
            message = f"Yes, {_listing(names)}." if matched else f"No, no {what} is {state}."
        elif response == "all":
            value = len(matched) == len(entities)
            others = [entity.name for entity in entities if entity not in matched]
            message = "Yes." if value else f"No, {_listing(others)} {_be(others)} not {state}."
        elif response == "which":
            value = [entity.entity_id for entity in matched]
            message = (
                f"{_listing(names)} {_be(names)} {state}." if matched else f"No {what} is {state}."
            )
        elif response == "how_many":
            value = len(matched)
            message = f"{len(matched)} of {len(entities)} {_plural(what)} {_be(names)} {state}."
        else:
            value = len(matched) == len(entities)
            described = self._described(entities, matched, state)
            if value:
                message = f"Yes, {described}"
            elif not matched:
                message = f"No, {described}"
            else:
                message = described[:1].upper() + described[1:]
        return Answer(message, {"intent": GET_STATE, "entities": listed, "value": value})

    def temperature(self, entity: Entity) -> Answer:
        """Return HassClimateGetTemperature's answer: a thermostat's or a sensor's reading."""
        attributes = entity.attributes or {}
        if entity.domain == "climate":
            reading = attributes.get("current_temperature")
            unit = attributes.get("temperature_unit") or "degrees"
        else:
            reading, unit = entity.state, _unit(entity) or "degrees"
        fields: dict[str, Any] = {
            "intent": GET_TEMPERATURE,
            "entities": [self._entry(entity, None)],
            "value": _number(reading),
        }
        if fields["value"] is None:
            return Answer(f"{entity.name} does not report a temperature now.", fields)
        return Answer(f"It is {reading} {unit} ({entity.name}).", fields)

    def weather(self, entity: Entity) -> Answer:
        """Return HassGetWeather's answer: the condition and the temperature."""
        attributes = entity.attributes or {}
        condition = self.state_text(entity)
        temperature = attributes.get("temperature")
        unit = attributes.get("temperature_unit") or ""
        reading = f", {temperature} {unit}".rstrip() if temperature is not None else ""
        fields = {
            "intent": GET_WEATHER,
            "entities": [self._entry(entity, None)],
            "value": _number(temperature),
        }
        return Answer(f"{entity.name}: {condition}{reading}.", fields)

    def _entry(self, entity: Entity, wanted: str | None) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "entity_id": entity.entity_id,
            "name": entity.name,
            "state": entity.state,
        }
        if wanted is not None:
            entry["matched"] = entity.state == wanted
        return entry

    def _described(
        self,
        entities: Sequence[Entity],
        matched: Sequence[Entity] = (),
        said: str = "",
    ) -> str:
        """Return "Kitchen Light is on and Hall Light is off.", entities grouped by state."""
        groups: dict[str, list[str]] = {}
        for entity in entities:
            text = said if entity in matched and said else self.state_text(entity)
            groups.setdefault(text, []).append(entity.name)
        parts = [f"{_listing(names)} {_be(names)} {text}" for text, names in groups.items()]
        return _joined(parts) + "."


def _unit(entity: Entity) -> str | None:
    unit = entity.unit_of_measurement or (entity.attributes or {}).get("unit_of_measurement")
    return str(unit) if unit else None


def _is_number(text: str) -> bool:
    return _number(text) is not None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _joined(parts: Sequence[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _listing(names: Iterable[str]) -> str:
    """Return names for a message, the first few and how many more."""
    ordered = sorted(names)
    if len(ordered) > _LISTED:
        return f"{', '.join(ordered[: _LISTED - 1])} and {len(ordered) - _LISTED + 1} more"
    return _joined(ordered)


def _be(names: Sequence[str]) -> str:
    return "is" if len(names) == 1 else "are"


def _plural(word: str) -> str:
    return word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")
