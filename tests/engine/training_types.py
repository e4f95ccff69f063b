"""A small training type for testing the run machinery (imported by the worker process)."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from engine.training.protocol import TrainingOutcome, TrainingReport


class StepsTraining:
    """Takes `steps` steps of `step_s` seconds; can fail or die on request."""

    name = "test_steps"
    params_schema = vol.Schema(
        {
            vol.Optional("steps", default=5): vol.All(int, vol.Range(min=1, max=100_000)),
            vol.Optional("step_s", default=0.0): vol.All(vol.Coerce(float), vol.Range(0, 1)),
            vol.Optional("outcome", default="succeed"): vol.In(["succeed", "fail", "die"]),
        }
    )

    def train(
        self, params: dict[str, Any], report: TrainingReport, inputs: Mapping[str, Any]
    ) -> TrainingOutcome:
        """Step, report, and end as asked; the inputs come back in the metrics."""
        for step in range(params["steps"]):
            time.sleep(params["step_s"])
            report.progress((step + 1) / params["steps"])
        if params["outcome"] == "fail":
            raise ValueError("planned failure")
        if params["outcome"] == "die":
            os._exit(3)
        return TrainingOutcome(
            {"steps": params["steps"], "inputs": dict(inputs)}, f"model-{params['steps']}".encode()
        )


STEPS = StepsTraining()
