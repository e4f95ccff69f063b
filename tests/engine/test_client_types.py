"""The integration's client types agree with the engine's OpenAPI document.

Each TypedDict of custom_components/homeiq/api.py that a client method returns is checked
against the success schema of the route that method calls: every field it types is in the
document, and every type the document allows there is one the client's type takes.
"""

from __future__ import annotations

import dataclasses
import types
from typing import Any, NotRequired, Required, Union, get_args, get_origin, get_type_hints

import pytest

from tests.engine.standalone import load_integration_api

from .conftest import AUTH, Client

API = load_integration_api()

# What each client type is the answer of: (method, path, status) of the route it calls.
ANSWERS: list[tuple[str, str, str, str]] = [
    ("EngineInfo", "get", "/health", "200"),
    ("Stats", "get", "/api/v1/stats", "200"),
    ("SuggestionPage", "get", "/api/v1/suggestions", "200"),
    ("PatternPage", "get", "/api/v1/patterns", "200"),
    ("AnalysisRunPage", "get", "/api/v1/analysis/runs", "200"),
    ("Suggestion", "get", "/api/v1/suggestions/{id}", "200"),
    ("Approval", "post", "/api/v1/suggestions/{id}/approve", "200"),
    ("Rejection", "post", "/api/v1/suggestions/{id}/reject", "200"),
    ("GeneratedSuggestions", "post", "/api/v1/suggestions/generate", "200"),
    ("RunAccepted", "post", "/api/v1/analysis/run", "202"),
    ("RunAccepted", "post", "/api/v1/training/{training_type}", "202"),
    ("Query", "post", "/api/v1/query", "200"),
    ("Query", "post", "/api/v1/query/{query_id}/refine", "200"),
    ("Deployment", "post", "/api/v1/deployment/{automation_id}/rollback", "200"),
    ("Deployment", "post", "/api/v1/deployment/{automation_id}/disable", "200"),
    ("Deployment", "post", "/api/v1/deployment/{automation_id}/enable", "200"),
    ("Deployment", "delete", "/api/v1/deployment/{automation_id}", "200"),
    ("Deployments", "get", "/api/v1/deployment/automations", "200"),
    ("AutomationVersions", "get", "/api/v1/deployment/{automation_id}/versions", "200"),
    ("ValidationReport", "post", "/api/v1/automations/validate", "200"),
    ("Settings", "get", "/api/v1/settings", "200"),
    ("Settings", "patch", "/api/v1/settings", "200"),
]

_JSON_TYPES = {str: {"string"}, int: {"integer"}, float: {"number", "integer"}, bool: {"boolean"}}
ANYTHING = {"string", "integer", "number", "boolean", "null", "array", "object"}


def _unwrap(annotation: Any) -> Any:
    """Drop NotRequired/Required: whether a key may be absent is not a type."""
    while get_origin(annotation) in (NotRequired, Required):
        (annotation,) = get_args(annotation)
    return annotation


def _is_record(annotation: Any) -> bool:
    return hasattr(annotation, "__annotations__") and (
        dataclasses.is_dataclass(annotation) or hasattr(annotation, "__total__")
    )


def _accepts(annotation: Any) -> set[str]:
    """Return the JSON types a client annotation takes."""
    annotation = _unwrap(annotation)
    if annotation is Any:
        return ANYTHING
    if annotation is None or annotation is type(None):
        return {"null"}
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return set().union(*(_accepts(arg) for arg in get_args(annotation)))
    if origin is list or annotation is list:
        return {"array"}
    if origin is dict or annotation is dict or _is_record(annotation):
        return {"object"}
    return set(_JSON_TYPES[annotation])


def _allowed(schema: dict[str, Any]) -> set[str]:
    """Return the JSON types a schema allows (everything when it does not say)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return set(kind)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        return set().union(*(_allowed(branch) for branch in branches))
    if "enum" in schema:
        names = {str: "string", bool: "boolean", int: "integer", float: "number"}
        return {"null" if v is None else names[type(v)] for v in schema["enum"]}
    return ANYTHING


def _record_of(annotation: Any) -> Any | None:
    """Return the TypedDict or dataclass inside an annotation (T, T | None), if one."""
    annotation = _unwrap(annotation)
    if _is_record(annotation):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        records = [arg for arg in get_args(annotation) if _is_record(arg)]
        return records[0] if len(records) == 1 else None
    return None


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    """Return an object schema's properties, those of every branch included."""
    properties = dict(schema.get("properties", {}))
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        properties |= _properties(branch)
    return properties


def _mismatches(record: Any, schema: dict[str, Any], where: str) -> list[str]:
    """Return how a client record disagrees with a response schema."""
    problems: list[str] = []
    properties = _properties(schema)
    for name, annotation in get_type_hints(record, include_extras=True).items():
        here = f"{where}.{name}"
        if name not in properties:
            problems.append(f"{here}: typed by the client, not in the document")
            continue
        field = properties[name]
        extra = _allowed(field) - _accepts(annotation)
        if extra:
            problems.append(f"{here}: the document allows {sorted(extra)}, the client does not")
        if (inner := _record_of(annotation)) is not None:
            problems += _mismatches(inner, field, here)
        elif get_origin(_unwrap(annotation)) is list and "items" in field:
            (item,) = get_args(_unwrap(annotation))
            if _is_record(item):
                problems += _mismatches(item, field["items"], f"{here}[]")
    return problems


@pytest.fixture
async def document(client: Client) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json", headers=AUTH)
    assert response.status == 200
    return await response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("name", "method", "path", "status"), ANSWERS)
async def test_client_type_matches_the_document(
    document: dict[str, Any], name: str, method: str, path: str, status: str
) -> None:
    record = getattr(API, name)
    answer = document["paths"][path][method]["responses"][status]
    schema = answer["content"]["application/json"]["schema"]
    assert _mismatches(record, schema, name) == []


def test_every_client_answer_type_is_checked() -> None:
    # A TypedDict the client casts an answer to must be in ANSWERS (request types aside).
    requests = {"Exclusions", "LlmSettings", "StreamMessage"}
    nested = {"CacheStats", "QueryStats", "Safety", "AnalysisRun", "AutomationVersion"}
    typed = {
        name
        for name, value in vars(API).items()
        if isinstance(value, type)
        and hasattr(value, "__total__")
        and value.__module__ == API.__name__
    }
    assert typed - requests - nested <= {name for name, *_ in ANSWERS}


def test_a_mismatch_is_found() -> None:
    # The check itself: a field the document lacks and a type the client does not take.
    schema = {"type": "object", "properties": {"version": {"type": ["string", "null"]}}}
    assert _mismatches(API.EngineInfo, schema, "EngineInfo") == [
        "EngineInfo.version: the document allows ['null'], the client does not",
        "EngineInfo.instance_id: typed by the client, not in the document",
    ]
