"""Deployment: deploy, list, versions, rollback, disable, enable, delete."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from engine.api.http import json_response, read_body
from engine.api.routing import ApiRoute
from engine.api.wire import json_schema
from engine.automation.deployment.wire import Deployment, Deployments, Versions
from engine.automation.keys import DEPLOYMENTS, SUGGESTIONS

_CONFIRM = vol.Optional("confirm", default=False)
DEPLOY_SCHEMA = vol.Schema(
    vol.Any(
        {vol.Required("automation"): dict, _CONFIRM: bool},
        {vol.Required("suggestion_id"): vol.All(str, vol.Length(min=1, max=32)), _CONFIRM: bool},
    )
)
ROLLBACK_SCHEMA = vol.Schema({vol.Optional("version"): vol.All(int, vol.Range(min=1))})


async def deploy_automation(request: web.Request) -> web.Response:
    """Deploy an automation, or an approved suggestion's automation."""
    body = await read_body(request, DEPLOY_SCHEMA)
    if "suggestion_id" in body:
        # Approving deploys it, so the suggestion's status and feedback stay in step.
        answer = await request.app[SUGGESTIONS].approve(
            body["suggestion_id"], deploy=True, confirm=body["confirm"]
        )
        return json_response(answer["deployment"])
    deployment = await request.app[DEPLOYMENTS].deploy(body["automation"], confirm=body["confirm"])
    return json_response(deployment)


async def list_deployments(request: web.Request) -> web.Response:
    """List every deployed automation, removed ones included."""
    return json_response({"automations": await request.app[DEPLOYMENTS].list()})


async def list_deployment_versions(request: web.Request) -> web.Response:
    """List a deployed automation's versions with their diffs."""
    versions = await request.app[DEPLOYMENTS].versions(request.match_info["automation_id"])
    return json_response({"versions": versions})


async def rollback_deployment(request: web.Request) -> web.Response:
    """Put an earlier version back into Home Assistant."""
    body = await read_body(request, ROLLBACK_SCHEMA, empty={})
    deployment = await request.app[DEPLOYMENTS].rollback(
        request.match_info["automation_id"], body.get("version")
    )
    return json_response(deployment)


async def disable_deployment(request: web.Request) -> web.Response:
    """Turn a deployed automation off in Home Assistant."""
    return json_response(
        await request.app[DEPLOYMENTS].disable(request.match_info["automation_id"])
    )


async def enable_deployment(request: web.Request) -> web.Response:
    """Turn a deployed automation on again in Home Assistant."""
    return json_response(await request.app[DEPLOYMENTS].enable(request.match_info["automation_id"]))


async def delete_deployment(request: web.Request) -> web.Response:
    """Delete a deployed automation from Home Assistant; its versions stay."""
    return json_response(await request.app[DEPLOYMENTS].delete(request.match_info["automation_id"]))


# Derived from the typed answers the store builds (engine/automation/deployment/wire.py).
DEPLOYMENT_SCHEMA: dict[str, Any] = json_schema(Deployment)
_ONE = "/api/v1/deployment/{automation_id}"

ROUTES = [
    ApiRoute(
        "POST",
        "/api/v1/deployment/deploy",
        deploy_automation,
        "Deploy an automation (or a suggestion's) into Home Assistant; the same id makes a new "
        "version, the same content none; 422 when invalid or when it needs confirm: true",
        "deployment",
        body=DEPLOY_SCHEMA,
        response=DEPLOYMENT_SCHEMA,
        errors=(404, 409, 422, 503),
    ),
    ApiRoute(
        "GET",
        "/api/v1/deployment/automations",
        list_deployments,
        "Every automation the engine deployed, with its status and current version",
        "deployment",
        response=json_schema(Deployments),
    ),
    ApiRoute(
        "GET",
        f"{_ONE}/versions",
        list_deployment_versions,
        "A deployed automation's versions, oldest first, each with its diff",
        "deployment",
        response=json_schema(Versions),
        errors=(404,),
    ),
    ApiRoute(
        "POST",
        f"{_ONE}/rollback",
        rollback_deployment,
        "Put a version back into Home Assistant (default: the one before the current one)",
        "deployment",
        body=ROLLBACK_SCHEMA,
        body_optional=True,
        response=DEPLOYMENT_SCHEMA,
        errors=(404, 409, 422, 503),
    ),
    ApiRoute(
        "POST",
        f"{_ONE}/disable",
        disable_deployment,
        "Turn a deployed automation off in Home Assistant",
        "deployment",
        response=DEPLOYMENT_SCHEMA,
        errors=(404, 409, 503),
    ),
    ApiRoute(
        "POST",
        f"{_ONE}/enable",
        enable_deployment,
        "Turn a deployed automation on again in Home Assistant",
        "deployment",
        response=DEPLOYMENT_SCHEMA,
        errors=(404, 409, 503),
    ),
    ApiRoute(
        "DELETE",
        _ONE,
        delete_deployment,
        "Delete a deployed automation from Home Assistant (its versions stay)",
        "deployment",
        response=DEPLOYMENT_SCHEMA,
        errors=(404, 503),
    ),
]
