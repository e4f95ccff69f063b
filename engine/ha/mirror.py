"""Mirror a Home Assistant home: catalog, live state changes, and backfill of every gap."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from engine.ha.automations import MirroredAutomation, fetch_automations, save_automations
from engine.ha.catalog_sync import fetch_catalog
from engine.ha.client import EventCallback, HomeAssistantClient
from engine.ha.errors import (
    HomeAssistantAuthError,
    HomeAssistantError,
)
from engine.ha.history import backfill
from engine.ha.origin import event_from_state_changed
from engine.home.event_input import from_epoch_us, to_epoch_us, utc_now
from engine.home.service import BackfillStatus, HomeService
from engine.settings import Settings, redact_url
from engine.store.event_writer import BufferedEventWriter
from engine.store.events import EventStore
from engine.store.meta import read_meta, write_meta

_LOGGER = logging.getLogger(__name__)

REGISTRY_EVENTS = (
    "entity_registry_updated",
    "device_registry_updated",
    "area_registry_updated",
    "floor_registry_updated",
    # Fired when automations are created, edited or deleted: their configs are re-read.
    "automation_reloaded",
)
SYNCED_UNTIL_KEY = "ha_synced_until_us"
# Registry edits come in bursts (a rename touches entity and state); sync once after them.
CATALOG_DEBOUNCE_S = 0.5
# How often the "history is complete until" mark moves while connected.
CHECKPOINT_INTERVAL_S = 60.0
# Events stamped just before a checkpoint may still be on their way; re-read that much.
CHECKPOINT_MARGIN = timedelta(minutes=2)

Clock = Callable[[], datetime]
AutomationsCallback = Callable[[list[MirroredAutomation]], None]


def reconnect_delay(
    attempt: int, *, minimum_s: float, maximum_s: float, jitter: Callable[[], float]
) -> float:
    """Return the wait before reconnect `attempt` (0-based): doubling, capped, jittered.

    `jitter` returns a number in [0, 1): the wait is 50-100% of the backoff, so engines
    restarted together do not reconnect in step.
    """
    backoff: float = min(maximum_s, minimum_s * 2.0 ** min(attempt, 32))
    return backoff * (0.5 + 0.5 * jitter())


class HomeAssistantMirror:
    """Keeps the catalog and the event store in step with Home Assistant."""

    def __init__(
        self,
        settings: Settings,
        session: aiohttp.ClientSession,
        home: HomeService,
        events: EventStore,
        writer: BufferedEventWriter,
        *,
        min_backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        clock: Clock = utc_now,
        on_connection: Callable[[bool], None] | None = None,
    ) -> None:
        if not settings.ha_url or not settings.ha_token:
            raise ValueError("HA_URL and HA_TOKEN are needed to mirror Home Assistant")
        self._url = settings.ha_url
        self._websocket_url = settings.ha_websocket_url
        self._token = settings.ha_token
        self._backfill_days = settings.backfill_days
        self._session = session
        self._home = home
        self._events = events
        self._writer = writer
        self._min_backoff_s = min_backoff_s
        self._max_backoff_s = max_backoff_s
        self._clock = clock
        self._on_connection = on_connection
        self._task: asyncio.Task[None] | None = None
        self._catalog_sync: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._history_complete = False
        self._client: HomeAssistantClient | None = None
        self._stopping = asyncio.Event()
        self._state_listeners: list[EventCallback] = []
        self._automation_listeners: list[AutomationsCallback] = []
        self.last_error: str | None = None

    @property
    def connected(self) -> bool:
        """Return True while a session with Home Assistant is up and synced."""
        return self._home.mirror_connected

    @property
    def client(self) -> HomeAssistantClient | None:
        """Return the connected client (for other modules' commands), or None."""
        client = self._client
        return client if client is not None and client.connected else None

    def on_state_changed(self, callback: EventCallback) -> None:
        """Also pass every state_changed event to `callback` (sync; it must not raise)."""
        self._state_listeners.append(callback)

    def on_automations_synced(self, callback: AutomationsCallback) -> None:
        """Pass Home Assistant's automations to `callback` after every sync (sync; no raising)."""
        self._automation_listeners.append(callback)

    def start(self) -> None:
        """Connect in the background, and keep reconnecting."""
        self._task = asyncio.create_task(self._run(), name="homeiq-ha-mirror")

    async def close(self) -> None:
        """Disconnect; a write in progress finishes (cancelling it could lose the batch)."""
        self._stopping.set()
        if self._client is not None:
            await self._client.close()
        if self._task is not None:
            await self._task
        await asyncio.gather(*self._background, return_exceptions=True)

    async def _run(self) -> None:
        """Connect, mirror until the connection drops, wait with backoff, repeat."""
        attempt = 0
        while not self._stopping.is_set():
            client = HomeAssistantClient(
                self._url, self._token, self._session, websocket_url=self._websocket_url
            )
            self._client = client
            try:
                await client.connect()
                attempt = 0
                await self._mirror(client)
            except HomeAssistantAuthError as err:
                self.last_error = str(err)
                _LOGGER.error("%s; check HA_TOKEN", err)
            except (HomeAssistantError, OSError) as err:
                self.last_error = str(err)
                _LOGGER.warning("Home Assistant connection lost: %s", err)
            finally:
                await self._session_ended(client)
            delay = reconnect_delay(
                attempt,
                minimum_s=self._min_backoff_s,
                maximum_s=self._max_backoff_s,
                jitter=random.random,
            )
            attempt += 1
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._stopping.wait()

    async def _mirror(self, client: HomeAssistantClient) -> None:
        """Subscribe, sync the catalog, backfill the gap, then follow live changes."""
        # Subscribed before the snapshot and the backfill, so no change falls in between.
        await client.subscribe_events("state_changed", self._on_state_changed)
        for event_type in REGISTRY_EVENTS:
            await client.subscribe_events(
                event_type, lambda _event: self._schedule_catalog_sync(client)
            )
        await self._sync_catalog(client)
        self._set_connected(connected=True)
        self.last_error = None
        _LOGGER.info("Mirroring Home Assistant %s at %s", client.ha_version, redact_url(self._url))
        await self._backfill(client, self._clock())
        await client.wait_closed()

    async def _session_ended(self, client: HomeAssistantClient) -> None:
        """Mark the mirror disconnected; keep the history mark if the session was complete."""
        self._set_connected(connected=False)
        if self._catalog_sync is not None:
            self._catalog_sync.cancel()
            self._catalog_sync = None
        with contextlib.suppress(Exception):
            await client.close()
        if self._history_complete:
            self._history_complete = False
            await self._checkpoint()

    def _set_connected(self, *, connected: bool) -> None:
        """Record the connection state and tell the listener when it changed."""
        changed = self._home.mirror_connected != connected
        self._home.mirror_connected = self._home.source_connected = connected
        if changed and self._on_connection is not None:
            self._on_connection(connected)

    def _spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def _on_state_changed(self, event: dict[str, Any]) -> None:
        """Queue a real state change; attribute-only changes are not events."""
        stored = event_from_state_changed(event)
        if stored is not None:
            self._writer.add(stored)
        for listener in self._state_listeners:
            listener(event)

    def _schedule_catalog_sync(self, client: HomeAssistantClient) -> None:
        if self._catalog_sync is not None:
            self._catalog_sync.cancel()
        loop = asyncio.get_running_loop()
        self._catalog_sync = loop.call_later(
            CATALOG_DEBOUNCE_S, lambda: self._spawn(self._resync_catalog(client))
        )

    async def _sync_catalog(self, client: HomeAssistantClient) -> None:
        """Replace the catalog, then the automations' configs read against it."""
        # State changes that arrive while the catalog is read are newer than its states.
        read_at = to_epoch_us(utc_now())  # the home service's clock, not the injected one
        catalog = await fetch_catalog(client)
        await self._home.replace_catalog(catalog, as_of_us=read_at)
        automations = await fetch_automations(client, catalog)
        await save_automations(self._events.engine, automations)
        for listener in self._automation_listeners:
            listener(automations)

    async def _resync_catalog(self, client: HomeAssistantClient) -> None:
        try:
            await self._sync_catalog(client)
        except HomeAssistantError as err:
            _LOGGER.warning("Catalog sync failed: %s", err)

    async def _backfill(self, client: HomeAssistantClient, end: datetime) -> None:
        """Read the recorder's history from the last complete moment up to `end`."""
        earliest = end - timedelta(days=self._backfill_days)
        synced = await read_meta(self._events.engine, SYNCED_UNTIL_KEY)
        start = max(from_epoch_us(int(synced)), earliest) if synced else earliest
        entity_ids = [entity.entity_id for entity in self._home.catalog.entities]
        status = BackfillStatus(status="running", start=start, end=end)
        self._home.backfill = status
        # What was received live is compared with the recorder's restated states too.
        await self._writer.flush()
        try:
            await backfill(client, self._events, entity_ids, status, stopping=self._stopping.is_set)
        except HomeAssistantError as err:
            status.status, status.error = "failed", str(err)
            raise
        status.status, status.progress = "succeeded", 1.0
        _LOGGER.info(
            "Backfilled %d events from %s to %s", status.events, start.isoformat(), end.isoformat()
        )
        await write_meta(self._events.engine, SYNCED_UNTIL_KEY, str(to_epoch_us(end)))
        self._history_complete = True

    async def checkpoint_if_complete(self) -> None:
        """Move the history mark while a complete session runs (called periodically)."""
        if self._history_complete:
            await self._checkpoint()

    async def _checkpoint(self) -> None:
        """Write buffered events, then record that history is complete until shortly before."""
        moment = self._clock() - CHECKPOINT_MARGIN
        await self._writer.flush()
        if self._writer.pending:
            return  # the write failed: keep the old mark so the next session re-reads
        synced = await read_meta(self._events.engine, SYNCED_UNTIL_KEY)
        if synced is None or int(synced) < to_epoch_us(moment):
            await write_meta(self._events.engine, SYNCED_UNTIL_KEY, str(to_epoch_us(moment)))
