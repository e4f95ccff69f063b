"""A Home Assistant client: one authenticated websocket session plus REST calls."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import aiohttp
import orjson

from engine.ha.errors import (
    HomeAssistantAuthError,
    HomeAssistantCommandError,
    HomeAssistantConnectionError,
)
from engine.settings import redact_url

_LOGGER = logging.getLogger(__name__)

EventCallback = Callable[[dict[str, Any]], None]

# Registry lists of a large home run to megabytes; aiohttp's default cap is 4 MB.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class HomeAssistantClient:
    """Talks to one Home Assistant; `connect()` first, `close()` at the end."""

    def __init__(
        self,
        url: str,
        token: str,
        session: aiohttp.ClientSession,
        *,
        timeout_s: float = 30.0,
        websocket_url: str | None = None,
    ) -> None:
        self._url = url.rstrip("/")
        # The Supervisor's Core proxy serves the websocket apart from the REST API.
        self._websocket_url = websocket_url or f"{self._url}/api/websocket"
        # What messages show: a password in the URL's user info is hidden.
        self._where = redact_url(self._url)
        self._token = token
        self._session = session
        self._timeout_s = timeout_s
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._subscriptions: dict[int, EventCallback] = {}
        self._reader: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()
        self.ha_version: str | None = None

    @property
    def connected(self) -> bool:
        """Return True while the websocket session is open."""
        return self._ws is not None and not self._closed.is_set()

    async def connect(self) -> None:
        """Open the websocket and authenticate."""
        try:
            ws = await self._session.ws_connect(
                self._websocket_url,
                heartbeat=30,
                max_msg_size=MAX_MESSAGE_BYTES,
                timeout=aiohttp.ClientWSTimeout(ws_close=10),
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise HomeAssistantConnectionError(
                f"Cannot reach Home Assistant at {self._where}: {type(err).__name__}"
            ) from None
        try:
            async with asyncio.timeout(self._timeout_s):
                hello = await ws.receive_json()
                if hello.get("type") != "auth_required":
                    raise HomeAssistantConnectionError("Home Assistant did not ask to authenticate")
                await ws.send_json({"type": "auth", "access_token": self._token})
                answer = await ws.receive_json()
        except (aiohttp.ClientError, TypeError, ValueError, TimeoutError) as err:
            await ws.close()
            raise HomeAssistantConnectionError(
                f"Home Assistant's websocket handshake failed: {type(err).__name__}"
            ) from None
        except HomeAssistantConnectionError:
            await ws.close()
            raise
        if answer.get("type") != "auth_ok":
            await ws.close()
            raise HomeAssistantAuthError("Home Assistant refused the access token (HA_TOKEN)")
        self.ha_version = answer.get("ha_version")
        self._ws = ws
        self._closed.clear()
        self._reader = asyncio.create_task(self._read_loop(ws), name="homeiq-ha-reader")

    async def _read_loop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Route answers to their commands and events to their subscribers."""
        try:
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    break
                payload = orjson.loads(message.data)
                for item in payload if isinstance(payload, list) else (payload,):
                    self._dispatch(item)
        except (aiohttp.ClientError, orjson.JSONDecodeError) as err:
            _LOGGER.warning("Home Assistant websocket failed: %s", type(err).__name__)
        finally:
            self._closed.set()
            error = HomeAssistantConnectionError("Connection to Home Assistant closed")
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(error)
            self._pending.clear()

    def _dispatch(self, item: dict[str, Any]) -> None:
        kind = item.get("type")
        if kind == "event":
            callback = self._subscriptions.get(item.get("id", -1))
            if callback is not None:
                try:
                    callback(item["event"])
                except Exception:
                    _LOGGER.exception("Handling a Home Assistant event failed")
            return
        if kind == "result":
            future = self._pending.pop(item.get("id", -1), None)
            if future is None or future.done():
                return
            if item.get("success"):
                future.set_result(item.get("result"))
            else:
                error = item.get("error") or {}
                future.set_exception(
                    HomeAssistantCommandError(
                        error.get("message", "Home Assistant command failed"), error.get("code")
                    )
                )

    @staticmethod
    async def _send(ws: aiohttp.ClientWebSocketResponse, message: dict[str, Any]) -> None:
        # A text frame: Home Assistant ignores binary ones.
        await ws.send_str(orjson.dumps(message).decode())

    async def command(self, payload: dict[str, Any]) -> Any:
        """Send one websocket command and return its result."""
        if self._ws is None or self._closed.is_set():
            raise HomeAssistantConnectionError("Not connected to Home Assistant")
        message_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        try:
            await self._send(self._ws, {**payload, "id": message_id})
            async with asyncio.timeout(self._timeout_s):
                return await future
        except TimeoutError:
            raise HomeAssistantConnectionError(
                f"Home Assistant did not answer {payload.get('type')} in {self._timeout_s} s"
            ) from None
        except (aiohttp.ClientError, ConnectionResetError) as err:
            raise HomeAssistantConnectionError(f"Sending to Home Assistant failed: {err}") from None
        finally:
            self._pending.pop(message_id, None)

    async def subscribe_events(self, event_type: str, callback: EventCallback) -> None:
        """Call `callback` with every event of this type from now on."""
        if self._ws is None:
            raise HomeAssistantConnectionError("Not connected to Home Assistant")
        message_id = next(self._ids)
        # Registered before sending: the first event may arrive right after the result.
        self._subscriptions[message_id] = callback
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._send(
            self._ws, {"id": message_id, "type": "subscribe_events", "event_type": event_type}
        )
        try:
            async with asyncio.timeout(self._timeout_s):
                await future
        except BaseException:
            self._subscriptions.pop(message_id, None)
            raise

    async def wait_closed(self) -> None:
        """Return when the websocket session ends."""
        await self._closed.wait()

    async def close(self) -> None:
        """Close the websocket session."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader
        self._subscriptions.clear()

    async def rest(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        """Call Home Assistant's REST API and return the decoded JSON answer."""
        try:
            async with self._session.request(
                method,
                f"{self._url}{path}",
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=aiohttp.ClientTimeout(total=self._timeout_s * 4),
            ) as response:
                body = await response.read()
                status = response.status
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise HomeAssistantConnectionError(
                f"Home Assistant REST {method} {path.split('?', maxsplit=1)[0]} failed: "
                f"{type(err).__name__}"
            ) from None
        if status == 401:
            raise HomeAssistantAuthError("Home Assistant refused the access token (HA_TOKEN)")
        if status >= 400:
            raise HomeAssistantCommandError(
                f"Home Assistant answered {status} to {method} {path.split('?', maxsplit=1)[0]}: "
                f"{body[:500].decode(errors='replace')}",
                status,
            )
        return orjson.loads(body) if body else None

    async def history(
        self, start: datetime, end: datetime, entity_ids: Iterable[str]
    ) -> list[list[dict[str, Any]]]:
        """Return state changes of the entities in [start, end) from the recorder."""
        return await self.rest(  # type: ignore[no-any-return]
            "GET",
            f"/api/history/period/{start.isoformat()}",
            params={
                "end_time": end.isoformat(),
                "filter_entity_id": ",".join(entity_ids),
                "minimal_response": "",
                "no_attributes": "",
                "significant_changes_only": "0",
            },
        )

    async def call_service(
        self, domain: str, service: str, data: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Call a service; return the states it changed."""
        return await self.rest(  # type: ignore[no-any-return]
            "POST", f"/api/services/{domain}/{service}", json=data or {}
        )

    async def get_automation_config(self, automation_id: str) -> dict[str, Any] | None:
        """Return an automation's stored config, or None when there is none."""
        try:
            return await self.rest(  # type: ignore[no-any-return]
                "GET", f"/api/config/automation/config/{automation_id}"
            )
        except HomeAssistantCommandError as err:
            if err.code == 404:
                return None
            raise

    async def save_automation_config(self, automation_id: str, config: dict[str, Any]) -> None:
        """Create or replace an automation, as the automation editor does (HA validates it)."""
        await self.rest("POST", f"/api/config/automation/config/{automation_id}", json=config)

    async def delete_automation_config(self, automation_id: str) -> None:
        """Delete an automation made through the config API."""
        await self.rest("DELETE", f"/api/config/automation/config/{automation_id}")
