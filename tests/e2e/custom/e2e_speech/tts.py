"""The TTS entity: a fixed, silent MP3 frame for any message."""

from __future__ import annotations

from typing import Any

from homeassistant.components.tts import TextToSpeechEntity, TtsAudioType
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

# One MPEG-1 layer III frame header and padding: enough to be served as audio.
_SILENCE = bytes.fromhex("fffb9064") + bytes(413)


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """Add the entity."""
    async_add_entities([SpeechEntity(entry.entry_id)])


class SpeechEntity(TextToSpeechEntity):
    """Speaks every message as the same silence."""

    _attr_name = "E2E speech"

    def __init__(self, entry_id: str) -> None:
        self._attr_unique_id = f"{entry_id}_speech"

    @property
    def default_language(self) -> str:
        """Return English."""
        return "en"

    @property
    def supported_languages(self) -> list[str]:
        """Return English."""
        return ["en"]

    def get_tts_audio(self, message: str, language: str, options: dict[str, Any]) -> TtsAudioType:
        """Return the audio."""
        return "mp3", _SILENCE
