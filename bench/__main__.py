"""Run every benchmark and print its figures."""

from __future__ import annotations

import argparse

from bench.engine_api import run_api_benchmarks
from bench.load import bench_load
from bench.patterns import bench_analysis_api, bench_patterns
from bench.properties import bench_properties
from bench.quality import bench_quality
from bench.query import bench_queries
from bench.suggestions import bench_suggestions
from bench.synthetic import bench_synthetic


def main() -> None:
    """Parse options and run the benchmarks."""
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="GET /health requests")
    parser.add_argument("--events", type=int, default=1_000_000, help="events to ingest")
    parser.add_argument(
        "--soak-minutes", type=float, default=1.0, help="mixed load while the memory is sampled"
    )
    parser.add_argument(
        "--property-examples",
        type=int,
        default=240,
        help="generated cases per API operation and mode (240: over 10,000 in all)",
    )
    args = parser.parse_args()
    bench_synthetic()
    bench_quality()
    bench_patterns()
    bench_analysis_api()
    bench_queries()
    bench_suggestions()
    run_api_benchmarks(health_requests=args.requests, events=args.events)
    bench_load(args.soak_minutes)
    bench_properties(args.property_examples)


main()
