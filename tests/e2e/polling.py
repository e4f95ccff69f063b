"""Waiting in end-to-end tests: poll a probe until it holds, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

DEADLINE_S = 20.0


def poll[T](probe: Callable[[], T | None], what: str, deadline_s: float = DEADLINE_S) -> T:
    """Return the first truthy result of `probe`, or fail naming what never happened."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {deadline_s} s waiting for {what}")
