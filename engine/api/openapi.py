"""The engine's OpenAPI 3 document, built from the same route list the router uses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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


class _BodyConverter:
    """voluptuous_openapi's conversion, told what it cannot see for itself.

    A validator that states its JSON schema (`Described`) is shown as stated; a mapping
    refuses keys it does not list (the engine's schemas all keep voluptuous's default,
    PREVENT_EXTRA), which the library leaves unsaid.
    """

    def __init__(self) -> None:
        self._open: set[int] = set()

    def __call__(self, schema: Any) -> Any:
        """Return the JSON schema of one part of a voluptuous schema, or UNSUPPORTED."""
        if isinstance(schema, Described):
            return dict(schema.json_schema)
        if not isinstance(schema, Mapping) or id(schema) in self._open:
            return UNSUPPORTED
        # Converting the mapping calls this again with the same mapping: let that pass.
        self._open.add(id(schema))
        try:
            converted = dict(convert(schema, custom_serializer=self))
        finally:
            self._open.discard(id(schema))
        if "properties" in converted and "additionalProperties" not in converted:
            converted["additionalProperties"] = False
        return converted


def _without_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """Say OpenAPI 3.0's `nullable: true` the 3.1 way: null among the types."""
    if not schema.pop("nullable", False):
        return schema
    if schema.get("description") == "Must be null":
        return {"type": "null"}
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    if isinstance(kind, list):
        schema["type"] = [*kind, *(["null"] if "null" not in kind else [])]
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _array_lengths(schema: dict[str, Any]) -> dict[str, Any]:
    """Bound an array by items: voluptuous's Length on a list converts to string lengths."""
    kind = schema.get("type")
    if kind == "array" or (isinstance(kind, list) and "array" in kind and "string" not in kind):
        for length, items in (("minLength", "minItems"), ("maxLength", "maxItems")):
            if length in schema:
                schema[items] = schema.pop(length)
    return schema


def normalise(value: Any) -> Any:
    """Return a JSON schema (or any part of the document) in OpenAPI 3.1's own terms."""
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if not isinstance(value, Mapping):
        return value
    schema = {key: normalise(item) for key, item in value.items()}
    return _array_lengths(_without_nullable(schema))


def _body_schema(route: ApiRoute) -> dict[str, Any]:
    """Return the JSON schema of a route's request body."""
    if isinstance(route.body, vol.Schema):
        converter = _BodyConverter()
        converted = dict(convert(route.body, custom_serializer=converter))
        if "properties" in converted and "additionalProperties" not in converted:
            converted["additionalProperties"] = False
        return converted
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
            # An optional body may be left out: the route takes no body as `{}`.
            "required": not route.body_optional,
            "content": {"application/json": {"schema": _body_schema(route)}},
        }
    if route.public:
        operation["security"] = []
    return operation


def build_document(routes: Iterable[ApiRoute]) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document for the given routes."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = normalise(_operation(route))
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
