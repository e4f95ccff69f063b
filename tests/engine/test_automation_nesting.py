"""Configs nested too deep are refused by name, never by a RecursionError (and never a 500)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

import orjson
import pytest
import voluptuous as vol
import yaml

from engine.automation.issues import format_path
from engine.automation.nesting import MAX_DATA_DEPTH, MAX_NESTING, too_deep
from engine.automation.safety import assess_safety
from engine.automation.schemas import AUTOMATION_SCHEMA
from engine.automation.suggestions.fingerprint import _canonical
from engine.automation.walk import walk
from engine.automation.yaml_render import automation_to_yaml, normalise_automation

from .conftest import AUTH, Client
from .test_analysis_api import _get
from .test_automation_validation import HOME, IS_ON, KITCHEN_LIGHT, automation, validate
from .test_suggestions_api import HABITS, _post, _seeded

UNLOCK: Final = {"action": "lock.unlock", "target": {"entity_id": "lock.front_door"}}
# Far past the limits, and past Python's recursion limit of 1000 frames.
VERY_DEEP: Final = 3000

type Nest = Callable[[dict[str, Any]], dict[str, Any]]

# Each way one action holds another: wrapping an action n times nests it n + 1 deep.
NESTS: Final[dict[str, Nest]] = {
    "if": lambda inner: {"if": [IS_ON], "then": [inner]},
    "else": lambda inner: {"if": [IS_ON], "then": [KITCHEN_LIGHT], "else": [inner]},
    "choose": lambda inner: {"choose": [{"conditions": [IS_ON], "sequence": [inner]}]},
    "default": lambda inner: {
        "choose": [{"conditions": [IS_ON], "sequence": [KITCHEN_LIGHT]}],
        "default": [inner],
    },
    "repeat": lambda inner: {"repeat": {"count": 2, "sequence": [inner]}},
}


def nested(wrap: Nest, times: int, inner: dict[str, Any] = KITCHEN_LIGHT) -> dict[str, Any]:
    """Return an action wrapped `times` times."""
    action = inner
    for _ in range(times):
        action = wrap(action)
    return action


def deep_data(levels: int) -> dict[str, Any]:
    """Return service data `levels` mappings deep: {"a": {"a": ... {"x": 1}}}."""
    data: dict[str, Any] = {"x": 1}
    for _ in range(levels - 1):
        data = {"a": data}
    return data


def with_data(levels: int) -> dict[str, Any]:
    return automation(actions=[{**KITCHEN_LIGHT, "data": deep_data(levels)}])


def deep_conditions(levels: int) -> dict[str, Any]:
    """Return an automation whose first condition holds `levels - 1` conditions in one another."""
    condition: dict[str, Any] = IS_ON
    for index in range(levels - 1):
        condition = {"condition": ("and", "or", "not")[index % 3], "conditions": [condition]}
    return automation(conditions=[condition])


def refusal(config: dict[str, Any]) -> tuple[str, str]:
    """Return the path and message of a refused config's one error, invalid_structure."""
    result = validate(config)
    assert not result.valid
    assert [found.code for found in result.errors] == ["invalid_structure"]
    (found,) = result.errors
    return found.path, found.message


@pytest.mark.parametrize("name", NESTS)
def test_actions_nest_up_to_the_limit(name: str) -> None:
    config = automation(actions=[nested(NESTS[name], MAX_NESTING - 1)])
    result = validate(config)
    assert result.valid, result.errors
    assert max(node.depth for node in walk(config)) == MAX_NESTING


@pytest.mark.parametrize("name", NESTS)
@pytest.mark.parametrize("times", [MAX_NESTING, 200, VERY_DEEP])
def test_actions_nested_too_deep_are_refused_where_the_limit_is_passed(
    name: str, times: int
) -> None:
    config = automation(actions=[nested(NESTS[name], times)])
    path, message = refusal(config)
    # The first node past the limit, in the config's order, is where the refusal points.
    first = next(node for node in walk(config) if node.depth > MAX_NESTING)
    assert path == format_path(first.path)
    assert message == f"Triggers, conditions and actions may nest at most {MAX_NESTING} deep"


def test_the_refusal_names_the_exact_path() -> None:
    config = automation(actions=[nested(NESTS["if"], 200)])
    # 32 nodes deep: actions[0] and 31 thens; the 32nd if's own condition is the 33rd node.
    assert refusal(config)[0] == "actions[0]" + ".then[0]" * (MAX_NESTING - 1) + ".if[0]"


def test_conditions_nested_too_deep_are_refused() -> None:
    assert validate(deep_conditions(MAX_NESTING)).valid
    path, _ = refusal(deep_conditions(MAX_NESTING + 1))
    assert path == "conditions[0]" + ".conditions[0]" * MAX_NESTING
    assert refusal(deep_conditions(VERY_DEEP))[0] == path


def test_data_nests_up_to_the_limit() -> None:
    assert validate(with_data(MAX_DATA_DEPTH)).valid


@pytest.mark.parametrize("levels", [MAX_DATA_DEPTH + 1, 900, VERY_DEEP])
def test_data_nested_too_deep_is_refused_where_the_limit_is_passed(levels: int) -> None:
    path, message = refusal(with_data(levels))
    # data is the first level, data.a the second: the 33rd is 32 a's below data.
    assert path == "actions[0].data" + ".a" * MAX_DATA_DEPTH
    assert message == f"Data may nest at most {MAX_DATA_DEPTH} mappings and lists deep"


def test_lists_count_as_levels_and_every_field_is_measured() -> None:
    listed: Any = 1
    for _ in range(MAX_DATA_DEPTH + 1):
        listed = [listed]
    config = automation(actions=[{**KITCHEN_LIGHT, "target": {"entity_id": listed}}])
    assert refusal(config)[0] == "actions[0].target" + ".entity_id" + "[0]" * (MAX_DATA_DEPTH - 1)
    # A key the schema would refuse is measured too: every part of a config is read.
    assert (
        refusal({**automation(), "variables": deep_data(900)})[0]
        == "variables" + ".a" * MAX_DATA_DEPTH
    )


def test_legacy_sections_nest_as_the_modern_ones() -> None:
    legacy: dict[str, Any] = {"alias": "Old", "trigger": {"platform": "sun", "event": "sunset"}}
    legacy["action"] = [nested(NESTS["if"], 200)]
    assert refusal(legacy)[0].startswith("action[0].then[0]")


def test_a_config_that_holds_itself_is_refused_not_walked_forever() -> None:
    data: dict[str, Any] = {}
    data["again"] = data
    assert refusal(automation(actions=[{**KITCHEN_LIGHT, "data": data}]))[0].startswith(
        "actions[0].data.again.again"
    )
    loop: dict[str, Any] = {"if": [IS_ON], "then": []}
    loop["then"].append(loop)
    assert refusal(automation(actions=[loop]))[0].startswith("actions[0].then[0].then[0]")


def test_too_deep_is_none_for_a_config_within_the_limits() -> None:
    assert too_deep(automation(actions=[nested(NESTS["choose"], 10)])) is None
    assert too_deep("not a mapping") is None


def test_the_schema_refuses_a_deep_config_before_descending_into_it() -> None:
    with pytest.raises(vol.Invalid) as raised:
        AUTOMATION_SCHEMA(automation(actions=[nested(NESTS["repeat"], VERY_DEEP)]))
    assert "nest at most" in str(raised.value)


def test_walking_normalising_and_checking_safety_have_no_depth_limit() -> None:
    config = automation(actions=[nested(NESTS["if"], VERY_DEEP, UNLOCK)])
    assert sum(1 for node in walk(config) if node.kind == "action") == VERY_DEEP + 1
    assert normalise_automation(config) == config
    # The unlock at the bottom is found all the same.
    assert "confirm_lock" in [found.code for found in assess_safety(config, HOME).issues]
    deep = normalise_automation(with_data(VERY_DEEP))
    assert deep == with_data(VERY_DEEP)


def test_hashing_reads_any_depth() -> None:
    # The engine hashes Home Assistant's own automations too, which nothing validated.
    config = automation(actions=[nested(NESTS["if"], VERY_DEEP)])
    listed = {"action": "light.turn_on", "target": {"entity_id": ["light.kitchen"]}}
    only_if = {**IS_ON, "entity_id": ["light.kitchen"]}
    expected = nested(lambda inner: {"if": [only_if], "then": [inner]}, VERY_DEEP, listed)
    assert _canonical(config) == {**config, "actions": [expected]}


@pytest.mark.parametrize("levels", [MAX_DATA_DEPTH + 1, 200, 900])
def test_yaml_refuses_a_config_too_deep_by_name(levels: int) -> None:
    # Within orjson's 254 levels a config is remembered by its bytes; past them it is not.
    for _ in range(2):
        with pytest.raises(ValueError, match=r"nest at most 32 .*at actions\[0\]\.data"):
            automation_to_yaml(with_data(levels))
    assert yaml.safe_load(automation_to_yaml(with_data(MAX_DATA_DEPTH))) == with_data(32)


def _deep_body(levels: int, *, with_id: bool) -> bytes:
    """Return a deploy body whose action's data is `levels` deep."""
    # Built as text: the JSON encoders recurse, and orjson stops at 255 levels.
    config = automation(actions=[{**KITCHEN_LIGHT, "data": "DATA"}])
    if not with_id:
        del config["id"]
    data = '{"a":' * (levels - 1) + '{"x":1}' + "}" * (levels - 1)
    return orjson.dumps({"automation": config}).replace(b'"DATA"', data.encode())


DEPLOY_HOME: Final = {
    "time_zone": "Europe/Berlin",
    "entities": [{"entity_id": "light.kitchen", "name": "Kitchen light"}],
}


async def _deploy_raw(client: Client, body: bytes) -> tuple[int, dict[str, Any]]:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = await client.post("/api/v1/deployment/deploy", data=body, headers=headers)
    answer: dict[str, Any] = await response.json()
    return response.status, answer


async def _imported(client: Client) -> Client:
    imported = await client.post("/api/v1/home/import", json=DEPLOY_HOME, headers=AUTH)
    assert imported.status == 200, await imported.text()
    return client


@pytest.mark.parametrize(("levels", "with_id"), [(900, True), (200, False)])
async def test_deploying_deep_data_is_422(client: Client, levels: int, with_id: bool) -> None:
    status, answer = await _deploy_raw(await _imported(client), _deep_body(levels, with_id=with_id))
    assert status == 422, answer
    errors = answer["error"]["details"]["validation"]["errors"]
    assert [error["code"] for error in errors] == ["invalid_structure"]
    assert errors[0]["path"] == "actions[0].data" + ".a" * MAX_DATA_DEPTH


async def test_deploying_deeply_nested_actions_is_422(client: Client) -> None:
    body = {"automation": automation(actions=[nested(NESTS["if"], 200)])}
    # The standard encoder goes deeper than orjson's 255 levels.
    status, answer = await _deploy_raw(await _imported(client), json.dumps(body).encode())
    assert status == 422, answer
    assert answer["error"]["details"]["validation"]["errors"][0]["code"] == "invalid_structure"


async def test_deploying_very_deep_data_without_an_id_is_422(client: Client) -> None:
    status, answer = await _deploy_raw(await _imported(client), _deep_body(900, with_id=False))
    assert status == 422, answer


async def test_approving_a_suggestion_edited_too_deep_is_422(client: Client) -> None:
    await _seeded(client, *HABITS[:1])
    (made,) = (await _post(client, "/api/v1/suggestions/generate", {}))["suggestions"]
    edited = {**made["automation"], "actions": [nested(NESTS["choose"], 60)]}
    refused = await _post(
        client, f"/api/v1/suggestions/{made['id']}/approve", {"automation": edited}, 422
    )
    errors = refused["error"]["details"]["validation"]["errors"]
    assert [error["code"] for error in errors] == ["invalid_structure"]
    assert (await _get(client, f"/api/v1/suggestions/{made['id']}"))["status"] == "pending"
