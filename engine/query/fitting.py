"""Which intents can match a sentence, judged by the words each intent's templates have.

hassil tries every template of every intent it is given; most of a sentence's cost (and
nearly all of a refusal's) is templates that could never match, because the sentence has
a word they lack. Before a search, each intent is kept only when its templates, its lists,
the home's names, numbers and skip words have every word of the sentence, or (when a
search may leave one name unknown) all but one short run of words. hassil has no such
pre-check (its required-fragment check runs per template, after expansion).
"""

from __future__ import annotations

import dataclasses
from typing import Final

from engine.query.intents import Grammar, Lexicon, intent_lexicons
from engine.query.slots import spoken_words

# Distinct intent selections kept; the sentences of a home fall into few of them.
_MAX_SUBSETS: Final = 512


class IntentFitting:
    """Cuts a grammar to the intents whose words can explain a sentence."""

    def __init__(
        self,
        grammar: Grammar,
        home_words: frozenset[str],
        skip_words: list[str],
        *,
        checked: bool,
    ) -> None:
        # Unchecked (a language whose words take endings HomeIQ cannot split off), every
        # intent is always kept.
        self._grammar = grammar
        self._lexicons: dict[str, Lexicon] = intent_lexicons(grammar) if checked else {}
        self._home_words = home_words
        self._skip_words = skip_words
        self._subsets: dict[tuple[str, ...], Grammar] = {}

    def fitting(
        self,
        within: Grammar,
        text: str,
        *,
        nearly: frozenset[str] | set[str] = frozenset(),
        unknown_run: int = 0,
    ) -> Grammar:
        """Return `within` with only the intents that can match the text.

        An intent fits when its lexicon has every word that is not the home's, or, with
        `unknown_run`, when the words it lacks are one run of at most that many words (the
        name a search may leave unmatched). Intents that take any words always fit.
        """
        if not self._lexicons:
            return within
        candidates = [
            (index, word)
            for index, word in enumerate(spoken_words(text, self._skip_words))
            # A word with a digit is a number, a time or a percentage ("40%", "7:30").
            if word not in self._home_words
            and word not in nearly
            and not any(character.isdigit() for character in word)
        ]
        kept = tuple(
            name
            for name in within.intents.intents
            if _fits(self._lexicons[name], candidates, unknown_run)
        )
        if len(kept) == len(within.intents.intents):
            return within
        subset = self._subsets.get(kept)
        if subset is None:
            if len(self._subsets) >= _MAX_SUBSETS:
                self._subsets.clear()
            intents = self._grammar.intents
            chosen = {name: intents.intents[name] for name in kept}
            subset = Grammar(self._grammar.language, dataclasses.replace(intents, intents=chosen))
            self._subsets[kept] = subset
        return subset


def _fits(lexicon: Lexicon, candidates: list[tuple[int, str]], unknown_run: int) -> bool:
    if lexicon.open_intents:
        return True
    missing = [index for index, word in candidates if not lexicon.has(word)]
    if not missing:
        return True
    # One run: the words an unknown name would take are next to each other.
    return len(missing) <= unknown_run and missing[-1] - missing[0] == len(missing) - 1
