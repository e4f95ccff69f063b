"""Starting and stopping the patterns module: analysis runs, daily schedule, ranking."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from engine.errors import ConflictError
from engine.home.keys import HOME
from engine.keys import DATABASE, SETTINGS, STREAM
from engine.patterns.keys import ANALYSIS, ANALYSIS_SCHEDULER, PATTERNS
from engine.patterns.pattern_store import PatternStore
from engine.patterns.ranker_training import IMPORT_PATH, NAME, history_to_inputs
from engine.patterns.runs import AnalysisRun, AnalysisRunner
from engine.patterns.service import PatternService
from engine.preferences.exclusion import resolve
from engine.preferences.keys import PREFERENCES
from engine.preferences.model import Preferences
from engine.scheduler import Scheduler
from engine.training.keys import TRAINING
from engine.training.registry import register_training_type

_LOGGER = logging.getLogger(__name__)
# The daily analysis's name in the module's scheduler.
DAILY_ANALYSIS = "analysis"


async def patterns_context(app: web.Application) -> AsyncIterator[None]:
    """Open the patterns module (after home and training); stop its analysis first."""
    settings = app[SETTINGS]
    home = app[HOME]
    preferences = app[PREFERENCES]
    training = app[TRAINING]
    store = PatternStore(app[DATABASE])
    service = PatternService(store, training)
    register_training_type(NAME, IMPORT_PATH)

    async def feedback_history() -> dict[str, Any]:
        return history_to_inputs(await store.feedback_history())

    training.provide_inputs(NAME, feedback_history)
    training.on_succeeded(service.model_trained)
    runner = AnalysisRunner(
        app[DATABASE],
        settings.resolved_database_url,
        store,
        lambda: home.catalog,
        service.scorer,
        # Read when a run starts: an exclusion applies from the next analysis.
        excluded=lambda: resolve(preferences.current.exclude, home.catalog).entities,
    )
    await runner.setup()
    hub = app[STREAM]

    async def announce(run: AnalysisRun) -> None:
        hub.publish("analysis_completed", run.as_dict())

    runner.on_completed(announce)
    app[PATTERNS] = service
    app[ANALYSIS] = runner
    scheduler = app[ANALYSIS_SCHEDULER] = Scheduler()

    async def daily_analysis() -> None:
        try:
            await runner.run_now(preferences.current.analysis_days, "schedule")
        except ConflictError:
            _LOGGER.info("Daily analysis skipped: an analysis is already in progress")

    async def reschedule(before: Preferences, after: Preferences) -> None:
        if before.analysis_time != after.analysis_time:
            scheduler.reschedule(DAILY_ANALYSIS)

    # The time of day is read before each wait ("off": none), and again when it changes.
    scheduler.daily(
        DAILY_ANALYSIS,
        lambda: preferences.current.analysis_time,
        lambda: home.catalog.time_zone,
        daily_analysis,
    )
    preferences.on_change(reschedule)
    try:
        yield
    finally:
        # The run first: a scheduled analysis in progress ends, then its job returns.
        await runner.close()
        await scheduler.close()
