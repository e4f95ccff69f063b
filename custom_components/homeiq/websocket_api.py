"""The homeiq/* websocket commands of the panel and the card: admin only, never the token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import wraps
from typing import Any, Final, cast

import voluptuous as vol
import yaml
from homeassistant.components import websocket_api

# The package imports these without re-exporting them, which strict mypy refuses.
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_FRIENDLY_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.json import json_dumps
from homeassistant.helpers.typing import VolDictType
from homeassistant.util.json import json_loads

from .api import (
    HomeIQAuthError,
    HomeIQConnectionError,
    HomeIQError,
    HomeIQResponseError,
    Settings,
)
from .const import DOMAIN, LLM_BACKENDS, PATTERN_TYPES, RECENT_ANALYSIS_RUNS, SUGGESTION_STATUSES
from .coordinator import HomeIQConfigEntry, HomeIQCoordinator
from .labels import async_tag_deployment
from .messages import approval_message, query_message
from .services import MAX_DAYS, MAX_TEXT

MAX_PAGE: Final = 200

_ENTRY: Final[VolDictType] = {vol.Optional("entry_id"): cv.string}
_ID = vol.All(cv.string, vol.Length(min=1))
_TEXT = vol.All(cv.string, vol.Length(min=1, max=MAX_TEXT))
_SCORE = vol.All(vol.Coerce(float), vol.Range(min=0, max=1))
_PAGE: Final[VolDictType] = {
    vol.Optional("limit"): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_PAGE)),
    vol.Optional("cursor"): cv.string,
}
# An automation given either as a config or as the YAML the user edited, never both.
_AUTOMATION: Final[VolDictType] = {
    vol.Exclusive("automation", "automation"): dict,
    vol.Exclusive("yaml", "automation"): cv.string,
}
_NAMES = [cv.string]
SETTINGS_SCHEMA: Final = vol.Schema(
    {
        vol.Optional("analysis_time"): cv.string,
        vol.Optional("analysis_days"): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_DAYS)),
        vol.Optional("min_score"): _SCORE,
        vol.Optional("exclude"): {
            vol.Optional("areas"): _NAMES,
            vol.Optional("entities"): _NAMES,
            vol.Optional("labels"): _NAMES,
        },
        vol.Optional("language"): cv.string,
        vol.Optional("llm"): {
            vol.Optional("backend"): vol.In(LLM_BACKENDS),
            vol.Optional("model"): vol.Any(None, cv.string),
            vol.Optional("ai_task_entity"): vol.Any(None, cv.entity_id),
        },
    }
)

# Engine error codes and the exceptions (strings.json) whose message says them; each takes
# the engine's sentence as {message}. Any other code is said by engine_error.
_MESSAGE_KEYS: Final = {
    "bad_request": "bad_request",
    "payload_too_large": "bad_request",
    "not_found": "not_found",
    "conflict": "conflict",
    "unprocessable": "unprocessable",
    "validation_failed": "validation_failed",
    "confirmation_required": "needs_confirmation",
    "ha_unavailable": "engine_unavailable",
    "llm_unavailable": "engine_unavailable",
}


class CommandError(HomeAssistantError):
    """A command's failure: the code the panel acts on, and a translated message."""

    def __init__(self, code: str, key: str, **placeholders: str) -> None:
        """Keep the code; the message is strings.json's exception `key`."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
        )
        self.code = code


type _Handler = Callable[[HomeIQCoordinator, dict[str, Any]], Awaitable[Mapping[str, Any]]]
type _Command = Callable[[HomeAssistant, ActiveConnection, dict[str, Any]], Awaitable[None]]


def _engine_command(*, refreshes: bool = False) -> Callable[[_Handler], _Command]:
    """Run a handler on the message's entry; send its result, or its error mapped once."""

    def decorate(handler: _Handler) -> _Command:
        @wraps(handler)
        async def run(
            hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
        ) -> None:
            try:
                coordinator = _coordinator(hass, msg.get("entry_id"))
                try:
                    result = await handler(coordinator, msg)
                except HomeIQError as err:
                    if isinstance(err, HomeIQAuthError):
                        coordinator.config_entry.async_start_reauth(hass)
                    raise engine_error(err) from err
            except CommandError as err:
                connection.send_error(
                    msg["id"],
                    err.code,
                    str(err),
                    translation_key=err.translation_key,
                    translation_domain=err.translation_domain,
                    translation_placeholders=err.translation_placeholders,
                )
                return
            connection.send_result(msg["id"], result)
            if refreshes:
                # The entities show suggestions too; they should agree with the panel.
                await coordinator.async_request_refresh()

        return run

    return decorate


def engine_error(err: HomeIQError) -> CommandError:
    """Return the command error for what the engine refused or failed."""
    if isinstance(err, HomeIQConnectionError):
        return CommandError("engine_unavailable", "engine_unreachable", error=str(err))
    if isinstance(err, HomeIQAuthError):
        return CommandError("unauthorized", "invalid_auth")
    if not isinstance(err, HomeIQResponseError):
        return CommandError("engine_error", "engine_error", error=str(err))
    code = err.code
    if code == "unprocessable" and "confirm" in err.details:
        code = "confirmation_required"
    elif code == "unprocessable" and "validation" in err.details:
        code = "validation_failed"
    elif code == "conflict" and isinstance(run_id := err.details.get("run_id"), str):
        return CommandError(code, "analysis_running", run_id=run_id)
    if (key := _MESSAGE_KEYS.get(code)) is None:
        return CommandError(code, "engine_error", error=str(err))
    return CommandError(code, key, message=err.message)


def _coordinator(hass: HomeAssistant, entry_id: str | None) -> HomeIQCoordinator:
    """Return the named loaded entry's coordinator, or the only loaded one's."""
    if entry_id is None:
        loaded = hass.config_entries.async_loaded_entries(DOMAIN)
        if len(loaded) > 1:
            raise CommandError("entry_required", "entry_required")
        if not loaded:
            raise CommandError("entry_not_found", "no_entry_loaded")
        return cast(HomeIQConfigEntry, loaded[0]).runtime_data
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise CommandError("entry_not_found", "entry_not_found", entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise CommandError("entry_not_found", "entry_not_loaded", title=entry.title)
    return cast(HomeIQConfigEntry, entry).runtime_data


def parse_automation(text: str) -> dict[str, Any]:
    """Return the automation a YAML text holds, as JSON types; refuse anything else.

    PyYAML's safe loader, not Home Assistant's: that one resolves !include, !secret and
    !env_var, which would read the host's files and environment into an engine request.
    """
    try:
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise CommandError("invalid_yaml", "invalid_yaml", error=str(err)) from err
    if not isinstance(data, dict):
        raise CommandError("invalid_yaml", "yaml_not_mapping", kind=_kind(data))
    # YAML has dates and non-string keys; the engine takes JSON.
    return cast(dict[str, Any], json_loads(json_dumps(data)))


def _kind(data: object) -> str:
    """Say what a YAML document holds instead of a mapping."""
    if data is None:
        return "empty"
    return "a list" if isinstance(data, list) else "a single value"


def _automation(msg: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the automation a message carries, as a config or as YAML, if any."""
    if "yaml" in msg:
        return parse_automation(msg["yaml"])
    automation: dict[str, Any] | None = msg.get("automation")
    return automation


def _alias(hass: HomeAssistant, entity_id: str | None) -> str | None:
    """Return the name Home Assistant shows for an automation entity, if it has one."""
    state = hass.states.get(entity_id) if entity_id else None
    return None if state is None else state.attributes.get(ATTR_FRIENDLY_NAME)


@websocket_command({vol.Required("type"): "homeiq/engines"})
@require_admin
@callback
def ws_engines(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """List the loaded engines by entry: no URL, no token."""
    engines = [
        {
            "entry_id": entry.entry_id,
            "title": entry.title,
            "version": cast(HomeIQConfigEntry, entry).runtime_data.data.info.version,
        }
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]
    connection.send_result(msg["id"], {"engines": engines})


@websocket_command(
    {
        vol.Required("type"): "homeiq/suggestions",
        **_ENTRY,
        vol.Optional("status"): vol.In(SUGGESTION_STATUSES),
        vol.Optional("min_score"): _SCORE,
        **_PAGE,
    }
)
@require_admin
@async_response
@_engine_command()
async def ws_suggestions(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """One page of suggestions, best first, with their evidence."""
    return await coordinator.client.list_suggestions(
        status=msg.get("status"),
        min_score=msg.get("min_score"),
        limit=msg.get("limit"),
        cursor=msg.get("cursor"),
    )


@websocket_command(
    {
        vol.Required("type"): "homeiq/suggestion/approve",
        **_ENTRY,
        vol.Required("suggestion_id"): _ID,
        vol.Optional("confirm", default=False): cv.boolean,
        vol.Optional("deploy", default=True): cv.boolean,
        **_AUTOMATION,
    }
)
@require_admin
@async_response
@_engine_command(refreshes=True)
async def ws_approve(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Approve a suggestion, optionally edited, and deploy it unless told not to."""
    approval = await coordinator.client.approve_suggestion(
        msg["suggestion_id"],
        deploy=msg["deploy"],
        confirm=msg["confirm"],
        automation=_automation(msg),
    )
    if approval["deployment"] is not None:
        async_tag_deployment(coordinator.hass, approval["deployment"])
    return {**approval, "message": approval_message(approval)}


@websocket_command(
    {
        vol.Required("type"): "homeiq/suggestion/reject",
        **_ENTRY,
        vol.Required("suggestion_id"): _ID,
        vol.Optional("reason"): _TEXT,
    }
)
@require_admin
@async_response
@_engine_command(refreshes=True)
async def ws_reject(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Reject a suggestion so it is not made again."""
    rejection = await coordinator.client.reject_suggestion(msg["suggestion_id"], msg.get("reason"))
    title = rejection["suggestion"]["title"]
    return {**rejection, "message": f"Rejected '{title}': HomeIQ will not suggest it again"}


@websocket_command(
    vol.All(
        vol.Schema({vol.Required("type"): "homeiq/validate", **_ENTRY, **_AUTOMATION}),
        cv.has_at_least_one_key("automation", "yaml"),
    )
)
@require_admin
@async_response
@_engine_command()
async def ws_validate(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Return the verdict approving this automation would get, without deploying it."""
    # The schema requires one of the two.
    automation = msg["automation"] if "automation" in msg else parse_automation(msg["yaml"])
    return await coordinator.client.validate_automation(automation)


@websocket_command(
    {
        vol.Required("type"): "homeiq/ask",
        **_ENTRY,
        vol.Required("text"): _TEXT,
        vol.Optional("language"): cv.string,
        vol.Optional("area_id"): cv.string,
    }
)
@require_admin
@async_response
@_engine_command(refreshes=True)
async def ws_ask(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Ask in plain words: a command, an automation to create, or a question."""
    query = await coordinator.client.ask(
        msg["text"],
        language=msg.get("language") or coordinator.hass.config.language,
        area_id=msg.get("area_id"),
    )
    return {**query, "message": query_message(query)}


@websocket_command(
    {
        vol.Required("type"): "homeiq/refine",
        **_ENTRY,
        vol.Required("query_id"): _ID,
        vol.Required("answers"): vol.Schema({cv.string: cv.string}),
        vol.Optional("text"): _TEXT,
    }
)
@require_admin
@async_response
@_engine_command(refreshes=True)
async def ws_refine(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Answer a query's clarifications, optionally rewording it."""
    query = await coordinator.client.refine(msg["query_id"], msg["answers"], msg.get("text"))
    return {**query, "message": query_message(query)}


@websocket_command({vol.Required("type"): "homeiq/automations", **_ENTRY})
@require_admin
@async_response
@_engine_command()
async def ws_automations(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Every automation the engine deployed, with the alias Home Assistant shows for it."""
    deployments = (await coordinator.client.list_deployments())["automations"]
    hass = coordinator.hass
    return {"automations": [{**d, "alias": _alias(hass, d["entity_id"])} for d in deployments]}


_ONE_AUTOMATION: Final[VolDictType] = {**_ENTRY, vol.Required("automation_id"): _ID}


@websocket_command({vol.Required("type"): "homeiq/automation/versions", **_ONE_AUTOMATION})
@require_admin
@async_response
@_engine_command()
async def ws_versions(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """List a deployed automation's versions, each with its diff."""
    return await coordinator.client.list_versions(msg["automation_id"])


@websocket_command(
    {
        vol.Required("type"): "homeiq/automation/rollback",
        **_ONE_AUTOMATION,
        vol.Optional("version"): vol.All(vol.Coerce(int), vol.Range(min=1)),
    }
)
@require_admin
@async_response
@_engine_command()
async def ws_rollback(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Put an earlier version back (default: the previous one)."""
    return await coordinator.client.rollback(msg["automation_id"], msg.get("version"))


@websocket_command({vol.Required("type"): "homeiq/automation/disable", **_ONE_AUTOMATION})
@require_admin
@async_response
@_engine_command()
async def ws_disable(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Turn a deployed automation off."""
    return await coordinator.client.disable_automation(msg["automation_id"])


@websocket_command({vol.Required("type"): "homeiq/automation/enable", **_ONE_AUTOMATION})
@require_admin
@async_response
@_engine_command()
async def ws_enable(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Turn a deployed automation on again."""
    return await coordinator.client.enable_automation(msg["automation_id"])


@websocket_command({vol.Required("type"): "homeiq/automation/delete", **_ONE_AUTOMATION})
@require_admin
@async_response
@_engine_command()
async def ws_delete(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Delete a deployed automation from Home Assistant; the engine keeps its versions."""
    deployment = await coordinator.client.delete_automation(msg["automation_id"])
    return {"automation_id": deployment["automation_id"], "status": deployment["status"]}


@websocket_command(
    {
        vol.Required("type"): "homeiq/patterns",
        **_ENTRY,
        # Not `type`: that key of every message names the command.
        vol.Optional("pattern_type"): vol.In(PATTERN_TYPES),
        vol.Optional("entity_id"): cv.entity_id,
        vol.Optional("min_confidence"): _SCORE,
        **_PAGE,
    }
)
@require_admin
@async_response
@_engine_command()
async def ws_patterns(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """One page of the newest analysis's patterns, best first, with their evidence."""
    return await coordinator.client.list_patterns(
        pattern_type=msg.get("pattern_type"),
        entity_id=msg.get("entity_id"),
        min_confidence=msg.get("min_confidence"),
        limit=msg.get("limit"),
        cursor=msg.get("cursor"),
    )


@websocket_command({vol.Required("type"): "homeiq/analysis/status", **_ENTRY})
@require_admin
@async_response
@_engine_command()
async def ws_analysis_status(
    coordinator: HomeIQCoordinator, msg: dict[str, Any]
) -> Mapping[str, Any]:
    """List the latest analysis runs, newest first."""
    page = await coordinator.client.list_analysis_runs(limit=RECENT_ANALYSIS_RUNS)
    return {"runs": page["runs"][:RECENT_ANALYSIS_RUNS]}


@websocket_command(
    {
        vol.Required("type"): "homeiq/analysis/run",
        **_ENTRY,
        vol.Optional("days"): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_DAYS)),
    }
)
@require_admin
@async_response
@_engine_command()
async def ws_analysis_run(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Queue an analysis run; a running one is a conflict that names it."""
    return await coordinator.client.run_analysis(msg.get("days"))


@websocket_command(
    {vol.Required("type"): "homeiq/settings", **_ENTRY, vol.Optional("settings"): SETTINGS_SCHEMA}
)
@require_admin
@async_response
@_engine_command(refreshes=True)
async def ws_settings(coordinator: HomeIQCoordinator, msg: dict[str, Any]) -> Mapping[str, Any]:
    """Return the engine's settings; with `settings`, change those first."""
    if "settings" in msg:
        return await coordinator.client.update_settings(cast(Settings, msg["settings"]))
    return await coordinator.client.get_settings()


COMMANDS: Final = (
    ws_engines,
    ws_suggestions,
    ws_approve,
    ws_reject,
    ws_validate,
    ws_ask,
    ws_refine,
    ws_automations,
    ws_versions,
    ws_rollback,
    ws_disable,
    ws_enable,
    ws_delete,
    ws_patterns,
    ws_analysis_status,
    ws_analysis_run,
    ws_settings,
)


@callback
def async_setup_websocket_api(hass: HomeAssistant) -> None:
    """Register the commands once, for every entry (each message may name its entry)."""
    for command in COMMANDS:
        websocket_api.async_register_command(hass, command)
