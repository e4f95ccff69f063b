"""Suggestions of automations asked for in words: drafted for the request, stored with it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from engine.automation.suggestions.drafts import query_draft
from engine.automation.suggestions.store import Stored, new_row, store_new
from engine.automation.validate import validate_automation
from engine.home.catalog import Catalog
from engine.stream import StreamHub


class AskedSuggestions:
    """Makes the suggestion of an automation someone asked for (one per automation)."""

    def __init__(self, catalog: Callable[[], Catalog], stream: StreamHub) -> None:
        self._catalog = catalog
        self._stream = stream

    def draft(self, query_id: str, text: str, automation: Mapping[str, Any]) -> dict[str, Any]:
        """Return the new suggestion's row, validated against the home as it is now."""
        draft = query_draft(query_id, text, automation)
        return new_row(draft, validate_automation(draft.automation, self._catalog()), time.time())

    @staticmethod
    def store(connection: Connection, rows: Sequence[dict[str, Any]]) -> Stored:
        """Store the rows in the caller's transaction; return the suggestions as stored.

        A row whose id is taken says the same automation was suggested before (asked for,
        or found in the history) or by another request meanwhile: that one is the
        suggestion, whatever its status.
        """
        return store_new(connection, rows)

    def announce(self, ids: Sequence[str]) -> None:
        """Tell the stream's listeners about suggestions stored (once their write committed)."""
        if ids:
            self._stream.publish("suggestions_updated", {"generated": len(ids), "ids": list(ids)})
