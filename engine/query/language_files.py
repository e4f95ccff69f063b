"""HomeIQ's data per language: one YAML file per language in a folder of engine/query."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import yaml

# grammar/ (sentences added to Home Assistant's), automations/ (rewrites of when and
# whether), messages/ (what is said back).
FOLDERS: Final = ("automations", "grammar", "messages")


def language_file(folder: str, language: str) -> dict[str, Any] | None:
    """Return a language's file of a folder without its `language:` line, or None if none.

    A file that is no mapping or names another language is a mistake in HomeIQ's own data:
    it raises, naming the file, rather than being read as something it is not.
    """
    path = Path(__file__).with_name(folder) / f"{language}.yaml"
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("language") != language:
        raise ValueError(f"{folder}/{path.name}: not a file for language {language!r}")
    return {key: value for key, value in data.items() if key != "language"}
