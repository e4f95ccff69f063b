"""A language's way of saying when and whether, rewritten into the clause grammar's words.

The clause grammar (clauses.py) reads English. For another language, an ordered list of
rewrites held as data (automations/<language>.yaml) turns its words for times, days, the
sun, people and changes of state into that grammar's words; what to do stays in the
request's language, for Home Assistant's own grammar of that language to read. So adding
a language is writing its list, not code.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from engine.query.language_files import language_file


@dataclass(frozen=True, slots=True)
class Rewrites:
    """One language's rewrites, applied in order."""

    language: str
    rules: tuple[tuple[re.Pattern[str], str], ...]
    # Words that never tell entities apart in this language ("der", "die", "im").
    filler: frozenset[str]
    # Where "do A when X, and do B when Y" is cut in two (after the rewrites), if said.
    halves: re.Pattern[str] | None = None
    # Words that stand for what the request names in what to do ("schalte es aus").
    pronouns: re.Pattern[str] | None = None

    def apply(self, text: str) -> str:
        """Return the text with each rewrite applied in turn, spaces tidied."""
        for pattern, replacement in self.rules:
            text = pattern.sub(replacement, text)
        return " ".join(text.split())


def _pronouns(data: dict[str, Any], words: list[str]) -> re.Pattern[str] | None:
    """Return where a pronoun stands in what to do: a pattern of the file, else its words.

    A language whose pronouns are also its articles ("la", "het") says where they stand
    ("éteins la" at the end), so "éteins la lumière" keeps its article.
    """
    if pattern := data.get("pronoun_pattern"):
        return re.compile(str(pattern))
    if not words:
        return None
    return re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, words))})(?![\w-])")


@functools.cache
def rewrites(language: str) -> Rewrites | None:
    """Return a language's rewrites, or None if HomeIQ reads no automations in it."""
    data = language_file("automations", language)
    if data is None:
        return None
    # Whole words only, for every alternative of a pattern ("wenn|falls" never matches
    # the start of "wenngleich").
    rules = tuple(
        (re.compile(rf"(?<![\w-])(?:{rule['say']})(?![\w-])"), str(rule["as"]))
        for rule in data.get("rewrites") or []
    )
    pronouns = str(data.get("pronouns") or "").split()
    return Rewrites(
        language,
        rules,
        frozenset(str(data.get("filler") or "").split()),
        re.compile(str(data["halves"])) if data.get("halves") else None,
        _pronouns(data, pronouns),
    )
