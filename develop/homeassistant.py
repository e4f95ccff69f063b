"""Talk to the development Home Assistant: onboarding, REST and websocket commands."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)
TOKEN_CLIENT_NAME = "homeiq-develop"  # noqa: S105 (a label, not a secret)


class HomeAssistantError(RuntimeError):
    """Home Assistant refused a request."""


class WebSocket:
    """One authenticated websocket connection that runs numbered commands one at a time."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)

    async def command(self, command_type: str, **payload: Any) -> Any:
        """Run one command and return its result."""
        message_id = next(self._ids)
        await self._ws.send_json({"id": message_id, "type": command_type, **payload})
        while True:
            message = await self._ws.receive_json(timeout=REQUEST_TIMEOUT.total)
            if message.get("id") != message_id or message.get("type") != "result":
                continue
            if not message.get("success"):
                raise HomeAssistantError(f"{command_type} failed: {message.get('error')}")
            return message.get("result")


class HomeAssistant:
    """REST and websocket access to one Home Assistant as its owner."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.token = ""

    async def request(self, method: str, path: str, body: Any = None) -> Any:
        """Send an authenticated request; return the JSON answer or raise with HA's message."""
        async with self.session.request(
            method,
            f"{self.base_url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=REQUEST_TIMEOUT,
        ) as response:
            text = await response.text()
            if response.status >= 400:
                raise HomeAssistantError(f"{method} {path} answered {response.status}: {text}")
            return await response.json() if text else None

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        """Return the entity's state object, or None when it has none."""
        try:
            state: dict[str, Any] = await self.request("GET", f"/api/states/{entity_id}")
        except HomeAssistantError as err:
            if " 404: " in str(err):
                return None
            raise
        return state

    @asynccontextmanager
    async def websocket(self, token: str | None = None) -> AsyncIterator[WebSocket]:
        """Open an authenticated websocket session."""
        url = f"{self.base_url.replace('http', 'ws', 1)}/api/websocket"
        async with self.session.ws_connect(url) as ws:
            await ws.receive_json(timeout=REQUEST_TIMEOUT.total)
            await ws.send_json({"type": "auth", "access_token": token or self.token})
            reply = await ws.receive_json(timeout=REQUEST_TIMEOUT.total)
            if reply.get("type") != "auth_ok":
                raise HomeAssistantError(f"websocket authentication failed: {reply}")
            yield WebSocket(ws)

    async def onboard(self, name: str, username: str, password: str) -> str:
        """Onboard like a browser does; return a long-lived token of the new owner."""
        client_id = f"{self.base_url}/"
        user = {
            "client_id": client_id,
            "name": name,
            "username": username,
            "password": password,
            "language": "en",
        }
        async with self.session.post(f"{self.base_url}/api/onboarding/users", json=user) as reply:
            if reply.status != 200:
                raise HomeAssistantError(f"onboarding refused the user: {await reply.text()}")
            code = (await reply.json())["auth_code"]
        grant = {"grant_type": "authorization_code", "code": code, "client_id": client_id}
        async with self.session.post(f"{self.base_url}/auth/token", data=grant) as reply:
            if reply.status != 200:
                raise HomeAssistantError(f"no access token: {await reply.text()}")
            self.token = (await reply.json())["access_token"]
        await self.request("POST", "/api/onboarding/analytics", {})
        await self.request(
            "POST",
            "/api/onboarding/integration",
            {"client_id": client_id, "redirect_uri": f"{client_id}?auth_callback=1"},
        )
        async with self.websocket() as ws:
            token: str = await ws.command(
                "auth/long_lived_access_token", client_name=TOKEN_CLIENT_NAME, lifespan=3650
            )
        self.token = token
        return token
