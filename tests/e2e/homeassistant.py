"""Run a real Home Assistant as a child process, onboarded the way a browser does it."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self
from urllib.parse import quote

import aiohttp
import httpx
import yaml

from tests.engine.process import free_port
from tests.environments import hass_command

START_DEADLINE_S = 60.0
STOP_DEADLINE_S = 30.0
WAIT_DEADLINE_S = 10.0
REQUEST_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.05
LOG_TAIL_LINES = 60

USERNAME = "homeiq"
PASSWORD = "homeiq-e2e-password"
TOKEN_CLIENT_NAME = "homeiq-e2e"

# Only what the tests need: `default_config` would pull in integrations whose requirements are
# not installed (HA runs with --skip-pip). `frontend` serves Home Assistant's real frontend
# (`home-assistant-frontend`, pinned in locks/homeassistant-test.txt) for the browser test.
# libturbojpeg is missing on the machine; its import error says nothing about the tests and
# would only hide real errors.
CONFIGURATION = """\
homeassistant:
  name: HomeIQ E2E
  time_zone: Europe/Berlin
  latitude: 52.52
  longitude: 13.405
  elevation: 34
  unit_system: metric
  country: DE
  currency: EUR
  language: en
http:
  server_host: 127.0.0.1
  server_port: {port}
logger:
  default: info
  logs:
    homeassistant.components.camera.img_util: critical
frontend:
api:
websocket_api:
auth:
onboarding:
config:
recorder:
  commit_interval: 0
history:
automation: !include automations.yaml
script: !include scripts.yaml
input_boolean:
"""

# Onboarding's core_config step starts config flows for met, radio_browser, google_translate
# and shopping_list: their requirements are missing (errors in the log) and shopping_list
# would add a todo entity to every home. Marking that step done up front skips them, so the
# browser-style steps below still leave a fully onboarded instance.
ONBOARDING_STORE = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["core_config"]},
}


class HomeAssistantApiError(RuntimeError):
    """Home Assistant answered a REST or websocket request with an error."""


def run_sync[T](coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from sync code, also inside a test's running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    # asyncio.run refuses to nest, and async tests already run a loop: use a thread's own loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _json_or_raise(response: httpx.Response) -> Any:
    """Return the body of a successful answer; raise with Home Assistant's message otherwise."""
    if response.status_code >= 400:
        raise HomeAssistantApiError(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}: {response.text}"
        )
    return response.json() if response.content else None


class WebSocketSession:
    """One authenticated websocket connection: numbered commands and subscription events."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        # Messages read while waiting for something else, e.g. events during a command.
        self._unread: deque[dict[str, Any]] = deque()
        # How long one wait for a result or an event may take; wrap a call in asyncio.timeout
        # for a shorter one.
        self.timeout = WAIT_DEADLINE_S

    async def send(self, payload: Mapping[str, Any]) -> int:
        """Send a command without waiting for its result; return its id."""
        message_id = next(self._ids)
        await self._ws.send_json({**payload, "id": message_id})
        return message_id

    async def result(self, message_id: int) -> Any:
        """Wait for a command's result; raise with Home Assistant's error if it failed."""
        message = await self._next(
            lambda m: m.get("id") == message_id and m.get("type") == "result",
            f"the result of command {message_id}",
        )
        if not message.get("success"):
            error = message.get("error") or {}
            raise HomeAssistantApiError(
                f"websocket command {message_id} failed: "
                f"{error.get('code')}: {error.get('message')}"
            )
        return message.get("result")

    async def command(self, payload: Mapping[str, Any]) -> Any:
        """Send one command (`{"type": ..., ...}`, the id is added) and return its result."""
        return await self.result(await self.send(payload))

    async def subscribe_events(self, event_type: str | None = None) -> int:
        """Subscribe to events (all when no type); return the subscription id."""
        payload: dict[str, Any] = {"type": "subscribe_events"}
        if event_type is not None:
            payload["event_type"] = event_type
        message_id = await self.send(payload)
        await self.result(message_id)
        return message_id

    async def receive_event(self, subscription: int) -> dict[str, Any]:
        """Return the next event of a subscription."""
        message = await self._next(
            lambda m: m.get("id") == subscription and m.get("type") == "event",
            f"an event of subscription {subscription}",
        )
        event: dict[str, Any] = message["event"]
        return event

    async def _next(self, wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    for message in self._unread:
                        if wanted(message):
                            self._unread.remove(message)
                            return message
                    raw = await self._ws.receive()
                    if raw.type is not aiohttp.WSMsgType.TEXT:
                        raise ConnectionError(f"websocket closed: {raw.type.name} {raw.data!r}")
                    data = json.loads(raw.data)
                    # A list is a batch of coalesced messages.
                    self._unread.extend(data if isinstance(data, list) else [data])
        except TimeoutError:
            raise TimeoutError(f"no {what} within {self.timeout} s") from None


class HomeAssistantProcess:
    """`hass` on its own config directory, onboarded, with REST and websocket helpers.

    `extra_config` adds top-level keys to configuration.yaml (not ones it already has);
    `automations` seed automations.yaml, each with an `id` so it gets an entity registry entry.
    `env` adds environment variables to the process's (e.g. `OPENAI_BASE_URL` for the loopback
    OpenAI server).
    """

    def __init__(
        self,
        work_dir: Path,
        *,
        custom_integrations: Sequence[Path] = (),
        extra_config: Mapping[str, Any] | None = None,
        automations: Sequence[Mapping[str, Any]] = (),
        start_deadline_s: float = START_DEADLINE_S,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.work_dir = work_dir
        self.config_dir = work_dir / "config"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/api/websocket"
        self.custom_integrations = tuple(custom_integrations)
        self.extra_config = dict(extra_config or {})
        self.automations = [dict(automation) for automation in automations]
        self.start_deadline_s = start_deadline_s
        self.env = dict(env or {})
        # Home Assistant's own test environment (.venv-ha), whichever runs the tests.
        self.command = hass_command()
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.last_start_s: float | None = None
        self._log: IO[bytes] | None = None
        self._token: str | None = None
        self._user_id: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Start Home Assistant, onboard it on the first start, wait until it is RUNNING."""
        if self.running:
            raise RuntimeError("Home Assistant is already running")
        if not (self.config_dir / "configuration.yaml").exists():
            self._write_config()
        self.runs += 1
        self._log = self.log_path.open("wb")
        began = time.monotonic()
        self.process = subprocess.Popen(
            [*self.command, "-c", str(self.config_dir), "--skip-pip", "--log-no-color"],
            cwd=self.work_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
        )
        deadline = began + self.start_deadline_s
        try:
            self._wait_for_http(deadline)
            if self._token is None:
                self._onboard()
            self._wait_until_running(deadline)
        except BaseException:
            # Never leave a half-started instance behind a failed fixture.
            self.stop(timeout=5)
            raise
        self.last_start_s = time.monotonic() - began
        return self

    def stop(self, timeout: float = STOP_DEADLINE_S) -> int:
        """SIGTERM, wait up to `timeout`, then SIGKILL; return the exit code."""
        if self.process is None:
            raise RuntimeError("Home Assistant was never started")
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.process.returncode

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.running:
            self.stop()

    # -- credentials and logs ----------------------------------------------------------------

    @property
    def token(self) -> str:
        """The owner's long-lived access token (created on the first start)."""
        if self._token is None:
            raise RuntimeError("Home Assistant has not been onboarded yet; start() it first")
        return self._token

    @property
    def user_id(self) -> str:
        """Id of the owner user that the token belongs to."""
        if self._user_id is None:
            raise RuntimeError("Home Assistant has not been onboarded yet; start() it first")
        return self._user_id

    @property
    def log_path(self) -> Path:
        """Output file of the current (or last) run."""
        return self.work_dir / f"hass-{self.runs}.log"

    @property
    def log(self) -> str:
        """Everything every run wrote to stdout and stderr."""
        return "".join(
            (self.work_dir / f"hass-{run}.log").read_text(errors="replace")
            for run in range(1, self.runs + 1)
        )

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of the current run's output, for failure messages."""
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # -- REST --------------------------------------------------------------------------------

    def request(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One authenticated HTTP request (a fresh connection, so restarts cannot stale it)."""
        headers = {"Authorization": f"Bearer {self.token if token is None else token}"}
        return httpx.request(
            method,
            f"{self.base_url}{path}",
            headers=headers,
            timeout=REQUEST_TIMEOUT_S,
            **kwargs,
        )

    def rest(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """An authenticated request; return the JSON answer or raise with HA's message."""
        return _json_or_raise(self.request(method, path, json=body, params=params))

    def call_service(
        self, domain: str, service: str, data: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Call a service as the owner user; return the states it changed."""
        changed: list[dict[str, Any]] = self.rest(
            "POST", f"/api/services/{domain}/{service}", dict(data or {})
        )
        return changed

    def get_state(self, entity_id: str) -> dict[str, Any] | None:
        """The entity's state object (with `context`), or None if it has none."""
        response = self.request("GET", f"/api/states/{entity_id}")
        if response.status_code == 404:
            return None
        state: dict[str, Any] = _json_or_raise(response)
        return state

    def set_state(
        self, entity_id: str, state: str, attributes: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Write a state directly (no integration behind it), as a fake sensor would."""
        written: dict[str, Any] = self.rest(
            "POST", f"/api/states/{entity_id}", {"state": state, "attributes": attributes or {}}
        )
        return written

    def wait_for_state(
        self, entity_id: str, state: str | None = None, timeout: float = WAIT_DEADLINE_S
    ) -> dict[str, Any]:
        """Poll until the entity exists (and has `state`, if given); return its state object."""
        deadline = time.monotonic() + timeout
        current = self.get_state(entity_id)
        while current is None or (state is not None and current["state"] != state):
            if time.monotonic() > deadline:
                seen = None if current is None else current["state"]
                raise TimeoutError(
                    f"{entity_id} did not reach state {state!r} in {timeout} s (last: {seen!r})"
                )
            time.sleep(POLL_INTERVAL_S)
            current = self.get_state(entity_id)
        return current

    def wait_for_no_state(self, entity_id: str, timeout: float = WAIT_DEADLINE_S) -> None:
        """Poll until the entity has no state any more (removed or renamed)."""
        deadline = time.monotonic() + timeout
        while self.get_state(entity_id) is not None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{entity_id} still has a state after {timeout} s")
            time.sleep(POLL_INTERVAL_S)

    def wait_for_history(
        self, entity_id: str, start: datetime, count: int, timeout: float = WAIT_DEADLINE_S
    ) -> list[dict[str, Any]]:
        """Poll until the recorder returns at least `count` states since `start`; return them."""
        deadline = time.monotonic() + timeout
        history = self.get_history(entity_id, start)
        while len(history) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{entity_id} has {len(history)} recorded states, not {count}, "
                    f"after {timeout} s: {history}"
                )
            time.sleep(POLL_INTERVAL_S)
            history = self.get_history(entity_id, start)
        return history

    def get_history(
        self, entity_id: str, start: datetime, end: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Recorded states of one entity since `start` (minimal response, no attributes)."""
        if start.tzinfo is None or (end is not None and end.tzinfo is None):
            raise ValueError("history times must be timezone-aware")
        params = {"filter_entity_id": entity_id, "minimal_response": "", "no_attributes": ""}
        if end is not None:
            params["end_time"] = end.isoformat()
        periods: list[list[dict[str, Any]]] = self.rest(
            "GET", f"/api/history/period/{quote(start.isoformat())}", params=params
        )
        return periods[0] if periods else []

    # -- websocket ---------------------------------------------------------------------------

    @asynccontextmanager
    async def websocket(self, token: str | None = None) -> AsyncIterator[WebSocketSession]:
        """An authenticated websocket session (the long-lived token unless one is given)."""
        async with aiohttp.ClientSession() as session, session.ws_connect(self.ws_url) as ws:
            hello = await ws.receive_json(timeout=WAIT_DEADLINE_S)
            if hello.get("type") != "auth_required":
                raise HomeAssistantApiError(f"unexpected websocket greeting: {hello}")
            access_token = self.token if token is None else token
            await ws.send_json({"type": "auth", "access_token": access_token})
            reply = await ws.receive_json(timeout=WAIT_DEADLINE_S)
            if reply.get("type") != "auth_ok":
                raise HomeAssistantApiError(f"websocket authentication failed: {reply}")
            yield WebSocketSession(ws)

    async def async_ws_command(self, payload: Mapping[str, Any]) -> Any:
        """Open a session, run one command, return its result."""
        async with self.websocket() as ws:
            return await ws.command(payload)

    def ws_command(self, payload: Mapping[str, Any]) -> Any:
        """Sync form of `async_ws_command`."""
        return run_sync(self.async_ws_command(payload))

    # -- registries, helpers, automations ----------------------------------------------------

    def create_input_boolean(self, name: str, **options: Any) -> str:
        """Create a UI (storage) input_boolean, which has a unique id; return its entity id."""
        item = self.ws_command({"type": "input_boolean/create", "name": name, **options})
        entity_id = self.registry_entity_id("input_boolean", item["id"])
        self.wait_for_state(entity_id)
        return entity_id

    def create_area(self, name: str, **options: Any) -> str:
        """Create an area; return its area id."""
        area = self.ws_command({"type": "config/area_registry/create", "name": name, **options})
        area_id: str = area["area_id"]
        return area_id

    def update_entity(self, entity_id: str, **changes: Any) -> dict[str, Any]:
        """Update an entity registry entry (name, area_id, new_entity_id, ...); return it."""
        result = self.ws_command(
            {"type": "config/entity_registry/update", "entity_id": entity_id, **changes}
        )
        entry: dict[str, Any] = result["entity_entry"]
        return entry

    def registry_entity_id(
        self, platform: str, unique_id: str, timeout: float = WAIT_DEADLINE_S
    ) -> str:
        """Poll the entity registry until the platform registered the unique id; return the id."""

        async def find() -> str:
            async with self.websocket() as ws:
                while True:
                    entries = await ws.command({"type": "config/entity_registry/list"})
                    for entry in entries:
                        if entry["platform"] == platform and entry["unique_id"] == unique_id:
                            entity_id: str = entry["entity_id"]
                            return entity_id
                    await asyncio.sleep(POLL_INTERVAL_S)

        async def find_in_time() -> str:
            try:
                async with asyncio.timeout(timeout):
                    return await find()
            except TimeoutError:
                raise TimeoutError(
                    f"no {platform} entity with unique id {unique_id} after {timeout} s"
                ) from None

        return run_sync(find_in_time())

    def get_entity_entry(self, entity_id: str) -> dict[str, Any]:
        """The entity registry entry of an entity."""
        entry: dict[str, Any] = self.ws_command(
            {"type": "config/entity_registry/get", "entity_id": entity_id}
        )
        return entry

    def add_automation(
        self, automation_id: str, config: Mapping[str, Any], timeout: float = WAIT_DEADLINE_S
    ) -> str:
        """Save an automation like the UI editor does; return its entity id once it is on."""
        self.rest("POST", f"/api/config/automation/config/{automation_id}", dict(config))
        entity_id = self.registry_entity_id("automation", automation_id, timeout)
        self.wait_for_state(entity_id, "on", timeout)
        return entity_id

    def remove_automation(self, automation_id: str) -> None:
        """Delete an automation like the UI editor does."""
        self.rest("DELETE", f"/api/config/automation/config/{automation_id}")

    # -- internals ---------------------------------------------------------------------------

    def _write_config(self) -> None:
        storage = self.config_dir / ".storage"
        storage.mkdir(parents=True)
        (storage / "onboarding").write_text(json.dumps(ONBOARDING_STORE))
        text = CONFIGURATION.format(port=self.port)
        if self.extra_config:
            text += yaml.safe_dump(self.extra_config, sort_keys=False)
        (self.config_dir / "configuration.yaml").write_text(text)
        automations = (
            yaml.safe_dump(self.automations, sort_keys=False) if self.automations else "[]\n"
        )
        (self.config_dir / "automations.yaml").write_text(automations)
        (self.config_dir / "scripts.yaml").write_text("{}\n")
        if self.custom_integrations:
            custom = self.config_dir / "custom_components"
            custom.mkdir()
            for integration in self.custom_integrations:
                (custom / integration.name).symlink_to(
                    integration.resolve(), target_is_directory=True
                )

    def _fail(self, error: type[Exception], message: str) -> Exception:
        return error(f"{message}\n--- {self.log_path} (tail) ---\n{self.log_tail()}")

    def _check_alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise self._fail(RuntimeError, f"hass exited with code {self.process.returncode}")

    def _wait_for_http(self, deadline: float) -> None:
        # /auth/providers needs no token and answers (400 before onboarding) as soon as the
        # HTTP server listens; a token-less /api/ would log a failed login attempt instead.
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                httpx.get(f"{self.base_url}/auth/providers", timeout=1)
            except httpx.TransportError:
                time.sleep(POLL_INTERVAL_S)
            else:
                return
        raise self._fail(TimeoutError, f"HTTP API did not answer in {self.start_deadline_s} s")

    def _wait_until_running(self, deadline: float) -> None:
        # The HTTP server starts early in bootstrap; automations, helpers and the recorder are
        # only ready once the core state is RUNNING.
        state = None
        while time.monotonic() < deadline:
            self._check_alive()
            response = self.request("GET", "/api/config")
            if response.status_code == 401:
                raise self._fail(HomeAssistantApiError, "the long-lived token was rejected")
            state = _json_or_raise(response)["state"]
            if state == "RUNNING":
                return
            time.sleep(POLL_INTERVAL_S)
        raise self._fail(TimeoutError, f"not RUNNING after {self.start_deadline_s} s (was {state})")

    def _onboard(self) -> None:
        client_id = f"{self.base_url}/"
        with httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT_S) as client:
            user = {
                "client_id": client_id,
                "name": "HomeIQ Tester",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            }
            code = _json_or_raise(client.post("/api/onboarding/users", json=user))["auth_code"]
            grant = {"grant_type": "authorization_code", "code": code, "client_id": client_id}
            tokens = _json_or_raise(client.post("/auth/token", data=grant))
            auth = {"Authorization": f"Bearer {tokens['access_token']}"}
            _json_or_raise(client.post("/api/onboarding/analytics", json={}, headers=auth))
            integration = {"client_id": client_id, "redirect_uri": f"{client_id}?auth_callback=1"}
            _json_or_raise(
                client.post("/api/onboarding/integration", json=integration, headers=auth)
            )
            steps = _json_or_raise(client.get("/api/onboarding"))
        if undone := [step["step"] for step in steps if not step["done"]]:
            raise self._fail(RuntimeError, f"onboarding steps left undone: {undone}")
        self._token, self._user_id = run_sync(self._long_lived_token(tokens["access_token"]))

    async def _long_lived_token(self, access_token: str) -> tuple[str, str]:
        async with self.websocket(access_token) as ws:
            token = await ws.command(
                {
                    "type": "auth/long_lived_access_token",
                    "client_name": TOKEN_CLIENT_NAME,
                    "lifespan": 365,
                }
            )
            user = await ws.command({"type": "auth/current_user"})
        return token, user["id"]
