"""A small fake Home Assistant Supervisor on loopback, for an engine running as an app.

Only what the engine uses is there, answered as the Supervisor does: `POST /discovery`
(supervisor/api/discovery.py: `{"service", "config"}` in, `{"result": "ok", "data":
{"uuid"}}` out) and the Core proxy (supervisor/api/proxy.py): `/core/api/...` forwarded to the
real Home Assistant with the Supervisor's own Home Assistant token, and `/core/websocket`,
where the app authenticates with its Supervisor token and the proxy with its own.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from tests.engine.process import free_port

# What the proxy passes on of an answer: the body says the rest.
_ANSWER_HEADERS = ("Content-Type",)


@dataclass(frozen=True)
class Discovery:
    """One discovery message as the app posted it."""

    authorization: str | None
    service: str
    config: dict[str, Any]


class FakeSupervisor:
    """Serves discovery and the Core proxy in a thread of its own; `token` is the app's."""

    def __init__(self, ha_url: str, ha_token: str, token: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The Supervisor hands the app a token; a new one replaces it on a later start.
        self.token = token
        self.discoveries: list[Discovery] = []
        # Every Authorization the app sent to the Core proxy (REST and websocket).
        self.proxy_tokens: list[str | None] = []
        self._ha_url = ha_url
        self._ha_token = ha_token
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-supervisor")
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    def _call[T](self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def __enter__(self) -> FakeSupervisor:
        self._thread.start()
        self._call(self._start())
        return self

    def __exit__(self, *_exc: object) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/discovery", self._discovery)
        app.router.add_get("/core/websocket", self._websocket)
        app.router.add_route("*", "/core/api/{path:.*}", self._api)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def _authorized(self, header: str | None) -> bool:
        return header == f"Bearer {self.token}"

    async def _discovery(self, request: web.Request) -> web.Response:
        authorization = request.headers.get("Authorization")
        if not self._authorized(authorization):
            return web.json_response({"result": "error", "message": "Unauthorized"}, status=401)
        body = await request.json()
        self.discoveries.append(Discovery(authorization, body["service"], body["config"]))
        return web.json_response({"result": "ok", "data": {"uuid": uuid.uuid4().hex}})

    async def _api(self, request: web.Request) -> web.Response:
        authorization = request.headers.get("Authorization")
        self.proxy_tokens.append(authorization)
        if not self._authorized(authorization):
            return web.Response(status=401, text="401: Unauthorized")
        assert self._session is not None
        async with self._session.request(
            request.method,
            f"{self._ha_url}/api/{request.match_info['path']}",
            params=request.query,
            data=await request.read(),
            headers={
                "Authorization": f"Bearer {self._ha_token}",
                "Content-Type": request.headers.get("Content-Type", "application/json"),
            },
        ) as answer:
            headers = {
                name: answer.headers[name] for name in _ANSWER_HEADERS if name in answer.headers
            }
            return web.Response(status=answer.status, body=await answer.read(), headers=headers)

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        app_side = web.WebSocketResponse(max_msg_size=0)
        await app_side.prepare(request)
        assert self._session is not None
        async with self._session.ws_connect(
            f"{self._ha_url}/api/websocket", max_msg_size=0
        ) as ha_side:
            hello = await ha_side.receive_json()
            await app_side.send_json({"type": "auth_required", "ha_version": hello["ha_version"]})
            auth = await app_side.receive_json()
            self.proxy_tokens.append(f"Bearer {auth.get('access_token')}")
            if not self._authorized(f"Bearer {auth.get('access_token')}"):
                await app_side.send_json({"type": "auth_invalid", "message": "Invalid access"})
                await app_side.close()
                return app_side
            await ha_side.send_json({"type": "auth", "access_token": self._ha_token})
            await app_side.send_json(await ha_side.receive_json())
            await asyncio.gather(self._pipe(app_side, ha_side), self._pipe(ha_side, app_side))
        return app_side

    @staticmethod
    async def _pipe(
        source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
        target: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
    ) -> None:
        """Pass text frames on until either side closes, then close the other."""
        async for message in source:
            if message.type is not aiohttp.WSMsgType.TEXT or target.closed:
                break
            await target.send_str(message.data)
        await target.close()
