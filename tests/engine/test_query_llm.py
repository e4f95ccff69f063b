"""The optional LLM path: a local OpenAI-compatible server, driven by the real `openai` client."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from engine.app import create_app
from engine.errors import LLMUnavailableError, SettingsError
from engine.ha.client import HomeAssistantClient
from engine.home.catalog import Catalog, CatalogSource, Entity
from engine.llm.ai_task import AITaskBackend
from engine.llm.backend import LimitedLLM
from engine.query.llm_parse import ANSWER_SCHEMA, MAX_SLICE, catalog_slice
from engine.query.parse import not_understood
from engine.settings import Settings

from .conftest import AUTH, TOKEN, Client, ClientFactory

KEY = "sk-homeiq-test-secret-4f9a1c"
MODEL = "homeiq-test-model"

HOME = {
    "time_zone": "Europe/Berlin",
    "areas": [
        {"area_id": "kitchen", "name": "Kitchen"},
        {"area_id": "bedroom", "name": "Bedroom"},
        {"area_id": "office", "name": "Office"},
        {"area_id": "hall", "name": "Hall"},
        {"area_id": "cellar", "name": "Cellar"},
    ],
    "entities": [
        {
            "entity_id": "light.kitchen",
            "name": "Kitchen light",
            "area_id": "kitchen",
            "state": "on",
        },
        {"entity_id": "light.bedroom_lamp", "name": "Lamp", "area_id": "bedroom"},
        {"entity_id": "light.office_lamp", "name": "Lamp", "area_id": "office"},
        {"entity_id": "light.hall", "name": "Hall light", "area_id": "hall"},
        {
            "entity_id": "binary_sensor.front_door",
            "name": "Front door",
            "area_id": "hall",
            "device_class": "door",
        },
        {
            "entity_id": "sensor.cellar_humidity",
            "name": "Cellar humidity",
            "area_id": "cellar",
            "device_class": "humidity",
        },
    ],
}


def _model_answer(
    kind: str,
    *,
    actions: list[dict[str, Any]] | None = None,
    automation: dict[str, Any] | None = None,
    entity_ids: list[str] | None = None,
    question: str = "",
    message: str = "",
) -> dict[str, Any]:
    """Return an answer as the schema has the model write it."""
    return {
        "kind": kind,
        "actions": [
            {
                "action": a["action"],
                "entity_id": a["entity_id"],
                "data": orjson.dumps(a["data"]).decode(),
            }
            for a in actions or []
        ],
        "automation": orjson.dumps(automation).decode() if automation else "",
        "entity_ids": entity_ids or [],
        "question": question,
        "message": message,
    }


Script = Callable[[str], Any]


@dataclass
class FakeOpenAI:
    """An OpenAI-compatible chat completions endpoint answering from a script of markers."""

    scripts: dict[str, Script] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    full_at: int = 5
    full: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.authorizations.append(request.headers.get("Authorization", ""))
        prompt = body["messages"][-1]["content"]
        request_line = prompt.splitlines()[0]
        script = next((s for marker, s in self.scripts.items() if marker in request_line), None)
        if script is None:
            return web.json_response({"error": {"message": "no script"}}, status=500)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.in_flight >= self.full_at:
                self.full.set()
            answer = await script(prompt) if asyncio.iscoroutinefunction(script) else script(prompt)
        finally:
            self.in_flight -= 1
        if isinstance(answer, web.Response):
            return answer
        content = answer if isinstance(answer, str) else orjson.dumps(answer).decode()
        return web.json_response(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                        "finish_reason": "stop",
                    }
                ],
            }
        )

    async def models(self, _request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": MODEL, "object": "model"}]})

    def prompts(self) -> list[str]:
        return [request["messages"][-1]["content"] for request in self.requests]


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.completions)
    app.router.add_get("/v1/models", fake.models)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/v1"))
    try:
        yield fake
    finally:
        # Held handlers (timeout and concurrency tests) finish before the server closes.
        fake.release.set()
        await server.close()


async def _engine(
    aiohttp_client: ClientFactory, tmp_path: Path, fake: FakeOpenAI, **settings: Any
) -> Client:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "api_token": TOKEN,
        "openai_api_key": KEY,
        "openai_base_url": fake.url,
        "openai_model": MODEL,
        **settings,
    }
    client = await aiohttp_client(create_app(Settings(**values)))
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    return client


@pytest.fixture
async def engine(aiohttp_client: ClientFactory, tmp_path: Path, fake_openai: FakeOpenAI) -> Client:
    return await _engine(aiohttp_client, tmp_path, fake_openai)


async def _ask(client: Client, text: str) -> Any:
    response = await client.post("/api/v1/query", json={"text": text}, headers=AUTH)
    assert response.status == 200, await response.text()
    return await response.json()


AUTOMATION = {
    "alias": "Kitchen glow when the door opens",
    "triggers": [{"trigger": "state", "entity_id": "binary_sensor.front_door", "to": "on"}],
    "actions": [{"action": "light.turn_on", "target": {"entity_id": "light.kitchen"}, "data": {}}],
}


async def test_an_automation_from_the_model_is_validated_and_returned(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.scripts["zorbulate"] = lambda _p: _model_answer("automation", automation=AUTOMATION)
    answer = await _ask(engine, "zorbulate a cosy kitchen glow routine")
    assert answer["status"] == "ready", answer
    assert answer["kind"] == "automation"
    assert answer["automation"] == AUTOMATION
    (request,) = fake_openai.requests
    assert request["model"] == MODEL
    assert request["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "homeiq_request", "schema": ANSWER_SCHEMA, "strict": True},
    }
    # The same text again is answered from the cache: the model is not asked twice.
    again = await _ask(engine, "zorbulate a cosy kitchen glow routine")
    assert again["automation"] == AUTOMATION
    assert len(fake_openai.requests) == 1


async def test_another_model_is_asked_again_not_answered_from_the_cache(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.scripts["zorbulate"] = lambda _p: _model_answer("automation", automation=AUTOMATION)
    await _ask(engine, "zorbulate a cosy kitchen glow routine")
    response = await engine.patch(
        "/api/v1/settings", json={"llm": {"model": "another-model"}}, headers=AUTH
    )
    assert response.status == 200, await response.text()
    await _ask(engine, "zorbulate a cosy kitchen glow routine")
    assert [request["model"] for request in fake_openai.requests] == [MODEL, "another-model"]


async def test_an_invalid_automation_is_never_ready(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    broken = {**AUTOMATION, "triggers": [{"trigger": "state"}]}
    fake_openai.scripts["zorbulate"] = lambda _p: _model_answer("automation", automation=broken)
    answer = await _ask(engine, "zorbulate a cosy kitchen glow routine")
    assert answer["status"] == "unsupported"
    assert "did not pass validation" in answer["message"]
    assert "entity_id" in answer["message"]


async def test_a_wrong_entity_id_is_healed_to_the_only_close_one(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.scripts["frobnicate"] = lambda _p: _model_answer(
        "command",
        actions=[
            {
                "action": "light.turn_on",
                "entity_id": ["light.kitchen_light"],
                "data": {"brightness_pct": 40},
            }
        ],
    )
    answer = await _ask(engine, "frobnicate the kitchen gently")
    assert answer["status"] == "ready", answer
    assert answer["kind"] == "command"
    assert answer["actions"] == [
        {
            "action": "light.turn_on",
            "target": {"entity_id": ["light.kitchen"]},
            "data": {"brightness_pct": 40},
        }
    ]
    assert "light.kitchen_light -> light.kitchen" in answer["message"]


async def test_a_wrong_id_in_an_automation_is_healed_too(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    typo = {
        **AUTOMATION,
        "triggers": [{"trigger": "state", "entity_id": "binary_sensor.front_dor", "to": "on"}],
    }
    fake_openai.scripts["zorbulate"] = lambda _p: _model_answer("automation", automation=typo)
    answer = await _ask(engine, "zorbulate a cosy kitchen glow routine")
    assert answer["status"] == "ready", answer
    assert answer["automation"]["triggers"][0]["entity_id"] == "binary_sensor.front_door"


async def test_an_ambiguous_wrong_id_asks_and_refine_settles_it(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.scripts["frobnicate"] = lambda _p: _model_answer(
        "command", actions=[{"action": "light.turn_on", "entity_id": ["light.lamp"], "data": {}}]
    )
    asked = await _ask(engine, "frobnicate the lamp")
    assert asked["status"] == "needs_clarification", asked
    (question,) = asked["clarifications"]
    values = {option["value"] for option in question["options"]}
    assert values == {"light.bedroom_lamp", "light.office_lamp"}
    labels = {option["label"] for option in question["options"]}
    assert labels == {"Lamp (Bedroom)", "Lamp (Office)"}

    response = await engine.post(
        f"/api/v1/query/{asked['query_id']}/refine",
        json={"answers": {question["id"]: "light.office_lamp"}},
        headers=AUTH,
    )
    settled = await response.json()
    assert settled["status"] == "ready", settled
    assert settled["actions"][0]["target"] == {"entity_id": ["light.office_lamp"]}
    # The model was told what the user chose.
    assert "already chose: light.office_lamp" in fake_openai.prompts()[-1]


async def test_a_blocked_service_is_refused(engine: Client, fake_openai: FakeOpenAI) -> None:
    fake_openai.scripts["frobnicate"] = lambda _p: _model_answer(
        "command", actions=[{"action": "shell_command.wipe_disk", "entity_id": [], "data": {}}]
    )
    answer = await _ask(engine, "frobnicate the disk")
    assert answer["status"] == "unsupported"
    assert answer["actions"] == []
    assert "HomeIQ never calls shell_command.wipe_disk" in answer["message"]

    blocked = {
        **AUTOMATION,
        "actions": [{"action": "homeassistant.restart"}],
    }
    fake_openai.scripts["zorbulate"] = lambda _p: _model_answer("automation", automation=blocked)
    answer = await _ask(engine, "zorbulate a house restart routine")
    assert answer["status"] == "unsupported"
    assert answer["automation"] is None
    assert "homeassistant.restart" in answer["message"]


async def test_a_call_on_the_wrong_domain_is_refused(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.scripts["frobnicate"] = lambda _p: _model_answer(
        "command",
        actions=[{"action": "lock.unlock", "entity_id": ["light.kitchen"], "data": {}}],
    )
    answer = await _ask(engine, "frobnicate the kitchen")
    assert answer["status"] == "unsupported"
    assert "lock.unlock acts on lock entities" in answer["message"]


async def test_the_prompt_holds_only_the_relevant_slice(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.scripts["frobnicate"] = lambda _p: _model_answer("unsupported", message="no idea")
    answer = await _ask(engine, "frobnicate the kitchen lights")
    assert answer["status"] == "unsupported"
    assert "no idea" in answer["message"]
    (prompt,) = fake_openai.prompts()
    assert "light.kitchen |" in prompt
    assert "sensor.cellar_humidity" not in prompt
    assert "Cellar" not in prompt
    # The instructions go in the system message, the home only in the user's.
    assert fake_openai.requests[0]["messages"][0]["role"] == "system"


def test_the_slice_is_capped_and_keeps_the_chosen_entity() -> None:
    lights = [Entity(f"light.kitchen_{n}", f"Kitchen light {n}") for n in range(100)]
    catalog = Catalog(
        CatalogSource.IMPORT, "UTC", entities=[*lights, Entity("switch.pump", "Garden pump")]
    )
    found = catalog_slice(catalog, "dim the kitchen lights", chosen=["switch.pump"])
    assert len(found) == MAX_SLICE
    assert found[0].entity_id == "switch.pump"
    assert all(entity.domain == "light" for entity in found[1:])


async def test_a_question_is_answered_from_the_catalog(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    # The model says which entity; the state comes from the catalog, never from the model.
    fake_openai.scripts["wibble"] = lambda _p: _model_answer(
        "question", entity_ids=["light.kitchen"], message="It is off."
    )
    answer = await _ask(engine, "wibble wobble kitchen light status")
    assert answer["status"] == "ready", answer
    assert answer["kind"] == "question"
    assert answer["message"] == "Kitchen light (Kitchen) is on."


async def test_concurrency_never_exceeds_five(engine: Client, fake_openai: FakeOpenAI) -> None:
    async def held(_prompt: str) -> dict[str, Any]:
        await fake_openai.release.wait()
        return _model_answer(
            "command",
            actions=[{"action": "light.turn_on", "entity_id": ["light.hall"], "data": {}}],
        )

    fake_openai.scripts["frobnicate"] = held
    asks = [asyncio.create_task(_ask(engine, f"frobnicate the hall number {n}")) for n in range(12)]
    await asyncio.wait_for(fake_openai.full.wait(), timeout=30)
    assert fake_openai.in_flight == 5
    fake_openai.release.set()
    answers = await asyncio.gather(*asks)
    assert [answer["status"] for answer in answers] == ["ready"] * 12
    assert fake_openai.max_in_flight == 5
    assert len(fake_openai.requests) == 12


async def test_a_timeout_is_a_clean_answer(
    aiohttp_client: ClientFactory, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    client = await _engine(aiohttp_client, tmp_path, fake_openai, llm_timeout_s=0.3)

    async def never(_prompt: str) -> dict[str, Any]:
        await fake_openai.release.wait()
        return _model_answer("unsupported")

    fake_openai.scripts["frobnicate"] = never
    answer = await _ask(client, "frobnicate the kitchen")
    assert answer["status"] == "unsupported"
    assert answer["message"].startswith(not_understood("en"))
    assert "language model was unavailable" in answer["message"]
    assert "did not answer within 0.3 s" in answer["message"]
    ready = await (await client.get("/health/ready", headers=AUTH)).json()
    assert ready["checks"]["llm"] == "error"


async def test_a_broken_answer_is_a_clean_answer_and_not_cached(
    engine: Client, fake_openai: FakeOpenAI
) -> None:
    fake_openai.scripts["frobnicate"] = lambda _p: "this is not json"
    answer = await _ask(engine, "frobnicate the kitchen")
    assert answer["status"] == "unsupported"
    assert "did not answer with JSON" in answer["message"]
    fake_openai.scripts["frobnicate"] = lambda _p: {"kind": "dance"}
    answer = await _ask(engine, "frobnicate the kitchen")
    assert "did not follow the schema" in answer["message"]
    assert len(fake_openai.requests) == 2


async def test_the_key_never_shows(
    engine: Client, fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_openai.scripts["frobnicate"] = lambda _p: _model_answer(
        "command", actions=[{"action": "light.turn_on", "entity_id": ["light.hall"], "data": {}}]
    )
    # An endpoint that echoes the key in its error, as some proxies do.
    fake_openai.scripts["zorbulate"] = lambda _p: web.json_response(
        {"error": {"message": f"Incorrect API key provided: {KEY}"}}, status=401
    )
    ready = await (await engine.get("/health/ready", headers=AUTH)).json()
    assert ready["checks"]["llm"] == "ok"
    good = await _ask(engine, "frobnicate the hall")
    bad = await _ask(engine, "zorbulate the hall")
    assert good["status"] == "ready"
    assert bad["status"] == "unsupported"
    assert "AuthenticationError" in bad["message"]
    ready = await (await engine.get("/health/ready", headers=AUTH)).json()
    assert ready["checks"]["llm"] == "error"
    assert fake_openai.authorizations[0] == f"Bearer {KEY}"
    assert KEY not in orjson.dumps([good, bad]).decode()
    assert KEY not in caplog.text
    assert "call failed" in caplog.text


async def test_without_a_model_nothing_changes(client: Client) -> None:
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200
    answer = await _ask(client, "frobnicate the kitchen")
    assert answer["status"] == "unsupported"
    assert answer["message"] == not_understood("en")
    ready = await (await client.get("/health/ready", headers=AUTH)).json()
    assert ready["checks"]["llm"] == "disabled"


# -- Home Assistant's ai_task over a fake websocket peer ------------------------------------


@dataclass
class FakeHomeAssistant:
    """A websocket peer that authenticates and answers ai_task.generate_data calls."""

    data: Any
    calls: list[dict[str, Any]] = field(default_factory=list)

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "auth_required", "ha_version": "2025.8.0"})
        auth = await ws.receive_json()
        assert auth == {"type": "auth", "access_token": "ha-token"}
        await ws.send_json({"type": "auth_ok", "ha_version": "2025.8.0"})
        async for message in ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            command = orjson.loads(message.data)
            if command["type"] == "get_services":
                services: dict[str, Any] = {"ai_task": {"generate_data": {}}}
                await ws.send_json(
                    {"id": command["id"], "type": "result", "success": True, "result": services}
                )
                continue
            self.calls.append(command)
            if (command["domain"], command["service"]) != ("ai_task", "generate_data"):
                error = {"code": "not_found", "message": "Service not found."}
                await ws.send_json(
                    {"id": command["id"], "type": "result", "success": False, "error": error}
                )
                continue
            response = {"conversation_id": "c1", "data": self.data}
            await ws.send_json(
                {
                    "id": command["id"],
                    "type": "result",
                    "success": True,
                    "result": {"context": {"id": "x"}, "response": response},
                }
            )
        return ws


async def test_the_ai_task_backend_calls_generate_data() -> None:
    expected = _model_answer("unsupported", message="fine")
    fake = FakeHomeAssistant(data="```json\n" + orjson.dumps(expected).decode() + "\n```")
    app = web.Application()
    app.router.add_get("/api/websocket", fake.websocket)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            client = HomeAssistantClient(str(server.make_url("")), "ha-token", session)
            await client.connect()
            try:
                llm = LimitedLLM(AITaskBackend(lambda: client, "ai_task.local"), timeout_s=5)
                assert await llm.status() == "ok"
                answer = await llm.generate("Be brief.", "Request: hi", ANSWER_SCHEMA, "homeiq")
                assert answer == expected
                (call,) = fake.calls
                assert call["type"] == "call_service"
                assert call["return_response"] is True
                data = call["service_data"]
                assert data["task_name"] == "homeiq"
                assert data["entity_id"] == "ai_task.local"
                assert data["instructions"].startswith("Be brief.")
                assert '"entity_ids"' in data["instructions"]
                assert data["instructions"].endswith("Request: hi")

                fake.data = {"kind": "unsupported"}
                assert await llm.generate("i", "p", ANSWER_SCHEMA, "homeiq") == {
                    "kind": "unsupported"
                }
                fake.data = None
                with pytest.raises(LLMUnavailableError, match="returned no data"):
                    await llm.generate("i", "p", ANSWER_SCHEMA, "homeiq")
                assert await llm.status() == "error"
            finally:
                await client.close()
        disconnected = LimitedLLM(AITaskBackend(lambda: None), timeout_s=5)
        assert await disconnected.status() == "error"
        with pytest.raises(LLMUnavailableError, match="not connected"):
            await disconnected.generate("i", "p", ANSWER_SCHEMA, "homeiq")
    finally:
        await server.close()


def test_settings_choose_the_backend() -> None:
    assert Settings.from_env({}).llm is None
    assert Settings.from_env({"OPENAI_API_KEY": "k"}).llm == "openai"
    assert Settings.from_env({"OPENAI_API_KEY": "k", "HOMEIQ_LLM_BACKEND": "off"}).llm is None
    ha = {"HA_URL": "http://ha:8123", "HA_TOKEN": "t", "HOMEIQ_LLM_BACKEND": "ha_ai_task"}
    assert Settings.from_env(ha).llm == "ha_ai_task"
    assert Settings.from_env({**ha, "HOMEIQ_LLM_TIMEOUT_S": "5"}).llm_timeout_s == 5.0
    with pytest.raises(SettingsError, match="needs HA_URL"):
        Settings.from_env({"HOMEIQ_LLM_BACKEND": "ha_ai_task"})
    with pytest.raises(SettingsError, match="openai, ha_ai_task or off"):
        Settings.from_env({"HOMEIQ_LLM_BACKEND": "gpt"})
    with pytest.raises(SettingsError, match="needs OPENAI_API_KEY"):
        Settings.from_env({"HOMEIQ_LLM_BACKEND": "openai"})
