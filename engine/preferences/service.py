"""The household's settings: loaded at start, changed through the API, applied by listeners."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from engine.errors import BadRequestError
from engine.preferences.model import (
    Preferences,
    check_llm,
    defaults,
    merged,
    patched_fields,
    valid_rows,
)
from engine.preferences.store import PreferenceStore
from engine.settings import Settings

_LOGGER = logging.getLogger(__name__)

# Called with the settings before and after a change, in the order registered.
ChangeListener = Callable[[Preferences, Preferences], Awaitable[None]]


class PreferenceService:
    """The settings in effect: the environment's defaults with the fields someone changed."""

    def __init__(self, store: PreferenceStore, settings: Settings) -> None:
        self._store = store
        self._settings = settings
        self._defaults = defaults(settings)
        self._changed: dict[str, Any] = {}
        self._current = self._defaults
        self._listeners: list[ChangeListener] = []
        # One change at a time: each is stored and applied before the next is merged.
        self._lock = asyncio.Lock()

    @property
    def current(self) -> Preferences:
        """Return the settings in effect."""
        return self._current

    def on_change(self, listener: ChangeListener) -> None:
        """Call `listener` after every change."""
        self._listeners.append(listener)

    async def setup(self) -> None:
        """Load the stored changes; one the environment no longer allows keeps its default."""
        changed = valid_rows(await self._store.load())
        try:
            check_llm(merged(self._defaults, changed).llm, self._settings)
        except BadRequestError as err:
            _LOGGER.warning("Ignoring the stored language model choice: %s", err.message)
            changed = {key: value for key, value in changed.items() if not key.startswith("llm.")}
        self._changed = changed
        self._current = merged(self._defaults, changed)

    async def update(self, patch: Mapping[str, Any]) -> Preferences:
        """Validate and store a PATCH body, apply it, and return the settings in effect."""
        fields = patched_fields(patch)
        async with self._lock:
            # Null puts a field back to its default from the environment.
            changed = {
                key: value for key, value in (self._changed | fields).items() if value is not None
            }
            updated = merged(self._defaults, changed)
            check_llm(updated.llm, self._settings)
            await self._store.save(
                {key: value for key, value in fields.items() if value is not None},
                [key for key, value in fields.items() if value is None],
            )
            previous, self._current, self._changed = self._current, updated, changed
            for listener in self._listeners:
                try:
                    await listener(previous, updated)
                except Exception:
                    # Stored already: the next start applies it; the log says what failed now.
                    _LOGGER.exception("Applying changed settings failed")
        return updated
