"""Starting and stopping the training module, and the demo home."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from engine.home.catalog import CatalogSource
from engine.home.event_input import utc_now
from engine.home.keys import HOME
from engine.home.service import HomeService
from engine.keys import DATABASE, EVENTS, SETTINGS, STREAM
from engine.training.keys import TRAINING
from engine.training.runs import TrainingRunner
from engine.training.synthetic import generate_home

_LOGGER = logging.getLogger(__name__)

DEMO_HOME_TYPE = "family_house"
DEMO_DAYS = 30
DEMO_SEED = 1


async def load_demo_home(home: HomeService) -> int:
    """Load a synthetic family house ending now; return how many events it has."""
    demo = await asyncio.to_thread(
        generate_home, DEMO_HOME_TYPE, days=DEMO_DAYS, seed=DEMO_SEED, end=utc_now()
    )
    return await home.load_home(demo.catalog, {"events": demo.events}, CatalogSource.SYNTHETIC)


async def training_context(app: web.Application) -> AsyncIterator[None]:
    """Open the training runner (after the store and the home module); stop it first."""
    settings = app[SETTINGS]
    runner = TrainingRunner(app[DATABASE], settings.data_dir / "models")
    await runner.setup()
    hub = app[STREAM]
    runner.on_updated(lambda run: hub.publish("training_run_updated", run.as_dict()))
    app[TRAINING] = runner
    home = app[HOME]
    try:
        # The demo fills only an empty engine (or finishes its own load that a crash cut
        # short): it never replaces a home someone imported.
        empty = not home.catalog.entities and app[EVENTS].total == 0
        if settings.demo and not settings.ha_url and (empty or home.load_interrupted):
            events = await load_demo_home(home)
            _LOGGER.info("Demo mode: loaded a synthetic %s with %d events", DEMO_HOME_TYPE, events)
        yield
    finally:
        await runner.close()
