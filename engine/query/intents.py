"""Home Assistant's sentence grammar (hassil + home-assistant-intents), loaded once per language."""

from __future__ import annotations

import copy
import dataclasses
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, cast

from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    RuleReference,
    Sentence,
    TextChunk,
)
from hassil.intents import IntentData, Intents, SlotList, TextSlotList, WildcardSlotList
from hassil.models import UnmatchedRangeEntity, UnmatchedTextEntity
from hassil.recognize import MISSING_ENTITY, RecognizeResult, recognize_all
from hassil.util import fold_case, merge_dict
from home_assistant_intents import get_intents, get_languages
from unicode_rbnf import RbnfEngine

from engine.query.errors import UnsupportedLanguageError
from engine.query.language_files import language_file
from engine.query.slots import SlotRef

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()
_GRAMMARS: dict[str, Grammar] = {}
# Words an unrecognised name may have; more means the sentence is something else.
MAX_UNMATCHED_WORDS: Final = 4


@dataclass(frozen=True, slots=True)
class Grammar:
    """The compiled intents of one language."""

    language: str
    intents: Intents


def supported_languages() -> list[str]:
    """Return the languages Home Assistant has intents for."""
    return [str(code) for code in get_languages()]


def language_variant(language: str) -> str:
    """Return the intents language for a code ("en-US" -> "en"), or raise."""
    languages = {str(code).casefold(): str(code) for code in get_languages()}
    wanted = language.strip().replace("_", "-").casefold()
    if wanted in languages:
        return languages[wanted]
    base = wanted.partition("-")[0]
    if base in languages:
        return languages[base]
    raise UnsupportedLanguageError(language, sorted(languages.values()))


# hassil's merge (lists extend, dicts merge, the rest is replaced), which has no annotations.
_merge = cast(Callable[[dict[str, Any], dict[str, Any]], None], merge_dict)


def load_grammar(language: str) -> Grammar:
    """Return the grammar of a language, built and warmed on first use, then shared."""
    variant = language_variant(language)
    # One build per language per process, even when two parsers start at once.
    with _LOCK:
        grammar = _GRAMMARS.get(variant)
        if grammar is None:
            grammar = _GRAMMARS[variant] = _build(variant)
    return grammar


def _build(variant: str) -> Grammar:
    start = time.perf_counter()
    data = get_intents(variant)
    if data is None:
        raise UnsupportedLanguageError(variant, supported_languages())
    # HomeIQ's sentences for phrasings Home Assistant's grammar lacks (grammar/<lang>.yaml,
    # its custom-sentence format): every match goes through the one resolution and mapping.
    if extra := language_file("grammar", variant):
        # Custom sentences merge into the built-in ones, as Home Assistant merges them.
        _merge(data, copy.deepcopy(extra))
    _take_tenths_of_a_degree(data)
    intents = Intents.from_dict(data)
    _warm(intents)
    _LOGGER.debug("Loaded %s intents in %.2f s", variant, time.perf_counter() - start)
    return Grammar(variant, intents)


def _take_tenths_of_a_degree(data: dict[str, Any]) -> None:
    """Let temperatures have tenths where Home Assistant's grammar takes halves only.

    Thermostats step by tenths as well as halves (`target_temp_step`) and people say the
    setpoint they read off them: with halves only, "set the thermostat to 20.3 degrees"
    was not understood at all (and cost a failed search for an unknown name).
    """
    temperature = data.get("lists", {}).get("temperature", {}).get("range")
    if isinstance(temperature, dict) and temperature.get("fractions") == "halves":
        temperature["fractions"] = "tenths"


def _warm(intents: Intents) -> None:
    """Parse every template and find its required text now; hassil would on the first request."""
    for intent in intents.intents.values():
        for data in intent.data:
            # The rules hassil's matcher finds them with (it keeps the first answer).
            rules = {**intents.expansion_rules, **data.expansion_rules}
            for sentence in data.sentences:
                sentence.get_required_clauses(rules)


def recognize(
    grammar: Grammar, text: str, slot_lists: dict[str, SlotList], context: dict[str, Any]
) -> RecognizeResult | None:
    """Return the best strict match (every name, area and number known), as HA ranks them.

    Home Assistant prefers a match with a name, then the longest name, then the fewest
    wildcards and the most literal text. When equally good matches read one name as
    different entities (a light and a switch both called "Kitchen"), their readings are
    merged so that the resolver sees every candidate instead of the first one found.
    """
    best: list[RecognizeResult] = []
    best_rank: tuple[int, int, int, int] | None = None
    for result in recognize_all(
        text,
        grammar.intents,
        slot_lists=slot_lists,
        intent_context=context,
        language=grammar.language,
    ):
        rank = _rank(result)
        if best_rank is None or rank > best_rank:
            best, best_rank = [result], rank
        elif rank == best_rank:
            best.append(result)
    if not best:
        return None
    return _merge_names(best)


def _rank(result: RecognizeResult) -> tuple[int, int, int, int]:
    name = result.entities.get("name")
    named = name is not None and not name.is_wildcard
    wildcards = sum(1 for entity in result.entities_list if entity.is_wildcard)
    return (
        int(named),
        len(name.text) if named and name else 0,
        -wildcards,
        result.text_chunks_matched,
    )


def _merge_names(results: list[RecognizeResult]) -> RecognizeResult:
    """Return the first result, its name standing for every entity the equal ones read."""
    first = results[0]
    name = first.entities.get("name")
    if name is None or not isinstance(name.value, SlotRef):
        return first
    refs = [name.value]
    for other in results[1:]:
        other_name = other.entities.get("name")
        if (
            other.intent.name == first.intent.name
            and other_name is not None
            and other_name.text == name.text
            and isinstance(other_name.value, SlotRef)
        ):
            refs.append(other_name.value)
    ids = tuple(dict.fromkeys(item for ref in refs for item in ref.ids))
    if ids == name.value.ids:
        return first
    merged = dataclasses.replace(
        name,
        value=SlotRef(
            text=name.value.text,
            ids=ids,
            exact=all(ref.exact for ref in refs),
            generic=all(ref.generic for ref in refs),
        ),
    )
    return dataclasses.replace(
        first,
        entities={**first.entities, "name": merged},
        entities_list=[merged if e is name else e for e in first.entities_list],
    )


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A template that fits the sentence except for words no slot list knows."""

    result: RecognizeResult
    slot: str
    text: str


def recognize_unmatched(
    grammar: Grammar,
    text: str,
    slot_lists: dict[str, SlotList],
    context: dict[str, Any],
    never: frozenset[str] = frozenset(),
) -> Unmatched | None:
    """Return the template that fits best with one unknown name, area or floor (for asking).

    `never` holds words no name has: a template that would read one as a name is skipped.
    """
    best: tuple[tuple[int, int, int], Unmatched] | None = None
    for result in recognize_all(
        text,
        grammar.intents,
        slot_lists=slot_lists,
        intent_context=context,
        allow_unmatched_entities=True,
        language=grammar.language,
    ):
        unmatched = list(_unmatched_words(result))
        if result.text_chunks_matched < 1 or len(unmatched) != 1:
            continue
        if any(
            isinstance(entity, UnmatchedRangeEntity) for entity in result.unmatched_entities_list
        ):
            continue
        slot, words = unmatched[0]
        if slot not in ("name", "area", "floor") or len(words.split()) > MAX_UNMATCHED_WORDS:
            continue
        if never and not never.isdisjoint(words.casefold().split()):
            continue
        # Like Home Assistant's fallback: most literal text, then most slots that matched.
        matched = sum(1 for e in result.entities_list if e.name not in result.unmatched_entities)
        score = (result.text_chunks_matched, matched, -len(words))
        if best is None or score > best[0]:
            best = (score, Unmatched(result, slot, words))
    return best[1] if best else None


def _unmatched_words(result: RecognizeResult) -> Iterator[tuple[str, str]]:
    """Yield (slot, words) for each slot whose words no list knew."""
    for entity in result.unmatched_entities_list:
        if isinstance(entity, UnmatchedTextEntity) and entity.text != MISSING_ENTITY:
            yield entity.name, entity.text.strip()


@dataclass(frozen=True, slots=True)
class TemplateWords:
    """One sentence template of an intent, and every word it can match as text."""

    intent: str
    data: IntentData
    sentence: Sentence
    words: frozenset[str]
    # A slot that takes any words (a to-do item, a message): any word may be its.
    wildcard: bool
    # A necessary condition for a match: text containing a fragment of every clause
    # (hassil's for the template's literal text), and a word of each list it cannot skip.
    clauses: frozenset[frozenset[str]]
    list_clauses: frozenset[frozenset[str]]
    # The home's lists (names, areas, floors) it cannot skip: a strict match needs a value.
    home_lists: frozenset[str]


def template_words(grammar: Grammar) -> list[TemplateWords]:
    """Return every template of a grammar with the words its text, rules and lists can match."""
    intents = grammar.intents
    found: list[TemplateWords] = []
    for intent in intents.intents.values():
        for data in intent.data:
            rules = {**intents.expansion_rules, **data.expansion_rules}
            lists = {**intents.slot_lists, **data.slot_lists}
            for sentence in data.sentences:
                words: set[str] = set()
                walker = _WordWalker(rules, lists, words)
                walker.walk(sentence.expression)
                folded = frozenset(word.casefold() for word in words)
                required = _required_lists(sentence.expression, rules, frozenset())
                found.append(
                    TemplateWords(
                        intent.name,
                        data,
                        sentence,
                        folded,
                        walker.wildcard,
                        sentence.get_required_clauses(rules),
                        _list_clauses(required, lists),
                        required & HOME_LISTS,
                    )
                )
    return found


# Lists HomeIQ hands hassil per request (the home's names, areas and floors, near ones too).
HOME_LISTS: Final = frozenset({"name", "area", "floor"})


def _required_lists(
    expression: Expression, rules: dict[str, Sentence], seen: frozenset[str]
) -> frozenset[str]:
    """Return the lists every reading of an expression takes a value from."""
    required: frozenset[str] = frozenset()
    if isinstance(expression, ListReference):
        required = frozenset({expression.list_name})
    elif isinstance(expression, RuleReference):
        rule = rules.get(expression.rule_name)
        if rule is not None and expression.rule_name not in seen:
            required = _required_lists(rule.expression, rules, seen | {expression.rule_name})
    elif isinstance(expression, Alternative):
        if not expression.is_optional and expression.items:
            each = [_required_lists(item, rules, seen) for item in expression.items]
            required = frozenset.intersection(*each)
    elif isinstance(expression, Group):  # a sequence or a permutation: every item
        required = frozenset().union(
            *(_required_lists(item, rules, seen) for item in expression.items)
        )
    return required


def _list_clauses(
    required: frozenset[str], lists: dict[str, SlotList]
) -> frozenset[frozenset[str]]:
    """Return, per required list of plain words, the words one of which the text must have.

    A value matches whole words of the text, so a sentence with none of a list's words
    cannot fill it: a template that needs a colour is no reading of "make the kitchen
    sing", even when a search may leave one name unknown (hassil would try every value
    and every span). Lists of numbers or any words, the home's own lists, and lists with
    values that are templates themselves are not judged.
    """
    clauses: set[frozenset[str]] = set()
    for name in required - HOME_LISTS:
        slot_list = lists.get(name)
        if not isinstance(slot_list, TextSlotList) or not slot_list.values:
            continue
        texts = [value.text_in for value in slot_list.values]
        if not all(isinstance(text, TextChunk) and _WORD.search(text.text) for text in texts):
            continue
        clauses.add(
            frozenset(
                word
                for text in texts
                if isinstance(text, TextChunk)
                for word in _WORD.findall(fold_case(text.text))
            )
        )
    return frozenset(clauses)


def shared_words(grammar: Grammar) -> frozenset[str]:
    """Return the words every template may match: skip words and the numbers' words."""
    return frozenset(
        word.casefold()
        for text in [*grammar.intents.skip_words, *_number_words(grammar.language)]
        for word in _WORD.findall(text.casefold())
    )


class _WordWalker:
    """Collects the literal words an expression can match, following rules and lists."""

    def __init__(
        self, rules: dict[str, Sentence], lists: dict[str, SlotList], found: set[str]
    ) -> None:
        self._rules, self._lists, self._found = rules, lists, found
        self._seen: set[str] = set()
        self.wildcard = False

    def walk(self, expression: Expression) -> None:
        if isinstance(expression, TextChunk):
            self._found.update(_WORD.findall(expression.text.casefold()))
        elif isinstance(expression, Group):
            for item in expression.items:
                self.walk(item)
        elif isinstance(expression, RuleReference):
            if expression.rule_name not in self._seen and expression.rule_name in self._rules:
                self._seen.add(expression.rule_name)
                self.walk(self._rules[expression.rule_name].expression)
        elif isinstance(expression, ListReference):
            self._list(expression.list_name)

    def _list(self, name: str) -> None:
        slot_list = self._lists.get(name)
        if isinstance(slot_list, WildcardSlotList):
            self.wildcard = True
        elif isinstance(slot_list, TextSlotList) and f"list:{name}" not in self._seen:
            self._seen.add(f"list:{name}")
            for value in slot_list.values:
                self.walk(value.text_in)


_WORD: Final = re.compile(r"\w+")
# Numbers a template's ranges take, said in words (percentages, degrees, volumes); one
# with a fraction for the word between its parts ("sixteen point five degrees").
_SPOKEN_NUMBERS: Final = (*range(101), 16.5)


def _number_words(language: str) -> set[str]:
    """Return the words of the numbers 0-100 and of a decimal point, as ranges say them."""
    try:
        engine = RbnfEngine.for_language(language)
    except (ValueError, KeyError, OSError):
        return set()
    words: set[str] = set()
    for number in _SPOKEN_NUMBERS:
        try:
            said = engine.format_number(number)
        except (ValueError, KeyError, IndexError):
            continue
        for text in said.text_by_ruleset.values():
            words.update(_WORD.findall(text.casefold()))
    return words
