"""The ai_task backend against a real Home Assistant, with a stand-in ai_task integration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from engine.ha.client import HomeAssistantClient
from engine.home.catalog import Catalog, CatalogSource, Entity
from engine.llm.ai_task import AITaskBackend
from engine.llm.backend import LimitedLLM
from engine.query.llm_parse import ANSWER_SCHEMA, INSTRUCTIONS, SCHEMA_NAME, interpret
from tests.e2e.homeassistant import HomeAssistantProcess

STAND_IN = Path(__file__).parent / "custom" / "ai_task"


@pytest.fixture(scope="module")
def home_assistant_with_ai_task(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[HomeAssistantProcess]:
    """Its own Home Assistant: the session's shared one must not gain an ai_task domain."""
    with HomeAssistantProcess(
        tmp_path_factory.mktemp("home-assistant-ai-task"),
        custom_integrations=[STAND_IN],
        extra_config={"ai_task": None},
    ) as harness:
        yield harness


async def test_generate_data_through_the_websocket(
    home_assistant_with_ai_task: HomeAssistantProcess,
) -> None:
    ha = home_assistant_with_ai_task
    catalog = Catalog(
        CatalogSource.IMPORT, "UTC", entities=[Entity("light.kitchen", "Kitchen light")]
    )
    async with aiohttp.ClientSession() as session:
        client = HomeAssistantClient(ha.base_url, ha.token, session)
        await client.connect()
        try:
            llm = LimitedLLM(AITaskBackend(lambda: client), timeout_s=10)
            assert await llm.status() == "ok"
            raw = await llm.generate(
                INSTRUCTIONS, "Request: light up the kitchen", ANSWER_SCHEMA, SCHEMA_NAME
            )
            assert raw["message"] == f"{SCHEMA_NAME}: Request: light up the kitchen"
            answer = interpret(raw, catalog, "light up the kitchen", frozenset())
            assert answer["status"] == "ready", answer
            assert answer["actions"] == [
                {"action": "light.turn_on", "target": {"entity_id": ["light.kitchen"]}, "data": {}}
            ]
        finally:
            await client.close()
