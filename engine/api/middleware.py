"""Middlewares: bearer-token auth before routing, body limit, and the one error envelope."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from aiohttp.typedefs import Middleware

from engine.api.http import error_body, json_response
from engine.api.routing import Handler
from engine.errors import ERROR_CODES, EngineError, PayloadTooLargeError, UnauthorizedError

_LOGGER = logging.getLogger(__name__)

PROTECTED_PREFIX = "/api"


def is_protected(path: str) -> bool:
    """Return True for every path under /api, whether or not a route exists there."""
    return path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")


def _http_error(err: web.HTTPException, request: web.Request) -> web.Response:
    """Turn one of aiohttp's HTTP errors into the envelope."""
    details: dict[str, object] = {}
    if isinstance(err, web.HTTPNotFound):
        message = f"No route for {request.method} {request.path}"
    elif isinstance(err, web.HTTPMethodNotAllowed):
        allowed = sorted(err.allowed_methods)
        message = f"Method {request.method} is not allowed on {request.path}"
        details["allowed_methods"] = allowed
    else:
        message = err.text or err.reason
    code = ERROR_CODES.get(err.status, "bad_request" if err.status < 500 else "internal")
    response = json_response(error_body(code, message, details), err.status)
    if isinstance(err, web.HTTPMethodNotAllowed):
        response.headers["Allow"] = ", ".join(details["allowed_methods"])  # type: ignore[arg-type]
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every error with the envelope; a 500 never carries internals."""
    try:
        return await handler(request)
    except EngineError as err:
        return json_response(error_body(err.code, err.message, err.details), err.status)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        return _http_error(err, request)
    except Exception:
        _LOGGER.exception("Unhandled error in %s %s", request.method, request.path)
        return json_response(error_body("internal", "Internal error; see the engine log"), 500)


def guard_middleware(token: str, max_body_bytes: int) -> Middleware:
    """Check the bearer token for every /api path, then refuse oversized bodies early."""
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_protected(request.path):
            supplied = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
            # Constant time, so response timing does not reveal how much of a guess matched.
            if not hmac.compare_digest(supplied, expected):
                raise UnauthorizedError("Missing or invalid bearer token")
        if request.content_length is not None and request.content_length > max_body_bytes:
            raise PayloadTooLargeError(
                "Request body is larger than the limit",
                {"max_bytes": max_body_bytes, "content_length": request.content_length},
            )
        return await handler(request)

    return guard
