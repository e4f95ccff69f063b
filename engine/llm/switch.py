"""The language model the household's settings choose, swapped while the engine runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from engine.ha.client import HomeAssistantClient
from engine.llm.backend import LimitedLLM
from engine.llm.factory import create_llm
from engine.settings import Settings


class LLMSwitch:
    """Holds the backend in use; the keys stay in the environment's settings, never in a choice."""

    def __init__(
        self, settings: Settings, ha_client: Callable[[], HomeAssistantClient | None]
    ) -> None:
        self._settings = settings
        self._ha_client = ha_client
        self._llm: LimitedLLM | None = None

    @property
    def current(self) -> LimitedLLM | None:
        """Return the backend in use, or None when the language model is off."""
        return self._llm

    async def choose(self, backend: str, model: str | None, ai_task_entity: str | None) -> None:
        """Use another backend ("off", "openai" or "ha_ai_task") from now on."""
        chosen = dataclasses.replace(
            self._settings,
            llm_backend=backend,
            openai_model=model,
            llm_ai_task_entity=ai_task_entity,
        )
        previous, self._llm = self._llm, create_llm(chosen, self._ha_client)
        if previous is not None:
            # A call still in flight on it fails as llm_unavailable; the parser's answer stands.
            await previous.close()

    async def status(self) -> str:
        """Return the readiness of the backend in use: "disabled", "ok" or "error"."""
        return "disabled" if self._llm is None else await self._llm.status()

    async def close(self) -> None:
        """Close the backend in use."""
        if self._llm is not None:
            await self._llm.close()
            self._llm = None
