"""The OpenAPI document and the router list exactly the same routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal, NotRequired, TypedDict, get_args, get_type_hints

from aiohttp import hdrs
from openapi_spec_validator import OpenAPIV31SpecValidator

from engine.api.wire import Health, Liveness, Readiness, Schema, Stats, json_schema
from engine.automation.deployment.wire import Deployment, Versions
from engine.automation.suggestions.wire import Approved, Generated, Rejected, Suggestion
from engine.home.wire import (
    CatalogCounts,
    Entities,
    EventOrigin,
    Events,
    EventsImported,
    Home,
    HomeEntity,
    IngestStatus,
)
from engine.patterns.details import PatternType
from engine.patterns.wire import (
    AnalysisRun,
    AnalysisStarted,
    Pattern,
    PatternTypeName,
    Synergy,
    SynergyStats,
)
from engine.preferences.wire import PreferencesDict
from engine.query.parse import ASKED
from engine.query.wire import Parsed, Query, QuerySuggestions, TimedQuery
from engine.store.events import Origin
from engine.training.wire import TrainedModels, TrainingRun

from .conftest import AUTH, Client
from .test_query_api import HOME


async def _document(client: Client) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json", headers=AUTH)
    assert response.status == 200
    return await response.json()  # type: ignore[no-any-return]


def _router_operations(client: Client) -> set[tuple[str, str]]:
    operations = set()
    for route in client.app.router.routes():
        # aiohttp adds a HEAD twin to every GET; it is not an operation of its own.
        if route.method == hdrs.METH_HEAD:
            continue
        info = route.resource.get_info() if route.resource else {}
        operations.add((route.method.lower(), info.get("path") or info["formatter"]))
    return operations


async def test_router_and_document_list_the_same_routes(client: Client) -> None:
    document = await _document(client)
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented == _router_operations(client)
    assert ("get", "/api/v1/openapi.json") in documented


async def test_document_describes_auth_and_errors(client: Client) -> None:
    document = await _document(client)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if path.startswith("/api/"):
                assert "401" in responses, (method, path)
                assert "security" not in operation
            else:
                assert operation["security"] == []
            if "requestBody" in operation:
                assert {"400", "413"} <= set(responses), (method, path)
            assert operation["summary"]
            assert operation["operationId"]
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


async def test_error_envelope_schema_lists_the_api_codes(client: Client) -> None:
    document = await _document(client)
    codes = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
    assert {
        "bad_request",
        "unauthorized",
        "not_found",
        "conflict",
        "payload_too_large",
        "unprocessable",
        "ha_unavailable",
        "llm_unavailable",
        "internal",
    } <= set(codes["code"]["enum"])


def _response_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["paths"][path]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    return schema


async def test_findings_and_suggestions_document_their_evidence_and_details(
    client: Client,
) -> None:
    document = await _document(client)
    pattern = _response_schema(document, "/api/v1/patterns/{id}")
    synergy = _response_schema(document, "/api/v1/synergies/{id}")
    suggestion = _response_schema(document, "/api/v1/suggestions/{id}")
    for schema in (pattern, synergy, suggestion):
        evidence = schema["properties"]["evidence"]
        day = evidence["properties"]["days"]["items"]
        assert {"date", "times", "delays_s"} <= set(day["properties"])
    listing = _response_schema(document, "/api/v1/patterns")["properties"]["patterns"]["items"]
    assert listing == pattern
    types = pattern["properties"]["type"]["enum"]
    assert "routine" in types
    # One details shape per type, told apart by the type's constant.
    variants = {
        v["properties"]["type"]["const"]: v["properties"]["details"] for v in pattern["oneOf"]
    }
    assert set(variants) == set(types)
    routine = variants["routine"]
    assert routine["properties"]["kind"]["enum"] == [
        "first_activity",
        "last_activity",
        "arrival",
        "departure",
    ]
    assert {"area_id", "entity_id", "quiet_minutes", "then_area_ids"} <= set(routine["properties"])
    # Null when not an area's or one entity's, never left out (its dataclass's as_dict).
    assert {"kind", "area_id", "entity_id", "state", "time", "spread_minutes", "days"} <= set(
        routine["required"]
    )
    assert "quiet_minutes" not in routine["required"]
    assert routine["properties"]["quiet_minutes"]["type"] == "integer"
    assert routine["additionalProperties"] is False
    pair = variants["co_occurrence"]["properties"]
    assert pair["idiom"]["enum"] == ["motion_light", "door_light"]
    assert pair["off_after_s"]["type"] == "integer"
    assert pair["condition"]["type"] == "object"
    sun = variants["time_of_day"]["properties"]["sun"]["properties"]
    assert sun["event"]["enum"] == ["sunset", "sunrise"]
    parameters = document["paths"]["/api/v1/patterns"]["get"]["parameters"]
    (type_parameter,) = [p for p in parameters if p["name"] == "type"]
    assert type_parameter["schema"]["enum"] == types


def _schemas(value: Any) -> Iterator[dict[str, Any]]:
    """Yield every mapping in the document (each schema among them)."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _schemas(item)
    elif isinstance(value, list):
        for item in value:
            yield from _schemas(item)


async def test_document_is_valid_openapi_3_1(client: Client) -> None:
    document = await _document(client)
    assert document["openapi"] == "3.1.0"
    assert list(OpenAPIV31SpecValidator(document).iter_errors()) == []
    # 3.0's `nullable` means nothing in 3.1: null is one of the types.
    assert not [schema for schema in _schemas(document) if schema.get("nullable") is True]
    level = _body(document, "post", "/api/v1/home/import")["properties"]["floors"]["items"]
    assert level["properties"]["level"]["type"] == ["integer", "null"]


def _body(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["paths"][path][method]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    return schema


async def test_request_bodies_state_what_the_validators_refuse(client: Client) -> None:
    document = await _document(client)
    # A body the handler takes as {} when absent is not required.
    assert document["paths"]["/api/v1/analysis/run"]["post"]["requestBody"]["required"] is False
    assert document["paths"]["/api/v1/query"]["post"]["requestBody"]["required"] is True
    # The validators refuse unknown keys, and the document says so.
    assert _body(document, "post", "/api/v1/query")["additionalProperties"] is False
    entity = _body(document, "post", "/api/v1/home/import")["properties"]["entities"]["items"]
    assert entity["additionalProperties"] is False
    # An array's bounds are items, not characters.
    labels = entity["properties"]["labels"]
    assert "maxLength" not in labels
    assert labels["maxItems"] == 100


class _Inner(TypedDict):
    at: Annotated[str, Schema({"format": "date-time"})]


class _Outer(TypedDict):
    kind: Literal["a", "b"]
    note: str | None
    items: list[_Inner]
    extra: NotRequired[dict[str, Any]]


def test_wire_models_derive_their_schema() -> None:
    assert json_schema(_Outer) == {
        "type": "object",
        "required": ["kind", "note", "items"],
        "properties": {
            "kind": {"type": "string", "enum": ["a", "b"]},
            "note": {"type": ["string", "null"]},
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["at"],
                    "properties": {"at": {"type": "string", "format": "date-time"}},
                },
            },
            "extra": {"type": "object"},
        },
    }


async def test_deployment_answers_are_documented_from_their_wire_model(client: Client) -> None:
    document = await _document(client)
    paths = document["paths"]
    rollback = paths["/api/v1/deployment/{automation_id}/rollback"]["post"]["responses"]["200"]
    assert rollback["content"]["application/json"]["schema"] == json_schema(Deployment)
    versions = paths["/api/v1/deployment/{automation_id}/versions"]["get"]["responses"]["200"]
    assert versions["content"]["application/json"]["schema"] == json_schema(Versions)


async def test_health_and_stats_answers_are_documented_from_their_wire_models(
    client: Client,
) -> None:
    document = await _document(client)
    for path, model in (
        ("/health", Health),
        ("/health/live", Liveness),
        ("/health/ready", Readiness),
        ("/api/v1/stats", Stats),
    ):
        ok = document["paths"][path]["get"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == json_schema(model), path
        response = await client.get(path, headers=AUTH)
        assert response.status == 200, path
        # The answer has exactly the model's keys: built from it, nothing added or left out.
        assert set(await response.json()) == set(get_type_hints(model)), path


async def test_training_answers_are_documented_from_their_wire_model(client: Client) -> None:
    paths = (await _document(client))["paths"]
    run = paths["/api/v1/training/runs/{run_id}"]["get"]["responses"]["200"]
    assert run["content"]["application/json"]["schema"] == json_schema(TrainingRun)
    runs = paths["/api/v1/training/runs"]["get"]["responses"]["200"]
    listed = runs["content"]["application/json"]["schema"]["properties"]["runs"]["items"]
    assert listed["properties"]["status"]["enum"] == [
        "queued",
        "running",
        "succeeded",
        "failed",
        "cancelled",
    ]
    assert "error" not in listed["required"]
    models = paths["/api/v1/models"]["get"]["responses"]["200"]
    assert models["content"]["application/json"]["schema"] == json_schema(TrainedModels)


async def test_suggestion_answers_are_documented_from_their_wire_model(client: Client) -> None:
    paths = (await _document(client))["paths"]

    def ok(path: str, method: str) -> Any:
        return paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]

    assert ok("/api/v1/suggestions/{id}", "get") == json_schema(Suggestion)
    assert ok("/api/v1/suggestions/generate", "post") == json_schema(Generated)
    assert ok("/api/v1/suggestions/{id}/approve", "post") == json_schema(Approved)
    assert ok("/api/v1/suggestions/{id}/reject", "post") == json_schema(Rejected)
    listed = ok("/api/v1/suggestions", "get")["properties"]["suggestions"]["items"]
    assert listed == json_schema(Suggestion)
    # As precise as the hand-written schema was: enums, nullability, the deployment's shape.
    assert listed["properties"]["status"]["enum"] == [
        "pending",
        "approved",
        "rejected",
        "deployed",
        "dismissed",
    ]
    assert listed["properties"]["reason"]["type"] == ["string", "null"]
    assert listed["properties"]["evidence"]["required"] == ["days"]
    deployment = ok("/api/v1/suggestions/{id}/approve", "post")["properties"]["deployment"]
    assert deployment["anyOf"] == [json_schema(Deployment), {"type": "null"}]


async def test_home_answers_are_documented_from_their_wire_model(client: Client) -> None:
    paths = (await _document(client))["paths"]

    def ok(path: str, method: str) -> Any:
        return paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]

    assert ok("/api/v1/entities", "get") == json_schema(Entities)
    assert ok("/api/v1/events", "get") == json_schema(Events)
    assert ok("/api/v1/home/import", "post") == json_schema(CatalogCounts)
    assert ok("/api/v1/events/import", "post") == json_schema(EventsImported)
    assert ok("/api/v1/ingest/status", "get") == json_schema(IngestStatus)
    status = await (await client.get("/api/v1/ingest/status", headers=AUTH)).json()
    assert set(status) == set(get_type_hints(IngestStatus))
    assert set(status["backfill"]) == set(
        json_schema(IngestStatus)["properties"]["backfill"]["required"]
    )
    # The origins documented are exactly those stored.
    assert set(get_args(EventOrigin)) == {origin.label for origin in Origin}
    # What is imported may leave the origin out.
    body = paths["/api/v1/events/import"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"]["events"]["items"]["required"] == [
        "entity_id",
        "state",
        "time",
    ]
    catalog = {
        "time_zone": "Europe/Berlin",
        "entities": [{"entity_id": "light.kitchen", "name": "Kitchen light"}],
    }
    counts = await client.post("/api/v1/home/import", json=catalog, headers=AUTH)
    assert set(await counts.json()) == set(get_type_hints(CatalogCounts))
    page = await (await client.get("/api/v1/entities", headers=AUTH)).json()
    assert page["entities"]
    # Each entity has exactly the model's keys: built from it, nothing added or left out.
    for entity in page["entities"]:
        assert set(entity) == set(get_type_hints(HomeEntity))
    assert ok("/api/v1/home", "get") == json_schema(Home)
    home = await (await client.get("/api/v1/home", headers=AUTH)).json()
    assert set(home) == set(get_type_hints(Home))
    assert home["source"] == "import"


async def test_settings_answer_is_documented_from_its_wire_model(client: Client) -> None:
    paths = (await _document(client))["paths"]
    for method in ("get", "patch"):
        ok = paths["/api/v1/settings"][method]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == json_schema(PreferencesDict), method
    # As precise as the hand-written schema was: bounds and the backends.
    properties = json_schema(PreferencesDict)["properties"]
    assert properties["analysis_days"]["maximum"] == 365
    assert properties["exclude"]["properties"]["labels"]["maxItems"] == 1000
    assert properties["llm"]["properties"]["backend"]["enum"] == ["off", "openai", "ha_ai_task"]
    response = await client.patch("/api/v1/settings", json={"min_score": 0.5}, headers=AUTH)
    answer = await response.json()
    # The answer has exactly the model's keys: built from it, nothing added or left out.
    assert set(answer) == set(get_type_hints(PreferencesDict))
    assert answer["min_score"] == 0.5


async def test_query_answers_are_documented_from_their_wire_models(client: Client) -> None:
    document = await _document(client)
    paths = document["paths"]
    for path, method, model in (
        ("/api/v1/query", "post", TimedQuery),
        ("/api/v1/query/{query_id}/refine", "post", TimedQuery),
        ("/api/v1/query/{query_id}", "get", Query),
        ("/api/v1/query/{query_id}/suggestions", "get", QuerySuggestions),
    ):
        ok = paths[path][method]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == json_schema(model), path
    # A query's suggestions are the suggestions module's model.
    suggestions = json_schema(QuerySuggestions)["properties"]["suggestions"]
    assert suggestions["items"] == json_schema(Suggestion)
    imported = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert imported.status == 200, await imported.text()
    asked = await client.post(
        "/api/v1/query", json={"text": "turn on the kitchen light"}, headers=AUTH
    )
    answer = await asked.json()
    assert answer["status"] == "ready"
    # Every required key is there and none the model does not have.
    assert set(json_schema(TimedQuery)["required"]) <= set(answer)
    assert set(answer) <= set(get_type_hints(TimedQuery))
    read = await client.get(f"/api/v1/query/{answer['query_id']}", headers=AUTH)
    stored = await read.json()
    assert set(json_schema(Query)["required"]) <= set(stored) <= set(get_type_hints(Query))
    # The parsed model types the question's parse the cache keeps; the answers never show it.
    assert ASKED in get_type_hints(Parsed)
    assert ASKED not in get_type_hints(Query)


async def test_pattern_answers_are_documented_from_their_wire_models(client: Client) -> None:
    paths = (await _document(client))["paths"]

    def ok(path: str, method: str = "get") -> dict[str, Any]:
        response = paths[path][method]["responses"]
        answer = response["202" if method == "post" else "200"]["content"]["application/json"]
        return answer["schema"]  # type: ignore[no-any-return]

    assert ok("/api/v1/analysis/run", "post") == json_schema(AnalysisStarted)
    assert ok("/api/v1/analysis/runs/{run_id}") == json_schema(AnalysisRun)
    assert ok("/api/v1/synergies/{id}") == json_schema(Synergy)
    assert ok("/api/v1/synergies/stats") == json_schema(SynergyStats)
    pattern = ok("/api/v1/patterns/{id}")
    # The pattern's own keys come from the model; the details keep one variant per type.
    assert {key: pattern[key] for key in ("type", "required", "properties")} == json_schema(Pattern)
    assert [variant["title"] for variant in pattern["oneOf"]] == list(get_args(PatternTypeName))
    assert set(get_args(PatternTypeName)) == {kind.value for kind in PatternType}
    evidence = pattern["properties"]["evidence"]["properties"]["days"]["items"]
    assert evidence["required"] == ["date", "times"]
    assert evidence["properties"]["times"]["items"]["pattern"].startswith("^([01]")
    assert ok("/api/v1/synergies")["properties"]["synergies"]["items"] == json_schema(Synergy)
