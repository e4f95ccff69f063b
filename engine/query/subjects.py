"""What a "when" or "if" clause is about: entities of any kind, found by name, area and kind."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Final

from engine.home.catalog import Catalog, Entity
from engine.query.clauses import PRONOUNS, SPEAKER
from engine.query.messages import Messages, messages
from engine.query.resolve import EVERY_OPTION, MAX_OPTIONS, Ask, Refuse, settle
from engine.query.slots import ENGLISH, Vocabulary, words

type State = str | tuple[str, ...]

# An alarm panel's armed states (Home Assistant's AlarmControlPanelState).
ARMED: Final = (
    "armed_away",
    "armed_custom_bypass",
    "armed_home",
    "armed_night",
    "armed_vacation",
)
# A media player that is on may be playing, paused or idle; off may also be standby.
MEDIA_ON: Final = ("on", "idle", "playing", "paused", "buffering")
MEDIA_OFF: Final = ("off", "standby")

# Words for the kinds of entity a clause may watch, beyond the ones commands act on.
_NOUNS: Final[dict[str, frozenset[str]]] = {
    "binary_sensor": frozenset({"sensor", "detector"}),
    "binary_sensor.door": frozenset({"door", "contact"}),
    "binary_sensor.garage_door": frozenset({"garage", "door", "contact"}),
    "binary_sensor.window": frozenset({"window", "contact"}),
    "binary_sensor.opening": frozenset({"door", "window", "contact"}),
    "binary_sensor.motion": frozenset({"motion", "movement"}),
    "binary_sensor.occupancy": frozenset({"occupancy", "presence", "motion"}),
    "binary_sensor.presence": frozenset({"presence", "occupancy"}),
    "binary_sensor.moisture": frozenset({"leak", "water", "moisture", "flood"}),
    "binary_sensor.smoke": frozenset({"smoke", "fire"}),
    "binary_sensor.gas": frozenset({"gas"}),
    "sensor": frozenset({"sensor", "meter"}),
    "sensor.temperature": frozenset({"temperature", "temp"}),
    "sensor.humidity": frozenset({"humidity"}),
    "sensor.illuminance": frozenset({"illuminance", "light", "level", "lux", "brightness"}),
    "sensor.power": frozenset({"power", "consumption", "usage"}),
    "sensor.energy": frozenset({"energy", "consumption"}),
    "sensor.carbon_dioxide": frozenset({"co2", "carbon", "dioxide"}),
    "sensor.battery": frozenset({"battery"}),
    "sensor.pressure": frozenset({"pressure"}),
    "person": frozenset({"person"}),
    "device_tracker": frozenset({"phone", "tracker"}),
    "alarm_control_panel": frozenset({"alarm", "security", "system"}),
}
# Units that say what a sensor measures when it has no device class.
_UNIT_CLASSES: Final = {"°C": "temperature", "°F": "temperature", "lx": "illuminance"}
# "any window": one of them will do; "all the windows": every one of them.
_ANY: Final = frozenset({"any", "either"})
_EVERY: Final = frozenset({"all", "every", "each", "both"})
_FILLER: Final = ENGLISH.filler | {"in", "of", "on", "at", "one", "any", "either"}
_ARTICLES: Final = ("the", "a", "an", "my", "our")


@dataclass(frozen=True, slots=True)
class Capability:
    """What a clause asks of its subject: the kinds that can tell, each with its state.

    Keys are "domain.device_class" or "domain", most fitting first: the first kind
    present among equally good matches is the one meant ("the front door" opening is
    its contact sensor rather than its lock).
    """

    what: str
    states: dict[str, State]
    # Several at once is what is meant ("motion in the hall": any sensor there).
    several: bool = False


_OPENINGS: Final = tuple(f"binary_sensor.{kind}" for kind in ("door", "garage_door", "window"))
_SWITCHED: Final = ("light", "switch", "fan", "input_boolean", "humidifier", "siren", "remote")
_DETECTORS: Final = tuple(
    f"binary_sensor.{kind}" for kind in ("motion", "occupancy", "presence", "moisture", "smoke")
)


def _opening(*, is_open: bool) -> Capability:
    sensors = dict.fromkeys((*_OPENINGS, "binary_sensor.opening"), "on" if is_open else "off")
    state = "open" if is_open else "closed"
    return Capability("opening or closing", {**sensors, "cover": state, "valve": state})


def _switched(*, is_on: bool) -> Capability:
    state = "on" if is_on else "off"
    return Capability(
        "being on or off",
        {
            **dict.fromkeys(_SWITCHED, state),
            "media_player": MEDIA_ON if is_on else MEDIA_OFF,
            "binary_sensor": state,
        },
    )


def _detecting(*, detected: bool) -> Capability:
    state = "on" if detected else "off"
    return Capability(
        "detecting", dict.fromkeys((*_DETECTORS, "binary_sensor"), state), several=True
    )


CAPABILITIES: Final[dict[str, Capability]] = {
    "open": _opening(is_open=True),
    "closed": _opening(is_open=False),
    "on": _switched(is_on=True),
    "off": _switched(is_on=False),
    "locked": Capability("locking", {"lock": "locked"}),
    "unlocked": Capability("locking", {"lock": "unlocked"}),
    "playing": Capability("playing", {"media_player": "playing"}),
    "paused": Capability("playing", {"media_player": "paused"}),
    "home": Capability("being home", {"person": "home", "device_tracker": "home"}),
    "away": Capability("being home", {"person": "not_home", "device_tracker": "not_home"}),
    "cleaning": Capability("cleaning", {"vacuum": "cleaning", "lawn_mower": "mowing"}),
    "docked": Capability("being docked", {"vacuum": "docked", "lawn_mower": "docked"}),
    "armed": Capability("being armed", {"alarm_control_panel": ARMED}),
    "disarmed": Capability("being armed", {"alarm_control_panel": "disarmed"}),
    "detected": _detecting(detected=True),
    "clear": _detecting(detected=False),
    # A number has no state to watch for, only a value to compare.
    "numeric": Capability("a number", dict.fromkeys(("sensor", "number", "input_number"), ())),
    # Acted on, not watched: the panel an "arm" or "disarm" is said to, the players an
    # alert is spoken on.
    "alarm": Capability("arming", {"alarm_control_panel": ()}),
    "speaker": Capability("playing sound", {"media_player": ()}, several=True),
}


@dataclass(frozen=True, slots=True)
class Found:
    """The entities a subject means and the state that means what the clause asks."""

    entity_ids: tuple[str, ...]
    state: State
    # "any window": a condition holds when one of them does.
    any: bool = False


type Subject = Found | Ask | Refuse


@dataclass(frozen=True, slots=True)
class _Candidate:
    entity: Entity
    kind: str  # its key in the capability's states
    level: int  # 0 its name, 1 part of its name, 2 only words for its kind or area


class Subjects:
    """Finds the entities a clause watches in one home's catalog, and asks when unclear."""

    def __init__(
        self,
        catalog: Catalog,
        vocabulary: Vocabulary = ENGLISH,
        *,
        filler: frozenset[str] = frozenset(),
        said: Messages | None = None,
    ) -> None:
        self._vocabulary = vocabulary
        self._say = said or messages("en")
        # Words that tell nothing apart, with the request's language's own ("der", "im").
        self._filler = _FILLER | filler
        # Option values the user picked for earlier questions (a refine), and what "it" may
        # stand for, the likeliest first (entity ids per group): set on a request's own
        # copy (`reading`), never on the home's.
        self.chosen: frozenset[str] = frozenset()
        self.referents: tuple[tuple[str, ...], ...] = ()
        # Like Home Assistant's default exposure: no config or diagnostic entities.
        self.entities: dict[str, Entity] = {
            entity.entity_id: entity
            for entity in catalog.entities
            if entity.entity_category is None
        }
        self._area_of = {
            entity_id: catalog.entity_area(entity) for entity_id, entity in self.entities.items()
        }
        self._area_names = {area.area_id: area.name for area in catalog.areas}
        self._area_terms: dict[str, list[frozenset[str]]] = {
            area.area_id: [self._terms(name) for name in [area.name, *area.aliases]]
            for area in catalog.areas
        }
        self._spellings: dict[str, list[frozenset[str]]] = {
            entity_id: [self._terms(name) for name in [entity.name, *entity.aliases]]
            for entity_id, entity in self.entities.items()
        }
        self._nouns = {entity_id: self._kind_nouns(e) for entity_id, e in self.entities.items()}

    def reading(
        self, chosen: frozenset[str], referents: tuple[tuple[str, ...], ...] = ()
    ) -> Subjects:
        """Return these subjects as one request reads them: a copy sharing the home's index."""
        view = copy.copy(self)
        view.chosen, view.referents = chosen, referents
        return view

    def _terms(self, text: str) -> frozenset[str]:
        singular = self._vocabulary.singular
        return frozenset(singular(word) for word in words(text) if word not in self._filler)

    def _kind_nouns(self, entity: Entity) -> frozenset[str]:
        device_class = entity.device_class or _UNIT_CLASSES.get(entity.unit_of_measurement or "")
        nouns = self._vocabulary.nouns_for(entity.domain, device_class)
        nouns |= _NOUNS.get(entity.domain, frozenset())
        return nouns | _NOUNS.get(f"{entity.domain}.{device_class}", frozenset())

    def persons(self) -> tuple[str, ...]:
        """Return the home's people: its person entities, else its device trackers."""
        for domain in ("person", "device_tracker"):
            found = sorted(e for e in self.entities if e.partition(".")[0] == domain)
            if found:
                return tuple(found)
        return ()

    def find(self, spoken: str, capability: Capability, context_area: str | None) -> Subject:
        """Return the entities a subject means for what a clause asks, a question, or why not."""
        if spoken in PRONOUNS:
            return self._referent(spoken, capability)
        if spoken == SPEAKER:
            return self._speaker(capability)
        terms = self._terms(spoken)
        candidates = self._candidates(terms, capability) if terms else []
        if not candidates:
            return self._refuse(spoken, terms, capability)
        said = set(words(spoken))
        # "Any window in the bedroom" is every window there, even one named so.
        best = 2 if said & (_ANY | _EVERY) else min(c.level for c in candidates)
        chosen = _one_kind([c for c in candidates if c.level <= best], capability)
        state = capability.states[chosen[0].kind]
        entities = [candidate.entity for candidate in chosen]
        generic = best == 2
        if context_area is not None and (not generic or not self._says_area(terms)):
            # The device spoken to decides between equals, as in Home Assistant.
            here = [e for e in entities if self._area_of.get(e.entity_id) == context_area]
            if len(here) == 1 or (here and generic):
                entities = here
        several = generic and capability.several
        if len(entities) > 1 and not (several or said & (_ANY | _EVERY)):
            asked = self._ask(entities, chosen[0].kind)
            picked = settle(asked, self.chosen)
            if not picked:
                return asked
            entities = [e for e in entities if e.entity_id in picked]
        ids = tuple(sorted(entity.entity_id for entity in entities))
        return Found(ids, state, any=len(ids) > 1 and not said & _EVERY)

    def _referent(self, spoken: str, capability: Capability) -> Subject:
        """Return what "it" stands for: the first thing named that can do what is asked."""
        for group in self.referents:
            entities = [self.entities[e] for e in group if e in self.entities]
            kinds = [_kind_key(entity, capability.states) for entity in entities]
            fitting = [e for e, kind in zip(entities, kinds, strict=True) if kind is not None]
            if fitting:
                state = capability.states[_kind_key(fitting[0], capability.states) or ""]
                ids = tuple(sorted(entity.entity_id for entity in fitting))
                return Found(ids, state)
        return Refuse(self._say.say("say_its_name", spoken=spoken))

    def _speaker(self, capability: Capability) -> Subject:
        """Return the person the request's "I" is: the home's only one, else theirs to pick."""
        people = [e for e in self.persons() if _kind_key(self.entities[e], capability.states)]
        if not people:
            return Refuse("There is no person in this home.")
        picked = [person for person in people if person in self.chosen]
        if len(people) > 1 and not picked:
            options = tuple((person, self.entities[person].name) for person in people)
            return Ask("entity", self._say.say("who_i"), options)
        found = picked or people
        kind = _kind_key(self.entities[found[0]], capability.states) or ""
        return Found(tuple(found), capability.states[kind], any=len(found) > 1)

    def knows(self, spoken: str) -> bool:
        """Return whether words name or describe anything in the home."""
        terms = self._terms(spoken)
        return bool(terms) and any(
            self._level(entity_id, terms) is not None for entity_id in self.entities
        )

    def _candidates(self, terms: frozenset[str], capability: Capability) -> list[_Candidate]:
        """Return the entities that can tell and that the words can mean, and how closely."""
        found: list[_Candidate] = []
        for entity_id, entity in self.entities.items():
            kind = _kind_key(entity, capability.states)
            level = self._level(entity_id, terms) if kind is not None else None
            if kind is not None and level is not None:
                found.append(_Candidate(entity, kind, level))
        return found

    def _level(self, entity_id: str, terms: frozenset[str]) -> int | None:
        """Return how closely words name an entity (lower is closer), or None if they do not."""
        area_terms = self._said_area(entity_id, terms)
        rest = terms - area_terms
        nouns = self._nouns[entity_id]
        levels: list[int] = []
        for spelling in self._spellings[entity_id]:
            if terms == spelling or (area_terms and rest == spelling - area_terms):
                levels.append(0)
            elif (distinct := rest - nouns) and distinct <= spelling and rest - spelling <= nouns:
                levels.append(1)
        if rest <= nouns and (rest or area_terms):
            # Only words for its kind ("the door"), its area ("the bedroom"), or both.
            levels.append(2)
        return min(levels, default=None)

    def _said_area(self, entity_id: str, terms: frozenset[str]) -> frozenset[str]:
        """Return the words of the entity's area that the subject says, if it says them all."""
        spellings = self._area_terms.get(self._area_of.get(entity_id) or "", [])
        return max((t for t in spellings if t and t <= terms), key=len, default=frozenset())

    def _says_area(self, terms: frozenset[str]) -> bool:
        return any(t and t <= terms for spellings in self._area_terms.values() for t in spellings)

    def _refuse(self, spoken: str, terms: frozenset[str], capability: Capability) -> Refuse:
        """Return why nothing fits: the named device cannot tell, or nothing is called so."""
        for entity_id, entity in self.entities.items():
            if terms and self._level(entity_id, terms) in (0, 1):
                return Refuse(f"{entity.name} does not report {capability.what}.")
        return Refuse(self._say.say("not_found", what=_plain(spoken)))

    def _ask(self, entities: list[Entity], kind: str) -> Ask:
        """Return a question with one option per entity, and one for all of them."""
        first = entities[0]
        nouns = self._say.nouns
        what = (
            nouns.get(f"{first.domain}.{first.device_class}")
            or nouns.get(kind)
            or nouns.get(first.domain, nouns["device"])
        )
        options = [(entity.entity_id, self.label(entity.entity_id)) for entity in entities]
        del options[MAX_OPTIONS:]
        options.append((EVERY_OPTION, self._say.say("every", count=len(entities))))
        return Ask("entity", self._say.say("which", what=what), tuple(options))

    def area_of(self, entity_id: str) -> str | None:
        """Return an entity's area (its own, else its device's)."""
        return self._area_of.get(entity_id)

    def label(self, entity_id: str) -> str:
        """Return how an entity is shown in a question: its name and area."""
        entity = self.entities[entity_id]
        area = self._area_names.get(self._area_of.get(entity_id) or "")
        return f"{entity.name} ({area})" if area else entity.name


def _kind_key(entity: Entity, states: dict[str, State]) -> str | None:
    """Return the capability key an entity falls under, the most specific first."""
    specific = f"{entity.domain}.{entity.device_class}"
    if entity.device_class and specific in states:
        return specific
    return entity.domain if entity.domain in states else None


def _one_kind(candidates: list[_Candidate], capability: Capability) -> list[_Candidate]:
    """Return the candidates of the most fitting kind: one domain, one state to watch for."""
    order = list(capability.states)
    first = min(candidates, key=lambda candidate: order.index(candidate.kind))
    state = capability.states[first.kind]
    return [
        candidate
        for candidate in candidates
        if candidate.entity.domain == first.entity.domain
        and capability.states[candidate.kind] == state
    ]


def _plain(spoken: str) -> str:
    """Return a subject as said, without a leading article."""
    said = spoken.split()
    while len(said) > 1 and said[0] in _ARTICLES:
        said = said[1:]
    return " ".join(said)
