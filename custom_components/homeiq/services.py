"""The homeiq.* actions: ask, refine, approve, reject, run_analysis, generate, rollback, train."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, cast

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .const import (
    ATTR_ANSWERS,
    ATTR_AREA_ID,
    ATTR_AUTOMATION_ID,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_CONFIRM,
    ATTR_DAYS,
    ATTR_DEPLOY,
    ATTR_LANGUAGE,
    ATTR_LIMIT,
    ATTR_PARAMS,
    ATTR_QUERY_ID,
    ATTR_REASON,
    ATTR_SUGGESTION_ID,
    ATTR_TEXT,
    ATTR_TRAINING_TYPE,
    ATTR_VERSION,
    DOMAIN,
    SERVICE_APPROVE,
    SERVICE_ASK,
    SERVICE_GENERATE_SUGGESTIONS,
    SERVICE_REFINE,
    SERVICE_REJECT,
    SERVICE_ROLLBACK,
    SERVICE_RUN_ANALYSIS,
    SERVICE_TRAIN,
    TRAINING_TYPES,
)
from .coordinator import HomeIQConfigEntry, HomeIQCoordinator
from .errors import engine_errors
from .labels import async_tag_deployment
from .messages import approval_message, query_message

# The engine's own limits (API.md), checked here too so a bad call fails before the network.
MAX_TEXT = 1000
MAX_DAYS = 365
MAX_GENERATE = 500

_ENTRY: dict[vol.Marker, Any] = {vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string}
_NON_EMPTY = vol.All(cv.string, vol.Length(min=1, max=MAX_TEXT))

SCHEMAS: dict[str, vol.Schema] = {
    SERVICE_ASK: vol.Schema(
        {
            **_ENTRY,
            vol.Required(ATTR_TEXT): _NON_EMPTY,
            vol.Optional(ATTR_LANGUAGE): cv.string,
            vol.Optional(ATTR_AREA_ID): cv.string,
        }
    ),
    SERVICE_REFINE: vol.Schema(
        {
            **_ENTRY,
            vol.Required(ATTR_QUERY_ID): cv.string,
            vol.Required(ATTR_ANSWERS): vol.Schema({cv.string: cv.string}),
            vol.Optional(ATTR_TEXT): _NON_EMPTY,
        }
    ),
    SERVICE_APPROVE: vol.Schema(
        {
            **_ENTRY,
            vol.Required(ATTR_SUGGESTION_ID): cv.string,
            vol.Optional(ATTR_DEPLOY, default=True): cv.boolean,
            vol.Optional(ATTR_CONFIRM, default=False): cv.boolean,
        }
    ),
    SERVICE_REJECT: vol.Schema(
        {
            **_ENTRY,
            vol.Required(ATTR_SUGGESTION_ID): cv.string,
            vol.Optional(ATTR_REASON): _NON_EMPTY,
        }
    ),
    SERVICE_RUN_ANALYSIS: vol.Schema(
        {**_ENTRY, vol.Optional(ATTR_DAYS): vol.All(vol.Coerce(int), vol.Range(1, MAX_DAYS))}
    ),
    SERVICE_GENERATE_SUGGESTIONS: vol.Schema(
        {**_ENTRY, vol.Optional(ATTR_LIMIT): vol.All(vol.Coerce(int), vol.Range(1, MAX_GENERATE))}
    ),
    SERVICE_ROLLBACK: vol.Schema(
        {
            **_ENTRY,
            vol.Required(ATTR_AUTOMATION_ID): cv.string,
            vol.Optional(ATTR_VERSION): vol.All(vol.Coerce(int), vol.Range(min=1)),
        }
    ),
    SERVICE_TRAIN: vol.Schema(
        {
            **_ENTRY,
            vol.Required(ATTR_TRAINING_TYPE): vol.In(TRAINING_TYPES),
            vol.Optional(ATTR_PARAMS): dict,
        }
    ),
}


def _coordinator(hass: HomeAssistant, call: ServiceCall) -> HomeIQCoordinator:
    """Return the coordinator of the loaded entry the call names, or raise a clear error."""
    entry_id: str = call.data[ATTR_CONFIG_ENTRY_ID]
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    return cast(HomeIQConfigEntry, entry).runtime_data


async def _ask(coordinator: HomeIQCoordinator, data: Mapping[str, Any]) -> Mapping[str, Any]:
    # Home Assistant's language as is ("en-GB"): the engine picks its variant of it.
    language = data.get(ATTR_LANGUAGE) or coordinator.hass.config.language
    query = await coordinator.client.ask(
        data[ATTR_TEXT], language=language, area_id=data.get(ATTR_AREA_ID)
    )
    return {**query, "message": query_message(query)}


async def _refine(coordinator: HomeIQCoordinator, data: Mapping[str, Any]) -> Mapping[str, Any]:
    query = await coordinator.client.refine(
        data[ATTR_QUERY_ID], data[ATTR_ANSWERS], data.get(ATTR_TEXT)
    )
    return {**query, "message": query_message(query)}


async def _approve(coordinator: HomeIQCoordinator, data: Mapping[str, Any]) -> Mapping[str, Any]:
    approval = await coordinator.client.approve_suggestion(
        data[ATTR_SUGGESTION_ID], deploy=data[ATTR_DEPLOY], confirm=data[ATTR_CONFIRM]
    )
    if approval["deployment"] is not None:
        async_tag_deployment(coordinator.hass, approval["deployment"])
    return {**approval, "message": approval_message(approval)}


async def _reject(coordinator: HomeIQCoordinator, data: Mapping[str, Any]) -> Mapping[str, Any]:
    return await coordinator.client.reject_suggestion(
        data[ATTR_SUGGESTION_ID], data.get(ATTR_REASON)
    )


async def _run_analysis(
    coordinator: HomeIQCoordinator, data: Mapping[str, Any]
) -> Mapping[str, Any]:
    return await coordinator.client.run_analysis(data.get(ATTR_DAYS))


async def _generate(coordinator: HomeIQCoordinator, data: Mapping[str, Any]) -> Mapping[str, Any]:
    return await coordinator.client.generate_suggestions(data.get(ATTR_LIMIT))


async def _rollback(coordinator: HomeIQCoordinator, data: Mapping[str, Any]) -> Mapping[str, Any]:
    return await coordinator.client.rollback(data[ATTR_AUTOMATION_ID], data.get(ATTR_VERSION))


async def _train(coordinator: HomeIQCoordinator, data: Mapping[str, Any]) -> Mapping[str, Any]:
    return await coordinator.client.start_training(data[ATTR_TRAINING_TYPE], data.get(ATTR_PARAMS))


type _Handler = Callable[[HomeIQCoordinator, Mapping[str, Any]], Awaitable[Mapping[str, Any]]]
type _Service = Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]

# Each action, and whether it changes what the entities show (then they refresh at once).
HANDLERS: dict[str, tuple[_Handler, bool]] = {
    SERVICE_ASK: (_ask, True),
    SERVICE_REFINE: (_refine, True),
    SERVICE_APPROVE: (_approve, True),
    SERVICE_REJECT: (_reject, True),
    SERVICE_RUN_ANALYSIS: (_run_analysis, False),
    SERVICE_GENERATE_SUGGESTIONS: (_generate, True),
    SERVICE_ROLLBACK: (_rollback, False),
    SERVICE_TRAIN: (_train, False),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, for every entry (each call names its entry)."""
    for name, (handler, refreshes) in HANDLERS.items():
        hass.services.async_register(
            DOMAIN,
            name,
            _service(handler, refreshes),
            schema=SCHEMAS[name],
            supports_response=SupportsResponse.OPTIONAL,
        )


def _service(handler: _Handler, refreshes: bool) -> _Service:
    """Wrap a handler: find the entry, translate engine errors, refresh the entities."""

    async def call_service(call: ServiceCall) -> ServiceResponse:
        coordinator = _coordinator(call.hass, call)
        async with engine_errors(coordinator):
            response = await handler(coordinator, call.data)
        if refreshes:
            await coordinator.async_request_refresh()
        return cast(ServiceResponse, dict(response))

    return call_service
