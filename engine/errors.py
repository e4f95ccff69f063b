"""Typed engine errors; each carries the API error code and HTTP status it maps to."""

from __future__ import annotations

from typing import Any, ClassVar


class SettingsError(ValueError):
    """A setting from the environment is missing or invalid."""


class EngineError(Exception):
    """Base of every error that crosses the API edge as an error envelope."""

    code: ClassVar[str] = "internal"
    status: ClassVar[int] = 500

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle whatever a subclass's constructor takes (errors cross from parsing workers)."""
        return (_restore, (type(self), self.message, self.__dict__))


def _restore(cls: type[EngineError], message: str, state: dict[str, Any]) -> EngineError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class BadRequestError(EngineError):
    """The request is malformed or fails input validation."""

    code = "bad_request"
    status = 400


class UnauthorizedError(EngineError):
    """The bearer token is missing or wrong."""

    code = "unauthorized"
    status = 401


class NotFoundError(EngineError):
    """The addressed resource does not exist."""

    code = "not_found"
    status = 404


class ConflictError(EngineError):
    """The request conflicts with the current state (e.g. a run in progress)."""

    code = "conflict"
    status = 409


class PayloadTooLargeError(EngineError):
    """The request body is larger than the configured limit."""

    code = "payload_too_large"
    status = 413


class UnprocessableError(EngineError):
    """The request is well formed but cannot be carried out (e.g. fails validation)."""

    code = "unprocessable"
    status = 422


class HomeAssistantUnavailableError(EngineError):
    """Home Assistant is not configured or not reachable."""

    code = "ha_unavailable"
    status = 503


class LLMUnavailableError(EngineError):
    """The optional LLM backend is not configured or not reachable."""

    code = "llm_unavailable"
    status = 503


ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "bad_request",
    422: "unprocessable",
    500: "internal",
    503: "unavailable",
}
