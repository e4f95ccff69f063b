"""The training routes' answers, typed once: the runner builds them, the document derives them."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from engine.api.wire import DATE_TIME, Schema
from engine.runs.wire import RunCourse

TrainingStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class TrainingStarted(TypedDict):
    """POST /api/v1/training/{training_type} (202)."""

    run_id: str
    status: TrainingStatus


class TrainingRun(RunCourse):
    """One training run with its progress and metrics, as API.md shapes it."""

    run_id: str
    training_type: str
    status: TrainingStatus
    params: dict[str, Any]
    metrics: dict[str, Any]
    model_version: int | None


class TrainedModel(TypedDict):
    """The newest version of one trained model."""

    name: str
    version: int
    trained_at: Annotated[str, DATE_TIME]
    metrics: dict[str, Any]
    run_id: Annotated[str, Schema({"description": "The training run that produced it"})]


class TrainedModels(TypedDict):
    """GET /api/v1/models."""

    models: list[TrainedModel]


class SyntheticHomeAnswer(TypedDict):
    """POST /api/v1/synthetic/home: the generated home and its ground truth."""

    home_type: str
    seed: int
    home: dict[str, Any]
    events: Annotated[int, Schema({"description": "How many events were generated"})]
    routines: list[dict[str, Any]]
    loaded: bool
