"""The LLM backend the settings ask for."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.ha.client import HomeAssistantClient
from engine.llm.ai_task import AITaskBackend
from engine.llm.backend import LimitedLLM
from engine.settings import Settings

if TYPE_CHECKING:
    from engine.llm.openai_backend import OpenAIBackend


def create_llm(
    settings: Settings, ha_client: Callable[[], HomeAssistantClient | None]
) -> LimitedLLM | None:
    """Return the configured backend behind its limits, or None when no LLM is configured."""
    if settings.llm == "openai":
        # The openai package costs an engine without a language model some 20 MB: it is
        # imported only when one is configured.
        from engine.llm.openai_backend import OpenAIBackend  # noqa: PLC0415

        backend: OpenAIBackend | AITaskBackend = OpenAIBackend(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            timeout_s=settings.llm_timeout_s,
        )
    elif settings.llm == "ha_ai_task":
        backend = AITaskBackend(ha_client, settings.llm_ai_task_entity)
    else:
        return None
    return LimitedLLM(backend, timeout_s=settings.llm_timeout_s)
