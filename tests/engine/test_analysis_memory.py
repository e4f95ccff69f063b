"""An analysis's memory: the worker's own peak, a lean window load, idle page caches released."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pytest

from engine.patterns.worker import peak_memory_mb


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_a_spawned_worker_reports_its_own_peak_not_the_engines() -> None:
    # Linux's ru_maxrss in a spawned child includes the parent's peak before the exec.
    ballast = np.ones(16 * 1024 * 1024)  # 128 MB, touched
    parent_peak = peak_memory_mb()
    del ballast
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        worker_peak = pool.apply(peak_memory_mb)
    assert worker_peak < parent_peak - 64
