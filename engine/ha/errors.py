"""Errors of the Home Assistant client; messages never carry the token."""

from __future__ import annotations


class HomeAssistantError(Exception):
    """Base of every Home Assistant client error."""


class HomeAssistantConnectionError(HomeAssistantError):
    """Home Assistant cannot be reached, or the connection dropped."""


class HomeAssistantAuthError(HomeAssistantError):
    """Home Assistant refused the access token."""


class HomeAssistantCommandError(HomeAssistantError):
    """Home Assistant answered a command or request with an error."""

    def __init__(self, message: str, code: str | int | None = None) -> None:
        super().__init__(message)
        self.code = code
