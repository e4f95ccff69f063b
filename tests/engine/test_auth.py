"""Bearer-token auth on every /api path, found by walking the router."""

from __future__ import annotations

import re

import pytest
from aiohttp import hdrs

from .conftest import AUTH, TOKEN, Client

_PLACEHOLDER = re.compile(r"\{[^}]+\}")


def _api_routes(client: Client) -> list[tuple[str, str]]:
    """Return (method, concrete path) for every registered route under /api."""
    found = []
    for route in client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        assert path, f"route without a path: {route!r}"
        if path.startswith("/api"):
            found.append((route.method, _PLACEHOLDER.sub("x", path)))
    return found


async def _assert_unauthorized(client: Client, method: str, path: str, **kwargs: object) -> None:
    response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status == 401, (method, path)
    if method != hdrs.METH_HEAD:
        body = await response.json()
        assert body["error"]["code"] == "unauthorized"
        assert body["error"]["message"]


async def test_every_api_route_needs_the_token(client: Client) -> None:
    routes = _api_routes(client)
    # The walk must see the routes this issue adds, or it proves nothing.
    assert ("GET", "/api/v1/stats") in routes
    assert ("POST", "/api/v1/events/import") in routes
    for method, path in routes:
        await _assert_unauthorized(client, method, path)
        await _assert_unauthorized(client, method, path, headers={"Authorization": "Bearer nope"})


@pytest.mark.parametrize(
    "header",
    [
        "",
        f"bearer{TOKEN}",
        f"Basic {TOKEN}",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer  {TOKEN}",
        "Bearer ünïcode",
    ],
)
async def test_near_miss_tokens_are_refused(client: Client, header: str) -> None:
    await _assert_unauthorized(client, "GET", "/api/v1/stats", headers={"Authorization": header})


async def test_unknown_api_paths_answer_401_without_revealing_anything(client: Client) -> None:
    for path in ("/api/v1/no-such-route", "/api/v2/stats", "/api", "/api/v1"):
        await _assert_unauthorized(client, "GET", path)
        await _assert_unauthorized(client, "DELETE", path)


async def test_the_right_token_opens_the_api(client: Client) -> None:
    response = await client.get("/api/v1/stats", headers=AUTH)
    assert response.status == 200


@pytest.mark.parametrize("path", ["/health", "/health/live", "/health/ready"])
async def test_health_needs_no_token(client: Client, path: str) -> None:
    assert (await client.get(path)).status == 200
