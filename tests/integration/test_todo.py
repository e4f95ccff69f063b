"""The suggestions to-do list: check to approve and deploy, remove to reject."""

from __future__ import annotations

from typing import Any, cast

import pytest
from homeassistant.components.todo import TodoItem
from homeassistant.components.todo.const import DATA_COMPONENT, TodoItemStatus
from homeassistant.components.todo.const import DOMAIN as TODO_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (  # type: ignore[import-untyped]
    AiohttpClientMocker,
)
from pytest_homeassistant_custom_component.typing import (  # type: ignore[import-untyped]
    WebSocketGenerator,
)

from custom_components.homeiq.const import DEFAULT_ENGINE_URL, DOMAIN

from .conftest import (
    JSON,
    TOKEN,
    answer_error,
    exception_message,
    sent,
    serve_engine,
    setup_integration,
    suggestion,
)

TODO = "todo.homeiq_engine_suggestions"
SCORE_MEANING = "(0 to 1: how likely it is a habit worth it)."
FIRST, SECOND, THIRD = (f"sugg{n:016d}" for n in range(3))


def _approve_path(suggestion_id: str) -> str:
    return f"/api/v1/suggestions/{suggestion_id}/approve"


def _reject_path(suggestion_id: str) -> str:
    return f"/api/v1/suggestions/{suggestion_id}/reject"


async def _items(hass: HomeAssistant) -> list[dict[str, Any]]:
    """The to-do list's items as the todo.get_items action returns them."""
    response = await hass.services.async_call(
        TODO_DOMAIN,
        "get_items",
        {ATTR_ENTITY_ID: TODO},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return cast(list[dict[str, Any]], cast(dict[str, Any], response[TODO])["items"])


async def _update(hass: HomeAssistant, item: str, **changes: Any) -> None:
    await hass.services.async_call(
        TODO_DOMAIN,
        "update_item",
        {ATTR_ENTITY_ID: TODO, "item": item, **changes},
        blocking=True,
    )


async def test_the_list_shows_the_pending_suggestions(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    assert await _items(hass) == [
        {
            "uid": f"sugg{n:016d}",
            "summary": f"Turn on the kitchen light at 07:0{n}",
            "status": "needs_action",
            "description": (
                f"On {10 + n} of 21 days the kitchen light turned on near 07:00.\n"
                f"Score 0.{90 - n} {SCORE_MEANING}"
            ),
        }
        for n in range(3)
    ]
    state = hass.states.get(TODO)
    assert state is not None
    assert state.state == "3"


async def test_checking_an_item_approves_and_deploys_it(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    # After the approval the engine no longer lists it as pending.
    serve_engine(aioclient_mock, suggestions=[suggestion(0), suggestion(2)])
    aioclient_mock.post(
        f"{DEFAULT_ENGINE_URL}{_approve_path(SECOND)}",
        json={"suggestion": suggestion(1, status="deployed"), "deployment": None},
        headers=JSON,
    )

    await _update(hass, SECOND, status="completed")
    await hass.async_block_till_done()

    [(body, headers)] = sent(aioclient_mock, "POST", _approve_path(SECOND))
    assert body == {"deploy": True, "confirm": False}
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert [item["uid"] for item in await _items(hass)] == [FIRST, THIRD]
    state = hass.states.get(TODO)
    assert state is not None
    assert state.state == "2"


async def test_an_item_can_be_checked_by_its_title(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    engine.post(
        f"{DEFAULT_ENGINE_URL}{_approve_path(THIRD)}",
        json={"suggestion": suggestion(2, status="deployed"), "deployment": None},
        headers=JSON,
    )
    await _update(hass, "Turn on the kitchen light at 07:02", status="completed")
    [(body, _headers)] = sent(engine, "POST", _approve_path(THIRD))
    assert body == {"deploy": True, "confirm": False}


async def test_an_item_that_needs_confirmation_is_not_approved_from_the_list(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    lock = suggestion(4, title="Lock the front door at 23:00", requires_confirmation=True)
    serve_engine(aioclient_mock, suggestions=[lock])
    await setup_integration(hass, config_entry)
    aioclient_mock.mock_calls.clear()

    with pytest.raises(ServiceValidationError) as raised:
        await _update(hass, lock["id"], status="completed")

    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "confirmation_required"
    assert raised.value.translation_placeholders == {
        "title": "Lock the front door at 23:00",
        "service": "homeiq.approve",
        "suggestion_id": lock["id"],
    }
    assert str(raised.value) == (
        '"Lock the front door at 23:00" controls a security-sensitive device and needs an '
        "explicit confirmation: approve it in the HomeIQ panel, or call the homeiq.approve "
        f"action with suggestion_id {lock['id']} and confirm: true"
    )
    assert aioclient_mock.mock_calls == []


@pytest.mark.parametrize(
    "changes",
    [
        {"rename": "Turn on the kitchen light at 06:30"},
        {"rename": "Turn on the kitchen light at 06:30", "status": "completed"},
        {"description": "Every day at 06:30 instead.", "status": "completed"},
        {"status": "needs_action"},
    ],
    ids=["rename", "rename and check", "edit the description and check", "reopen"],
)
async def test_editing_an_item_otherwise_is_refused(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    changes: dict[str, str],
) -> None:
    await setup_integration(hass, config_entry)
    engine.mock_calls.clear()
    with pytest.raises(ServiceValidationError) as raised:
        await _update(hass, FIRST, **changes)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "todo_edit_unsupported"
    assert str(raised.value) == exception_message("todo_edit_unsupported")
    assert engine.mock_calls == []


async def test_removing_items_rejects_each(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    serve_engine(aioclient_mock, suggestions=[suggestion(1)])
    for number in (0, 2):
        aioclient_mock.post(
            f"{DEFAULT_ENGINE_URL}{_reject_path(f'sugg{number:016d}')}",
            json={"suggestion": suggestion(number, status="rejected")},
            headers=JSON,
        )

    await hass.services.async_call(
        TODO_DOMAIN,
        "remove_item",
        {ATTR_ENTITY_ID: TODO, "item": [FIRST, "Turn on the kitchen light at 07:02"]},
        blocking=True,
    )
    await hass.async_block_till_done()

    posts = [
        (str(url), data) for method, url, data, _h in aioclient_mock.mock_calls if method == "POST"
    ]
    assert posts == [
        (f"{DEFAULT_ENGINE_URL}{_reject_path(FIRST)}", {}),
        (f"{DEFAULT_ENGINE_URL}{_reject_path(THIRD)}", {}),
    ]
    assert [item["uid"] for item in await _items(hass)] == [SECOND]


async def test_a_failed_rejection_still_refreshes_the_list(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    # The first was rejected elsewhere meanwhile; the engine no longer knows it as pending.
    serve_engine(aioclient_mock, suggestions=[suggestion(1), suggestion(2)])
    answer_error(
        aioclient_mock, _reject_path(FIRST), 404, "not_found", f"No pending suggestion {FIRST}."
    )
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            TODO_DOMAIN,
            "remove_item",
            {ATTR_ENTITY_ID: TODO, "item": [FIRST, SECOND]},
            blocking=True,
        )
    assert raised.value.translation_key == "not_found"
    assert (
        str(raised.value) == f"The HomeIQ engine does not know it: No pending suggestion {FIRST}."
    )
    # It stopped at the first failure, and showed the engine's current list.
    assert len(sent(aioclient_mock, "POST", _reject_path(FIRST))) == 1
    assert sent(aioclient_mock, "POST", _reject_path(SECOND)) == []
    assert [item["uid"] for item in await _items(hass)] == [SECOND, THIRD]


@pytest.mark.parametrize("service", ["update_item", "remove_item"])
async def test_an_unknown_item_is_an_error(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry, service: str
) -> None:
    await setup_integration(hass, config_entry)
    engine.mock_calls.clear()
    data: dict[str, Any] = {ATTR_ENTITY_ID: TODO, "item": "sugg9999999999999999"}
    if service == "update_item":
        data["status"] = "completed"
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(TODO_DOMAIN, service, data, blocking=True)
    assert raised.value.translation_key == "item_not_found"
    assert engine.mock_calls == []


async def test_an_item_no_longer_pending_is_an_error(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    """What the to-do entity refuses when asked directly for a suggestion it does not show."""
    await setup_integration(hass, config_entry)
    entity = hass.data[DATA_COMPONENT].get_entity(TODO)
    assert entity is not None
    engine.mock_calls.clear()
    for uid in ("sugg9999999999999999", None):
        with pytest.raises(ServiceValidationError) as raised:
            await entity.async_update_todo_item(
                TodoItem(uid=uid, summary="Gone", status=TodoItemStatus.COMPLETED)
            )
        assert raised.value.translation_key == "suggestion_not_pending"
        assert str(raised.value) == exception_message(
            "suggestion_not_pending", suggestion_id=str(uid)
        )
    with pytest.raises(ServiceValidationError):
        await entity.async_delete_todo_items([FIRST, "sugg9999999999999999"])
    assert engine.mock_calls == []


async def test_an_engine_error_while_approving_is_raised(
    hass: HomeAssistant, engine: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    await setup_integration(hass, config_entry)
    engine.mock_calls.clear()
    answer_error(
        engine, _approve_path(FIRST), 503, "ha_unavailable", "Home Assistant is not connected."
    )
    with pytest.raises(HomeAssistantError) as raised:
        await _update(hass, FIRST, status="completed")
    assert type(raised.value) is HomeAssistantError
    assert raised.value.translation_key == "engine_unavailable"
    assert str(raised.value) == (
        "A service the HomeIQ engine needs is unavailable: Home Assistant is not connected."
    )
    assert len(sent(engine, "POST", _approve_path(FIRST))) == 1
    # Still listed: nothing was approved.
    assert [item["uid"] for item in await _items(hass)] == [FIRST, SECOND, THIRD]


def _described(suggestion_data: dict[str, Any]) -> str:
    """The description the list shows for a suggestion (what the dialog saves back)."""
    return f"{suggestion_data['description']}\nScore {suggestion_data['score']:.2f} {SCORE_MEANING}"


async def test_saving_the_item_dialog_with_the_check_approves_it(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """What Home Assistant's frontend sends when the item dialog is saved with its check."""
    serve_engine(aioclient_mock)
    await setup_integration(hass, config_entry)
    serve_engine(aioclient_mock, suggestions=[suggestion(0), suggestion(2)])
    aioclient_mock.post(
        f"{DEFAULT_ENGINE_URL}{_approve_path(SECOND)}",
        json={"suggestion": suggestion(1, status="deployed"), "deployment": None},
        headers=JSON,
    )
    client = await hass_ws_client(hass)
    # The frontend's updateItem (src/data/todo.ts): every field the dialog shows.
    await client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": TODO_DOMAIN,
            "service": "update_item",
            "service_data": {
                "item": SECOND,
                "rename": "Turn on the kitchen light at 07:01",
                "status": "completed",
                "description": _described(suggestion(1)),
            },
            "target": {ATTR_ENTITY_ID: TODO},
        }
    )
    result = await client.receive_json()
    assert result["success"], result
    await hass.async_block_till_done()
    [(body, _headers)] = sent(aioclient_mock, "POST", _approve_path(SECOND))
    assert body == {"deploy": True, "confirm": False}
    assert [item["uid"] for item in await _items(hass)] == [FIRST, THIRD]


async def test_a_refused_approval_shows_the_item_unchecked_again(
    hass: HomeAssistant,
    engine: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    await setup_integration(hass, config_entry)
    answer_error(
        engine, _approve_path(FIRST), 422, "unprocessable", "The automation controls a lock."
    )
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "todo/item/subscribe", "entity_id": TODO})
    assert (await client.receive_json())["success"]
    first = await client.receive_json()
    assert first["event"]["items"][0]["status"] == "needs_action"

    with pytest.raises(ServiceValidationError) as raised:
        await _update(hass, FIRST, status="completed", description=_described(suggestion(0)))

    assert raised.value.translation_key == "unprocessable"
    assert str(raised.value) == exception_message(
        "unprocessable", message="The automation controls a lock."
    )
    # The frontend ticked the box as it sent the call; the list it is sent again unticks it.
    again = await client.receive_json()
    assert [item["status"] for item in again["event"]["items"]] == ["needs_action"] * 3
    assert again["event"]["items"][0]["uid"] == FIRST


async def test_the_description_carries_the_explanation_and_its_evidence(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    evidence = {
        "days": [
            {"date": "2026-11-01", "times": ["07:01:00"]},
            {"date": "2026-11-02", "times": []},
            {"date": "2026-11-03", "times": ["06:58:00", "07:03:00"]},
        ]
    }
    explained = suggestion(
        0,
        explanation="On 2 of 3 days the kitchen light turned on within 5 minutes of 07:00.",
        evidence=evidence,
        requires_confirmation=True,
    )
    serve_engine(aioclient_mock, suggestions=[explained])
    await setup_integration(hass, config_entry)
    [item] = await _items(hass)
    assert item["description"] == (
        "On 10 of 21 days the kitchen light turned on near 07:00.\n"
        "Why: On 2 of 3 days the kitchen light turned on within 5 minutes of 07:00.\n"
        "Seen on 2 of 3 days.\n"
        f"Score 0.90 {SCORE_MEANING}\n"
        "Controls a security-sensitive device: approve it in the HomeIQ panel."
    )


async def test_a_description_that_repeats_the_title_is_not_shown_twice(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, config_entry: MockConfigEntry
) -> None:
    titled = suggestion(
        0,
        title="Turn on the hall light when the front door opens",
        description="Turn on the hall light when the front door opens.",
        explanation="On 18 of 21 days the hall light turned on within 2 minutes of the door.",
    )
    serve_engine(aioclient_mock, suggestions=[titled])
    await setup_integration(hass, config_entry)
    [item] = await _items(hass)
    assert item["description"] == (
        "Why: On 18 of 21 days the hall light turned on within 2 minutes of the door.\n"
        f"Score 0.90 {SCORE_MEANING}"
    )
