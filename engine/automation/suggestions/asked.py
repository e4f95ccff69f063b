"""Suggestions of automations asked for in words: drafted for the request, stored with it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from engine.automation.suggestions.new import NewSuggestion, asked_for
from engine.automation.suggestions.store import Stored, SuggestionStore, store_new
from engine.automation.suggestions.wire import Suggestion
from engine.home.catalog import Catalog
from engine.stream import StreamHub


def publish_generated(stream: StreamHub, ids: Sequence[str]) -> None:
    """Tell the stream's listeners of suggestions made (once their write committed)."""
    if ids:
        stream.publish("suggestions_updated", {"generated": len(ids), "ids": list(ids)})


class AskedSuggestions:
    """Makes the suggestion of an automation someone asked for (one per automation)."""

    def __init__(
        self, catalog: Callable[[], Catalog], stream: StreamHub, store: SuggestionStore
    ) -> None:
        self._catalog = catalog
        self._stream = stream
        self._store = store

    def draft(self, query_id: str, text: str, automation: Mapping[str, Any]) -> NewSuggestion:
        """Return the new suggestion, validated against the home as it is now."""
        return asked_for(query_id, text, automation, self._catalog())

    @staticmethod
    def store(connection: Connection, made: Sequence[NewSuggestion]) -> Stored:
        """Store the suggestions in the caller's transaction; return them as stored.

        One whose id is taken says the same automation was suggested before (asked for,
        or found in the history) or by another request meanwhile: that one is the
        suggestion, whatever its status.
        """
        return store_new(connection, made)

    def announce(self, new: Sequence[Suggestion]) -> None:
        """Tell the store and the stream's listeners of new suggestions (once committed)."""
        self._store.added([suggestion["score"] for suggestion in new])
        publish_generated(self._stream, [suggestion["id"] for suggestion in new])
