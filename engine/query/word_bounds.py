"""Which of a grammar's literal words can only ever match whole words of a sentence."""

from __future__ import annotations

from typing import Final

from hassil.expression import (
    Alternative,
    Expression,
    Group,
    Permutation,
    RuleReference,
    Sentence,
    TextChunk,
)
from hassil.util import fold_case

from engine.query.intents import Grammar

# What the text matched so far may end with: a letter (True) or a space or nothing (False).
_Edge = frozenset[bool]
_SPACE: Final[_Edge] = frozenset({False})
_EITHER: Final[_Edge] = frozenset({False, True})


def glued_words(grammar: Grammar) -> frozenset[str]:
    """Return the template words that may touch other text with no space between them.

    hassil looks for a template's required words as substrings of the sentence, so "off"
    is found in "office". A word written between spaces in every template ("turn off")
    can only match a whole word of the sentence: after it hassil needs the template's
    space, or the sentence's end. The others may not: "lamp[s]", "{brightness}%", "l'",
    or a word beside a list's value or a wildcard.
    """
    intents = grammar.intents
    glued: set[str] = set()
    for intent in intents.intents.values():
        for data in intent.data:
            walker = _EdgeWalker({**intents.expansion_rules, **data.expansion_rules}, glued)
            for sentence in data.sentences:
                for backwards in (False, True):
                    walker.walk(sentence.expression, _SPACE, backwards=backwards)
    return frozenset(glued)


class _EdgeWalker:
    """Walks templates forwards (or backwards), noting the words that may touch a letter."""

    def __init__(self, rules: dict[str, Sentence], glued: set[str]) -> None:
        self._rules, self._glued = rules, glued
        # A rule walked from one edge in one direction adds the same words every time.
        self._walked: dict[tuple[str, _Edge, bool], _Edge] = {}
        self._open: set[str] = set()

    def walk(self, expression: Expression, before: _Edge, *, backwards: bool) -> _Edge:
        """Return how the text may end after the expression, given how it ended before."""
        if isinstance(expression, TextChunk):
            return self._chunk(expression.text, before, backwards=backwards)
        if isinstance(expression, Alternative):
            after: set[bool] = set(before) if expression.is_optional else set()
            for item in expression.items:
                after |= self.walk(item, before, backwards=backwards)
            return frozenset(after)
        if isinstance(expression, Permutation):
            # hassil puts the items in any order: any of them may follow any other.
            for item in expression.items:
                self.walk(item, _EITHER, backwards=backwards)
            return _EITHER
        if isinstance(expression, Group):
            items = reversed(expression.items) if backwards else expression.items
            for item in items:
                before = self.walk(item, before, backwards=backwards)
            return before
        if isinstance(expression, RuleReference):
            return self._rule(expression.rule_name, before, backwards=backwards)
        # A list's value, a number or a wildcard may end (or start) with a letter or not.
        return _EITHER

    def _chunk(self, text: str, before: _Edge, *, backwards: bool) -> _Edge:
        pieces = text.split()
        if not text:
            return before
        if not pieces:
            return _SPACE
        if backwards:
            near, near_piece, far = text[-1], pieces[-1], text[0]
        else:
            near, near_piece, far = text[0], pieces[0], text[-1]
        if True in before and not near.isspace():
            self._glued.add(fold_case(near_piece))
        return frozenset({not far.isspace()})

    def _rule(self, name: str, before: _Edge, *, backwards: bool) -> _Edge:
        rule = self._rules.get(name)
        if rule is None or name in self._open:
            return _EITHER
        key = (name, before, backwards)
        if key not in self._walked:
            self._open.add(name)
            self._walked[key] = self.walk(rule.expression, before, backwards=backwards)
            self._open.discard(name)
        return self._walked[key]
