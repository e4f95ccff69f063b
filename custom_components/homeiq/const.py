"""Constants for the HomeIQ integration."""

from typing import Final

DOMAIN: Final = "homeiq"
DEFAULT_ENGINE_URL: Final = "http://localhost:8025"

CONF_UPDATE_INTERVAL: Final = "update_interval"
CONF_NOTIFY_NEW_SUGGESTIONS: Final = "notify_new_suggestions"
CONF_MIN_SCORE: Final = "min_score"

DEFAULT_UPDATE_INTERVAL_S: Final = 60
MIN_UPDATE_INTERVAL_S: Final = 10
MAX_UPDATE_INTERVAL_S: Final = 3600
DEFAULT_NOTIFY_NEW_SUGGESTIONS: Final = False
DEFAULT_MIN_SCORE: Final = 0.0
