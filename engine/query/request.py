"""A request as every parser reads it: frozen, so parsers share nothing per request."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class QueryRequest:
    """One request: its words, where it was said, and the options picked for its questions.

    Built once at the edge (`of`) with its spaces collapsed, then passed down unchanged;
    each parse keeps what it finds on objects of its own, never on the shared parsers, so
    parses can run side by side and a request can be sent to a worker process as it is.
    """

    said: str
    language: str = "en"
    # The area of the device the request was spoken to (a satellite), if any.
    area_id: str | None = None
    # Option values the user picked for earlier questions (a refine).
    chosen: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        text: str,
        language: str = "en",
        area_id: str | None = None,
        chosen: frozenset[str] = frozenset(),
    ) -> QueryRequest:
        """Return the request for text as typed or spoken."""
        return cls(" ".join(text.split()), language, area_id, chosen)

    @property
    def folded(self) -> str:
        """Return the words in lower case (what the cache knows a request by)."""
        return self.said.lower()

    def part(self, said: str, area_id: str | None) -> QueryRequest:
        """Return the request for part of these words (what to do of an automation)."""
        return replace(self, said=" ".join(said.split()), area_id=area_id)
