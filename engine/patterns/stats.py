"""Small statistics shared by the detectors."""

from __future__ import annotations

import math

import numpy as np

from engine.patterns.arrays import F64

# One-sided 99% normal quantile: many (entity, state) pairs are tested per home, so the
# bounds are deliberately stricter than the usual 95%.
Z_STRICT = 2.326


def wilson_lower(successes: int, trials: int, z: float = Z_STRICT) -> float:
    """Return the Wilson score lower bound of a proportion."""
    if trials <= 0:
        return 0.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, (centre - margin) / denominator)


def binomial_tail(successes: int, trials: int, p: float) -> float:
    """Return P(X >= successes) for X ~ Binomial(trials, p): how likely chance gives this many."""
    if successes <= 0:
        return 1.0
    if successes > trials or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    # In logs: a frequent trigger has thousands of trials, whose terms overflow floats.
    k = np.arange(successes, trials + 1, dtype=np.float64)
    log_factorial = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, trials + 1)))])
    whole = np.arange(successes, trials + 1)
    log_terms = (
        log_factorial[trials]
        - log_factorial[whole]
        - log_factorial[trials - whole]
        + k * math.log(p)
        + (trials - k) * math.log1p(-p)
    )
    top = float(log_terms.max())
    return min(1.0, math.exp(top) * float(np.exp(log_terms - top).sum()))


def circular_mean_sd(minutes: F64) -> tuple[float, float]:
    """Return the circular mean (minutes of day) and circular standard deviation (minutes)."""
    angles = minutes * (2 * math.pi / 1440)
    s, c = float(np.sin(angles).mean()), float(np.cos(angles).mean())
    resultant = min(1.0, math.hypot(s, c))
    mean = (math.atan2(s, c) * 1440 / (2 * math.pi)) % 1440
    sd = math.sqrt(-2 * math.log(max(resultant, 1e-12))) * 1440 / (2 * math.pi)
    return mean, sd


def circular_distance(a: F64, b: float) -> F64:
    """Return minutes between times of day, the short way round midnight."""
    diff = np.abs(a - b) % 1440
    result: F64 = np.minimum(diff, 1440 - diff)
    return result


def hhmm(minute: float) -> str:
    """Return a minute of day as HH:MM."""
    whole = round(minute) % 1440
    return f"{whole // 60:02d}:{whole % 60:02d}"
