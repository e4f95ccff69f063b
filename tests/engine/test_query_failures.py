"""A request whose parse fails leaves no cached answer behind."""

from __future__ import annotations

import pytest

from engine.automation.suggestions.new import NewSuggestion
from engine.keys import CACHE
from engine.query.request import QueryRequest
from engine.query.wire import Parsed
from engine.query.workers import AskedBy, ParsingPool, ShippedCatalog

from .conftest import AUTH, Client
from .test_query_api import HOME

TEXT = "turn on the kitchen light"


async def test_a_failed_parse_is_never_cached(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    parse = ParsingPool.parse
    calls: list[str] = []

    async def fails_once(
        pool: ParsingPool, shipped: ShippedCatalog, request: QueryRequest, asked_by: AskedBy | None
    ) -> tuple[Parsed, NewSuggestion | None]:
        calls.append(request.said)
        if len(calls) == 1:
            raise RecursionError("maximum recursion depth exceeded")
        return await parse(pool, shipped, request, asked_by)

    monkeypatch.setattr(ParsingPool, "parse", fails_once)
    failed = await client.post("/api/v1/query", json={"text": TEXT}, headers=AUTH)
    assert failed.status == 500
    assert (await failed.json())["error"]["code"] == "internal"
    assert client.app[CACHE].stats().entries == 0
    assert await client.app[CACHE].persisted_entries() == 0
    # The same request is parsed again (a cached failure would answer without a parse).
    answered = await client.post("/api/v1/query", json={"text": TEXT}, headers=AUTH)
    assert answered.status == 200, await answered.text()
    body = await answered.json()
    assert body["status"] == "ready"
    assert body["actions"][0]["target"] == {"entity_id": ["light.kitchen"]}
    assert calls == [TEXT, TEXT]
    # Only now is there an answer to reuse: a third asking is not parsed again.
    again = await client.post("/api/v1/query", json={"text": TEXT}, headers=AUTH)
    assert (await again.json())["actions"] == body["actions"]
    assert calls == [TEXT, TEXT]
