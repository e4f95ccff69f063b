"""Table definitions shared by the store, the migrations and the modules."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Stable constraint names, so migrations can refer to them on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only aliases the rowid (cheap autoincrement) for INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

cache_entries = Table(
    "cache_entries",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

# Entity ids are interned: the events table stores a small integer per row.
entity_keys = Table(
    "entity_keys",
    metadata,
    Column("key", Integer, primary_key=True, autoincrement=True),
    Column("entity_id", String(255), nullable=False, unique=True),
)

events = Table(
    "events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("entity_key", Integer, ForeignKey("entity_keys.key"), nullable=False),
    Column("time_us", BigInteger, nullable=False),
    Column("state", String(255), nullable=False),
    Column("origin", SmallInteger, nullable=False),
    # Leading (entity_key, time_us) also serves per-entity range scans.
    UniqueConstraint("entity_key", "time_us", "state"),
    Index(None, "time_us"),
)

# The catalog: the home as Home Assistant describes it (or as imported). Small tables,
# replaced whole on every change, so they need no history of their own.
floors = Table(
    "floors",
    metadata,
    Column("floor_id", String(255), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("level", Integer, nullable=True),
    Column("aliases", JSON, nullable=False),
)

areas = Table(
    "areas",
    metadata,
    Column("area_id", String(255), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("floor_id", String(255), nullable=True),
    Column("aliases", JSON, nullable=False),
)

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(255), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("area_id", String(255), nullable=True),
    Column("manufacturer", String(255), nullable=True),
    Column("model", String(255), nullable=True),
)

entities = Table(
    "entities",
    metadata,
    Column("entity_id", String(255), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("area_id", String(255), nullable=True),
    Column("device_id", String(255), nullable=True),
    Column("device_class", String(64), nullable=True),
    Column("unit_of_measurement", String(64), nullable=True),
    Column("entity_category", String(32), nullable=True),
    Column("aliases", JSON, nullable=False),
    Column("state", String(255), nullable=True),
    Column("attributes", JSON, nullable=True),
    Column("labels", JSON, nullable=True),
)

# Training runs survive restarts: a run left queued or running is marked failed at start-up.
training_runs = Table(
    "training_runs",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("training_type", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("progress", Float, nullable=False),
    Column("params", JSON, nullable=False),
    Column("metrics", JSON, nullable=True),
    Column("model_version", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", Float, nullable=False, index=True),
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
)

# One row per trained model version; the model itself is a file in the data directory.
models = Table(
    "models",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("trained_at", Float, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("path", String(1024), nullable=False),
    Column("run_id", String(32), nullable=False),
)

# Analysis runs survive restarts like training runs; their stats are the API's "stats".
analysis_runs = Table(
    "analysis_runs",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("progress", Float, nullable=False),
    Column("days", Integer, nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("stats", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", Float, nullable=False, index=True),
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
)

# The newest analysis's patterns, replaced whole by each run. Ids are derived from what a
# pattern is (type, entities, states), so the same habit keeps its id from run to run and
# feedback given to it still applies.
patterns = Table(
    "patterns",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("entities", JSON, nullable=False),
    Column("description", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("support_days", Integer, nullable=False),
    Column("observed_days", Integer, nullable=False),
    # Ranked score (after feedback and coverage); the detector's own score beside it.
    Column("score", Float, nullable=False),
    Column("detector_score", Float, nullable=False),
    Column("details", JSON, nullable=False),
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("covered_by", JSON, nullable=False),
    Column("suppressed", Boolean, nullable=False),
    Column("run_id", String(32), nullable=False),
    # The days and local times that support it (API.md "evidence"); null before 0007.
    Column("evidence", JSON, nullable=True),
    Index(None, "score"),
)

# Which entities a pattern involves, for GET /patterns?entity_id= without JSON queries.
pattern_entities = Table(
    "pattern_entities",
    metadata,
    Column("pattern_id", String(32), primary_key=True),
    Column("entity_id", String(255), primary_key=True),
    Index(None, "entity_id"),
)

synergies = Table(
    "synergies",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("depth", Integer, nullable=False, index=True),
    Column("chain", JSON, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("support_days", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("detector_score", Float, nullable=False),
    Column("description", Text, nullable=False),
    Column("suppressed", Boolean, nullable=False),
    Column("run_id", String(32), nullable=False),
    Column("evidence", JSON, nullable=True),
)

# Every approve/reject/deploy/disable/delete, with the pattern as it was then: the history
# that ranks patterns and trains the suggestion_ranker. Never rewritten.
feedback = Table(
    "feedback",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("pattern_id", String(32), nullable=False, index=True),
    Column("action", String(16), nullable=False),
    Column("at", Float, nullable=False),
    Column("candidate", JSON, nullable=False),
)

# Automations that exist in Home Assistant, with their configs: what "covered" is judged by.
ha_automations = Table(
    "ha_automations",
    metadata,
    Column("entity_id", String(255), primary_key=True),
    Column("automation_id", String(255), nullable=True),
    Column("config", JSON, nullable=False),
)

# Natural-language requests and their answers: a question asked can be refined later.
queries = Table(
    "queries",
    metadata,
    Column("query_id", String(32), primary_key=True),
    Column("text", Text, nullable=False),
    Column("language", String(16), nullable=False),
    Column("area_id", String(255), nullable=True),
    Column("answer", JSON, nullable=False),
    Column("created_at", Float, nullable=False, index=True),
    Column("updated_at", Float, nullable=False),
)

# Automation suggestions. `fingerprint` names what the automation does (triggers, conditions,
# actions without ids or names), so the same suggestion is never made twice, whatever its
# status: a rejected one stays here and keeps its fingerprint from coming back.
suggestions = Table(
    "suggestions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("source", String(16), nullable=False),
    Column("source_id", String(64), nullable=True, index=True),
    Column("fingerprint", String(64), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("automation", JSON, nullable=False),
    Column("validation", JSON, nullable=False),
    Column("requires_confirmation", Boolean, nullable=False),
    Column("reason", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # The finding's evidence, so a suggestion can be charted without another query.
    Column("evidence", JSON, nullable=True),
)
# Pages best first (engine/store/pages.py), of all suggestions or of one status, read from
# an index alone: every suggestion asked for in words scores 1.0, and on indexes of the
# score or the status alone each page sorted all of them by id, reading every row (JSON
# and all) for it: 9.6 ms a page at 8,000 suggestions, 0.02 ms now.
Index(
    "ix_suggestions_rank",
    suggestions.c.score.desc(),
    suggestions.c.id,
    suggestions.c.status,
    suggestions.c.updated_at,
)
Index(
    "ix_suggestions_status_rank",
    suggestions.c.status,
    suggestions.c.score.desc(),
    suggestions.c.id,
    suggestions.c.updated_at,
)

# Automations the engine deployed into Home Assistant; `version` is the one Home Assistant
# holds now (a rollback points it back without rewriting history).
deployments = Table(
    "deployments",
    metadata,
    Column("automation_id", String(255), primary_key=True),
    Column("entity_id", String(255), nullable=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("suggestion_id", String(32), nullable=True, index=True),
    Column("deployed_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# Every distinct config deployed under an automation id, with the diff from the one before.
deployment_versions = Table(
    "deployment_versions",
    metadata,
    Column("automation_id", String(255), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("automation", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("diff", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

# The household's settings changed through the API (PATCH /api/v1/settings), one row per
# field by its dotted name ("exclude.areas"); a field without a row keeps its default from
# the environment, so a changed default still reaches every field nobody set.
preferences = Table(
    "preferences",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", Float, nullable=False),
)
