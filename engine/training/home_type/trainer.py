"""The home_type_classifier training type: learn a home's type from synthetic homes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np
import voluptuous as vol

from engine.training.home_type.features import FEATURE_NAMES, FloatArray, home_features
from engine.training.home_type.model import SoftmaxRegression
from engine.training.protocol import TrainingOutcome, TrainingReport
from engine.training.synthetic import DEFAULT_END, HOME_TYPES, generate_home

# Seeds of one run: training homes from seed * _SEED_SPAN, held-out homes from
# seed * _SEED_SPAN + _EVAL_OFFSET; the limits on homes per type keep the two apart.
_SEED_SPAN = 1000
_EVAL_OFFSET = 500
# Share of the progress bar spent generating homes (the bulk of the work).
_GENERATION_SHARE = 0.85


def _integer(value: Any) -> int:
    """Accept an integer, not a bool or a float."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise vol.Invalid("expected an integer")
    return value


PARAMS_SCHEMA = vol.Schema(
    {
        vol.Optional("homes_per_type", default=10): vol.All(_integer, vol.Range(min=2, max=200)),
        vol.Optional("days", default=7): vol.All(_integer, vol.Range(min=3, max=60)),
        vol.Optional("seed", default=0): vol.All(_integer, vol.Range(min=0)),
        vol.Optional("eval_homes_per_type", default=5): vol.All(
            _integer, vol.Range(min=1, max=100)
        ),
    }
)


def home_seeds(seed: int, homes_per_type: int, *, held_out: bool) -> list[int]:
    """Return the generator seeds of a run's training homes, or of its held-out homes."""
    first = seed * _SEED_SPAN + (_EVAL_OFFSET if held_out else 0)
    return list(range(first, first + homes_per_type))


def predict_home_type(
    model_bytes: bytes, catalog: dict[str, Any], events: list[dict[str, Any]]
) -> tuple[str, dict[str, float]]:
    """Return the most likely home type of a home and the probability of each type."""
    model = SoftmaxRegression.from_bytes(model_bytes)
    probabilities = model.predict_proba(home_features(catalog, events))[0]
    by_type = {name: float(p) for name, p in zip(model.classes, probabilities, strict=True)}
    return max(by_type, key=by_type.__getitem__), by_type


class HomeTypeClassifier:
    """Trains a softmax regression on synthetic homes and scores it on held-out seeds."""

    name = "home_type_classifier"
    params_schema = PARAMS_SCHEMA

    def train(
        self,
        params: dict[str, Any],
        report: TrainingReport,
        inputs: Mapping[str, Any] | None = None,
    ) -> TrainingOutcome:
        """Generate homes, train, evaluate on homes of seeds never trained on (no inputs)."""
        options = self.params_schema(params)
        days: int = options["days"]
        train_seeds = home_seeds(options["seed"], options["homes_per_type"], held_out=False)
        eval_seeds = home_seeds(options["seed"], options["eval_homes_per_type"], held_out=True)
        plan = [(home_type, seed, False) for seed in train_seeds for home_type in HOME_TYPES]
        plan += [(home_type, seed, True) for seed in eval_seeds for home_type in HOME_TYPES]
        rows: dict[bool, list[FloatArray]] = {False: [], True: []}
        labels: dict[bool, list[str]] = {False: [], True: []}
        report.progress(0.0)
        for done, (home_type, seed, held_out) in enumerate(plan):
            # Homes end in different weeks of the year: daylight and heating vary.
            end = DEFAULT_END - timedelta(weeks=seed % 52)
            home = generate_home(home_type, days=days, seed=seed, end=end)
            rows[held_out].append(home_features(home.catalog, home.events))
            labels[held_out].append(home_type)
            report.progress(_GENERATION_SHARE * (done + 1) / len(plan))
        model = SoftmaxRegression(HOME_TYPES, feature_names=FEATURE_NAMES)
        model.fit(
            np.array(rows[False]),
            labels[False],
            progress=lambda f: report.progress(_GENERATION_SHARE + (0.98 - _GENERATION_SHARE) * f),
        )
        predicted = model.predict(np.array(rows[True]))
        train_accuracy = float(
            np.mean(np.array(model.predict(np.array(rows[False]))) == np.array(labels[False]))
        )
        metrics = {
            **evaluate(labels[True], predicted),
            "train_accuracy": train_accuracy,
            "train_homes": len(labels[False]),
            "eval_homes": len(labels[True]),
        }
        report.progress(1.0)
        details = {
            "feature_names": list(FEATURE_NAMES),
            "classes": list(HOME_TYPES),
            "days": days,
            "train_seeds": train_seeds,
            "eval_seeds": eval_seeds,
        }
        return TrainingOutcome(metrics=metrics, model=model.to_bytes(), details=details)


def evaluate(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """Return accuracy, F1 per home type, macro F1, and the confusion matrix (rows: truth)."""
    index = {name: i for i, name in enumerate(HOME_TYPES)}
    confusion = np.zeros((len(HOME_TYPES), len(HOME_TYPES)), dtype=np.int64)
    for actual, guess in zip(truth, predicted, strict=True):
        confusion[index[actual], index[guess]] += 1
    f1: dict[str, float] = {}
    for i, name in enumerate(HOME_TYPES):
        hits = int(confusion[i, i])
        total = int(confusion[:, i].sum()) + int(confusion[i, :].sum())
        f1[name] = 2.0 * hits / total if total else 0.0
    return {
        "accuracy": float(np.trace(confusion) / max(1, len(truth))),
        "f1": f1,
        "macro_f1": float(np.mean(list(f1.values()))),
        "confusion": confusion.tolist(),
    }


HOME_TYPE_CLASSIFIER = HomeTypeClassifier()
