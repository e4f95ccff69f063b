"""Engine settings, read once from environment variables."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from engine.errors import SettingsError
from engine.logs import REDACTED
from engine.supervisor.options import DEFAULT_SUPERVISOR_URL, with_options

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025
DEFAULT_MAX_BODY_MB = 20
LLM_BACKENDS = ("openai", "ha_ai_task", "off")
# The databases the store speaks (engine/store/dialect.py), each with the packages it
# needs: the engine's async driver and the analysis worker's synchronous one.
DATABASE_DRIVERS: dict[str, tuple[str, ...]] = {
    "sqlite+aiosqlite": ("aiosqlite",),
    "postgresql+asyncpg": ("asyncpg", "psycopg2"),
}


def _text(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    """Return a stripped variable, treating an empty value as unset."""
    value = env.get(name, "").strip()
    return value or default


def _number[N: (int, float)](
    env: Mapping[str, str], name: str, default: N, bounds: tuple[N, N], kind: type[N]
) -> N:
    """Return a number of `kind` within [low, high], or raise an error naming the variable."""
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise SettingsError(f"{name} must be {what}, got {raw!r}") from None
    low, high = bounds
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return value


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """Return an integer variable within [low, high]."""
    return _number(env, name, default, (low, high), int)


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """Return a number of seconds within [low, high]."""
    return _number(env, name, default, (low, high), float)


def _flag(env: Mapping[str, str], name: str) -> bool:
    """Return a boolean variable (1/true/yes/on)."""
    raw = (_text(env, name) or "").lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def _time_of_day(env: Mapping[str, str], name: str, default: str) -> time | None:
    """Return a local time of day "HH:MM", or None for "off"."""
    value = (_text(env, name, default) or default).lower()
    if value == "off":
        return None
    try:
        return time.fromisoformat(value).replace(second=0, microsecond=0)
    except ValueError:
        raise SettingsError(f"{name} must be a time of day HH:MM (e.g. 03:00) or off") from None


def _url(env: Mapping[str, str], name: str) -> str | None:
    """Return an http(s) URL variable without a trailing slash."""
    raw = _text(env, name)
    if raw is None:
        return None
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must start with http:// or https://")
    return raw.rstrip("/")


def _database_url(env: Mapping[str, str]) -> str | None:
    """Return DATABASE_URL if it is a URL of a database the store supports."""
    raw = _text(env, "DATABASE_URL")
    if raw is None:
        return None
    try:
        drivername = make_url(raw).drivername
    except (ArgumentError, ValueError):
        # Never the parser's message: it quotes the URL, password and all.
        raise SettingsError("DATABASE_URL is not a valid SQLAlchemy URL") from None
    if drivername not in DATABASE_DRIVERS:
        supported = " or ".join(f"{name}://" for name in DATABASE_DRIVERS)
        raise SettingsError(f"DATABASE_URL must use {supported}, not {drivername}://")
    return raw


def url_password(url: str | None) -> tuple[str, ...]:
    """Return the password in a URL's user info, as written and decoded (none: empty)."""
    password = urlsplit(url).password if url else None
    return tuple({password, unquote(password)}) if password else ()


def redact_url(url: str) -> str:
    """Return a URL with the password in its user info shown as ***, for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{REDACTED}@{host}"))


def supervisor_core_url(supervisor_url: str) -> str:
    """Return the base of Home Assistant's REST API behind the Supervisor's Core proxy."""
    # The client appends /api/...: <supervisor>/core/api/... is the proxy's REST route.
    return f"{supervisor_url}/core"


def _llm_backend(env: Mapping[str, str], ha_url: str | None) -> str | None:
    """Return HOMEIQ_LLM_BACKEND, refusing a backend whose connection is not configured."""
    backend = (_text(env, "HOMEIQ_LLM_BACKEND") or "").lower() or None
    if backend is None:
        return None
    if backend not in LLM_BACKENDS:
        raise SettingsError("HOMEIQ_LLM_BACKEND must be openai, ha_ai_task or off")
    if backend == "ha_ai_task" and not ha_url:
        raise SettingsError("HOMEIQ_LLM_BACKEND=ha_ai_task needs HA_URL and HA_TOKEN")
    if backend == "openai" and not (_text(env, "OPENAI_API_KEY") or _text(env, "OPENAI_BASE_URL")):
        raise SettingsError("HOMEIQ_LLM_BACKEND=openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
    return backend


@dataclass(frozen=True, slots=True)
class InfluxSettings:
    """Where to read history from an InfluxDB that Home Assistant writes to."""

    # URLs may carry user:password@, so they stay out of repr like the secrets.
    url: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    org: str | None = None
    bucket: str | None = None
    database: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def enabled(self) -> bool:
        """Return True when an InfluxDB source is configured."""
        return self.url is not None


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the engine reads from its environment; secrets are hidden from repr."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = Path("data")
    api_token: str | None = field(default=None, repr=False)
    database_url: str | None = field(default=None, repr=False)
    demo: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_MB * 1024 * 1024
    log_level: str = "INFO"
    log_format: str = "text"
    cache_size: int = 1000
    cache_ttl_s: int = 24 * 3600
    shutdown_timeout_s: int = 30
    backfill_days: int = 30
    retention_days: int = 90
    event_flush_s: float = 5.0
    # Local time (the home's time zone) of the daily analysis; None: on demand only.
    analysis_time: time | None = time(3, 0)
    analysis_days: int = 30
    # Worker processes that parse requests: one per core (each holds the grammar, ~70 MB).
    query_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    # Kept out of repr: a URL may carry user:password@.
    ha_url: str | None = field(default=None, repr=False)
    ha_token: str | None = field(default=None, repr=False)
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = field(default=None, repr=False)
    openai_model: str | None = None
    # "openai", "ha_ai_task" or "off"; None: the OpenAI-compatible endpoint when one is set.
    llm_backend: str | None = None
    llm_timeout_s: float = 30.0
    # Home Assistant's preferred AI task entity when None.
    llm_ai_task_entity: str | None = None
    influxdb: InfluxSettings = field(default_factory=InfluxSettings)
    # Set in Supervisor mode (SUPERVISOR_TOKEN): Home Assistant is reached through the
    # Supervisor's Core proxy with that token, and the engine announces itself there.
    supervisor_url: str | None = None
    supervisor_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables, rejecting bad values."""
        env = os.environ if env is None else env
        supervisor_token = _text(env, "SUPERVISOR_TOKEN")
        supervisor_url = None
        if supervisor_token is not None:
            # The app's options (options.json in its data directory) under the environment.
            data_dir = Path(_text(env, "HOMEIQ_DATA_DIR", "data") or "data")
            env = with_options(env, data_dir)
            supervisor_url = _url(env, "HOMEIQ_SUPERVISOR_URL") or DEFAULT_SUPERVISOR_URL
        log_level = (_text(env, "HOMEIQ_LOG_LEVEL", "INFO") or "INFO").upper()
        if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise SettingsError("HOMEIQ_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        log_format = (_text(env, "HOMEIQ_LOG_FORMAT", "text") or "text").lower()
        if log_format not in ("text", "json"):
            raise SettingsError("HOMEIQ_LOG_FORMAT must be text or json")
        ha_url = _url(env, "HA_URL")
        if ha_url and urlsplit(ha_url).username is not None:
            # Home Assistant is reached with HA_TOKEN in the Authorization header; a user
            # and password in the URL would need that header too, so they cannot work.
            raise SettingsError(
                f"HA_URL must not carry a user or password ({redact_url(ha_url)}): "
                "Home Assistant is reached with HA_TOKEN"
            )
        ha_token = _text(env, "HA_TOKEN")
        if ha_url is None and supervisor_url is not None:
            # HA_URL still wins: the proxy is only the default of an app.
            ha_url, ha_token = supervisor_core_url(supervisor_url), supervisor_token
        if ha_url and not ha_token:
            raise SettingsError("HA_URL is set but HA_TOKEN is not: create a long-lived token")
        database_url = _database_url(env)
        api_token = _text(env, "HOMEIQ_API_TOKEN")
        llm_backend = _llm_backend(env, ha_url)
        if api_token is not None and len(api_token) < 16:
            raise SettingsError("HOMEIQ_API_TOKEN must be at least 16 characters")
        return cls(
            host=_text(env, "HOMEIQ_HOST", DEFAULT_HOST) or DEFAULT_HOST,
            port=_integer(env, "HOMEIQ_PORT", DEFAULT_PORT, 0, 65535),
            data_dir=Path(_text(env, "HOMEIQ_DATA_DIR", "data") or "data"),
            api_token=api_token,
            database_url=database_url,
            demo=_flag(env, "HOMEIQ_DEMO"),
            max_body_bytes=_integer(env, "HOMEIQ_MAX_BODY_MB", DEFAULT_MAX_BODY_MB, 1, 1024)
            * 1024
            * 1024,
            log_level=log_level,
            log_format=log_format,
            cache_size=_integer(env, "HOMEIQ_CACHE_SIZE", 1000, 1, 1_000_000),
            cache_ttl_s=_integer(env, "HOMEIQ_CACHE_TTL_S", 24 * 3600, 1, 365 * 24 * 3600),
            shutdown_timeout_s=_integer(env, "HOMEIQ_SHUTDOWN_TIMEOUT_S", 30, 1, 600),
            backfill_days=_integer(env, "HOMEIQ_BACKFILL_DAYS", 30, 0, 3650),
            retention_days=_integer(env, "HOMEIQ_RETENTION_DAYS", 90, 1, 3650),
            event_flush_s=_seconds(env, "HOMEIQ_EVENT_FLUSH_S", 5.0, 0.05, 60.0),
            analysis_time=_time_of_day(env, "HOMEIQ_ANALYSIS_TIME", "03:00"),
            analysis_days=_integer(env, "HOMEIQ_ANALYSIS_DAYS", 30, 1, 365),
            query_workers=_integer(env, "HOMEIQ_QUERY_WORKERS", os.cpu_count() or 1, 1, 64),
            ha_url=ha_url,
            ha_token=ha_token,
            openai_api_key=_text(env, "OPENAI_API_KEY"),
            openai_base_url=_url(env, "OPENAI_BASE_URL"),
            openai_model=_text(env, "OPENAI_MODEL"),
            llm_backend=llm_backend,
            llm_timeout_s=_seconds(env, "HOMEIQ_LLM_TIMEOUT_S", 30.0, 1.0, 600.0),
            llm_ai_task_entity=_text(env, "HOMEIQ_LLM_AI_TASK_ENTITY"),
            influxdb=InfluxSettings(
                url=_url(env, "INFLUXDB_URL"),
                token=_text(env, "INFLUXDB_TOKEN"),
                org=_text(env, "INFLUXDB_ORG"),
                bucket=_text(env, "INFLUXDB_BUCKET"),
                database=_text(env, "INFLUXDB_DATABASE"),
                username=_text(env, "INFLUXDB_USERNAME"),
                password=_text(env, "INFLUXDB_PASSWORD"),
            ),
            supervisor_url=supervisor_url,
            supervisor_token=supervisor_token,
        )

    @property
    def ha_websocket_url(self) -> str | None:
        """Return Home Assistant's websocket URL; the Supervisor's Core proxy has its own."""
        if self.ha_url is None:
            return None
        if self.supervisor_url is not None and self.ha_url == supervisor_core_url(
            self.supervisor_url
        ):
            return f"{self.supervisor_url}/core/websocket"
        return f"{self.ha_url}/api/websocket"

    @property
    def resolved_database_url(self) -> str:
        """Return DATABASE_URL, defaulting to SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'homeiq.db').resolve()}"

    def check_database_drivers(self) -> None:
        """Raise a SettingsError naming DATABASE_URL when its drivers are not installed."""
        # Checked at start, not in from_env: it is about the installation, not the value.
        drivername = make_url(self.resolved_database_url).drivername
        missing = [
            name for name in DATABASE_DRIVERS[drivername] if importlib.util.find_spec(name) is None
        ]
        if missing:
            raise SettingsError(
                f"DATABASE_URL {drivername} needs Python packages that are not installed "
                f"beside the engine: {', '.join(missing)}"
            )

    @property
    def database_label(self) -> str:
        """Return the database URL with any password hidden, for logs."""
        return make_url(self.resolved_database_url).render_as_string(hide_password=True)

    @property
    def llm(self) -> str | None:
        """Return the LLM backend in use ("openai" or "ha_ai_task"), or None."""
        if self.llm_backend == "off":
            return None
        if self.llm_backend is not None:
            return self.llm_backend
        return "openai" if self.openai_api_key or self.openai_base_url else None

    @property
    def llm_enabled(self) -> bool:
        """Return True when an LLM backend is configured."""
        return self.llm is not None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return every secret value, so logging can redact them."""
        values = (
            self.api_token,
            self.ha_token,
            self.supervisor_token,
            self.openai_api_key,
            self.influxdb.token,
            self.influxdb.password,
            make_url(self.resolved_database_url).password,
            # A URL may carry user:password@ (e.g. for a proxy in front of the service).
            *url_password(self.ha_url),
            *url_password(self.influxdb.url),
            *url_password(self.openai_base_url),
        )
        return tuple(value for value in values if value)
