"""What the request parser says back (questions, refusals), in the request's language."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

from engine.query.language_files import language_file

# One file per language: the words for kinds of device and the sentences said back. A
# language without a file, or a sentence missing from one, is said in English.
_FALLBACK: Final = "en"


@dataclass(frozen=True, slots=True)
class Messages:
    """A language's words for kinds of device and its sentences, with English behind them."""

    language: str
    nouns: dict[str, str]
    texts: dict[str, str]

    def noun(self, domains: frozenset[str] | None, device_classes: frozenset[str] | None) -> str:
        """Return what a question calls the devices a target allows ("light", "Licht")."""
        device = self.nouns["device"]
        if domains is None or len(domains) != 1:
            return device
        domain = next(iter(domains))
        if device_classes is not None and len(device_classes) == 1:
            specific = f"{domain}.{next(iter(device_classes))}"
            return self.nouns.get(specific, self.nouns.get(domain, device))
        return self.nouns.get(domain, device)

    def say(self, key: str, **values: object) -> str:
        """Return a sentence with its blanks filled ("which": "Which {what} do you mean?")."""
        return self.texts[key].format(**values)


def _read(language: str) -> dict[str, dict[str, str]]:
    data = language_file("messages", language) or {}
    return {
        part: {str(key): str(value) for key, value in (data.get(part) or {}).items()}
        for part in ("nouns", "texts")
    }


@functools.cache
def messages(language: str) -> Messages:
    """Return the messages of an intents language ("de"), English where it has none."""
    english, own = _read(_FALLBACK), _read(language)
    return Messages(
        language,
        {**english["nouns"], **own.get("nouns", {})},
        {**english["texts"], **own.get("texts", {})},
    )
