"""What every LLM backend offers, and the limits every call goes through."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Final, Protocol

import orjson

from engine.errors import LLMUnavailableError

_LOGGER = logging.getLogger(__name__)

# More parallel calls than this queue: a local model serves one or two at a time, and a
# paid endpoint rate-limits a burst anyway.
DEFAULT_CONCURRENCY: Final = 5
# A readiness probe is answered from its last result for this long, and may take this long.
STATUS_TTL_S: Final = 30.0
STATUS_TIMEOUT_S: Final = 3.0
_FENCE: Final = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class LLMBackend(Protocol):
    """A language model that answers with a JSON object matching a schema."""

    name: str
    # Which model answers (backend and model or entity): answers are cached per model.
    model_id: str

    async def generate(
        self, instructions: str, prompt: str, schema: dict[str, Any], name: str
    ) -> dict[str, Any]:
        """Return the model's answer to `prompt`, a JSON object that should match `schema`."""
        ...

    async def reachable(self) -> bool:
        """Return whether the backend answers a cheap request (no generation)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def parse_object(text: str) -> dict[str, Any]:
    """Return the JSON object in a model's text answer (a Markdown code fence is allowed)."""
    stripped = text.strip()
    if fenced := _FENCE.match(stripped):
        # Models asked for JSON in words (no structured output) often fence it.
        stripped = fenced.group(1)
    try:
        value = orjson.loads(stripped)
    except orjson.JSONDecodeError:
        raise LLMUnavailableError("The language model did not answer with JSON") from None
    if not isinstance(value, dict):
        raise LLMUnavailableError("The language model did not answer with a JSON object")
    return value


class LimitedLLM:
    """A backend behind a concurrency limit and a timeout; every failure is LLMUnavailableError."""

    def __init__(
        self,
        backend: LLMBackend,
        *,
        timeout_s: float,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self._backend = backend
        self._timeout_s = timeout_s
        self._slots = asyncio.Semaphore(concurrency)
        self._probed: tuple[float, bool] | None = None
        self.last_error: str | None = None

    @property
    def name(self) -> str:
        """Return the backend's name, e.g. "openai"."""
        return self._backend.name

    @property
    def model_id(self) -> str:
        """Return which model answers, e.g. "openai:gpt-4o-mini"."""
        return self._backend.model_id

    async def generate(
        self, instructions: str, prompt: str, schema: dict[str, Any], name: str
    ) -> dict[str, Any]:
        """Return the backend's answer, waiting for a free slot first."""
        async with self._slots:
            try:
                # The timeout covers the call, not the wait for a slot: the queue is the limit.
                async with asyncio.timeout(self._timeout_s):
                    answer = await self._backend.generate(instructions, prompt, schema, name)
            except LLMUnavailableError as err:
                self._failed(err.message)
                raise
            except TimeoutError:
                message = f"The language model did not answer within {self._timeout_s:g} s"
                self._failed(message)
                raise LLMUnavailableError(message) from None
            except Exception as err:  # noqa: BLE001 - a backend's failure is never a 500
                # Only the type: an SDK's message may echo the request, headers included.
                message = f"The language model failed ({type(err).__name__})"
                self._failed(message)
                raise LLMUnavailableError(message) from None
        self.last_error = None
        return answer

    def _failed(self, message: str) -> None:
        self.last_error = message
        _LOGGER.warning("%s call failed: %s", self._backend.name, message)

    async def status(self) -> str:
        """Return the readiness of the backend: "error" after a failed call or probe, else "ok"."""
        if self.last_error:
            return "error"
        now = time.monotonic()
        if self._probed is None or now - self._probed[0] > STATUS_TTL_S:
            # A cheap request, never a generation: a probe must not spend tokens.
            try:
                async with asyncio.timeout(STATUS_TIMEOUT_S):
                    reachable = await self._backend.reachable()
            except Exception:  # noqa: BLE001 - any failure means "not reachable"
                reachable = False
            self._probed = (now, reachable)
        return "ok" if self._probed[1] else "error"

    async def close(self) -> None:
        """Close the backend."""
        await self._backend.close()
