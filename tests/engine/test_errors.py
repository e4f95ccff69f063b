"""Every 4xx/5xx carries the error envelope, and a 500 reveals nothing."""

from __future__ import annotations

import base64
import logging
from dataclasses import replace
from typing import Any

import orjson
import pytest
from aiohttp import web

from engine.api.routing import ApiRoute, add_routes
from engine.app import all_routes, create_app
from engine.settings import Settings

from .conftest import AUTH, Client, ClientFactory


async def _envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status == status
    assert response.content_type == "application/json"
    body = await response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


async def test_unknown_route_is_404(client: Client) -> None:
    await _envelope(await client.get("/nowhere"), 404, "not_found")
    error = await _envelope(await client.get("/api/v1/nowhere", headers=AUTH), 404, "not_found")
    assert "/api/v1/nowhere" in error["message"]


async def test_wrong_method_is_405_with_allow(client: Client) -> None:
    response = await client.delete("/api/v1/stats", headers=AUTH)
    error = await _envelope(response, 405, "method_not_allowed")
    assert "GET" in error["details"]["allowed_methods"]
    assert "GET" in response.headers["Allow"]
    await _envelope(await client.post("/health"), 405, "method_not_allowed")


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b"[1, 2"])
async def test_malformed_json_is_400(client: Client, body: bytes) -> None:
    response = await client.post(
        "/api/v1/events/import",
        data=body,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    await _envelope(response, 400, "bad_request")


@pytest.fixture
def small_limit(settings: Settings) -> Settings:
    return replace(settings, max_body_bytes=1024)


async def test_oversized_body_is_413(aiohttp_client: ClientFactory, small_limit: Settings) -> None:
    client = await aiohttp_client(create_app(small_limit))
    big = b'{"events": [' + b" " * 2048 + b"]}"
    error = await _envelope(
        await client.post("/api/v1/events/import", data=big, headers=AUTH), 413, "payload_too_large"
    )
    assert error["details"]["max_bytes"] == 1024


async def test_oversized_chunked_body_is_413(
    aiohttp_client: ClientFactory, small_limit: Settings
) -> None:
    client = await aiohttp_client(create_app(small_limit))

    async def chunks() -> Any:
        # No Content-Length: the limit is enforced while the body is read.
        for _ in range(8):
            yield b" " * 512

    response = await client.post("/api/v1/events/import", data=chunks(), headers=AUTH)
    await _envelope(response, 413, "payload_too_large")


async def test_default_limit_is_20_mb() -> None:
    assert Settings.from_env({}).max_body_bytes == 20 * 1024 * 1024


async def test_unhandled_error_is_500_without_internals(
    aiohttp_client: ClientFactory, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(_request: web.Request) -> web.Response:
        raise RuntimeError("secret detail /etc/passwd")

    app = create_app(settings)
    add_routes(app, [ApiRoute("GET", "/api/v1/explode", explode, "Fails", "test")])
    client = await aiohttp_client(app)
    with caplog.at_level(logging.ERROR):
        response = await client.get("/api/v1/explode", headers=AUTH)
    error = await _envelope(response, 500, "internal")
    text = str(error)
    assert "secret detail" not in text
    assert "Traceback" not in text
    assert "RuntimeError" not in text
    # The log keeps what an operator needs.
    assert "secret detail" in caplog.text


def _encoded(position: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


FORGED_CURSORS = [
    "%%%",
    _encoded({"a": 1}),
    _encoded([]),
    _encoded(["abc", "x"]),
    _encoded([None, None]),
    _encoded([True, "x"]),
    _encoded([1, 2, 3]),
]


async def test_every_paged_listing_refuses_a_forged_cursor(client: Client) -> None:
    listings = [
        route.path
        for route in all_routes()
        if route.method == "GET" and any(param.name == "cursor" for param in route.query)
    ]
    assert {"/api/v1/events", "/api/v1/entities", "/api/v1/training/runs"} <= set(listings)
    for path in listings:
        for cursor in FORGED_CURSORS:
            response = await client.get(path, params={"cursor": cursor}, headers=AUTH)
            error = await _envelope(response, 400, "bad_request")
            assert error["details"]["field"] == "cursor", (path, cursor)
