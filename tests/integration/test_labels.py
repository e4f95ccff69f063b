"""Deployed automations get the "HomeIQ" label and automation category in Home Assistant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from unittest.mock import patch

from homeassistant.components.todo.const import DOMAIN as TODO_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import category_registry as cr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import label_registry as lr
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)

from custom_components.homeiq.api import StreamMessage
from custom_components.homeiq.const import DEFAULT_ENGINE_URL, DOMAIN
from custom_components.homeiq.labels import async_tag_deployment

from .conftest import JSON, setup_integration, suggestion

SUGGESTION_ID = "sugg0000000000000001"
AUTOMATION_ID = f"homeiq_{SUGGESTION_ID}"
DEADLINE_S = 10


def _deployment(**changes: Any) -> dict[str, Any]:
    """A deployment as the engine answers it (API.md)."""
    return {
        "automation_id": AUTOMATION_ID,
        "entity_id": "automation.kitchen_light_at_7",
        "version": 1,
        "status": "deployed",
        "suggestion_id": SUGGESTION_ID,
        "deployed_at": "2026-11-22T08:00:00+00:00",
        **changes,
    }


def _automation(entity_registry: er.EntityRegistry) -> er.RegistryEntry:
    """The automation as Home Assistant registers it: its config id is its unique id."""
    return entity_registry.async_get_or_create(
        "automation", "automation", AUTOMATION_ID, suggested_object_id="kitchen_light_at_7"
    )


def _homeiq_ids(hass: HomeAssistant) -> tuple[str, str]:
    """The HomeIQ label's and automation category's ids (exactly one of each)."""
    [label] = [label for label in lr.async_get(hass).async_list_labels() if label.name == "HomeIQ"]
    [category] = list(cr.async_get(hass).async_list_categories(scope="automation"))
    assert category.name == "HomeIQ"
    return label.label_id, category.category_id


async def test_the_approve_action_labels_and_categorises_the_automation(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    await setup_integration(hass, config_entry)
    automation = _automation(entity_registry)
    mine = lr.async_get(hass).async_create("Kitchen")
    entity_registry.async_update_entity(automation.entity_id, labels={mine.label_id})
    approval = {"suggestion": suggestion(1, status="deployed"), "deployment": _deployment()}
    engine.post(
        f"{DEFAULT_ENGINE_URL}/api/v1/suggestions/{SUGGESTION_ID}/approve",
        json=approval,
        headers=JSON,
    )

    await hass.services.async_call(
        DOMAIN,
        "approve",
        {"config_entry_id": config_entry.entry_id, "suggestion_id": SUGGESTION_ID},
        blocking=True,
        return_response=True,
    )

    label_id, category_id = _homeiq_ids(hass)
    tagged = entity_registry.async_get(automation.entity_id)
    assert tagged is not None
    # Beside the user's own label.
    assert tagged.labels == {mine.label_id, label_id}
    assert tagged.categories == {"automation": category_id}


async def test_checking_a_to_do_item_labels_the_automation(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    await setup_integration(hass, config_entry)
    automation = _automation(entity_registry)
    approval = {"suggestion": suggestion(1, status="deployed"), "deployment": _deployment()}
    engine.post(
        f"{DEFAULT_ENGINE_URL}/api/v1/suggestions/{SUGGESTION_ID}/approve",
        json=approval,
        headers=JSON,
    )
    await hass.services.async_call(
        TODO_DOMAIN,
        "update_item",
        {
            ATTR_ENTITY_ID: "todo.homeiq_engine_suggestions",
            "item": SUGGESTION_ID,
            "status": "completed",
        },
        blocking=True,
    )
    label_id, category_id = _homeiq_ids(hass)
    tagged = entity_registry.async_get(automation.entity_id)
    assert tagged is not None
    assert tagged.labels == {label_id}
    assert tagged.categories == {"automation": category_id}


async def test_approving_in_the_panel_labels_the_automation(
    hass: HomeAssistant,
    hass_ws_client: Any,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    await setup_integration(hass, config_entry)
    automation = _automation(entity_registry)
    approval = {"suggestion": suggestion(1, status="deployed"), "deployment": _deployment()}
    engine.post(
        f"{DEFAULT_ENGINE_URL}/api/v1/suggestions/{SUGGESTION_ID}/approve",
        json=approval,
        headers=JSON,
    )
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "homeiq/suggestion/approve", "suggestion_id": SUGGESTION_ID}
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    label_id, category_id = _homeiq_ids(hass)
    tagged = entity_registry.async_get(automation.entity_id)
    assert tagged is not None
    assert tagged.labels == {label_id}
    assert tagged.categories == {"automation": category_id}


async def test_a_deployment_pushed_by_the_engine_is_labelled(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """What the panel approves reaches Home Assistant as the stream's deployment_changed."""
    automation = _automation(entity_registry)
    pushed = asyncio.Event()

    async def messages() -> AsyncIterator[StreamMessage]:
        yield StreamMessage(
            type="deployment_changed",
            data={**_deployment(), "change": "deployed", "source": "homeiq"},
        )
        pushed.set()

    @asynccontextmanager
    async def stream(_client: object) -> AsyncIterator[AsyncIterator[StreamMessage]]:
        yield messages()

    with patch("custom_components.homeiq.api.HomeIQClient.stream", stream):
        await setup_integration(hass, config_entry)
        async with asyncio.timeout(DEADLINE_S):
            await pushed.wait()
        await hass.async_block_till_done()

    label_id, category_id = _homeiq_ids(hass)
    tagged = entity_registry.async_get(automation.entity_id)
    assert tagged is not None
    assert tagged.labels == {label_id}
    assert tagged.categories == {"automation": category_id}


async def test_a_category_the_user_chose_is_kept_and_nothing_is_made_twice(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    automation = _automation(entity_registry)
    theirs = cr.async_get(hass).async_create(name="Lights", scope="automation")
    entity_registry.async_update_entity(
        automation.entity_id, categories={"automation": theirs.category_id}
    )
    async_tag_deployment(hass, _deployment())
    async_tag_deployment(hass, _deployment(version=2))
    tagged = entity_registry.async_get(automation.entity_id)
    assert tagged is not None
    assert tagged.categories == {"automation": theirs.category_id}
    # One label for both deployments; no HomeIQ category while the user's is kept.
    [label] = lr.async_get(hass).async_list_labels()
    assert tagged.labels == {label.label_id}
    names = [c.name for c in cr.async_get(hass).async_list_categories(scope="automation")]
    assert names == ["Lights"]


async def test_a_removed_or_unregistered_automation_is_left_alone(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    automation = _automation(entity_registry)
    async_tag_deployment(hass, _deployment(status="removed"))
    async_tag_deployment(
        hass, _deployment(automation_id="homeiq_other", entity_id="automation.not_yet_there")
    )
    untouched = entity_registry.async_get(automation.entity_id)
    assert untouched is not None
    assert untouched.labels == set()
    assert untouched.categories == {}
    assert list(lr.async_get(hass).async_list_labels()) == []
