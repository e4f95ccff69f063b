"""Errors of natural-language parsing."""

from __future__ import annotations

from engine.errors import BadRequestError


class UnsupportedLanguageError(BadRequestError, ValueError):
    """Home Assistant has no intents for the requested language."""

    def __init__(self, language: str, supported: list[str]) -> None:
        super().__init__(
            f"language {language!r} is not supported",
            {"field": "language", "supported": supported},
        )
        self.language = language
