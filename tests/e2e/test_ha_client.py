"""The engine's Home Assistant client against a real Home Assistant."""

from __future__ import annotations

import aiohttp
import pytest

from engine.ha.client import HomeAssistantClient
from engine.ha.errors import (
    HomeAssistantAuthError,
    HomeAssistantCommandError,
    HomeAssistantConnectionError,
)
from tests.e2e.homeassistant import HomeAssistantProcess
from tests.engine.process import free_port


async def test_commands_services_and_automation_config(
    home_assistant: HomeAssistantProcess,
) -> None:
    switch = home_assistant.create_input_boolean("Client Test Switch")
    async with aiohttp.ClientSession() as session:
        client = HomeAssistantClient(home_assistant.base_url, home_assistant.token, session)
        await client.connect()
        try:
            assert client.ha_version == "2025.4.4"
            states = await client.command({"type": "get_states"})
            assert switch in {state["entity_id"] for state in states}

            changed = await client.call_service("input_boolean", "turn_on", {"entity_id": switch})
            assert [s["state"] for s in changed if s["entity_id"] == switch] == ["on"]

            config = {
                "id": "homeiq_client_test",
                "alias": "HomeIQ client test",
                "description": "Made by HomeIQ's tests",
                "triggers": [{"trigger": "state", "entity_id": switch, "to": "off"}],
                "actions": [{"action": "input_boolean.turn_on", "target": {"entity_id": switch}}],
            }
            await client.save_automation_config("homeiq_client_test", config)
            assert await client.get_automation_config("homeiq_client_test") == config
            await client.delete_automation_config("homeiq_client_test")
            assert await client.get_automation_config("homeiq_client_test") is None

            with pytest.raises(HomeAssistantCommandError) as invalid:
                await client.save_automation_config(
                    "homeiq_bad", {"triggers": [{"trigger": "nonsense"}], "actions": []}
                )
            assert invalid.value.code == 400
            with pytest.raises(HomeAssistantCommandError):
                await client.command({"type": "no/such/command"})
        finally:
            await client.close()
        assert not client.connected


async def test_a_wrong_token_and_a_dead_address_fail_clearly(
    home_assistant: HomeAssistantProcess,
) -> None:
    async with aiohttp.ClientSession() as session:
        wrong = HomeAssistantClient(home_assistant.base_url, "not-the-token", session)
        with pytest.raises(HomeAssistantAuthError) as refused:
            await wrong.connect()
        assert "not-the-token" not in str(refused.value)
        with pytest.raises(HomeAssistantAuthError):
            await wrong.rest("GET", "/api/")
        dead = HomeAssistantClient(f"http://127.0.0.1:{free_port()}", "token", session)
        with pytest.raises(HomeAssistantConnectionError):
            await dead.connect()
