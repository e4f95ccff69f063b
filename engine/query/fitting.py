"""Which templates can match a sentence, judged by the words each template has.

hassil tries every template it is given that holds the literal text the template requires,
as substrings ("off" is in "office", so "turn on the office light" still tries every "turn
off" template). Most of a sentence's cost, and nearly all of a refusal's, is templates that
could never match because the sentence has a word they lack. Before a search, each template
is kept only when its text, rules and lists, the home's names, numbers and skip words have
every word of the sentence, or (when a search may leave one name unknown) all but one short
run of words. Each word's templates are a bit mask, so a sentence costs a few integer
operations per word, not a pass over the templates. The template's required text is then
looked for as hassil does, except that a word which is written between spaces in every
template must be a whole word of the sentence ("off" is not in "office").
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from hassil.intents import Intent, IntentData
from hassil.util import (
    CJK_WHITESPACE,
    fold_case,
    normalize_for_matching,
    remove_skip_words_tracked,
)

from engine.query.intents import Grammar, TemplateWords, shared_words, template_words
from engine.query.slots import spoken_words
from engine.query.word_bounds import glued_words

# Distinct template selections kept; the sentences of a home fall into few of them.
_MAX_SUBSETS: Final = 512
# Texts whose templates with the required text are remembered (a parse's own few).
_KEPT_TEXTS: Final = 64
# A word as hassil's matcher separates them: letters and digits, between spaces, punctuation,
# "-" and "_".
_TOKEN: Final = re.compile(r"[^\W_]+")
# Templates also build words of pieces ("cierr(a|e)", "light[s]"): a word that starts with
# a template's word of at least this many letters may be one built on it.
_PIECE: Final = 3


class IntentFitting:
    """Cuts a grammar to the templates whose words can explain a sentence."""

    def __init__(
        self,
        grammar: Grammar,
        home_words: frozenset[str],
        skip_words: list[str],
        *,
        checked: bool,
    ) -> None:
        # Unchecked (a language whose words take endings HomeIQ cannot split off), every
        # template is always kept.
        self._checked = checked
        self._grammar = grammar
        self._home_words = home_words
        self._skip_words = skip_words
        self._templates: list[TemplateWords] = template_words(grammar) if checked else []
        self._known = shared_words(grammar) if checked else frozenset()
        # Bit i stands for template i.
        masks: dict[str, int] = defaultdict(int)
        self._by_intent: dict[str, int] = defaultdict(int)
        self._open = 0
        for index, template in enumerate(self._templates):
            bit = 1 << index
            self._by_intent[template.intent] |= bit
            if template.wildcard:
                self._open |= bit
            for word in template.words:
                masks[word] |= bit
        self._masks = dict(masks)
        pieces: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for word, mask in self._masks.items():
            if len(word) >= _PIECE:
                pieces[word[:_PIECE]].append((word, mask))
        self._pieces = dict(pieces)
        # Each clause of literal fragments (and of list words), and the templates that need
        # one of them.
        needing: dict[frozenset[str], int] = defaultdict(int)
        needing_listed: dict[frozenset[str], int] = defaultdict(int)
        for index, template in enumerate(self._templates):
            for clause in template.clauses:
                needing[clause] |= 1 << index
            for clause in template.list_clauses:
                needing_listed[clause] |= 1 << index
        self._clauses = list(needing.items())
        self._list_clauses = list(needing_listed.items())
        fragments = {fragment for clause in needing for fragment in clause}
        # Fragments that can only match a whole word are looked for among the sentence's
        # words ("off" is not in "office"); the rest as substrings, as hassil does.
        whole: set[str] = set()
        # (Unchecked, there are no fragments; a language without spaces keeps substrings.)
        if fragments and not grammar.intents.settings.ignore_whitespace:
            glued = glued_words(grammar)
            whole = {f for f in fragments if f not in glued and _TOKEN.fullmatch(f)}
        self._whole_fragments = tuple(whole)
        self._fragments = tuple(fragments - whole)
        self._list_words = tuple({word for clause in needing_listed for word in clause})
        # A parse cuts the same text several times (whole, near names, one unknown name).
        self._with_fragments = lru_cache(maxsize=_KEPT_TEXTS)(self._with_fragments_of)
        # The templates that cannot match without a value of each of the home's lists.
        self._needing_list: dict[str, int] = defaultdict(int)
        for index, template in enumerate(self._templates):
            for slot in template.home_lists:
                self._needing_list[slot] |= 1 << index
        self._subsets: dict[int, Grammar] = {}

    def fitting(
        self,
        within: Grammar,
        text: str,
        *,
        nearly: frozenset[str] | set[str] = frozenset(),
        unknown_run: int = 0,
        empty: Iterable[str] = (),
    ) -> Grammar:
        """Return `within` with only the templates that can match the text.

        A template fits when it has every word that is not the home's, or, with
        `unknown_run`, when the words it lacks are one run of at most that many words (the
        name a search may leave unmatched). Templates that take any words always fit.
        `empty` names the home's lists (name, area, floor) that have no value for this
        text: a template that cannot skip one of them does not fit (a strict search only).
        """
        if not self._checked:
            return within
        allowed = 0
        for name in within.intents.intents:
            allowed |= self._by_intent.get(name, 0)
        words = spoken_words(text, self._skip_words)
        having = {
            index: self._having(word)
            for index, word in enumerate(words)
            # A word with a digit is a number, a time or a percentage ("40%", "7:30").
            if word not in self._home_words
            and word not in nearly
            and word not in self._known
            and not any(character.isdigit() for character in word)
        }
        every = -1  # all bits: the templates that have every such word
        for mask in having.values():
            every &= mask
        kept = self._open | every
        for start in having if unknown_run else ():
            # The templates that lack exactly the words start..end (one run) and have the rest.
            lacking, end = -1, start
            while end in having and end - start < unknown_run:
                lacking &= ~having[end]
                rest = -1
                for index, mask in having.items():
                    if not start <= index <= end:
                        rest &= mask
                kept |= lacking & rest
                end += 1
        for slot in empty:
            kept &= ~self._needing_list.get(slot, 0)
        return self._subset(within, kept & allowed & self._with_fragments(text))

    def _with_fragments_of(self, text: str) -> int:
        """Return the templates whose required literal text the sentence has (hassil's test)."""
        haystack = _haystack(self._grammar, text)
        # Each fragment looked for once, then each clause is one set operation.
        present = {fragment for fragment in self._fragments if fragment in haystack}
        # hassil breaks words at "-" and "_" too ("living_room"), so they split words here.
        tokens = set(_TOKEN.findall(haystack))
        present.update(fragment for fragment in self._whole_fragments if fragment in tokens)
        listed = {word for word in self._list_words if word in haystack}
        lacking = 0
        for clause, mask in self._clauses:
            if clause.isdisjoint(present):
                lacking |= mask
        for clause, mask in self._list_clauses:
            if clause.isdisjoint(listed):
                lacking |= mask
        return ~lacking

    def _having(self, word: str) -> int:
        """Return the templates that have a word, or a word it may be built on."""
        mask = self._masks.get(word, 0)
        for piece, templates in self._pieces.get(word[:_PIECE], ()):
            if word.startswith(piece):
                mask |= templates
        return mask

    def _subset(self, within: Grammar, kept: int) -> Grammar:
        """Return a grammar of the kept templates (the same object for the same templates)."""
        subset = self._subsets.get(kept)
        if subset is not None:
            return subset
        if len(self._subsets) >= _MAX_SUBSETS:
            self._subsets.clear()
        chosen: dict[str, dict[int, tuple[IntentData, list[TemplateWords]]]] = {}
        for index, template in enumerate(self._templates):
            if kept >> index & 1:
                by_data = chosen.setdefault(template.intent, {})
                by_data.setdefault(id(template.data), (template.data, []))[1].append(template)
        intents = {
            name: Intent(name, [_only(data, templates) for data, templates in by_data.values()])
            for name, by_data in chosen.items()
        }
        subset = Grammar(
            within.language, dataclasses.replace(self._grammar.intents, intents=intents)
        )
        self._subsets[kept] = subset
        return subset


def _only(data: IntentData, templates: list[TemplateWords]) -> IntentData:
    """Return an intent's data block with only some of its (already compiled) templates."""
    if len(templates) == len(data.sentences):
        return data
    sentences = [template.sentence for template in templates]
    texts = [sentence.text or "" for sentence in sentences]
    subset = dataclasses.replace(data, sentence_texts=texts)
    # hassil parses `sentence_texts` into `sentences` on first use (a cached property): the
    # compiled templates are handed over instead of being parsed and compiled again.
    subset.__dict__["sentences"] = sentences
    return subset


def _haystack(grammar: Grammar, text: str) -> str:
    """Return the text hassil looks for templates' required fragments in (`recognize_all`)."""
    intents = grammar.intents
    with_skip_words = normalize_for_matching(text)
    without = with_skip_words.copy()
    if intents.skip_words:
        remove_skip_words_tracked(without, intents.skip_words, intents.settings.ignore_whitespace)
    haystack = f"{fold_case(with_skip_words.text)}\n{fold_case(without.text)}"
    if intents.settings.ignore_whitespace:
        haystack += "\n" + CJK_WHITESPACE.sub("", haystack)
    return haystack
