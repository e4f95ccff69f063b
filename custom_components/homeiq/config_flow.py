"""Config flow for HomeIQ: engine URL and token, app discovery, reauth, reconfigure, options."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.hassio import HassioServiceInfo

from .api import (
    EngineInfo,
    HomeIQAuthError,
    HomeIQClient,
    HomeIQConnectionError,
    HomeIQError,
    HomeIQUnsupportedVersionError,
)
from .const import (
    CONF_MIN_SCORE,
    CONF_NOTIFY_NEW_SUGGESTIONS,
    CONF_UPDATE_INTERVAL,
    DEFAULT_ENGINE_URL,
    DEFAULT_MIN_SCORE,
    DEFAULT_NOTIFY_NEW_SUGGESTIONS,
    DEFAULT_UPDATE_INTERVAL_S,
    DOMAIN,
    MAX_UPDATE_INTERVAL_S,
    MIN_UPDATE_INTERVAL_S,
)
from .coordinator import HomeIQConfigEntry

_LOGGER = logging.getLogger(__name__)

_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_TOKEN = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
USER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL, default=DEFAULT_ENGINE_URL): _URL,
        vol.Required(CONF_API_TOKEN): _TOKEN,
    }
)
REAUTH_SCHEMA = vol.Schema({vol.Required(CONF_API_TOKEN): _TOKEN})
OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_UPDATE_INTERVAL, default=DEFAULT_UPDATE_INTERVAL_S): NumberSelector(
            NumberSelectorConfig(
                min=MIN_UPDATE_INTERVAL_S,
                max=MAX_UPDATE_INTERVAL_S,
                step=1,
                unit_of_measurement="s",
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Required(
            CONF_NOTIFY_NEW_SUGGESTIONS, default=DEFAULT_NOTIFY_NEW_SUGGESTIONS
        ): BooleanSelector(),
        vol.Required(CONF_MIN_SCORE, default=DEFAULT_MIN_SCORE): NumberSelector(
            NumberSelectorConfig(min=0, max=1, step=0.05, mode=NumberSelectorMode.SLIDER)
        ),
    }
)


@dataclass(frozen=True, slots=True)
class DiscoveredEngine:
    """An engine the HomeIQ app announced through the Supervisor's discovery."""

    url: str
    token: str = field(repr=False)
    instance_id: str
    name: str

    @classmethod
    def from_discovery(cls, info: HassioServiceInfo) -> DiscoveredEngine | None:
        """Return the engine a discovery message describes, or None if it is malformed."""
        # What engine/supervisor/discovery.py posts: host, port, api_token, instance_id.
        config = info.config
        host, port = config.get("host"), config.get("port")
        token, instance_id = config.get("api_token"), config.get("instance_id")
        if not (isinstance(host, str) and host and isinstance(port, int) and 0 < port < 65536):
            return None
        if not (isinstance(token, str) and token and isinstance(instance_id, str) and instance_id):
            return None
        return cls(f"http://{host}:{port}", token, instance_id, info.name)


class HomeIQConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a HomeIQ engine, or re-authenticate or reconfigure one."""

    VERSION = 1
    _discovered: DiscoveredEngine

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: HomeIQConfigEntry) -> HomeIQOptionsFlow:
        """Return the options flow."""
        return HomeIQOptionsFlow()

    async def _validate(self, url: str, token: str) -> tuple[EngineInfo | None, dict[str, str]]:
        """Return the engine's info, or the form errors that explain why not."""
        client = HomeIQClient(url, token, async_get_clientsession(self.hass))
        try:
            return await client.validate(), {}
        except HomeIQAuthError:
            return None, {"base": "invalid_auth"}
        except HomeIQUnsupportedVersionError:
            return None, {"base": "unsupported_version"}
        except HomeIQConnectionError:
            return None, {"base": "cannot_connect"}
        except HomeIQError:
            _LOGGER.exception("Unexpected answer from the HomeIQ engine at %s", client.url)
            return None, {"base": "unknown"}
        except Exception:
            # A form that stays open with "unknown" beats a flow that dies with a traceback.
            _LOGGER.exception("Unexpected error while checking the HomeIQ engine at %s", client.url)
            return None, {"base": "unknown"}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the engine's URL and token."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url = user_input[CONF_URL].strip().rstrip("/")
            info, errors = await self._validate(url, user_input[CONF_API_TOKEN])
            if info is not None:
                await self.async_set_unique_id(info.instance_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title="HomeIQ",
                    data={CONF_URL: url, CONF_API_TOKEN: user_input[CONF_API_TOKEN]},
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(USER_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_hassio(self, discovery_info: HassioServiceInfo) -> ConfigFlowResult:
        """Offer the engine the HomeIQ app announced; update an entry that has it already."""
        engine = DiscoveredEngine.from_discovery(discovery_info)
        if engine is None:
            return self.async_abort(reason="invalid_discovery_info")
        await self.async_set_unique_id(engine.instance_id)
        existing = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, engine.instance_id
        )
        if existing is not None and existing.source == SOURCE_IGNORE:
            # Ignored stays ignored: the app's address and token are not written into it.
            return self.async_abort(reason="already_configured")
        # A restarted app may bring a new address or token: the entry takes them and reloads.
        self._abort_if_unique_id_configured(
            updates={CONF_URL: engine.url, CONF_API_TOKEN: engine.token}
        )
        self._discovered = engine
        self.context["title_placeholders"] = {"name": engine.name}
        return await self.async_step_hassio_confirm()

    async def async_step_hassio_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask whether to set the discovered engine up; check it answers before creating."""
        engine = self._discovered
        errors: dict[str, str] = {}
        if user_input is not None:
            info, errors = await self._validate(engine.url, engine.token)
            if info is not None:
                # The engine's own word for which engine it is, as in the user step.
                await self.async_set_unique_id(info.instance_id, raise_on_progress=False)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title="HomeIQ", data={CONF_URL: engine.url, CONF_API_TOKEN: engine.token}
                )
        return self.async_show_form(
            step_id="hassio_confirm",
            description_placeholders={"addon": engine.name},
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start re-authentication after the engine refused the token."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new token for the same engine."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            info, errors = await self._validate(entry.data[CONF_URL], user_input[CONF_API_TOKEN])
            if info is not None:
                await self.async_set_unique_id(info.instance_id)
                self._abort_if_unique_id_mismatch(reason="wrong_instance")
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_API_TOKEN: user_input[CONF_API_TOKEN]}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=REAUTH_SCHEMA,
            errors=errors,
            description_placeholders={"url": entry.data[CONF_URL]},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the URL or token of the same engine."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            url = user_input[CONF_URL].strip().rstrip("/")
            info, errors = await self._validate(url, user_input[CONF_API_TOKEN])
            if info is not None:
                await self.async_set_unique_id(info.instance_id)
                self._abort_if_unique_id_mismatch(reason="wrong_instance")
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_URL: url, CONF_API_TOKEN: user_input[CONF_API_TOKEN]}
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                USER_SCHEMA, user_input or {CONF_URL: entry.data[CONF_URL]}
            ),
            errors=errors,
        )


class HomeIQOptionsFlow(OptionsFlow):
    """Tune how often HomeIQ polls and what it shows."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and save the options."""
        if user_input is not None:
            # The number selector answers floats; the interval is whole seconds.
            interval = int(user_input[CONF_UPDATE_INTERVAL])
            options = {**user_input, CONF_UPDATE_INTERVAL: interval}
            # The reload is scheduled here rather than by an update listener, which Home
            # Assistant 2026.12 refuses beside the reauth and reconfigure steps'
            # async_update_reload_and_abort (OptionsFlowWithReload does this but is 2025.8+).
            entry = self.config_entry
            if self.hass.config_entries.async_update_entry(entry, options=options):
                self.hass.config_entries.async_schedule_reload(entry.entry_id)
            return self.async_create_entry(data=options)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, self.config_entry.options
            ),
        )
