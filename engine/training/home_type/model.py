"""A small numpy model: multinomial logistic regression (softmax with L2), standardised inputs."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Self

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
FORMAT_VERSION = 1
# Features that barely vary are divided by at least this (no blow-up on a constant column).
_MIN_SCALE = 1e-6


class SoftmaxRegression:
    """Multinomial logistic regression trained by full-batch gradient descent."""

    def __init__(
        self,
        classes: Sequence[str],
        *,
        l2: float = 1e-2,
        learning_rate: float = 0.5,
        iterations: int = 1500,
        feature_names: Sequence[str] = (),
    ) -> None:
        self.classes = tuple(classes)
        self.l2 = l2
        self.learning_rate = learning_rate
        self.iterations = iterations
        self.feature_names = tuple(feature_names)
        self.mean = np.zeros(0)
        self.scale = np.ones(0)
        self.weights = np.zeros((0, len(self.classes)))
        self.bias = np.zeros(len(self.classes))

    def fit(
        self,
        features: FloatArray,
        labels: Sequence[str],
        progress: Callable[[float], None] | None = None,
    ) -> Self:
        """Fit to rows of features and their class labels; report progress in [0, 1]."""
        index = {name: i for i, name in enumerate(self.classes)}
        targets = np.zeros((len(labels), len(self.classes)))
        targets[np.arange(len(labels)), [index[label] for label in labels]] = 1.0
        self.mean = features.mean(axis=0)
        self.scale = np.maximum(features.std(axis=0), _MIN_SCALE)
        x = (features - self.mean) / self.scale
        self.weights = np.zeros((x.shape[1], len(self.classes)))
        self.bias = np.zeros(len(self.classes))
        rows = max(1, len(labels))
        for step in range(self.iterations):
            error = _softmax(x @ self.weights + self.bias) - targets
            self.weights -= self.learning_rate * (x.T @ error / rows + self.l2 * self.weights)
            self.bias -= self.learning_rate * error.mean(axis=0)
            if progress is not None and step % 100 == 0:
                progress(step / self.iterations)
        if progress is not None:
            progress(1.0)
        return self

    def predict_proba(self, features: FloatArray) -> FloatArray:
        """Return each row's class probabilities (columns in the order of `classes`)."""
        x = (np.atleast_2d(features) - self.mean) / self.scale
        return _softmax(x @ self.weights + self.bias)

    def predict(self, features: FloatArray) -> list[str]:
        """Return each row's most likely class."""
        return [self.classes[i] for i in self.predict_proba(features).argmax(axis=1)]

    def to_bytes(self) -> bytes:
        """Return the model as an .npz archive (no pickle)."""
        buffer = io.BytesIO()
        np.savez(
            buffer,
            version=np.array(FORMAT_VERSION),
            classes=np.array(self.classes, dtype=str),
            feature_names=np.array(self.feature_names, dtype=str),
            mean=self.mean,
            scale=self.scale,
            weights=self.weights,
            bias=self.bias,
            l2=np.array(self.l2),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SoftmaxRegression:
        """Load a model written by to_bytes."""
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            if int(archive["version"]) != FORMAT_VERSION:
                raise ValueError(f"unknown model format version {int(archive['version'])}")
            model = cls(
                [str(name) for name in archive["classes"]],
                l2=float(archive["l2"]),
                feature_names=[str(name) for name in archive["feature_names"]],
            )
            model.mean = archive["mean"]
            model.scale = archive["scale"]
            model.weights = archive["weights"]
            model.bias = archive["bias"]
        return model


def _softmax(logits: FloatArray) -> FloatArray:
    """Return row-wise softmax, stable for large logits."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: FloatArray = shifted / shifted.sum(axis=1, keepdims=True)
    return result
