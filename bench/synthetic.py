"""Synthetic home figures: how long a month of a family house takes to generate."""

from __future__ import annotations

import time

from engine.training.synthetic import generate_home


def bench_synthetic() -> None:
    """Print the time to generate a 30-day family house, with its size."""
    generate_home("family_house", days=1, seed=0)  # warm-up: imports, zoneinfo, numpy
    started = time.perf_counter()
    home = generate_home("family_house", days=30, seed=0)
    elapsed = time.perf_counter() - started
    print(
        f"synthetic: 30-day family_house generated in {elapsed:.2f} s: "
        f"{len(home.catalog['entities'])} entities, {len(home.events):,} events "
        "(target: < 10 s, >= 50 entities, >= 100,000 events)"
    )
