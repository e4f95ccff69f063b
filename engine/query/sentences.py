"""Sentence templates added to Home Assistant's own, merged in as its custom sentences are."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Final

import yaml

# Phrasings people use that Home Assistant's grammar does not cover yet, one file per
# language in Home Assistant's custom-sentence format (same hassil syntax, intents and
# slots), so every match goes through the one resolution and mapping; adding a language is
# adding a file. A language without a file gets exactly Home Assistant's grammar.
GRAMMAR_DIR: Final = Path(__file__).with_name("grammar")


@functools.cache
def extra_sentences(language: str) -> dict[str, Any] | None:
    """Return HomeIQ's sentences for an intents language ("en"), or None if it has none."""
    path = GRAMMAR_DIR / f"{language}.yaml"
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("language") != language:
        raise ValueError(f"{path.name}: not a custom-sentence file for {language!r}")
    return {key: value for key, value in data.items() if key != "language"}
