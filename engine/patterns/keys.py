"""The patterns module's application keys."""

from __future__ import annotations

from aiohttp import web

from engine.patterns.runs import AnalysisRunner
from engine.patterns.service import PatternService
from engine.scheduler import Scheduler

PATTERNS = web.AppKey("patterns", PatternService)
ANALYSIS = web.AppKey("analysis", AnalysisRunner)
# The patterns module's own scheduler: the daily analysis, stopped after the run in progress.
ANALYSIS_SCHEDULER = web.AppKey("analysis_scheduler", Scheduler)
