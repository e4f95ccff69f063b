"""The suggestion_ranker: a logistic regression of which suggestions this household accepts.

Features of a candidate (FEATURE_NAMES, fixed order): its type, the action entity's domain
and target state, the trigger's domain, the day kind of a habit or routine (one-hot), and
numbers that describe how strong and how specific it is: detector score, confidence,
support ratio and days, lift, window and delay of a pair, spread and hour of day (on the
circle) of a habit, chain length. Nothing depends on entity ids, so what is learnt from one
light carries over to the next. Training: one sample per candidate (its latest verdict,
weighted as in ranking.FEEDBACK_WEIGHTS), standardised inputs, L2-regularised full-batch
gradient descent; accuracy and log loss are measured by stratified cross-validation.
Ranking with it blends P(accept) into the detector's score as the Bayesian ranking does
(ranking.blend), measured against the acceptance rate the model was trained on.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import voluptuous as vol

from engine.patterns.ranking import (
    Candidate,
    Feedback,
    FeedbackRanking,
    FloatArray,
    best_first,
    blend,
    detector_scores,
    latest_verdicts,
    verdict_label,
)
from engine.training.protocol import TrainingOutcome, TrainingReport

FORMAT_VERSION = 1
# A new type changes the features: models trained before it are refused (from_bytes) and the
# Bayesian ranking stands in until the ranker is trained again.
TYPES = ("time_of_day", "co_occurrence", "anomaly", "routine", "synergy")
# Types that happen at a time of day on certain days (details "time", "days", "spread_minutes").
_TIMED_TYPES = frozenset({"time_of_day", "routine"})
ACTION_DOMAINS = (
    "light", "switch", "cover", "media_player", "climate", "fan", "lock", "vacuum",
    "binary_sensor", "person",
)  # fmt: skip
TRIGGER_DOMAINS = (
    "binary_sensor", "person", "device_tracker", "lock", "light", "switch", "media_player",
    "cover",
)  # fmt: skip
ACTION_STATES = (
    "on", "off", "open", "closed", "playing", "paused", "locked", "unlocked", "home",
    "not_home", "heat",
)  # fmt: skip
DAY_KINDS = ("all", "weekdays", "weekends")
NUMERIC_FEATURES = (
    "detector_score",
    "confidence",
    "support_ratio",
    "log_support_days",
    "log_lift",
    "log_window_s",
    "log_median_delay_s",
    "spread_hours",
    "hour_sin",
    "hour_cos",
    "has_time",
    "chain_length",
)


def _trigger_domain(candidate: Candidate) -> str:
    """Return the domain of what sets a pair or chain off ("none" for a single entity)."""
    return candidate.entities[0].partition(".")[0] if len(candidate.entities) > 1 else "none"


def _action_state(candidate: Candidate) -> str:
    """Return the state the action entity is set to."""
    details = candidate.details
    if candidate.type == "co_occurrence":
        return str(_mapping(details.get("action")).get("state", ""))
    if candidate.type == "synergy":
        chain = details.get("chain")
        last = chain[-1] if isinstance(chain, list) and chain else None
        return str(_mapping(last).get("state", ""))
    return str(details.get("state", ""))


def _day_kind(candidate: Candidate) -> str:
    """Return which days a habit or routine holds on ("none" for other types)."""
    return str(candidate.details.get("days")) if candidate.type in _TIMED_TYPES else "none"


def _mapping(value: Any) -> Mapping[str, Any]:
    """Return value if it is a mapping, else an empty one (details are loosely typed)."""
    return value if isinstance(value, Mapping) else {}


# One-hot groups: a value outside a group's list falls in its last column ("other").
_ONE_HOT: tuple[tuple[str, tuple[str, ...], Callable[[Candidate], str]], ...] = (
    ("type", (*TYPES, "other"), lambda c: c.type),
    ("action_domain", (*ACTION_DOMAINS, "other"), lambda c: c.action_domain),
    ("trigger_domain", (*TRIGGER_DOMAINS, "none", "other"), _trigger_domain),
    ("action_state", (*ACTION_STATES, "other"), _action_state),
    ("days", (*DAY_KINDS, "none", "other"), _day_kind),
)
FEATURE_NAMES: tuple[str, ...] = (
    *(f"{group}_{value}" for group, values, _ in _ONE_HOT for value in values),
    *NUMERIC_FEATURES,
)
# Below this, the household has not said enough to learn from: a model fitted on a handful
# of verdicts mostly learns which suggestions happened to come first.
MIN_TRAINING_SAMPLES = 20
# Each class needs a few samples so that every cross-validation training split has both.
MIN_SAMPLES_PER_CLASS = 3
# Features that barely vary are left unscaled (their weight stays near 0 under L2 anyway).
_MIN_SCALE = 1e-6
_PROGRESS_EVERY = 50
_EPSILON = 1e-6


def _integer(value: Any) -> int:
    """Accept an integer, not a bool or a float."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise vol.Invalid("expected an integer")
    return value


def _number(value: Any) -> float:
    """Accept an int or a finite float, not a bool."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise vol.Invalid("expected a finite number")
    return float(value)


RANKER_PARAMS_SCHEMA = vol.Schema(
    {
        vol.Optional("epochs", default=400): vol.All(_integer, vol.Range(min=1, max=100_000)),
        # On standardised features the correlated one-hot groups make the loss curve up to
        # ~2.5 (measured on detected candidates): steps beyond ~0.8 can oscillate.
        vol.Optional("learning_rate", default=0.5): vol.All(
            _number, vol.Range(min=0.0, max=2.0, min_included=False)
        ),
        vol.Optional("l2", default=0.05): vol.All(_number, vol.Range(min=0.0, max=100.0)),
        vol.Optional("folds", default=5): vol.All(_integer, vol.Range(min=2, max=20)),
        vol.Optional("seed", default=0): vol.All(_integer, vol.Range(min=0)),
    }
)


def candidate_features(candidates: Sequence[Candidate]) -> FloatArray:
    """Return one row of FEATURE_NAMES per candidate; always finite."""
    rows = len(candidates)
    features = np.zeros((rows, len(FEATURE_NAMES)), dtype=np.float64)
    offset = 0
    for _, values, value_of in _ONE_HOT:
        index = {value: i for i, value in enumerate(values)}
        picked = [index.get(value_of(c), len(values) - 1) for c in candidates]
        features[np.arange(rows), offset + np.array(picked, dtype=np.int64)] = 1.0
        offset += len(values)
    if rows:
        features[:, offset:] = np.array([_numbers(c) for c in candidates], dtype=np.float64)
    return np.nan_to_num(features, nan=0.0, posinf=0.0, neginf=0.0)


def _numbers(candidate: Candidate) -> list[float]:
    """Return the NUMERIC_FEATURES of one candidate."""
    pair = candidate.type == "co_occurrence"
    habit = candidate.type in _TIMED_TYPES
    hour = _hour(candidate)
    angle = 2.0 * math.pi * (hour or 0.0) / 24.0
    support_ratio = (
        candidate.support_days / candidate.observed_days
        if candidate.observed_days > 0
        else candidate.confidence
    )
    return [
        candidate.score,
        candidate.confidence,
        support_ratio,
        math.log1p(max(0, candidate.support_days)),
        math.log(max(1.0, _detail(candidate, "lift"))) if pair else 0.0,
        math.log1p(max(0.0, _detail(candidate, "window_s"))) if pair else 0.0,
        math.log1p(max(0.0, _detail(candidate, "median_delay_s"))) if pair else 0.0,
        _detail(candidate, "spread_minutes") / 60.0 if habit else 0.0,
        math.sin(angle) if hour is not None else 0.0,
        math.cos(angle) if hour is not None else 0.0,
        1.0 if hour is not None else 0.0,
        float(len(candidate.entities)),
    ]


def _detail(candidate: Candidate, key: str) -> float:
    """Return a number from the details, 0 when it is missing or not a number."""
    value = candidate.details.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value)


def _hour(candidate: Candidate) -> float | None:
    """Return the local hour of day a habit, routine or anomaly happens at, if it has one."""
    details = candidate.details
    try:
        if candidate.type in _TIMED_TYPES:
            hours, _, minutes = str(details["time"]).partition(":")
            return int(hours) + int(minutes) / 60.0
        if candidate.type == "anomaly":
            moment = datetime.fromisoformat(str(details["at"]))
            return moment.hour + moment.minute / 60.0
    except (KeyError, ValueError):
        return None
    return None


class RankerModel:
    """Logistic regression over candidate_features: P(the household accepts it)."""

    def __init__(
        self,
        mean: FloatArray,
        scale: FloatArray,
        weights: FloatArray,
        bias: float,
        base_rate: float,
    ) -> None:
        self.mean = mean
        self.scale = scale
        self.weights = weights
        self.bias = bias
        # The (weighted) share of acceptances it was trained on: the household's average.
        self.base_rate = base_rate

    @classmethod
    def fit(
        cls,
        features: FloatArray,
        accepted: npt.NDArray[np.bool_],
        sample_weight: FloatArray,
        options: Mapping[str, Any],
        progress: Callable[[float], None],
    ) -> RankerModel:
        """Fit by full-batch gradient descent; report progress in [0, 1]."""
        mean = features.mean(axis=0)
        spread = features.std(axis=0)
        scale = np.where(spread < _MIN_SCALE, 1.0, spread)
        x = (features - mean) / scale
        y = accepted.astype(np.float64)
        share = sample_weight / sample_weight.sum()
        rate = float(np.clip(share @ y, _EPSILON, 1.0 - _EPSILON))
        # Starting at the base rate's log-odds spares the first epochs finding the intercept.
        bias = math.log(rate / (1.0 - rate))
        weights = np.zeros(x.shape[1])
        epochs: int = options["epochs"]
        learning_rate: float = options["learning_rate"]
        l2: float = options["l2"]
        for epoch in range(epochs):
            error = share * (_sigmoid(x @ weights + bias) - y)
            weights -= learning_rate * (x.T @ error + l2 * weights)
            bias -= learning_rate * float(error.sum())
            if epoch % _PROGRESS_EVERY == 0:
                progress(epoch / epochs)
        progress(1.0)
        return cls(mean, scale, weights, bias, rate)

    def predict(self, candidates: Sequence[Candidate]) -> FloatArray:
        """Return each candidate's probability of being accepted, 0..1."""
        if not candidates:
            return np.zeros(0, dtype=np.float64)
        return self.predict_features(candidate_features(candidates))

    def scores(self, candidates: Sequence[Candidate]) -> FloatArray:
        """Return each candidate's ranked score: P(accept) blended into the detector's."""
        return blend(detector_scores(candidates), self.predict(candidates), self.base_rate)

    def predict_features(self, features: FloatArray) -> FloatArray:
        """Return P(accept) of rows of candidate_features."""
        return _sigmoid((features - self.mean) / self.scale @ self.weights + self.bias)

    def to_bytes(self) -> bytes:
        """Return the model as an .npz archive (no pickle)."""
        buffer = io.BytesIO()
        np.savez(
            buffer,
            version=np.array(FORMAT_VERSION),
            feature_names=np.array(FEATURE_NAMES, dtype=str),
            mean=self.mean,
            scale=self.scale,
            weights=self.weights,
            bias=np.array(self.bias),
            base_rate=np.array(self.base_rate),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RankerModel:
        """Load a model written by to_bytes; ValueError if it is of another format."""
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            if int(archive["version"]) != FORMAT_VERSION:
                raise ValueError(f"unknown ranker model format {int(archive['version'])}")
            names = tuple(str(name) for name in archive["feature_names"])
            shapes = {archive[part].shape for part in ("mean", "scale", "weights")}
            if names != FEATURE_NAMES or shapes != {(len(FEATURE_NAMES),)}:
                raise ValueError("the ranker model was trained on other features; retrain it")
            return cls(
                archive["mean"],
                archive["scale"],
                archive["weights"],
                float(archive["bias"]),
                float(archive["base_rate"]),
            )


def _sigmoid(x: FloatArray) -> FloatArray:
    """Return the logistic function, without overflow for large |x|."""
    result: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * x))
    return result


def train_ranker(
    history: Sequence[Feedback], params: Mapping[str, Any], report: TrainingReport
) -> TrainingOutcome:
    """Train the suggestion_ranker on the feedback history; cross-validate, then fit all."""
    options = RANKER_PARAMS_SCHEMA(dict(params))
    verdicts = sorted(latest_verdicts(history).values(), key=lambda f: f.at)
    if len(verdicts) < MIN_TRAINING_SAMPLES:
        raise ValueError(
            f"the suggestion_ranker needs feedback on at least {MIN_TRAINING_SAMPLES} "
            f"suggestions; there is feedback on {len(verdicts)}"
        )
    labels = [verdict_label(item) for item in verdicts]
    accepted = np.array([label for label, _ in labels], dtype=np.bool_)
    weights = np.array([weight for _, weight in labels], dtype=np.float64)
    positives = int(accepted.sum())
    negatives = len(verdicts) - positives
    if min(positives, negatives) < MIN_SAMPLES_PER_CLASS:
        raise ValueError(
            f"the suggestion_ranker needs at least {MIN_SAMPLES_PER_CLASS} accepted and "
            f"{MIN_SAMPLES_PER_CLASS} rejected suggestions; there are {positives} and {negatives}"
        )
    report.progress(0.0)
    features = candidate_features([item.candidate for item in verdicts])
    folds = min(options["folds"], positives, negatives)
    fold = _stratified_folds(accepted, folds, options["seed"])
    fits = folds + 1
    held_out = np.zeros(len(verdicts))
    for k in range(folds):
        train = fold != k
        model = RankerModel.fit(
            features[train],
            accepted[train],
            weights[train],
            options,
            _stage(report, 0.98 * k / fits, 0.98 / fits),
        )
        held_out[~train] = model.predict_features(features[~train])
    final = RankerModel.fit(
        features,
        accepted,
        weights,
        options,
        _stage(report, 0.98 * folds / fits, 0.98 / fits),
    )
    base_rates = np.array([accepted[fold != k].mean() for k in range(folds)])[fold]
    metrics = {
        "samples": len(verdicts),
        "positives": positives,
        "negatives": negatives,
        "folds": folds,
        "cv_accuracy": float(np.mean((held_out >= 0.5) == accepted)),
        "cv_log_loss": _log_loss(accepted, held_out),
        # What always predicting the acceptance rate would score: the bar to beat.
        "cv_baseline_log_loss": _log_loss(accepted, base_rates),
        "train_accuracy": float(np.mean((final.predict_features(features) >= 0.5) == accepted)),
    }
    report.progress(1.0)
    details = {"feature_names": list(FEATURE_NAMES), "params": dict(options)}
    return TrainingOutcome(metrics=metrics, model=final.to_bytes(), details=details)


def _stage(report: TrainingReport, start: float, span: float) -> Callable[[float], None]:
    """Return a progress callback mapping [0, 1] onto [start, start + span]."""
    return lambda fraction: report.progress(start + span * fraction)


def _stratified_folds(
    accepted: npt.NDArray[np.bool_], folds: int, seed: int
) -> npt.NDArray[np.int64]:
    """Return a fold number per sample, each class spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(accepted), dtype=np.int64)
    for label in (False, True):
        members = rng.permutation(np.flatnonzero(accepted == label))
        fold[members] = np.arange(len(members)) % folds
    return fold


def _log_loss(accepted: npt.NDArray[np.bool_], predicted: FloatArray) -> float:
    """Return the mean negative log-likelihood of the labels."""
    p = np.clip(predicted, _EPSILON, 1.0 - _EPSILON)
    return float(-np.mean(np.where(accepted, np.log(p), np.log(1.0 - p))))


def rank_with_model(
    model: RankerModel | None, ranking: FeedbackRanking, candidates: Iterable[Candidate]
) -> list[tuple[Candidate, float]]:
    """Rank by the model's P(accept) once trained, else by the Bayesian one; same blend."""
    if model is None:
        return ranking.rank(candidates)
    kept = ranking.unsuppressed(candidates)
    return best_first(kept, model.scores(kept))
