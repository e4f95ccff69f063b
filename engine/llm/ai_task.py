"""Home Assistant's own AI task (`ai_task.generate_data`) over the engine's HA connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from engine.errors import LLMUnavailableError
from engine.ha.client import HomeAssistantClient
from engine.ha.errors import HomeAssistantError
from engine.llm.backend import parse_object


def ai_task_call(
    instructions: str, prompt: str, schema: dict[str, Any], name: str, entity_id: str | None
) -> dict[str, Any]:
    """Return the websocket `call_service` command of one generate_data task."""
    # The service's `structure` is a map of selector fields: it cannot say "a list of
    # objects", so the schema goes into the instructions and the answer is parsed here.
    text = (
        f"{instructions}\n\nAnswer with one JSON object and nothing else. It must match this "
        f"JSON schema:\n{orjson.dumps(schema).decode()}\n\n{prompt}"
    )
    service_data: dict[str, Any] = {"task_name": name, "instructions": text}
    if entity_id:
        service_data["entity_id"] = entity_id
    return {
        "type": "call_service",
        "domain": "ai_task",
        "service": "generate_data",
        "service_data": service_data,
        "return_response": True,
    }


class AITaskBackend:
    """Asks the AI task entity Home Assistant is configured with."""

    name = "ha_ai_task"

    def __init__(
        self, client: Callable[[], HomeAssistantClient | None], entity_id: str | None = None
    ) -> None:
        # A getter, not a client: the mirror reconnects with a new client after a drop.
        self._client = client
        self._entity_id = entity_id
        self.model_id = f"{self.name}:{entity_id or 'default'}"

    async def generate(
        self, instructions: str, prompt: str, schema: dict[str, Any], name: str
    ) -> dict[str, Any]:
        """Return the task's JSON answer to a prompt."""
        client = self._client()
        if client is None:
            raise LLMUnavailableError("Home Assistant is not connected")
        command = ai_task_call(instructions, prompt, schema, name, self._entity_id)
        try:
            result = await client.command(command)
        except HomeAssistantError as err:
            raise LLMUnavailableError(f"Home Assistant's AI task failed: {err}") from None
        # call_service with return_response answers {"context": …, "response": {"data": …}}.
        response = result.get("response") if isinstance(result, dict) else None
        data = response.get("data") if isinstance(response, dict) else None
        if isinstance(data, dict):
            return data
        if isinstance(data, str):
            return parse_object(data)
        raise LLMUnavailableError("Home Assistant's AI task returned no data")

    async def reachable(self) -> bool:
        """Return whether Home Assistant is connected and offers ai_task.generate_data."""
        client = self._client()
        if client is None:
            return False
        services = await client.command({"type": "get_services"})
        return isinstance(services, dict) and "generate_data" in services.get("ai_task", {})

    async def close(self) -> None:
        """Nothing to close: the connection belongs to the mirror."""
