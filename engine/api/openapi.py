"""The engine's OpenAPI 3 document, built from the same route list the router uses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import voluptuous as vol
from aiohttp import web
from voluptuous_openapi import UNSUPPORTED, convert

from engine import __version__
from engine.api.http import json_response
from engine.api.routing import ApiRoute
from engine.keys import ROUTES as ROUTES_KEY
from engine.validation import Described

_PATH_PARAM = re.compile(r"\{(\w+)\}")

ERROR_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {
                    "type": "string",
                    "enum": [
                        "bad_request",
                        "unauthorized",
                        "not_found",
                        "method_not_allowed",
                        "conflict",
                        "payload_too_large",
                        "unprocessable",
                        "ha_unavailable",
                        "llm_unavailable",
                        "unavailable",
                        "internal",
                    ],
                },
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}

_ERROR_TEXT = {
    400: "Malformed request or invalid input",
    401: "Missing or invalid bearer token",
    404: "No such resource",
    405: "Method not allowed (code method_not_allowed, with an Allow header)",
    409: "Conflicts with the current state",
    413: "Body larger than HOMEIQ_MAX_BODY_MB",
    422: "Valid request that cannot be carried out",
    500: "Internal error (never carries internals)",
    503: "A dependency is unavailable",
}


def _described(validator: Any) -> Any:
    """Return the JSON schema a validator states about itself, if it does."""
    return dict(validator.json_schema) if isinstance(validator, Described) else UNSUPPORTED


def _body_schema(route: ApiRoute) -> dict[str, Any]:
    """Return the JSON schema of a route's request body."""
    if isinstance(route.body, vol.Schema):
        return dict(convert(route.body, custom_serializer=_described))
    return dict(route.body or {})


def _operation(route: ApiRoute) -> dict[str, Any]:
    """Describe one route as an OpenAPI operation."""
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(route.path)
    ]
    parameters += [
        {
            "name": param.name,
            "in": "query",
            "required": param.required,
            "description": param.description,
            "schema": dict(param.schema),
        }
        for param in route.query
    ]
    success: dict[str, Any] = {"description": "Success"}
    if route.response is not None:
        success["content"] = {"application/json": {"schema": dict(route.response)}}
    responses: dict[str, Any] = {str(route.status): success}
    errors = set(route.errors)
    if not route.public:
        errors.add(401)
    if route.body is not None or route.query:
        errors.add(400)
    if route.body is not None:
        errors.add(413)
    for status in sorted(errors):
        responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    operation: dict[str, Any] = {
        "operationId": route.handler.__name__,
        "summary": route.summary,
        "tags": [route.tag],
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _body_schema(route)}},
        }
    if route.public:
        operation["security"] = []
    return operation


def build_document(routes: Iterable[ApiRoute]) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document for the given routes."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "HomeIQ engine API",
            "version": __version__,
            "description": "Habits, suggestions and automations for a Home Assistant home.",
        },
        "servers": [{"url": "http://127.0.0.1:8025"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_ENVELOPE},
            "responses": {
                f"Error{status}": {
                    "description": text,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
                for status, text in _ERROR_TEXT.items()
            },
        },
    }


async def openapi(request: web.Request) -> web.Response:
    """Serve the document for this app's routes."""
    routes: list[ApiRoute] = request.app[ROUTES_KEY]
    return json_response(build_document(routes))


ROUTES = [
    ApiRoute(
        "GET",
        "/api/v1/openapi.json",
        openapi,
        "This OpenAPI 3 document",
        "meta",
        response={"type": "object"},
    ),
]
