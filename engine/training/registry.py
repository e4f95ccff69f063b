"""The training types the engine knows, by name.

Each is named by an import path rather than held as an object: the worker process that
trains imports it by that path, and modules (patterns: suggestion_ranker) register theirs.
"""

from __future__ import annotations

import importlib

from engine.training.protocol import TrainingType

TRAINING_TYPES: dict[str, str] = {
    "home_type_classifier": "engine.training.home_type.trainer:HOME_TYPE_CLASSIFIER",
}


def register_training_type(name: str, import_path: str) -> None:
    """Make a training type available under a name ("package.module:ATTRIBUTE")."""
    TRAINING_TYPES[name] = import_path


def load_training_type(import_path: str) -> TrainingType:
    """Import a training type from its path."""
    module_name, _, attribute = import_path.partition(":")
    training_type: TrainingType = getattr(importlib.import_module(module_name), attribute)
    return training_type
