"""Keeps Home Assistant's view of the engine current: push stream first, polling otherwise."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    AnalysisRun,
    EngineInfo,
    HomeIQAuthError,
    HomeIQClient,
    HomeIQError,
    HomeIQResponseError,
    HomeIQUnsupportedVersionError,
    Suggestion,
    is_supported,
)
from .const import (
    CONF_MIN_SCORE,
    CONF_NOTIFY_NEW_SUGGESTIONS,
    CONF_UPDATE_INTERVAL,
    DEFAULT_MIN_SCORE,
    DEFAULT_NOTIFY_NEW_SUGGESTIONS,
    DEFAULT_UPDATE_INTERVAL_S,
    DOMAIN,
    EVENT_ANALYSIS_COMPLETED,
    EVENT_SUGGESTION_CREATED,
    PENDING_PAGE,
)
from .issues import async_clear_unsupported_version, async_report_unsupported_version
from .labels import async_tag_deployment

_LOGGER = logging.getLogger(__name__)

# Enough recent runs to find the newest finished one behind a queued and a running one.
RECENT_RUNS = 5
FINISHED = frozenset({"succeeded", "failed"})
REFRESH_COOLDOWN_S = 1.0
DEPLOYMENT_CHANGED = "deployment_changed"
# The HomeIQ panel (url path `homeiq`), as a link in Markdown and as a device's page.
PANEL_PATH = "/homeiq"
PANEL_CONFIGURATION_URL = "homeassistant://homeiq"

type HomeIQConfigEntry = ConfigEntry[HomeIQCoordinator]


@dataclass(frozen=True, slots=True)
class HomeIQData:
    """What the entities show, as of the last refresh."""

    info: EngineInfo
    pending: list[Suggestion]
    pending_total: int
    patterns_total: int
    last_finished_run: AnalysisRun | None
    last_analysis: AnalysisRun | None

    def pending_by_id(self, suggestion_id: str) -> Suggestion | None:
        """Return the pending suggestion with this id, if it is shown."""
        return next((s for s in self.pending if s["id"] == suggestion_id), None)


class HomeIQCoordinator(DataUpdateCoordinator[HomeIQData]):
    """Fetches the engine's suggestions, patterns and runs; refetches when the engine says so."""

    config_entry: HomeIQConfigEntry

    def __init__(self, hass: HomeAssistant, entry: HomeIQConfigEntry, client: HomeIQClient) -> None:
        """Poll at the entry's interval until the push stream is up."""
        self.client = client
        self.polling_interval = timedelta(
            seconds=entry.options.get(CONF_UPDATE_INTERVAL, DEFAULT_UPDATE_INTERVAL_S)
        )
        self.min_score: float = entry.options.get(CONF_MIN_SCORE, DEFAULT_MIN_SCORE)
        self.notify: bool = entry.options.get(
            CONF_NOTIFY_NEW_SUGGESTIONS, DEFAULT_NOTIFY_NEW_SUGGESTIONS
        )
        self.stream_connected = False
        self._streaming = False
        self._setup_checked = False
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=self.polling_interval,
            # Pushed changes come in short bursts (a run, then its suggestions): coalesce
            # them, but show each within about a second rather than the default ten.
            request_refresh_debouncer=Debouncer(
                hass, _LOGGER, cooldown=REFRESH_COOLDOWN_S, immediate=True
            ),
        )

    async def _async_update_data(self) -> HomeIQData:
        """Fetch everything the entities show; announce what is new since the last fetch."""
        try:
            data = await self._fetch()
        except HomeIQAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except HomeIQUnsupportedVersionError as err:
            # Retried: upgrading the engine fixes this without the user touching the entry.
            async_report_unsupported_version(self.hass, self.config_entry, err.version)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="unsupported_version",
                translation_placeholders={"version": err.version, "minimum": err.minimum},
            ) from err
        except HomeIQError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        async_clear_unsupported_version(self.hass, self.config_entry)
        if self.data is not None:
            self._announce(self.data, data)
            if data.info.version != self.data.info.version:
                self._update_device_version(data.info.version)
        if not self._streaming:
            self._start_stream()
        return data

    async def _fetch(self) -> HomeIQData:
        """Ask the engine (a handful of small reads on one keep-alive connection)."""
        info = await self.client.get_info()
        if not is_supported(info.version):
            raise HomeIQUnsupportedVersionError(info.version)
        if info.instance_id != self.config_entry.unique_id:
            # Another engine (or a wiped one) answers at this URL: its suggestions are not ours.
            raise ConfigEntryError(translation_domain=DOMAIN, translation_key="wrong_instance")
        runs = (await self.client.list_analysis_runs(limit=RECENT_RUNS))["runs"]
        if not self._setup_checked:
            # Once per setup: a new install should not wait for the nightly run.
            if not runs:
                await self._first_analysis()
            self._setup_checked = True
        last_analysis = next((r for r in runs if r["status"] == "succeeded"), None)
        if self._is_new(last_analysis):
            # The engine keeps findings and suggestions apart (it makes suggestions on
            # request); someone who runs an analysis from Home Assistant, or has it run every
            # night, expects its suggestions on the to-do list. Not at start-up: a restart
            # would add another batch from the same findings each time.
            await self.client.generate_suggestions()
        page = await self.client.list_suggestions(
            status="pending", min_score=self.min_score or None, limit=PENDING_PAGE
        )
        patterns = await self.client.list_patterns(limit=1)
        pending = page["suggestions"]
        return HomeIQData(
            info=info,
            pending=pending,
            pending_total=page.get("total", len(pending)),
            patterns_total=patterns.get("total", len(patterns["patterns"])),
            last_finished_run=next((r for r in runs if r["status"] in FINISHED), None),
            last_analysis=last_analysis,
        )

    async def _first_analysis(self) -> None:
        """Start the first analysis of an engine that has history and never ran one.

        Its suggestions follow when the run succeeds (a new run, as for any other).
        """
        if (await self.client.get_stats())["events_total"] == 0:
            return
        try:
            await self.client.run_analysis()
        except HomeIQResponseError as err:
            # E.g. a run started meanwhile (conflict): that one serves as well.
            _LOGGER.debug("No first analysis: %s", err)

    def _is_new(self, run: AnalysisRun | None) -> bool:
        """Return whether a succeeded run appeared since the last refresh (not the first)."""
        if run is None or self.data is None:
            return False
        before = self.data.last_analysis
        return before is None or before["run_id"] != run["run_id"]

    @callback
    def _announce(self, old: HomeIQData, new: HomeIQData) -> None:
        """Fire events (and notify) for suggestions and analysis runs new since `old`."""
        entry_id = self.config_entry.entry_id
        known = {suggestion["id"] for suggestion in old.pending}
        created = [s for s in new.pending if s["id"] not in known]
        for suggestion in created:
            self.hass.bus.async_fire(
                EVENT_SUGGESTION_CREATED,
                {
                    "config_entry_id": entry_id,
                    "suggestion_id": suggestion["id"],
                    "title": suggestion["title"],
                    "description": suggestion["description"],
                    "score": suggestion["score"],
                    "requires_confirmation": suggestion["requires_confirmation"],
                },
            )
        if created and self.notify:
            self._notify_created(created)
        run, before = new.last_finished_run, old.last_finished_run
        if run is not None and (before is None or run["run_id"] != before["run_id"]):
            self.hass.bus.async_fire(
                EVENT_ANALYSIS_COMPLETED,
                {
                    "config_entry_id": entry_id,
                    "run_id": run["run_id"],
                    "status": run["status"],
                    "finished_at": run["finished_at"],
                    "stats": run["stats"],
                },
            )

    @callback
    def _notify_created(self, created: list[Suggestion]) -> None:
        """Create (or replace) one persistent notification listing the new suggestions."""
        lines = "\n".join(f"- {s['title']} (score {s['score']:.2f})" for s in created)
        persistent_notification.async_create(
            self.hass,
            f"{lines}\n\nReview, approve or reject them in the [HomeIQ panel]({PANEL_PATH}) "
            "or the HomeIQ suggestions to-do list.",
            title=f"HomeIQ: {len(created)} new automation suggestion(s)",
            notification_id=f"{DOMAIN}_{self.config_entry.entry_id}_new_suggestions",
        )

    @callback
    def _update_device_version(self, version: str) -> None:
        """Show the engine's new version on its device."""
        # async_get_or_create updates the device in place; async_get_device is deprecated
        # from Home Assistant 2026.8 (identifiers are no longer unique across entries).
        dr.async_get(self.hass).async_get_or_create(
            config_entry_id=self.config_entry.entry_id,
            identifiers={(DOMAIN, self._device_key)},
            sw_version=version,
        )

    @callback
    def _start_stream(self) -> None:
        """Listen to the push stream in the background for as long as the entry is loaded."""
        self._streaming = True
        self.config_entry.async_create_background_task(
            self.hass, self._listen(), f"{DOMAIN} stream {self.client.url}"
        )

    async def _listen(self) -> None:
        """Refresh whenever the engine pushes a change; fall back to polling when it drops."""
        connected = False
        try:
            async with self.client.stream() as messages:
                connected = self.stream_connected = True
                self.update_interval = None
                _LOGGER.debug("Push stream connected; polling paused")
                # Anything that changed while there was no stream.
                await self.async_request_refresh()
                async for message in messages:
                    _LOGGER.debug("Stream: %s", message["type"])
                    if message["type"] == DEPLOYMENT_CHANGED:
                        # Also what the panel approves: find it in Home Assistant's editor.
                        async_tag_deployment(self.hass, message["data"])
                    await self.async_request_refresh()
        except HomeIQAuthError:
            self.config_entry.async_start_reauth(self.hass)
        except HomeIQError as err:
            _LOGGER.debug("Push stream unavailable, polling: %s", err)
        self.stream_connected = self._streaming = False
        self.update_interval = self.polling_interval
        if connected:
            # At once: shows whether the engine is gone, or reconnects. A stream that never
            # connected is retried by the next poll, so a proxy without WebSockets cannot spin.
            await self.async_request_refresh()

    @property
    def device_info(self) -> DeviceInfo:
        """The engine as a service device, with the version it reported."""
        version = self.data.info.version if self.data is not None else None
        return DeviceInfo(
            identifiers={(DOMAIN, self._device_key)},
            name="HomeIQ Engine",
            manufacturer="HomeIQ",
            model="Engine",
            sw_version=version,
            entry_type=DeviceEntryType.SERVICE,
            # The HomeIQ panel: the engine's own URL has no page for people.
            configuration_url=PANEL_CONFIGURATION_URL,
        )

    @property
    def _device_key(self) -> str:
        """The device's identifier: the engine's instance id."""
        return self.config_entry.unique_id or self.config_entry.entry_id
