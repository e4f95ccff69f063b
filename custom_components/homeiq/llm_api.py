"""HomeIQ as a language-model API: tools that draft, list, explain, approve and reject."""

from __future__ import annotations

from typing import Any, Final, cast

import voluptuous as vol
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import llm
from homeassistant.util.json import JsonObjectType, JsonValueType

from .api import Query, Suggestion
from .const import DOMAIN
from .coordinator import HomeIQConfigEntry, HomeIQCoordinator
from .errors import engine_errors
from .labels import async_tag_deployment

API_NAME: Final = "HomeIQ"
MAX_REQUEST: Final = 1000
MAX_LIST: Final = 20
DEFAULT_LIST: Final = 5
PENDING: Final = "pending"

API_PROMPT: Final = (
    "HomeIQ drafts Home Assistant automations from a request and learns the home's habits. "
    "When the user wants something to happen by itself (at a time, at sunset, when a door "
    "opens), call HomeIQDraftAutomation with their words: it only drafts a pending suggestion. "
    "Approve a suggestion only after the user clearly says yes to it; one that needs "
    "confirmation (locks, alarms, garage doors, valves) must be confirmed by the user in the "
    "HomeIQ panel. To switch a device now, use other tools, not HomeIQ."
)

_LIMIT = vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_LIST))
_ID = vol.All(cv.string, vol.Length(min=1, max=200))


@callback
def async_register_llm_api(hass: HomeAssistant) -> None:
    """Offer HomeIQ's tools to every conversation agent that uses a language model."""
    llm.async_register_api(hass, HomeIQAPI(hass))


class HomeIQAPI(llm.API):
    """The HomeIQ tools, with a prompt that says when to use them."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Name the API as the agents' options list it."""
        super().__init__(hass=hass, id=DOMAIN, name=API_NAME)

    async def async_get_api_instance(self, llm_context: llm.LLMContext) -> llm.APIInstance:
        """Return the tools for one conversation turn."""
        return llm.APIInstance(
            api=self,
            api_prompt=API_PROMPT,
            llm_context=llm_context,
            tools=[
                DraftAutomationTool(),
                ListSuggestionsTool(),
                ExplainHabitsTool(),
                ApproveSuggestionTool(),
                RejectSuggestionTool(),
            ],
        )


def _coordinator(hass: HomeAssistant) -> HomeIQCoordinator:
    """Return the loaded engine's coordinator (the first, with several)."""
    loaded = hass.config_entries.async_loaded_entries(DOMAIN)
    if not loaded:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="no_entry_loaded")
    return cast(HomeIQConfigEntry, loaded[0]).runtime_data


def _brief(suggestion: Suggestion) -> JsonObjectType:
    """Return what a model needs to talk about a suggestion (no YAML, no URLs)."""
    return {
        "suggestion_id": suggestion["id"],
        "title": suggestion["title"],
        "evidence": suggestion.get("explanation") or suggestion["description"],
        "score": round(suggestion["score"], 2),
        "source": suggestion["source"],
        "requires_confirmation": suggestion["requires_confirmation"],
    }


class _HomeIQTool(llm.Tool):
    """A tool that validates its arguments and calls the loaded engine."""

    # Newer Home Assistant asks every tool which integration provides it.
    integration = DOMAIN

    async def async_call(
        self, hass: HomeAssistant, tool_input: llm.ToolInput, llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Validate the arguments (Home Assistant 2025.4 does not), then run the tool."""
        args = self.parameters(tool_input.tool_args)
        coordinator = _coordinator(hass)
        async with engine_errors(coordinator):
            return await self.run(coordinator, args, llm_context)

    async def run(
        self, coordinator: HomeIQCoordinator, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Do the tool's work with validated arguments."""
        raise NotImplementedError


class DraftAutomationTool(_HomeIQTool):
    """Turn a request into a pending suggestion; never deploys."""

    name = "HomeIQDraftAutomation"
    description = (
        "Draft a Home Assistant automation from the user's request in their own words, e.g. "
        "'every weekday at 7 turn on the kitchen light'. Creates a pending suggestion; "
        "nothing is switched on until it is approved."
    )
    parameters = vol.Schema(
        {vol.Required("request"): vol.All(cv.string, vol.Length(min=1, max=MAX_REQUEST))}
    )

    async def run(
        self, coordinator: HomeIQCoordinator, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Ask the engine; say what it drafted, what it needs to know, or why it could not."""
        language = llm_context.language or coordinator.hass.config.language
        query = await coordinator.client.ask(args["request"], language=language)
        return await _drafted(coordinator, query)


async def _drafted(coordinator: HomeIQCoordinator, query: Query) -> JsonObjectType:
    """Describe what an automation request became, for a model."""
    if query["kind"] != "automation":
        return {
            "status": "not_an_automation",
            "message": "Not an automation request; use Home Assistant's own tools for it.",
        }
    if query["status"] == "needs_clarification":
        return {
            "status": "needs_clarification",
            "questions": [
                {
                    "question": clarification["question"],
                    "options": [o["label"] for o in clarification.get("options") or []],
                }
                for clarification in query["clarifications"]
            ],
            "message": "Ask the user, then call again with a request that says it.",
        }
    if query["status"] != "ready" or not query["suggestions"]:
        return {"status": "not_drafted", "message": query.get("message", "")}
    suggestion = query["suggestions"][0]
    if suggestion["status"] != PENDING:
        # Asked for before: the engine answers with that suggestion, as it is now.
        return {"status": "exists", "suggestion_status": suggestion["status"], **_brief(suggestion)}
    await coordinator.async_request_refresh()
    return {"status": "drafted", **_brief(suggestion)}


class ListSuggestionsTool(_HomeIQTool):
    """The pending suggestions, best first, with their evidence."""

    name = "HomeIQListSuggestions"
    description = (
        "List HomeIQ's pending automation suggestions, best first, each with the evidence "
        "from the home's history that supports it."
    )
    parameters = vol.Schema({vol.Optional("limit", default=DEFAULT_LIST): _LIMIT})

    async def run(
        self, coordinator: HomeIQCoordinator, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Return the best pending suggestions and how many there are."""
        page = await coordinator.client.list_suggestions(
            status=PENDING, min_score=coordinator.min_score or None, limit=args["limit"]
        )
        suggestions: list[JsonValueType] = [_brief(s) for s in page["suggestions"]]
        return {"total": page.get("total", len(suggestions)), "suggestions": suggestions}


class ExplainHabitsTool(_HomeIQTool):
    """The habits HomeIQ found in the home's history, in sentences with counts."""

    name = "HomeIQExplainHabits"
    description = (
        "Explain the household's habits HomeIQ learned from the home's history (routines, "
        "times of day, things that happen together), optionally for one entity."
    )
    parameters = vol.Schema(
        {
            vol.Optional("limit", default=DEFAULT_LIST): _LIMIT,
            vol.Optional("entity_id"): cv.entity_id,
        }
    )

    async def run(
        self, coordinator: HomeIQCoordinator, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Return the strongest habits, each as its sentence with how sure HomeIQ is."""
        page = await coordinator.client.list_patterns(
            entity_id=args.get("entity_id"), limit=args["limit"]
        )
        habits: list[JsonValueType] = [
            {
                "habit": pattern.get("description"),
                "type": pattern.get("type"),
                "entities": pattern.get("entities", []),
                "confidence": round(float(pattern.get("confidence") or 0), 2),
                "days_seen": pattern.get("support_days"),
                "days_observed": pattern.get("observed_days"),
            }
            for pattern in page["patterns"]
        ]
        return {"total": page.get("total", len(habits)), "habits": habits}


class ApproveSuggestionTool(_HomeIQTool):
    """Approve and deploy a pending suggestion the user said yes to."""

    name = "HomeIQApproveSuggestion"
    description = (
        "Approve a pending HomeIQ suggestion and switch its automation on, only after the user "
        "clearly agreed. Refuses suggestions that need confirmation in the HomeIQ panel."
    )
    parameters = vol.Schema({vol.Required("suggestion_id"): _ID})

    async def run(
        self, coordinator: HomeIQCoordinator, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Refuse what is not pending or is security-sensitive; deploy the rest."""
        suggestion = await coordinator.client.get_suggestion(args["suggestion_id"])
        if suggestion["status"] != PENDING:
            return {
                "approved": False,
                "reason": "not_pending",
                "message": f"'{suggestion['title']}' is {suggestion['status']}, not pending.",
            }
        if suggestion["requires_confirmation"]:
            return {
                "approved": False,
                "reason": "requires_confirmation",
                "message": (
                    f"'{suggestion['title']}' controls a security-sensitive device: the user "
                    "must confirm it in the HomeIQ panel."
                ),
            }
        approval = await coordinator.client.approve_suggestion(suggestion["id"], deploy=True)
        deployment = approval["deployment"]
        if deployment is not None:
            async_tag_deployment(coordinator.hass, deployment)
        await coordinator.async_request_refresh()
        return {
            "approved": True,
            "title": suggestion["title"],
            "deployed": deployment is not None,
            "entity_id": deployment["entity_id"] if deployment is not None else None,
        }


class RejectSuggestionTool(_HomeIQTool):
    """Reject a suggestion the user does not want, so it is not made again."""

    name = "HomeIQRejectSuggestion"
    description = "Reject a HomeIQ suggestion the user does not want; it is not suggested again."
    parameters = vol.Schema(
        {
            vol.Required("suggestion_id"): _ID,
            vol.Optional("reason"): vol.All(cv.string, vol.Length(min=1, max=MAX_REQUEST)),
        }
    )

    async def run(
        self, coordinator: HomeIQCoordinator, args: dict[str, Any], llm_context: llm.LLMContext
    ) -> JsonObjectType:
        """Reject it; say which one."""
        rejection = await coordinator.client.reject_suggestion(
            args["suggestion_id"], args.get("reason")
        )
        await coordinator.async_request_refresh()
        return {"rejected": True, "title": rejection["suggestion"]["title"]}
