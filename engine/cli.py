"""The `homeiq-engine` command: read settings, log, serve the API."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace

from aiohttp import web

from engine import __version__
from engine.app import create_app
from engine.errors import SettingsError
from engine.logs import configure_logging
from engine.settings import Settings, redact_url

_LOGGER = logging.getLogger("engine")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="homeiq-engine", description="Serve the HomeIQ engine API."
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="load a synthetic home when no Home Assistant is set (same as HOMEIQ_DEMO=1)",
    )
    parser.add_argument("--version", action="version", version=f"homeiq-engine {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the engine until SIGINT/SIGTERM; in-flight requests finish first."""
    args = _parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.demo:
            settings = replace(settings, demo=True)
        settings.check_database_drivers()
        configure_logging(settings.log_level, settings.log_format, settings.secrets)
        app = create_app(settings)
    except SettingsError as err:
        print(f"homeiq-engine: configuration error: {err}", file=sys.stderr)
        return 2
    token_source = "HOMEIQ_API_TOKEN" if settings.api_token else settings.data_dir / "api_token"
    sources = [f"database {settings.database_label}"]
    if settings.ha_url:
        sources.append(f"Home Assistant {redact_url(settings.ha_url)}")
    if settings.influxdb.url:
        sources.append(f"InfluxDB {redact_url(settings.influxdb.url)}")

    def announce(_message: str) -> None:
        """Say where the engine listens and what it reads, once it listens."""
        _LOGGER.info(
            "HomeIQ engine %s listening on http://%s:%d (%s, API token from %s)",
            __version__,
            settings.host,
            settings.port,
            ", ".join(sources),
            token_source,
        )

    try:
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            shutdown_timeout=settings.shutdown_timeout_s,
            access_log=logging.getLogger("aiohttp.access"),
            print=announce,
        )
    except SettingsError as err:
        # Some settings (e.g. InfluxDB's) are only checked when the app starts.
        print(f"homeiq-engine: configuration error: {err}", file=sys.stderr)
        return 2
    return 0
