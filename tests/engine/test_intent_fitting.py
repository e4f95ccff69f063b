"""The templates searched for a sentence: only those that can match it, and never one less."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    Permutation,
    RuleReference,
    Sentence,
    TextChunk,
)
from hassil.intents import Intents, RangeSlotList, SlotList, TextSlotList
from hassil.recognize import recognize_all

from engine.query import fitting as fitting_module
from engine.query.fitting import IntentFitting
from engine.query.intents import Grammar, load_grammar, recognize_unmatched
from engine.query.word_bounds import glued_words

# Names of a home, as the parsers hand them over (they may stand anywhere in a sentence).
HOME_WORDS = frozenset({"kitchen", "hall", "light", "lamp", "küche", "licht", "flur"})
LISTS: dict[str, SlotList] = {
    "area": TextSlotList.from_strings(["kitchen", "hall", "Küche", "Flur"], name="area"),
    "name": TextSlotList.from_strings(["kitchen light", "hall lamp", "Flur Licht"], name="name"),
    "floor": TextSlotList.from_strings([], name="floor"),
}
# The home's lists with no value for the sentences here.
EMPTY = ["floor"]

SENTENCES = {
    "en": [
        "turn on the kitchen light",
        "turn off the lights in the hall",
        "set the kitchen lamp to 40%",
        "what is the temperature in the kitchen",
        "is the hall light on",
        "open the garage door",
        "please order pizza for the kitchen",
        "set the kitchen vibe to 47",
        "tell me a joke about penguins",
        "what's the weather like",
        "make the kitchen sing",
        "turn the kitchen light red",
        "set the hall lamp to warm white",
        # Cut short: a list slot left without words, a name left unknown.
        "set the kitchen light to",
        "change the moon lamp to",
        "set the moon lamp to blue",
        "open the",
    ],
    "de": [
        "schalte das Licht in der Küche ein",
        "mach das Flur Licht aus",
        "wie warm ist es in der Küche",
    ],
}


def _fitting(language: str) -> IntentFitting:
    grammar = load_grammar(language)
    return IntentFitting(
        grammar, HOME_WORDS, list(grammar.intents.skip_words), checked=language == "en"
    )


def _templates(grammar: Grammar) -> set[str]:
    return {
        f"{intent.name}: {sentence.text}"
        for intent in grammar.intents.intents.values()
        for data in intent.data
        for sentence in data.sentences
    }


def _matches(grammar: Grammar, text: str) -> list[tuple[str, str]]:
    found = recognize_all(text, grammar.intents, slot_lists=LISTS, language=grammar.language)
    return sorted(
        (result.intent.name, result.intent_sentence.text or "")
        for result in found
        if result.intent_sentence is not None
    )


def test_a_template_whose_required_words_the_sentence_lacks_is_not_searched() -> None:
    fitting = _fitting("en")
    grammar = load_grammar("en")
    kept = fitting.fitting(grammar, "turn on the kitchen light")
    # "Turn off" templates have every word of "turn on the kitchen light" among the
    # words they can match ("turn ... on the floor"), but none can match without "off".
    assert "HassTurnOff" in grammar.intents.intents
    assert "HassTurnOff" not in kept.intents.intents
    assert "HassTurnOn" in kept.intents.intents


def test_a_template_that_needs_a_word_of_a_list_the_sentence_lacks_is_not_searched() -> None:
    fitting = _fitting("en")
    grammar = load_grammar("en")
    # One unknown name may be left ("sing"), but no colour is said: the templates that
    # need one ("make the {name} {color}") cannot read the sentence.
    unknown = fitting.fitting(grammar, "make the kitchen sing", unknown_run=4)
    assert not any("{color}" in template for template in _templates(unknown))
    said = fitting.fitting(grammar, "make the kitchen red", unknown_run=4)
    assert any("{color}" in template for template in _templates(said))


def test_a_sentence_is_looked_through_for_required_text_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fitting = _fitting("en")
    grammar = load_grammar("en")
    looked: list[str] = []
    haystack = fitting_module._haystack

    def counted(within: Grammar, text: str) -> str:
        looked.append(text)
        return haystack(within, text)

    monkeypatch.setattr(fitting_module, "_haystack", counted)
    # A refusal is cut three times: whole, with near names, with one unknown name.
    first = fitting.fitting(grammar, "make the kitchen sing")
    fitting.fitting(grammar, "make the kitchen sing", nearly={"kitchen"})
    fitting.fitting(grammar, "make the kitchen sing", unknown_run=4)
    assert looked == ["make the kitchen sing"]
    assert fitting.fitting(grammar, "make the kitchen sing") is first


def test_a_template_that_needs_a_floor_is_not_searched_when_no_floor_is_said() -> None:
    fitting = _fitting("en")
    grammar = load_grammar("en")
    needing = _templates(fitting.fitting(grammar, "turn on the kitchen light"))
    assert any("{floor}" in template for template in needing)
    kept = _templates(fitting.fitting(grammar, "turn on the kitchen light", empty=["floor"]))
    assert not any("{floor}" in template for template in kept)
    # Where a floor may be the unknown name, the templates are kept.
    unknown = fitting.fitting(grammar, "turn on the kitchen light", unknown_run=4)
    assert any("{floor}" in template for template in _templates(unknown))


@pytest.mark.parametrize(
    ("language", "text"),
    [(language, text) for language, texts in SENTENCES.items() for text in texts],
)
@pytest.mark.parametrize("unmatched", [False, True])
def test_the_templates_kept_match_as_the_whole_grammar_does(
    language: str, text: str, unmatched: bool
) -> None:
    grammar = load_grammar(language)
    fitting = _fitting(language)
    if unmatched:
        kept = fitting.fitting(grammar, text, unknown_run=4)
    else:
        kept = fitting.fitting(grammar, text, empty=EMPTY)
    assert _templates(kept) <= _templates(grammar)
    if not unmatched:
        # Strictly, every match of the whole grammar is found among the templates kept.
        assert _matches(kept, text) == _matches(grammar, text)
    else:
        # The template that fits but for one unknown name is the one the whole grammar gives.
        assert _unmatched(kept, text) == _unmatched(grammar, text)


def _unmatched(grammar: Grammar, text: str) -> tuple[str, str, str] | None:
    found = recognize_unmatched(grammar, text, LISTS, {})
    if found is None or found.result.intent_sentence is None:
        return None
    return (found.result.intent.name, found.result.intent_sentence.text or "", found.text)


def test_a_required_word_is_looked_for_as_a_whole_word() -> None:
    fitting = IntentFitting(load_grammar("en"), HOME_WORDS | {"office"}, [], checked=True)
    grammar = load_grammar("en")
    # hassil finds "off" in "office": only the fitting's word check leaves "turn off" out.
    kept = fitting.fitting(grammar, "turn on the office light")
    assert "HassTurnOff" not in kept.intents.intents
    assert "HassTurnOff" in fitting.fitting(grammar, "turn off the office light").intents.intents


def test_words_that_may_touch_other_text_are_glued() -> None:
    grammar = _grammar_of(
        {
            "Lamps": ["turn off the lamp[s]", "dim {name} to {brightness}%", "allume l'{name}"],
            "Rule": ["<verb>on {name}"],
        }
    )
    glued = glued_words(grammar)
    assert {"lamp", "s", "%", "l'", "switch", "flip", "on"} <= glued
    # Written between spaces in every template: only a whole word of a sentence matches.
    assert not {"turn", "off", "the", "dim", "to", "allume"} & glued


def _grammar_of(sentences: dict[str, list[str]]) -> Grammar:
    intents = Intents.from_dict(
        {
            "language": "en",
            "intents": {
                name: {"data": [{"sentences": texts}]} for name, texts in sentences.items()
            },
            "lists": {"brightness": {"range": {"from": 0, "to": 100}}},
            "expansion_rules": {"verb": "(switch|flip)"},
        }
    )
    return Grammar("en", intents)


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "nl"])
def test_the_whole_word_check_never_leaves_out_a_template_that_matches(language: str) -> None:
    """Sentences sampled from every template: what the word check drops cannot match them."""
    grammar = load_grammar(language)
    fitting = IntentFitting(grammar, HOME_WORDS, list(grammar.intents.skip_words), checked=True)
    substrings = IntentFitting(grammar, HOME_WORDS, list(grammar.intents.skip_words), checked=True)
    # The same fitting with every fragment looked for as a substring, as hassil does.
    substrings._fragments += substrings._whole_fragments
    substrings._whole_fragments = ()
    assert fitting._whole_fragments, "no fragment is checked as a whole word"
    dropped_somewhere = 0
    for text in _sampled(grammar):
        kept = _templates(fitting.fitting(grammar, text))
        wider = substrings.fitting(grammar, text)
        if kept == _templates(wider):
            continue
        dropped_somewhere += 1
        matched = {f"{intent}: {template}" for intent, template in _matches(wider, text)}
        assert matched <= kept, text
    assert dropped_somewhere, "the sample never exercised the word check"


def _sampled(grammar: Grammar) -> Iterator[str]:
    """Yield two sentences from each template: one random reading each, with the home's names."""
    intents = grammar.intents
    chance = random.Random(19)  # noqa: S311 - test data, not secrets
    for intent in intents.intents.values():
        for data in intent.data:
            rules = {**intents.expansion_rules, **data.expansion_rules}
            lists = {**intents.slot_lists, **data.slot_lists, **SAMPLED_LISTS}
            for sentence in data.sentences:
                for _ in range(2):
                    yield _reading(sentence.expression, rules, lists, chance)


SAMPLED_LISTS: dict[str, SlotList] = {**LISTS, "floor": TextSlotList.from_strings(["upstairs"])}


def _reading(
    expression: Expression,
    rules: dict[str, Sentence],
    lists: dict[str, SlotList],
    chance: random.Random,
) -> str:
    """Return one text a template matches, its alternatives and values picked at random."""
    text = "something"  # a wildcard's words
    if isinstance(expression, TextChunk):
        text = expression.text
    elif isinstance(expression, Alternative):
        text = _reading(chance.choice(expression.items), rules, lists, chance)
    elif isinstance(expression, Permutation):
        items = chance.sample(expression.items, len(expression.items))
        text = " ".join(_reading(item, rules, lists, chance) for item in items)
    elif isinstance(expression, Group):
        text = "".join(_reading(item, rules, lists, chance) for item in expression.items)
    elif isinstance(expression, RuleReference):
        text = _reading(rules[expression.rule_name].expression, rules, lists, chance)
    elif isinstance(expression, ListReference):
        slot_list = lists.get(expression.list_name)
        if isinstance(slot_list, TextSlotList) and slot_list.values:
            text = _reading(chance.choice(slot_list.values).text_in, rules, lists, chance)
        elif isinstance(slot_list, RangeSlotList):
            text = str(chance.randrange(slot_list.start, slot_list.stop + 1, slot_list.step))
    return text
