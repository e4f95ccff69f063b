"""In-process latency figures for /api/v1/stats."""

from __future__ import annotations

from collections import deque

import numpy as np


class LatencyRecorder:
    """Keeps the most recent durations and reports their percentiles."""

    def __init__(self, window: int = 10_000) -> None:
        self._durations_ms: deque[float] = deque(maxlen=window)
        self.count = 0

    def record(self, duration_ms: float) -> None:
        """Add one duration."""
        self._durations_ms.append(duration_ms)
        self.count += 1

    def percentile(self, q: float) -> float | None:
        """Return the q-th percentile of the recent durations, None before the first."""
        if not self._durations_ms:
            return None
        return float(np.percentile(np.fromiter(self._durations_ms, float), q))
