"""Property-based API tests: generated requests against a real engine get documented answers.

A bounded, seeded pass of bench/properties.py (which `scripts/bench` runs at length).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.properties import KnownIds, Tally, cap_synthetic_days, engine_with_home, run_properties

# A few valid and a few invalid cases per operation: about 40 s on two cores.
EXAMPLES = 3
SEED = 20261206


@pytest.fixture(scope="module")
def tally(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tally]:
    """Run the pass once for the module's assertions."""
    data_dir: Path = tmp_path_factory.mktemp("properties") / "data"
    data_dir.mkdir()
    with engine_with_home(data_dir) as (engine, known):
        assert isinstance(known, KnownIds)
        yield run_properties(
            engine.base_url, known, examples=EXAMPLES, seed=SEED, edit=cap_synthetic_days
        )


def test_every_operation_is_exercised(tally: Tally) -> None:
    # Every operation but the WebSocket stream; valid cases and, where there is input, invalid.
    assert len(tally.by_operation) == 44
    assert tally.cases >= 150
    assert {200, 400, 404} <= set(tally.statuses)


def test_no_generated_request_gets_a_server_error(tally: Tally) -> None:
    assert tally.server_errors == []


def test_every_answer_conforms_to_the_document(tally: Tally) -> None:
    assert tally.nonconforming == []
