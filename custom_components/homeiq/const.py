"""Constants for the HomeIQ integration."""

from typing import Final

DOMAIN: Final = "homeiq"
DEFAULT_ENGINE_URL: Final = "http://127.0.0.1:8025"
