"""Detection quality figures: recall and precision per type on homes never tuned on."""

from __future__ import annotations

import time

from engine.home.catalog import CatalogSource, catalog_from_import
from engine.patterns.arrays import EventArrays
from engine.patterns.detect import detect
from engine.training.quality import TEST_HOMES, Quality, score_home
from engine.training.synthetic import generate_home


def bench_quality() -> None:
    """Print recall and precision per pattern type over the test homes, by kind of home."""
    by_kind: dict[str, Quality] = {}
    patterns: dict[str, int] = {}
    planted_routines: dict[str, int] = {}
    started = time.perf_counter()
    for home_type, seed in TEST_HOMES:
        home = generate_home(home_type, days=30, seed=seed)
        catalog = catalog_from_import(home.catalog, CatalogSource.SYNTHETIC)
        result = detect(
            EventArrays.from_api_events(home.events), catalog, time_zone=catalog.time_zone
        )
        kind = home_type if home_type in ("sensor_only", "motion_lit") else "households"
        by_kind.setdefault(kind, Quality()).add(score_home(home, result))
        patterns[kind] = patterns.get(kind, 0) + len(result.patterns)
        planted_routines[kind] = planted_routines.get(kind, 0) + sum(
            1 for r in home.routines if r["kind"] == "routine"
        )
    for kind, quality in by_kind.items():
        print(f"quality ({kind}, homes never tuned on): {quality.line()}")
    sensor_only = by_kind["sensor_only"].by_type["routine"]
    print(
        f"quality (sensor-only residents): {sensor_only.found} of {sensor_only.planted} planted "
        f"routines found within 30 min ({sensor_only.recall:.0%}), "
        f"{patterns['sensor_only'] / planted_routines['sensor_only']:.1f} patterns per planted "
        f"routine (target: >= 80%, <= 3); {len(TEST_HOMES)} homes in "
        f"{time.perf_counter() - started:.0f} s"
    )
