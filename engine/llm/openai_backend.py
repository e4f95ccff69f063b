"""Any OpenAI-compatible endpoint (OpenAI, Ollama, LocalAI, vLLM) through the `openai` package."""

from __future__ import annotations

from typing import Any, Final

from openai import AsyncOpenAI

from engine.errors import LLMUnavailableError
from engine.llm.backend import parse_object

DEFAULT_MODEL: Final = "gpt-4o-mini"
# Local servers need no key, but the client insists on one.
_NO_KEY: Final = "not-needed"


class OpenAIBackend:
    """Chat completions with a strict JSON-schema response format."""

    name = "openai"

    def __init__(
        self, *, api_key: str | None, base_url: str | None, model: str | None, timeout_s: float
    ) -> None:
        self._model = model or DEFAULT_MODEL
        self.model_id = f"{self.name}:{self._model}"
        # One retry for a dropped connection; more would outlast the caller's timeout.
        self._client = AsyncOpenAI(
            api_key=api_key or _NO_KEY, base_url=base_url, timeout=timeout_s, max_retries=1
        )

    async def generate(
        self, instructions: str, prompt: str, schema: dict[str, Any], name: str
    ) -> dict[str, Any]:
        """Return the model's JSON answer to a prompt."""
        completion = await self._client.chat.completions.create(
            model=self._model,
            messages=[
                {"role": "system", "content": instructions},
                {"role": "user", "content": prompt},
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True},
            },
            temperature=0,
        )
        if not completion.choices:
            raise LLMUnavailableError("The language model returned no answer")
        message = completion.choices[0].message
        if message.refusal:
            raise LLMUnavailableError("The language model refused the request")
        if not message.content:
            raise LLMUnavailableError("The language model returned an empty answer")
        return parse_object(message.content)

    async def reachable(self) -> bool:
        """Return whether the endpoint lists its models (Ollama, LocalAI and vLLM do too)."""
        # No retry: a probe answers now, and an unreachable endpoint is the answer.
        await self._client.with_options(max_retries=0).models.list()
        return True

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.close()
