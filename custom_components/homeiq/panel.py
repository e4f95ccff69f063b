"""The HomeIQ sidebar panel and dashboard card: one front-end module, served by the integration."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from homeassistant.components import frontend, panel_custom
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration

from .const import DOMAIN

STATIC_URL: Final = "/homeiq_static"
FRONTEND_DIR: Final = Path(__file__).parent / "frontend"
MODULE: Final = "homeiq.js"
PANEL_URL_PATH: Final = "homeiq"
PANEL_TITLE: Final = "HomeIQ"
PANEL_ICON: Final = "mdi:home-lightbulb-outline"
PANEL_ELEMENT: Final = "homeiq-panel"


async def async_setup_panel(hass: HomeAssistant) -> None:
    """Serve the front-end module, add the panel and load the card on every dashboard.

    Once per Home Assistant run, and only with the frontend loaded (a headless install
    has no sidebar to add to).
    """
    if "frontend" not in hass.config.components:
        return
    integration = await async_get_integration(hass, DOMAIN)
    # The version in the URL makes browsers fetch the module again after an upgrade.
    module_url = f"{STATIC_URL}/{MODULE}?v={integration.version}"
    await hass.http.async_register_static_paths(
        [StaticPathConfig(STATIC_URL, str(FRONTEND_DIR), cache_headers=False)]
    )
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_URL_PATH,
        webcomponent_name=PANEL_ELEMENT,
        sidebar_title=PANEL_TITLE,
        sidebar_icon=PANEL_ICON,
        module_url=module_url,
        embed_iframe=False,
        require_admin=True,
    )
    frontend.add_extra_js_url(hass, module_url)
