"""The automation module's application keys."""

from __future__ import annotations

from aiohttp import web

from engine.automation.deployment.service import DeploymentService
from engine.automation.suggestions.service import SuggestionService

DEPLOYMENTS = web.AppKey("deployments", DeploymentService)
SUGGESTIONS = web.AppKey("suggestions", SuggestionService)
