"""Benchmarks behind `scripts/bench`: the figures the issues ask for."""
