"""InfluxDB source errors; no message ever carries a token or a password."""

from __future__ import annotations

from collections.abc import Iterable

from yarl import URL

from engine.errors import EngineError, SettingsError

REDACTED = "***"


class InfluxDBError(EngineError):
    """Base of every InfluxDB source error: the upstream InfluxDB failed us."""

    code = "influxdb_error"
    status = 502


class InfluxDBConfigError(InfluxDBError, SettingsError):
    """The INFLUXDB_* settings do not describe a usable 1.x or 2.x setup."""

    # Also a SettingsError, so start-up reports it like any other configuration error.
    code = "influxdb_misconfigured"
    status = 503


class InfluxDBConnectionError(InfluxDBError):
    """InfluxDB cannot be reached, timed out or answered with a gateway/server outage."""

    code = "influxdb_unavailable"
    status = 503


class InfluxDBAuthError(InfluxDBError):
    """InfluxDB refused the credentials (or they lack read access)."""

    code = "influxdb_unauthorized"
    status = 502


class InfluxDBQueryError(InfluxDBError):
    """InfluxDB rejected a query or answered with something we cannot parse."""

    code = "influxdb_query_failed"
    status = 502


class InfluxDBNotFoundError(InfluxDBQueryError):
    """The configured 1.x database or 2.x bucket does not exist."""

    code = "influxdb_not_found"
    status = 502


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Return text with every non-empty secret replaced, for text that came from outside."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def display_url(url: str) -> str:
    """Return the URL without user info, query or fragment: safe to put in a message."""
    parsed = URL(url)
    # A URL may carry user:password@; only scheme, host, port and path are shown.
    return str(parsed.with_user(None).with_query(None).with_fragment(None))
