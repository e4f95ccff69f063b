"""Noticing what the user does to deployed automations in Home Assistant."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from engine.automation.deployment.home_assistant import STATUS_OF_STATE
from engine.automation.deployment.store import Status
from engine.ha.automations import MirroredAutomation
from engine.home.catalog import Catalog

_LOGGER = logging.getLogger(__name__)


class DeploymentWatcher:
    """Turns the mirror's events into checks of the deployments they may concern.

    It only decides what to check: `reconcile` reads the truth from Home Assistant under the
    deployment's lock, so the engine's own changes, made under the same lock, are never
    mistaken for the user's.
    """

    def __init__(
        self, reconcile: Callable[[str], Awaitable[None]], catalog: Callable[[], Catalog]
    ) -> None:
        self._reconcile = reconcile
        self._catalog = catalog
        # The status of every deployment Home Assistant should hold, by automation id.
        self._watched: dict[str, Status] = {}
        self._queued: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def watch(self, deployment: Mapping[str, Any]) -> None:
        """Remember a deployment's status as stored."""
        automation_id = deployment["automation_id"]
        if deployment["status"] == "removed":
            self._watched.pop(automation_id, None)
        else:
            self._watched[automation_id] = deployment["status"]

    def state_changed(self, event: Mapping[str, Any]) -> None:
        """Check a deployment whose automation entity was switched or removed."""
        data = event.get("data") or {}
        if not str(data.get("entity_id", "")).startswith("automation."):
            return
        old, new = data.get("old_state") or {}, data.get("new_state") or {}
        # Every run changes an automation's attributes; only a new state says something.
        if old.get("state") == new.get("state"):
            return
        automation_id = (new.get("attributes") or old.get("attributes") or {}).get("id")
        if automation_id in self._watched:
            self._check(automation_id)

    def automations_synced(self, automations: Sequence[MirroredAutomation]) -> None:
        """Check deployments that Home Assistant no longer holds or holds in another state."""
        present = {automation.automation_id for automation in automations}
        states = {
            entity.attributes.get("id"): entity.state
            for entity in self._catalog().entities
            if entity.domain == "automation" and entity.attributes
        }
        for automation_id, status in list(self._watched.items()):
            seen = STATUS_OF_STATE.get(states.get(automation_id), status)
            if automation_id not in present or seen != status:
                self._check(automation_id)

    def _check(self, automation_id: str) -> None:
        # One check waiting per automation is enough: it reads the state when it runs.
        if self._closed or automation_id in self._queued:
            return
        self._queued.add(automation_id)
        task = asyncio.create_task(self._run(automation_id), name="homeiq-deployment-check")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, automation_id: str) -> None:
        self._queued.discard(automation_id)
        try:
            await self._reconcile(automation_id)
        except Exception:
            _LOGGER.exception("Checking deployed automation %s failed", automation_id)

    async def close(self) -> None:
        """Stop the checks in progress; the mirror may still call in until it closes."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
