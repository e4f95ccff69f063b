"""The training module's application keys."""

from __future__ import annotations

from aiohttp import web

from engine.training.runs import TrainingRunner

TRAINING = web.AppKey("training", TrainingRunner)
