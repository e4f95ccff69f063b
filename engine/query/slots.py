"""Slot lists for hassil from a home's catalog: entity names, areas and floors."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

import numpy as np
from hassil.expression import TextChunk
from hassil.intents import TextSlotList, TextSlotValue
from hassil.trie import Trie
from hassil.util import normalize_text, remove_punctuation
from rapidfuzz import fuzz, process

from engine.home.catalog import Area, Catalog, Entity, Floor

# Longest run of words tried as a near name; catalog names are rarely longer.
_MAX_SPAN: Final = 5
# Similarity (0..100) above which a differently spelled name is taken as a typo of it.
_TYPO_SCORE: Final = 90
# The fewest letters of a shortened place name ("hall" for "Hallway"); "bed" says too little.
_SHORTEST: Final = 4
# Runs of words whose near names a home's index keeps (then it starts again).
_KEPT_RUNS: Final = 4096
# Entities whose names are free text (a scene called "Movie night"): only close matches.
_FREE_NAMED: Final = frozenset({"automation", "scene", "script"})
_APOSTROPHES = re.compile("['\u2019`\u00b4]")
_NON_WORD = re.compile(r"\W+")


@dataclass(frozen=True, slots=True)
class SlotRef:
    """What a name, area or floor in a sentence stands for: the ids it may mean."""

    text: str
    ids: tuple[str, ...]
    # False for a near match (plural, partial name, typo): it resolves only if unambiguous.
    exact: bool = True
    # The words only say what kind of device ("the vacuum"), not which one.
    generic: bool = False
    # Filled from the area of the device spoken to, not from words in the sentence.
    from_context: bool = False


# The area slot when the sentence names no area and no device area is known; lets
# Home Assistant's "turn off the lights [here]" templates match so the parser can ask.
NO_AREA: Final = SlotRef(text="", ids=(), from_context=True)


def words(text: str) -> list[str]:
    """Return the lower-case words of a text, apostrophes dropped ("Joe's" -> "joes")."""
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", text.casefold())).split()


def _english_singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _same(word: str) -> str:
    return word


@dataclass(frozen=True, slots=True)
class LevelRange:
    """Floor levels a word means, as Home Assistant numbers them (0: the ground floor)."""

    low: int | None = None
    high: int | None = None
    # Only the highest floor within the range ("the attic", "the top floor").
    top: bool = False

    def select(self, floors: Iterable[Floor]) -> tuple[str, ...]:
        """Return the ids of the floors in range; floors without a level never are."""
        levelled = [
            (floor.level, floor.floor_id)
            for floor in floors
            if floor.level is not None
            and (self.low is None or floor.level >= self.low)
            and (self.high is None or floor.level <= self.high)
        ]
        if self.top and levelled:
            highest = max(level for level, _floor_id in levelled)
            levelled = [item for item in levelled if item[0] == highest]
        return tuple(floor_id for _level, floor_id in sorted(levelled))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A language's words for near matching; empty means exact names and typos only."""

    # Words that never change which device is meant ("the", "my", "all").
    filler: frozenset[str] = frozenset()
    # Words a device or area name never spans: they join parts of a sentence.
    breaks: frozenset[str] = frozenset()
    # Words asking for every match ("all the lights").
    every: frozenset[str] = frozenset()
    # What a kind of device is called, by domain and by "domain.device_class".
    nouns: dict[str, frozenset[str]] = field(default_factory=dict)
    area_nouns: frozenset[str] = frozenset()
    floor_nouns: frozenset[str] = frozenset()
    # Words that start a new command in one sentence ("..., then turn off ...").
    then: frozenset[str] = frozenset()
    # Words that join two targets or two commands ("the kitchen and the hall light").
    conjunctions: frozenset[str] = frozenset()
    # Words after a verb that belong to it ("turn off").
    particles: frozenset[str] = frozenset()
    # Words of when rather than what ("at sunset", "every day"): an automation, not a command.
    timing: frozenset[str] = frozenset()
    # Words that open a question ("is the ... on"): never part of a device's name.
    asking: frozenset[str] = frozenset()
    # Words for floors by their level ("upstairs": every level above the ground floor),
    # used where no floor has that name or alias.
    floor_levels: dict[str, LevelRange] = field(default_factory=dict)
    # Words for the place the request is spoken in ("in here"): the area of the device.
    here: frozenset[str] = frozenset()
    singular: Callable[[str], str] = _same

    def nouns_for(self, domain: str, device_class: str | None) -> frozenset[str]:
        """Return the words that name this kind of device without naming one."""
        nouns = self.nouns.get(domain, frozenset())
        if device_class:
            nouns |= self.nouns.get(f"{domain}.{device_class}", frozenset())
        return nouns

    def terms(self, text: str) -> tuple[str, ...]:
        """Return the words that tell devices apart: singular, without filler."""
        return tuple(self.singular(word) for word in words(text) if word not in self.filler)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH: Final = Vocabulary(
    filler=_words("the a an my our your all every each both of"),
    breaks=_words("and then in on off at to from with for by into onto out up down please but or"),
    every=_words("all every each everything both everywhere"),
    nouns={
        "light": _words("light lamp lighting bulb"),
        "switch": _words("switch plug outlet socket"),
        "fan": _words("fan ventilator"),
        "cover": _words("cover"),
        "cover.awning": _words("awning"),
        "cover.blind": _words("blind"),
        "cover.curtain": _words("curtain drape"),
        "cover.door": _words("door"),
        "cover.garage": _words("garage door"),
        "cover.gate": _words("gate"),
        "cover.shade": _words("shade"),
        "cover.shutter": _words("shutter"),
        "cover.window": _words("window"),
        "lock": _words("lock door deadbolt"),
        "valve": _words("valve water tap sprinkler"),
        "vacuum": _words("vacuum robot cleaner"),
        "lawn_mower": _words("mower lawnmower"),
        "media_player": _words("media player music speaker radio"),
        "media_player.tv": _words("tv television"),
        "climate": _words("thermostat heating heater climate hvac ac"),
        "humidifier": _words("humidifier dehumidifier"),
        "water_heater": _words("boiler heater"),
        "siren": _words("siren alarm"),
        "todo": _words("list todo"),
    },
    area_nouns=_words("room area"),
    floor_nouns=_words("floor level story storey"),
    then=_words("then"),
    conjunctions=_words("and"),
    particles=_words("on off out up down"),
    timing=_words(
        "when whenever if every after before until while sunset sunrise dusk dawn tonight "
        "tomorrow morning evening night daily weekday weekdays weekend weekends second seconds "
        "minute minutes hour hours am pm oclock"
    ),
    asking=_words("is are was were what whats which who how does do did"),
    floor_levels={
        "downstairs": LevelRange(0, 0),
        "ground floor": LevelRange(0, 0),
        "ground level": LevelRange(0, 0),
        "upstairs": LevelRange(1),
        "first floor": LevelRange(1, 1),
        "second floor": LevelRange(2, 2),
        "third floor": LevelRange(3, 3),
        "top floor": LevelRange(1, top=True),
        "attic": LevelRange(1, top=True),
        "basement": LevelRange(None, -1),
        "cellar": LevelRange(None, -1),
    },
    here=_words("here"),
    singular=_english_singular,
)

# Other languages: the words that change what a request covers ("all", "here", floors by
# level, "and"); names are matched exactly or by typo, without near matching by kind.
GERMAN: Final = Vocabulary(
    filler=_words("der die das den dem des ein eine einen mein meine alle allen"),
    breaks=_words("und dann in im auf an am um zu bis von mit für aus ein ab bitte"),
    every=_words("alle allen sämtliche überall"),
    then=_words("dann danach"),
    conjunctions=_words("und"),
    floor_levels={
        "unten": LevelRange(0, 0),
        "erdgeschoss": LevelRange(0, 0),
        "oben": LevelRange(1),
        "obergeschoss": LevelRange(1, 1),
        "dachgeschoss": LevelRange(1, top=True),
        "keller": LevelRange(None, -1),
    },
    here=_words("hier"),
)
FRENCH: Final = Vocabulary(
    filler=_words("le la les l un une des du de mon ma mes tous toutes tout"),
    breaks=_words("et puis dans au aux à sur en de pour avec jusqu s il vous plaît"),
    every=_words("tous toutes tout partout"),
    then=_words("puis ensuite"),
    conjunctions=_words("et"),
    floor_levels={
        "en bas": LevelRange(0, 0),
        "rez de chaussée": LevelRange(0, 0),
        "en haut": LevelRange(1),
        "premier étage": LevelRange(1, 1),
        "sous sol": LevelRange(None, -1),
    },
    here=_words("ici"),
)
SPANISH: Final = Vocabulary(
    filler=_words("el la los las un una mi mis todos todas todo"),
    breaks=_words("y luego en a al del de para con hasta por favor"),
    every=_words("todos todas todo"),
    then=_words("luego después"),
    conjunctions=_words("y"),
    floor_levels={
        "abajo": LevelRange(0, 0),
        "planta baja": LevelRange(0, 0),
        "arriba": LevelRange(1),
        "primer piso": LevelRange(1, 1),
        "primera planta": LevelRange(1, 1),
        "sótano": LevelRange(None, -1),
    },
    here=_words("aquí acá"),
)
DUTCH: Final = Vocabulary(
    filler=_words("de het een mijn onze alle"),
    breaks=_words("en dan in op aan om tot van met voor uit bij alstublieft"),
    every=_words("alle allemaal overal"),
    then=_words("dan daarna"),
    conjunctions=_words("en"),
    floor_levels={
        "beneden": LevelRange(0, 0),
        "begane grond": LevelRange(0, 0),
        "boven": LevelRange(1),
        "eerste verdieping": LevelRange(1, 1),
        "zolder": LevelRange(1, top=True),
        "kelder": LevelRange(None, -1),
    },
    here=_words("hier"),
)

VOCABULARIES: Final[dict[str, Vocabulary]] = {
    "en": ENGLISH,
    "de": GERMAN,
    "fr": FRENCH,
    "es": SPANISH,
    "nl": DUTCH,
}


def _spoken_values(slot_list: TextSlotList) -> list[tuple[str, TextSlotValue]]:
    """Return a list's values, each with its words as a sentence is matched."""
    return [
        (
            " ".join(spoken_words(value.text_in.text))
            if isinstance(value.text_in, TextChunk)
            else "",
            value,
        )
        for value in slot_list.values
    ]


def _said(values: list[tuple[str, TextSlotValue]], text: str) -> TextSlotList:
    """Return a list of the values whose words occur in the text (the others cannot match)."""
    spoken = " ".join(spoken_words(text))
    return TextSlotList(name=None, values=[value for words, value in values if words in spoken])


def spoken_words(text: str, skip_words: Iterable[str] = ()) -> list[str]:
    """Return the words of a sentence as hassil matches them (punctuation removed)."""
    skip = {word.casefold() for word in skip_words}
    return [word for word in _spoken(text) if word not in skip]


@lru_cache(maxsize=4096)
def _spoken(text: str) -> tuple[str, ...]:
    # Remembered: one parse asks for the words of the same sentence, its parts and the
    # names it nearly says some sixty times, and hassil's punctuation rules are a regular
    # expression each (a tenth of a refusal's time).
    return tuple(normalize_text(remove_punctuation(text)).strip().casefold().split())


@dataclass(frozen=True, slots=True)
class _Named:
    """One spelling (name or alias) of one entity, area or floor."""

    item_id: str
    terms: frozenset[str]
    joined: str
    nouns: frozenset[str]
    context: tuple[str, str | None]


class HomeIndex:
    """A home's catalog arranged for matching: slot lists and lookups by id."""

    def __init__(self, catalog: Catalog, domains: frozenset[str], vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        # Like Home Assistant's default exposure: no config or diagnostic entities.
        self.entities: dict[str, Entity] = {
            entity.entity_id: entity
            for entity in catalog.entities
            if entity.domain in domains and entity.entity_category is None
        }
        self.areas: dict[str, Area] = {area.area_id: area for area in catalog.areas}
        self.floors: dict[str, Floor] = {floor.floor_id: floor for floor in catalog.floors}
        self.entity_area: dict[str, str | None] = {
            entity_id: catalog.entity_area(entity) for entity_id, entity in self.entities.items()
        }
        # Entity ids by name and alias, in plain words ("trader joes").
        self._exact_names: dict[str, list[str]] = defaultdict(list)
        self._names: list[_Named] = []
        self._name_trie = Trie()
        self._build_names()
        # Which spellings have a word, and which are called by a word for their kind: the
        # only ones a run of words can nearly name, apart from typos.
        self._by_term: dict[str, list[int]] = defaultdict(list)
        self._by_noun: dict[str, set[int]] = defaultdict(set)
        for index, named in enumerate(self._names):
            for term in named.terms:
                self._by_term[term].append(index)
            if named.context[0] not in _FREE_NAMED:
                for term in named.nouns:
                    self._by_noun[term].add(index)
        self._joined = [named.joined for named in self._names]
        self._area_names = _Places(self._places(self.areas.values(), vocabulary.area_nouns))
        self._floor_names = _Places(self._places(self.floors.values(), vocabulary.floor_nouns))
        self._area_values = _spoken_values(self._place_list(self.areas.values()))
        floors = self._place_list(self.floors.values())
        floors.values.extend(self._level_values())
        self._floor_values = _spoken_values(floors)
        # Every word a name, area or floor of the home has, as sentences are matched.
        self.words = frozenset(
            word
            for spelling in [
                *(n for e in self.entities.values() for n in [e.name, *e.aliases]),
                *(n for a in self.areas.values() for n in [a.name, *a.aliases]),
                *(n for f in self.floors.values() for n in [f.name, *f.aliases]),
                *vocabulary.floor_levels,
            ]
            for word in spoken_words(spelling)
        )
        places: list[Area | Floor] = [*self.areas.values(), *self.floors.values()]
        self._place_names = frozenset(
            " ".join(words(name)) for place in places for name in [place.name, *place.aliases]
        )
        # What each run of words nearly names: the same runs ("the kitchen lamp") come back
        # in sentence after sentence, and finding them was a tenth of a parse.
        self._near_runs: dict[str, dict[str, list[TextSlotValue]]] = {}

    def _build_names(self) -> None:
        """Group entities by spoken name and kind; the values of the name slot list."""
        groups: dict[tuple[str, str, str | None], list[str]] = defaultdict(list)
        spelled: dict[tuple[str, str, str | None], str] = {}
        for entity in self.entities.values():
            context = (entity.domain, entity.device_class)
            nouns = self.vocabulary.nouns_for(*context)
            for name in dict.fromkeys([entity.name.strip(), *(a.strip() for a in entity.aliases)]):
                if not name:
                    continue
                # Two entities may share a name: one slot value stands for both, and the
                # resolver asks which one is meant (Home Assistant answers with an error).
                key = (" ".join(words(name)), *context)
                groups[key].append(entity.entity_id)
                spelled.setdefault(key, name)
                terms = self.vocabulary.terms(name)
                self._names.append(
                    _Named(entity.entity_id, frozenset(terms), " ".join(terms), nouns, context)
                )
                self._exact_names[key[0]].append(entity.entity_id)
        for key, ids in groups.items():
            name = spelled[key]
            value = _value(name, SlotRef(text=name, ids=tuple(ids)), key[1], key[2])
            self._name_trie.insert(name.casefold(), value)
            # "Trader Joe's" is often typed "trader joes".
            plain = " ".join(words(name))
            if plain != name.casefold():
                self._name_trie.insert(plain, _value(plain, value.value_out, key[1], key[2]))

    def _places(self, places: Iterable[Area | Floor], nouns: frozenset[str]) -> list[_Named]:
        named: list[_Named] = []
        for place in places:
            place_id = place.area_id if isinstance(place, Area) else place.floor_id
            for name in [place.name, *place.aliases]:
                terms = self.vocabulary.terms(name)
                named.append(_Named(place_id, frozenset(terms), " ".join(terms), nouns, ("", None)))
        return named

    @staticmethod
    def _place_list(places: Iterable[Area | Floor]) -> TextSlotList:
        """Return the area or floor slot list: every name and alias, valued with its ids."""
        ids: dict[str, list[str]] = defaultdict(list)
        spelled: dict[str, str] = {}
        for place in places:
            place_id = place.area_id if isinstance(place, Area) else place.floor_id
            for name in dict.fromkeys([place.name.strip(), *(a.strip() for a in place.aliases)]):
                if name:
                    key = " ".join(words(name))
                    ids[key].append(place_id)
                    spelled.setdefault(key, name)
        values: list[TextSlotValue] = []
        for key, place_ids in ids.items():
            ref = SlotRef(text=spelled[key], ids=tuple(place_ids))
            values.append(TextSlotValue.from_tuple((spelled[key], ref), allow_template=False))
            if key != spelled[key].casefold():
                values.append(TextSlotValue.from_tuple((key, ref), allow_template=False))
        return TextSlotList(name=None, values=values)

    def _level_values(self) -> list[TextSlotValue]:
        """Return floor slot values for the language's words for levels ("upstairs")."""
        named = {
            " ".join(words(name))
            for floor in self.floors.values()
            for name in [floor.name, *floor.aliases]
        }
        values: list[TextSlotValue] = []
        for phrase, levels in self.vocabulary.floor_levels.items():
            floor_ids = levels.select(self.floors.values())
            if floor_ids and phrase not in named:
                ref = SlotRef(text=phrase, ids=floor_ids)
                values.append(TextSlotValue.from_tuple((phrase, ref), allow_template=False))
        return values

    def area_list(self, text: str) -> TextSlotList:
        """Return the areas said in the text: hassil tries every value of a list at every slot."""
        return _said(self._area_values, text)

    def floor_list(self, text: str) -> TextSlotList:
        """Return the floors (and level words) said in the text."""
        return _said(self._floor_values, text)

    def name_list(self, text: str) -> TextSlotList:
        """Return the entity names that occur in the text (Home Assistant filters the same way)."""
        found = self._name_trie.find(" ".join(spoken_words(text)))
        return TextSlotList(name="name", values=[value for _end, _text, value in found])

    def near_lists(self, text: str, skip_words: Iterable[str]) -> dict[str, list[TextSlotValue]]:
        """Return slot values for runs of words that nearly name an entity, area or floor."""
        vocabulary = self.vocabulary
        spoken = spoken_words(text, skip_words)
        phrases: list[str] = []
        for start in range(len(spoken)):
            for end in range(start + 1, min(start + _MAX_SPAN, len(spoken)) + 1):
                if spoken[end - 1] in vocabulary.breaks:
                    break
                phrases.append(" ".join(spoken[start:end]))
        known = self._near_runs
        # This sentence's own lookup: what is kept may be cleared meanwhile (another parse).
        runs = {phrase: known.get(phrase) for phrase in phrases}
        if missing := [phrase for phrase, found in runs.items() if found is None]:
            made = dict(zip(missing, self._near_values(missing), strict=True))
            runs.update(made)
            if len(known) + len(made) > _KEPT_RUNS:
                known.clear()
            known.update(made)
        near: dict[str, list[TextSlotValue]] = {"name": [], "area": [], "floor": []}
        for phrase in phrases:
            for slot, values in (runs[phrase] or {}).items():
                near[slot].extend(values)
        return near

    def _near_values(self, phrases: list[str]) -> list[dict[str, list[TextSlotValue]]]:
        """Return, per run of words, the slot values of what it nearly names."""
        found: list[dict[str, list[TextSlotValue]]] = [{} for _ in phrases]
        runs: list[tuple[int, str, tuple[str, ...]]] = []
        for index, phrase in enumerate(phrases):
            terms = self.vocabulary.terms(phrase)
            if terms and " ".join(words(phrase)) not in self._exact_names:
                runs.append((index, phrase, terms))
        # Every run against every spelling in one rapidfuzz call per list.
        said = [" ".join(terms) for _index, _phrase, terms in runs]
        name_typos = _typos(said, self._joined)
        area_typos = _typos(said, self._area_names.joined)
        floor_typos = _typos(said, self._floor_names.joined)
        for run, (index, phrase, terms) in enumerate(runs):
            values = found[index]
            if names := self._near_names(phrase, terms, name_typos[run]):
                values["name"] = names
            if " ".join(words(phrase)) in self._place_names:
                # An area or floor said by its name: the strict lists have it already.
                continue
            for slot, places, typos in (
                ("area", self._area_names, area_typos[run]),
                ("floor", self._floor_names, floor_typos[run]),
            ):
                if ids := places.near(terms, typos):
                    ref = SlotRef(text=phrase, ids=ids, exact=False)
                    values[slot] = [TextSlotValue(text_in=_chunk(phrase), value_out=ref)]
        return found

    def _near_names(
        self, phrase: str, terms: tuple[str, ...], typos: set[int]
    ) -> list[TextSlotValue]:
        """Return slot values for the entities a run of words nearly names, per kind of device.

        Per kind, the closest reading wins: the same words (plural, punctuation, typo), else
        part of a name ("Roborock" for "Roborock Downstairs"), else only words for the kind
        ("the door" for every lock). Templates then pick the kind, as for exact names.
        """
        wanted = frozenset(terms)
        tiers: dict[tuple[str, str | None], list[dict[str, None]]] = defaultdict(
            lambda: [{}, {}, {}]
        )
        sharing = {index for term in wanted for index in self._by_term.get(term, ())}
        generic = set.intersection(*(self._by_noun.get(term, set()) for term in wanted))
        for index in sorted(sharing | generic | typos):
            named = self._names[index]
            distinct = wanted - named.nouns
            if wanted == named.terms or index in typos:
                tiers[named.context][0][named.item_id] = None
            elif named.context[0] in _FREE_NAMED:
                continue
            elif distinct and distinct <= named.terms and wanted - named.terms <= named.nouns:
                tiers[named.context][1][named.item_id] = None
            elif not distinct:
                tiers[named.context][2][named.item_id] = None
        values: list[TextSlotValue] = []
        # One chunk for the phrase's values: building one per value was most of the cost.
        chunk = _chunk(phrase)
        for context, (close, partial, kind_only) in tiers.items():
            ids = close or partial or kind_only
            ref = SlotRef(text=phrase, ids=tuple(ids), exact=False, generic=ids is kind_only)
            values.append(_value(chunk, ref, *context))
        return values

    def named(self, text: str) -> list[str]:
        """Return the entities that have exactly this name or alias (any case, no apostrophes)."""
        return list(self._exact_names.get(" ".join(words(text)), ()))

    def label(self, entity_id: str) -> str:
        """Return how an entity is shown in a question: its name and area."""
        entity = self.entities[entity_id]
        area_id = self.entity_area.get(entity_id)
        area = self.areas.get(area_id) if area_id else None
        return f"{entity.name} ({area.name})" if area else entity.name

    def area_label(self, area_id: str) -> str:
        """Return an area's name, with its floor when the home has floors."""
        area = self.areas[area_id]
        floor = self.floors.get(area.floor_id) if area.floor_id else None
        return f"{area.name} ({floor.name})" if floor else area.name


class _Places:
    """A home's areas or floors by spelling, indexed by their words and the starts of them."""

    def __init__(self, named: list[_Named]) -> None:
        self.named = named
        self.joined = [place.joined for place in named]
        self._by_term: dict[str, set[int]] = defaultdict(set)
        # "hall" for "Hallway": every start of a word of at least _SHORTEST letters.
        self._by_start: dict[str, set[int]] = defaultdict(set)
        for index, place in enumerate(named):
            for term in place.terms:
                self._by_term[term].add(index)
                for end in range(_SHORTEST, len(term)):
                    self._by_start[term[:end]].add(index)

    def near(self, terms: tuple[str, ...], typos: set[int]) -> tuple[str, ...]:
        """Return the places a run of words nearly names, best kind first."""
        wanted = frozenset(terms)
        close: dict[str, None] = {}
        partial: dict[str, None] = {}
        # Only places that share a word, are misspelt, or start with every word can match.
        candidates = {index for term in wanted for index in self._by_term.get(term, ())} | typos
        # Every place of a list has the same words for its kind ("room"): they need no start.
        nouns = self.named[0].nouns if self.named else frozenset()
        starts = [self._by_start.get(term, set()) for term in wanted - nouns]
        candidates |= set.intersection(*starts) if starts else set()
        for index in sorted(candidates):
            place = self.named[index]
            distinct = wanted - place.nouns
            if wanted == place.terms or index in typos:
                close[place.item_id] = None
            elif distinct and distinct <= place.terms and wanted - place.terms <= place.nouns:
                # "the bedroom" for "Bedroom 1" (and "Bedroom 2": then the resolver asks).
                partial[place.item_id] = None
            elif distinct and all(_shortened(word, place.terms) for word in distinct):
                # "the hall" for "Hallway", "the bath" for "Bathroom": what people shorten to.
                partial[place.item_id] = None
        return tuple(close or partial)


def _shortened(word: str, terms: frozenset[str]) -> bool:
    """Return whether a word is the start of one of the terms (at least _SHORTEST letters)."""
    return len(word) >= _SHORTEST and any(term.startswith(word) and term != word for term in terms)


def _typos(said: list[str], names: list[str]) -> list[set[int]]:
    """Return, per run of words, the indexes of the names it misspells.

    Numbers must agree ("Bedroom 1"). One rapidfuzz matrix (in C) for every run against
    every name, rather than a comparison per pair: this runs for most sentences.
    """
    found: list[set[int]] = [set() for _ in said]
    if not said or not names:
        return found
    scores = process.cdist(
        said, names, scorer=fuzz.token_sort_ratio, score_cutoff=_TYPO_SCORE, dtype=np.uint8
    )
    for row, column in zip(*(axis.tolist() for axis in np.nonzero(scores)), strict=True):
        if _digits(names[column]) == _digits(said[row]):
            found[row].add(column)
    return found


def _digits(text: str) -> set[str]:
    return {word for word in text.split() if word.isdigit()}


def _value(
    text: str | TextChunk, ref: SlotRef, domain: str, device_class: str | None
) -> TextSlotValue:
    """Return a name slot value; its context lets templates require a domain, as in HA."""
    context: dict[str, str] = {"domain": domain}
    if device_class:
        context["device_class"] = device_class
    return TextSlotValue(text_in=_chunk(text), value_out=ref, context=context)


def _chunk(text: str | TextChunk) -> TextChunk:
    """Return the text as hassil matches a plain list value (TextSlotValue.from_tuple's way)."""
    if isinstance(text, TextChunk):
        return text
    return TextChunk(_matched_text(text))


@lru_cache(maxsize=4096)
def _matched_text(text: str) -> str:
    return remove_punctuation(normalize_text(text))
