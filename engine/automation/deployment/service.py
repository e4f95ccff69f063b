"""Deploying automations into Home Assistant, with versions, rollback and user changes."""

from __future__ import annotations

import asyncio
import builtins
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final, Literal

from sqlalchemy.ext.asyncio import AsyncEngine

from engine.automation.deployment import home_assistant as ha
from engine.automation.deployment.store import DeploymentStore, Status
from engine.automation.deployment.versions import prepare
from engine.automation.deployment.watcher import DeploymentWatcher
from engine.automation.deployment.wire import Deployment, Version
from engine.automation.nesting import too_deep
from engine.automation.validate import check_deployable, validate_automation
from engine.errors import ConflictError, HomeAssistantUnavailableError, UnprocessableError
from engine.ha.automations import MirroredAutomation
from engine.ha.client import HomeAssistantClient
from engine.ha.errors import HomeAssistantError
from engine.home.catalog import Catalog
from engine.stream import StreamHub

_LOGGER = logging.getLogger(__name__)

type Feedback = Callable[[str, str], Awaitable[None]]
type Change = Literal["deploy", "rollback", "disable", "enable", "delete"]
type Source = Literal["api", "home_assistant"]

# What a status reached in Home Assistant means, as a change and as feedback.
_CHANGE_TO: Final[dict[Status, Change]] = {
    "deployed": "enable",
    "disabled": "disable",
    "removed": "delete",
}
_NEGATIVE: Final = frozenset({"disable", "delete"})


class DeploymentService:
    """Deploys automations, keeps their versions, and follows what the user does to them."""

    def __init__(
        self,
        engine: AsyncEngine,
        catalog: Callable[[], Catalog],
        home_assistant: Callable[[], HomeAssistantClient | None],
        stream: StreamHub,
        *,
        on_feedback: Feedback | None = None,
        entity_timeout_s: float = 30.0,
    ) -> None:
        self._store = DeploymentStore(engine)
        self._catalog = catalog
        self._home_assistant = home_assistant
        self._stream = stream
        self._on_feedback = on_feedback
        self._entity_timeout_s = entity_timeout_s
        # One change at a time per automation: the engine's and the watcher's alike.
        self._locks: dict[str, asyncio.Lock] = {}
        self._watcher = DeploymentWatcher(self.reconcile, catalog)

    async def setup(self) -> None:
        """Start watching the deployments stored before this start."""
        for deployment in await self._store.list_all():
            self._watcher.watch(deployment)

    async def close(self) -> None:
        """Stop the checks of user changes in progress."""
        await self._watcher.close()

    # -- deploying ---------------------------------------------------------------------------

    async def deploy(
        self,
        automation: Mapping[str, Any],
        *,
        confirm: bool = False,
        suggestion_id: str | None = None,
    ) -> Deployment:
        """Validate an automation, deploy it into Home Assistant, store it as a version."""
        if too_deep(automation) is not None:
            # Preparing hashes the config, which a too-deep one cannot be: refuse it first.
            check_deployable(validate_automation(automation, self._catalog()), confirm=confirm)
        prepared = prepare(automation, suggestion_id)
        await self._validate(prepared, confirm=confirm)
        async with self._lock(prepared["id"]):
            client = self._connected()
            with ha.home_assistant_errors("deploy the automation"):
                if await self._store.get(prepared["id"]) is None:
                    await ha.check_not_the_users(client, prepared["id"])
                await ha.check_config(client, prepared)
                entity_id = await ha.save_and_wait(client, prepared, self._entity_timeout_s)
            recorded = await self._store.record_deploy(
                prepared, entity_id=entity_id, suggestion_id=suggestion_id
            )
            self._watcher.watch(recorded.deployment)
        if recorded.changed:
            self._publish(recorded.deployment, "deploy", "api")
            if suggestion_id is not None:
                await self._feedback(suggestion_id, "deploy")
        return recorded.deployment

    async def rollback(self, automation_id: str, version: int | None = None) -> Deployment:
        """Put a stored version back into Home Assistant (default: the one before the current)."""
        async with self._lock(automation_id):
            current = await self._store.require(automation_id)
            target = version
            if target is None:
                target = await self._store.previous_version(automation_id, current["version"])
                if target is None:
                    raise ConflictError(
                        f"Automation {automation_id} has no version before version "
                        f"{current['version']} to roll back to",
                        {"version": current["version"]},
                    )
            config = await self._store.version(automation_id, target)
            if config is None:
                raise UnprocessableError(
                    f"Automation {automation_id} has no version {target}", {"version": target}
                )
            client = self._connected()
            with ha.home_assistant_errors("roll the automation back"):
                entity_id = await ha.save_and_wait(client, config, self._entity_timeout_s)
            recorded = await self._store.record_rollback(automation_id, target, entity_id)
            self._watcher.watch(recorded.deployment)
        if recorded.changed:
            self._publish(recorded.deployment, "rollback", "api")
        return recorded.deployment

    async def disable(self, automation_id: str) -> Deployment:
        """Turn a deployed automation off in Home Assistant."""
        return await self._switch(automation_id, "disabled")

    async def enable(self, automation_id: str) -> Deployment:
        """Turn a deployed automation back on in Home Assistant."""
        return await self._switch(automation_id, "deployed")

    async def _switch(self, automation_id: str, status: Status) -> Deployment:
        change = _CHANGE_TO[status]
        async with self._lock(automation_id):
            current = await self._store.require(automation_id)
            if current["status"] == "removed":
                raise ConflictError(
                    f"Automation {automation_id} was deleted; deploy it or roll it back first"
                )
            client = self._connected()
            with ha.home_assistant_errors(f"{change} the automation"):
                state = await ha.automation_state(client, automation_id, current["entity_id"])
                if state is None:
                    raise ConflictError(
                        f"Home Assistant does not hold automation {automation_id} right now"
                    )
                service = "turn_on" if status == "deployed" else "turn_off"
                await client.call_service("automation", service, {"entity_id": state["entity_id"]})
            deployment = await self._store.set_status(automation_id, status, state["entity_id"])
            self._watcher.watch(deployment)
        if current["status"] != status:
            await self._changed(deployment, change, "api")
        return deployment

    async def delete(self, automation_id: str) -> Deployment:
        """Delete an automation from Home Assistant; its versions stay for a later rollback."""
        async with self._lock(automation_id):
            current = await self._store.require(automation_id)
            if current["status"] == "removed":
                return current
            client = self._connected()
            with ha.home_assistant_errors("delete the automation"):
                await ha.remove_and_wait(client, automation_id, self._entity_timeout_s)
            deployment = await self._store.set_status(automation_id, "removed")
            self._watcher.watch(deployment)
        await self._changed(deployment, "delete", "api")
        return deployment

    # -- reading -----------------------------------------------------------------------------

    async def get(self, automation_id: str) -> Deployment:
        """Return one deployment; 404 for an id the engine never deployed."""
        return await self._store.require(automation_id)

    async def list(self) -> builtins.list[Deployment]:
        """Return every deployment, removed ones included, most recently deployed first."""
        return await self._store.list_all()

    async def versions(self, automation_id: str) -> builtins.list[Version]:
        """Return a deployment's versions, oldest first, each with its diff."""
        return await self._store.versions(automation_id)

    # -- following Home Assistant ------------------------------------------------------------

    def state_changed(self, event: Mapping[str, Any]) -> None:
        """Take a state_changed event from the mirror (a deployment may have been switched)."""
        self._watcher.state_changed(event)

    def automations_synced(self, automations: Sequence[MirroredAutomation]) -> None:
        """Take the mirror's re-read automations (a deployment may have been deleted)."""
        self._watcher.automations_synced(automations)

    async def reconcile(self, automation_id: str) -> None:
        """Make a deployment's status follow what Home Assistant holds, as the user left it."""
        async with self._lock(automation_id):
            current = await self._store.get(automation_id)
            client = self._home_assistant()
            if current is None or current["status"] == "removed" or client is None:
                return
            try:
                found = await ha.observe(client, automation_id, current["entity_id"])
            except HomeAssistantError as err:
                _LOGGER.info("Could not check automation %s: %s", automation_id, err)
                return
            if found is None or found[0] == current["status"]:
                return
            status, entity_id = found
            deployment = await self._store.set_status(automation_id, status, entity_id)
            self._watcher.watch(deployment)
        await self._changed(deployment, _CHANGE_TO[status], "home_assistant")

    # -- helpers -----------------------------------------------------------------------------

    async def _validate(self, automation: Mapping[str, Any], *, confirm: bool) -> None:
        """Raise a 422 for an invalid automation, or one that needs a missing confirmation."""
        client = self._home_assistant()
        known_services = None
        # With Home Assistant at hand, a misspelt service is caught before it is deployed.
        if client is not None and client.connected:
            with ha.home_assistant_errors("list its services"):
                known_services = await ha.services(client)
        result = validate_automation(automation, self._catalog(), known_services)
        check_deployable(result, confirm=confirm)

    def _lock(self, automation_id: str) -> asyncio.Lock:
        return self._locks.setdefault(automation_id, asyncio.Lock())

    def _connected(self) -> HomeAssistantClient:
        client = self._home_assistant()
        if client is None or not client.connected:
            raise HomeAssistantUnavailableError(
                "Home Assistant is not connected; nothing was deployed or changed"
            )
        return client

    def _publish(self, deployment: Mapping[str, Any], change: Change, source: Source) -> None:
        data = {**deployment, "change": change, "source": source}
        self._stream.publish("deployment_changed", data)

    async def _changed(self, deployment: Mapping[str, Any], change: Change, source: Source) -> None:
        """Announce a status change; a disable or delete counts against its suggestion."""
        self._publish(deployment, change, source)
        suggestion_id = deployment.get("suggestion_id")
        if change in _NEGATIVE and suggestion_id is not None:
            await self._feedback(suggestion_id, change)

    async def _feedback(self, suggestion_id: str, action: str) -> None:
        if self._on_feedback is None:
            return
        try:
            await self._on_feedback(suggestion_id, action)
        except Exception:
            # The automation changed in Home Assistant either way; the record must say so.
            _LOGGER.exception("Feedback %s on suggestion %s failed", action, suggestion_id)
