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

# How many suggestions the pending sensor carries as its attribute.
TOP_SUGGESTIONS: Final = 10
# Pending suggestions fetched per refresh (the engine's page maximum).
PENDING_PAGE: Final = 500

EVENT_SUGGESTION_CREATED: Final = "homeiq_suggestion_created"
EVENT_ANALYSIS_COMPLETED: Final = "homeiq_analysis_completed"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_TEXT: Final = "text"
ATTR_LANGUAGE: Final = "language"
ATTR_AREA_ID: Final = "area_id"
ATTR_QUERY_ID: Final = "query_id"
ATTR_ANSWERS: Final = "answers"
ATTR_SUGGESTION_ID: Final = "suggestion_id"
ATTR_DEPLOY: Final = "deploy"
ATTR_CONFIRM: Final = "confirm"
ATTR_REASON: Final = "reason"
ATTR_DAYS: Final = "days"
ATTR_LIMIT: Final = "limit"
ATTR_AUTOMATION_ID: Final = "automation_id"
ATTR_VERSION: Final = "version"
ATTR_TRAINING_TYPE: Final = "training_type"
ATTR_PARAMS: Final = "params"

SERVICE_ASK: Final = "ask"
SERVICE_REFINE: Final = "refine"
SERVICE_APPROVE: Final = "approve"
SERVICE_REJECT: Final = "reject"
SERVICE_RUN_ANALYSIS: Final = "run_analysis"
SERVICE_GENERATE_SUGGESTIONS: Final = "generate_suggestions"
SERVICE_ROLLBACK: Final = "rollback"
SERVICE_TRAIN: Final = "train"

TRAINING_TYPES: Final = ("home_type_classifier", "suggestion_ranker")

# What the engine accepts as filters (API.md), checked before the network.
SUGGESTION_STATUSES: Final = ("pending", "approved", "rejected", "deployed", "dismissed")
PATTERN_TYPES: Final = ("time_of_day", "co_occurrence", "anomaly", "routine")
LLM_BACKENDS: Final = ("off", "openai", "ha_ai_task")
# How many analysis runs the panel shows, newest first.
RECENT_ANALYSIS_RUNS: Final = 5
