"""One step: the entry is created at once (tests create it through the REST flow API)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult


class SpeechFlow(ConfigFlow, domain="e2e_speech"):
    """Create the one entry."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the entry."""
        await self.async_set_unique_id("e2e_speech")
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title="E2E speech", data={})
