"""Starting and stopping the automation module: suggestions and deployments."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from engine.automation.deployment.service import DeploymentService
from engine.automation.keys import DEPLOYMENTS, SUGGESTIONS
from engine.automation.suggestions.service import SuggestionService
from engine.automation.suggestions.store import SuggestionStore
from engine.ha.keys import MIRROR
from engine.home.keys import HOME
from engine.keys import DATABASE, STREAM
from engine.patterns.keys import PATTERNS
from engine.preferences.keys import PREFERENCES


async def automation_context(app: web.Application) -> AsyncIterator[None]:
    """Open the automation module after home and patterns; stop following Home Assistant first."""
    home = app[HOME]
    mirror = app.get(MIRROR)
    preferences = app[PREFERENCES]

    async def deployment_feedback(suggestion_id: str, action: str) -> None:
        # Bound late: suggestions deploy through the deployments, which report back here.
        await suggestions.deployment_feedback(suggestion_id, action)

    deployments = DeploymentService(
        app[DATABASE],
        lambda: home.catalog,
        lambda: mirror.client if mirror is not None else None,
        app[STREAM],
        on_feedback=deployment_feedback,
    )
    suggestions = SuggestionService(
        SuggestionStore(app[DATABASE]),
        lambda: home.catalog,
        app[PATTERNS],
        deployments,
        app[STREAM],
        exclusions=lambda: preferences.current.exclude,
    )
    await deployments.setup()
    if mirror is not None:
        # Deployed automations the user disables or deletes in Home Assistant are noticed.
        mirror.on_state_changed(deployments.state_changed)
        mirror.on_automations_synced(deployments.automations_synced)
    app[DEPLOYMENTS] = deployments
    app[SUGGESTIONS] = suggestions
    try:
        yield
    finally:
        await deployments.close()
