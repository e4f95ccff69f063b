"""The home_type_classifier: features, the numpy model, and a whole training run."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import voluptuous as vol

from engine.training.home_type.features import FEATURE_NAMES, home_features
from engine.training.home_type.model import SoftmaxRegression
from engine.training.home_type.trainer import (
    HOME_TYPE_CLASSIFIER,
    evaluate,
    home_seeds,
    predict_home_type,
)
from engine.training.protocol import (
    TrainingCancelled,
    TrainingOutcome,
    TrainingReport,
    TrainingType,
)
from engine.training.registry import TRAINING_TYPES, load_training_type
from engine.training.synthetic import HOME_TYPES, generate_home

# Small but sufficient: a week of activity per home, five homes per type.
TEST_PARAMS = {"homes_per_type": 5, "days": 7, "eval_homes_per_type": 5, "seed": 0}


@pytest.fixture(scope="module")
def trained() -> tuple[TrainingOutcome, list[float]]:
    """One training run with the test's parameters, and the progress it reported."""
    progress: list[float] = []
    outcome = HOME_TYPE_CLASSIFIER.train(
        dict(TEST_PARAMS), TrainingReport(progress.append, lambda: False)
    )
    return outcome, progress


def test_it_is_a_training_type_the_registry_knows() -> None:
    training_type: TrainingType = HOME_TYPE_CLASSIFIER
    assert training_type.name == "home_type_classifier"
    assert load_training_type(TRAINING_TYPES["home_type_classifier"]) is HOME_TYPE_CLASSIFIER


@pytest.mark.parametrize("home_type", HOME_TYPES)
def test_features_have_a_fixed_length_and_are_finite(home_type: str) -> None:
    home = generate_home(home_type, days=3, seed=7)
    features = home_features(home.catalog, home.events)
    assert features.shape == (len(FEATURE_NAMES),)
    assert np.isfinite(features).all()
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)


def test_features_of_an_empty_home_are_finite() -> None:
    features = home_features({"time_zone": "Europe/Berlin", "entities": []}, [])
    assert features.shape == (len(FEATURE_NAMES),)
    assert np.isfinite(features).all()


def test_the_model_round_trips_through_bytes() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 6))
    features[:, 5] = 1.0  # a constant column must not break standardisation
    labels = [HOME_TYPES[int(row[0] > 0) + 2 * int(row[1] > 0)] for row in features]
    model = SoftmaxRegression(HOME_TYPES, feature_names=[f"f{i}" for i in range(6)])
    model.fit(features, labels)
    assert np.mean(np.array(model.predict(features)) == np.array(labels)) >= 0.9
    loaded = SoftmaxRegression.from_bytes(model.to_bytes())
    assert loaded.classes == HOME_TYPES
    assert loaded.feature_names == tuple(f"f{i}" for i in range(6))
    np.testing.assert_array_equal(loaded.predict_proba(features), model.predict_proba(features))
    np.testing.assert_allclose(loaded.predict_proba(features).sum(axis=1), 1.0)


def test_training_reaches_the_accuracy_on_held_out_seeds(
    trained: tuple[TrainingOutcome, list[float]],
) -> None:
    outcome, _ = trained
    metrics = outcome.metrics
    assert metrics["accuracy"] >= 0.9
    assert metrics["macro_f1"] >= 0.85
    assert set(metrics["f1"]) == set(HOME_TYPES)
    assert metrics["train_homes"] == 5 * len(HOME_TYPES)
    assert metrics["eval_homes"] == 5 * len(HOME_TYPES)
    confusion = np.array(metrics["confusion"])
    assert confusion.shape == (len(HOME_TYPES), len(HOME_TYPES))
    assert confusion.sum() == metrics["eval_homes"]
    assert outcome.details["feature_names"] == list(FEATURE_NAMES)
    assert not set(outcome.details["train_seeds"]) & set(outcome.details["eval_seeds"])


def test_progress_is_reported_and_increases(trained: tuple[TrainingOutcome, list[float]]) -> None:
    _, progress = trained
    assert len(progress) > 10
    assert progress == sorted(progress)
    assert progress[0] < 0.1
    assert progress[-1] == 1.0


def test_the_trained_model_predicts_a_new_home(
    trained: tuple[TrainingOutcome, list[float]],
) -> None:
    outcome, _ = trained
    home = generate_home("family_house", days=7, seed=987)
    home_type, probabilities = predict_home_type(outcome.model, home.catalog, home.events)
    assert home_type == "family_house"
    assert set(probabilities) == set(HOME_TYPES)
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert probabilities[home_type] == max(probabilities.values())


def test_held_out_seeds_never_overlap_training_seeds() -> None:
    for seed in (0, 1, 7):
        training = set(home_seeds(seed, 200, held_out=False))
        held_out = set(home_seeds(seed, 100, held_out=True))
        assert len(training) == 200
        assert len(held_out) == 100
        assert not training & held_out
        assert not training & set(home_seeds(seed + 1, 100, held_out=True))


def test_evaluate_counts_per_type() -> None:
    truth = ["studio_apartment", "studio_apartment", "family_house", "shared_flat"]
    predicted = ["studio_apartment", "home_office", "family_house", "shared_flat"]
    metrics = evaluate(truth, predicted)
    assert metrics["accuracy"] == 0.75
    assert metrics["f1"]["studio_apartment"] == pytest.approx(2 / 3)
    assert metrics["f1"]["home_office"] == 0.0
    assert metrics["confusion"][0] == [1, 0, 0, 1]


def test_cancelling_stops_the_run() -> None:
    calls: list[float] = []

    def should_stop() -> bool:
        return len(calls) >= 3

    with pytest.raises(TrainingCancelled):
        HOME_TYPE_CLASSIFIER.train(dict(TEST_PARAMS), TrainingReport(calls.append, should_stop))
    assert len(calls) == 3


def test_params_have_defaults() -> None:
    assert HOME_TYPE_CLASSIFIER.params_schema({}) == {
        "homes_per_type": 10,
        "days": 7,
        "seed": 0,
        "eval_homes_per_type": 5,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"homes_per_type": 1},
        {"homes_per_type": 201},
        {"homes_per_type": "10"},
        {"days": 2},
        {"days": 61},
        {"days": True},
        {"seed": -1},
        {"seed": 1.5},
        {"eval_homes_per_type": 0},
        {"eval_homes_per_type": 101},
        {"learning_rate": 0.1},
    ],
)
def test_bad_params_name_the_parameter(params: dict[str, Any]) -> None:
    with pytest.raises(vol.Invalid) as caught:
        HOME_TYPE_CLASSIFIER.params_schema(params)
    assert [str(part) for part in caught.value.path] == list(params)
