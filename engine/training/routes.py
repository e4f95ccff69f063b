"""Training runs, trained models, and synthetic homes."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import voluptuous as vol
from aiohttp import web

from engine.api.http import (
    json_response,
    read_body,
    read_json,
    runs_page,
)
from engine.api.routing import PAGING, ApiRoute, paged
from engine.api.wire import json_schema
from engine.home.catalog import CatalogSource
from engine.home.keys import HOME
from engine.training.keys import TRAINING
from engine.training.synthetic import ALL_HOME_TYPES, generate_home
from engine.training.wire import (
    SyntheticHomeAnswer,
    TrainedModels,
    TrainingRun,
    TrainingStarted,
)

SYNTHETIC_SCHEMA = vol.Schema(
    {
        vol.Optional("home_type"): vol.Any(None, vol.In(ALL_HOME_TYPES)),
        vol.Optional("days", default=30): vol.All(int, vol.Range(min=1, max=365)),
        vol.Optional("seed"): vol.Any(None, vol.All(int, vol.Range(min=0, max=2**63 - 1))),
        vol.Optional("load", default=False): bool,
    }
)


async def start_training(request: web.Request) -> web.Response:
    """Queue a training run (202); unknown type 404, bad parameters 400."""
    body = await read_json(request, empty={})
    run = await request.app[TRAINING].submit(request.match_info["training_type"], body)
    answer: TrainingStarted = {"run_id": run.run_id, "status": run.as_dict()["status"]}
    return json_response(answer, 202)


async def list_runs(request: web.Request) -> web.Response:
    """Page through training runs, newest first."""
    return await runs_page(request, request.app[TRAINING].list_runs)


async def get_run(request: web.Request) -> web.Response:
    """Return one run with its progress and metrics."""
    run = await request.app[TRAINING].get(request.match_info["run_id"])
    return json_response(run.as_dict())


async def cancel_run(request: web.Request) -> web.Response:
    """Cancel a queued or running run (409 once it has finished)."""
    run = await request.app[TRAINING].cancel(request.match_info["run_id"])
    return json_response(run.as_dict())


async def list_models(request: web.Request) -> web.Response:
    """Return the newest version of every trained model."""
    answer: TrainedModels = {"models": await request.app[TRAINING].list_models()}
    return json_response(answer)


async def synthetic_home(request: web.Request) -> web.Response:
    """Generate a synthetic home; with load, it replaces the imported catalog and events."""
    body = await read_body(request, SYNTHETIC_SCHEMA, empty={})
    seed = body.get("seed")
    if seed is None:
        seed = secrets.randbelow(2**31)
    # Generation is CPU work of a second or two: off the event loop.
    home = await asyncio.to_thread(
        generate_home, body.get("home_type"), days=body["days"], seed=seed
    )
    answer: SyntheticHomeAnswer = {
        "home_type": home.home_type,
        "seed": home.seed,
        "home": home.catalog,
        "events": len(home.events),
        "routines": home.routines,
        "loaded": False,
    }
    if body["load"]:
        await request.app[HOME].load_home(
            home.catalog, {"events": home.events}, CatalogSource.SYNTHETIC
        )
        answer["loaded"] = True
    return json_response(answer)


# Derived from the typed answers the runner builds (engine/training/wire.py).
_RUN: dict[str, Any] = json_schema(TrainingRun)

ROUTES = [
    ApiRoute(
        "POST",
        "/api/v1/training/{training_type}",
        start_training,
        "Queue a training run (home_type_classifier); the run is polled",
        "training",
        body={
            "type": "object",
            "properties": {"params": {"type": "object"}},
            "additionalProperties": False,
        },
        body_optional=True,
        response=json_schema(TrainingStarted),
        status=202,
        errors=(404,),
    ),
    ApiRoute(
        "GET",
        "/api/v1/training/runs",
        list_runs,
        "Training runs, newest first",
        "training",
        query=PAGING,
        response=paged("runs", _RUN),
    ),
    ApiRoute(
        "GET",
        "/api/v1/training/runs/{run_id}",
        get_run,
        "One training run",
        "training",
        response=_RUN,
        errors=(404,),
    ),
    ApiRoute(
        "POST",
        "/api/v1/training/runs/{run_id}/cancel",
        cancel_run,
        "Cancel a queued or running training run",
        "training",
        response=_RUN,
        errors=(404, 409),
    ),
    ApiRoute(
        "GET",
        "/api/v1/models",
        list_models,
        "The newest version of every trained model",
        "training",
        response=json_schema(TrainedModels),
    ),
    ApiRoute(
        "POST",
        "/api/v1/synthetic/home",
        synthetic_home,
        "Generate a synthetic home with its ground truth; load replaces the imported home",
        "training",
        body=SYNTHETIC_SCHEMA,
        body_optional=True,
        response=json_schema(SyntheticHomeAnswer),
        errors=(409,),
    ),
]
