"""The Home Assistant side of a deployment: its checks, its save, and what it holds now."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import orjson

from engine.automation.deployment.store import Status
from engine.errors import ConflictError, HomeAssistantUnavailableError, UnprocessableError
from engine.ha.client import HomeAssistantClient
from engine.ha.errors import HomeAssistantCommandError, HomeAssistantError

_LOGGER = logging.getLogger(__name__)

# Home Assistant reloads a saved automation in the background, usually within milliseconds:
# polls start fast and slow down, so a slow host is not flooded with state reads.
FIRST_POLL_S: Final = 0.05
MAX_POLL_S: Final = 0.5
# An automation entity's state, as a deployment's status.
STATUS_OF_STATE: Final[dict[str | None, Status]] = {"on": "deployed", "off": "disabled"}
# What Home Assistant's validate_config checks, by section.
_SECTIONS: Final = ("triggers", "conditions", "actions")


@contextmanager
def home_assistant_errors(doing: str) -> Iterator[None]:
    """Turn Home Assistant client errors into API errors: 422 for a refusal, 503 otherwise."""
    try:
        yield
    except HomeAssistantCommandError as err:
        if err.code == 400:
            raise UnprocessableError(
                f"Home Assistant refused to {doing}: {err}", {"home_assistant": str(err)}
            ) from None
        raise HomeAssistantUnavailableError(f"Home Assistant failed to {doing}: {err}") from None
    except HomeAssistantError as err:
        raise HomeAssistantUnavailableError(
            f"Home Assistant could not be reached to {doing}: {err}"
        ) from None


async def services(client: HomeAssistantClient) -> dict[str, list[str]]:
    """Return Home Assistant's services, domain to names, for validation."""
    answer = await client.command({"type": "get_services"})
    return {domain: list(names) for domain, names in (answer or {}).items()}


async def check_not_the_users(client: HomeAssistantClient, automation_id: str) -> None:
    """Raise a 409 when Home Assistant holds a config of this id that HomeIQ did not make."""
    existing = await client.get_automation_config(automation_id)
    # Every config HomeIQ deploys names it in its description; one that does not is the
    # user's own, and a deploy never overwrites that.
    if existing is not None and "HomeIQ" not in str(existing.get("description") or ""):
        raise ConflictError(
            f"Home Assistant already has an automation {automation_id} that HomeIQ did not "
            "deploy; choose another id",
            {"automation_id": automation_id},
        )


async def check_config(client: HomeAssistantClient, automation: Mapping[str, Any]) -> None:
    """Raise a 422 with Home Assistant's messages when its validate_config refuses a section."""
    answer = await client.command(
        {"type": "validate_config", **{key: automation.get(key, []) for key in _SECTIONS}}
    )
    refused = {
        key: result.get("error") or "invalid"
        for key, result in (answer or {}).items()
        if isinstance(result, dict) and not result.get("valid", False)
    }
    if refused:
        raise UnprocessableError(
            "Home Assistant's own validation refused the automation: "
            + "; ".join(f"{key}: {message}" for key, message in refused.items()),
            {"home_assistant": refused},
        )


async def automation_state(
    client: HomeAssistantClient, automation_id: str, entity_id: str | None = None
) -> dict[str, Any] | None:
    """Return the state of the automation entity with this config id, or None.

    `entity_id` is where it was last seen: one cheap read when it is still there.
    """
    if entity_id:
        try:
            state = await client.rest("GET", f"/api/states/{entity_id}")
        except HomeAssistantCommandError as err:
            if err.code != 404:
                raise
        else:
            if isinstance(state, dict) and _is_automation(state, automation_id):
                return state
    states = await client.command({"type": "get_states"})
    return next((state for state in states or () if _is_automation(state, automation_id)), None)


def _is_automation(state: Mapping[str, Any], automation_id: str) -> bool:
    return (
        str(state.get("entity_id", "")).startswith("automation.")
        and (state.get("attributes") or {}).get("id") == automation_id
    )


def _plain(value: Any) -> Any:
    """Return a config as JSON would carry it, to compare with what Home Assistant answers."""
    return orjson.loads(orjson.dumps(value))


async def _running(client: HomeAssistantClient, automation: Mapping[str, Any]) -> str | None:
    """Return the entity id once Home Assistant runs exactly this config, else None."""
    state = await automation_state(client, automation["id"])
    if state is None or state.get("state") not in ("on", "off"):
        return None
    # Right after a save the old entity still runs the old config until the reload.
    answer = await client.command({"type": "automation/config", "entity_id": state["entity_id"]})
    running = answer.get("config") if isinstance(answer, dict) else None
    return str(state["entity_id"]) if running == _plain(automation) else None


async def save_and_wait(
    client: HomeAssistantClient, automation: Mapping[str, Any], timeout_s: float
) -> str:
    """Save a config as the automation editor does; return its entity id once it runs."""
    await client.save_automation_config(automation["id"], dict(automation))
    deadline = time.monotonic() + timeout_s
    interval = FIRST_POLL_S
    while (entity_id := await _running(client, automation)) is None:
        if time.monotonic() + interval > deadline:
            raise HomeAssistantUnavailableError(
                f"Home Assistant saved automation {automation['id']} but did not run it "
                f"within {timeout_s:g} s"
            )
        await asyncio.sleep(interval)
        interval = min(interval * 2, MAX_POLL_S)
    return entity_id


async def remove_and_wait(
    client: HomeAssistantClient, automation_id: str, timeout_s: float
) -> None:
    """Delete a config; return once its entity is gone (or the deadline passed)."""
    try:
        await client.delete_automation_config(automation_id)
    except HomeAssistantCommandError as err:
        # Home Assistant answers 400 for a config it does not have: already deleted.
        if err.code != 400 or await client.get_automation_config(automation_id) is not None:
            raise
    deadline = time.monotonic() + timeout_s
    interval = FIRST_POLL_S
    while await automation_state(client, automation_id) is not None:
        if time.monotonic() + interval > deadline:
            # The config is gone, which is what counts; the entity follows on its own.
            _LOGGER.warning("Automation %s was deleted but its entity remains", automation_id)
            return
        await asyncio.sleep(interval)
        interval = min(interval * 2, MAX_POLL_S)


async def observe(
    client: HomeAssistantClient, automation_id: str, entity_id: str | None
) -> tuple[Status, str | None] | None:
    """Return what Home Assistant holds of an automation, and its entity; None when unsure."""
    state = await automation_state(client, automation_id, entity_id)
    if state is None:
        # No entity may be a reload in progress: only a missing config means deleted.
        if await client.get_automation_config(automation_id) is None:
            return "removed", None
        return None
    status = STATUS_OF_STATE.get(state.get("state"))
    return None if status is None else (status, str(state["entity_id"]))
