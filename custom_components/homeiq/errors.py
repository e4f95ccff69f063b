"""The one place where engine errors become Home Assistant's, with translations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import (
    HomeIQAuthError,
    HomeIQBadRequestError,
    HomeIQConflictError,
    HomeIQConnectionError,
    HomeIQError,
    HomeIQNotFoundError,
    HomeIQResponseError,
    HomeIQUnavailableError,
    HomeIQUnprocessableError,
)
from .const import DOMAIN
from .coordinator import HomeIQCoordinator

# The user can fix these by changing what they asked for.
_USER_ERRORS: dict[type[HomeIQResponseError], str] = {
    HomeIQBadRequestError: "bad_request",
    HomeIQNotFoundError: "not_found",
    HomeIQUnprocessableError: "unprocessable",
}


def translate(err: HomeIQError) -> HomeAssistantError:
    """Return the Home Assistant error a service call or entity action raises for `err`."""
    for error_class, key in _USER_ERRORS.items():
        if isinstance(err, error_class):
            return ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={"message": err.message},
            )
    if isinstance(err, HomeIQConflictError):
        key, placeholders = "conflict", {"message": err.message}
    elif isinstance(err, HomeIQUnavailableError):
        key, placeholders = "engine_unavailable", {"message": err.message}
    elif isinstance(err, HomeIQAuthError):
        key, placeholders = "invalid_auth", {}
    elif isinstance(err, HomeIQConnectionError):
        key, placeholders = "engine_unreachable", {"error": str(err)}
    else:
        key, placeholders = "engine_error", {"error": str(err)}
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@asynccontextmanager
async def engine_errors(coordinator: HomeIQCoordinator) -> AsyncIterator[None]:
    """Raise what the engine refused or failed as Home Assistant's translated errors."""
    try:
        yield
    except HomeIQError as err:
        if isinstance(err, HomeIQAuthError):
            # Do not wait for the next poll, which a connected push stream has paused.
            coordinator.config_entry.async_start_reauth(coordinator.hass)
        raise translate(err) from err
