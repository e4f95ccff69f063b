"""Suggestion figures: drafting, validating and storing 500 suggestions in one batch."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.query import home_body
from engine.automation.deployment.service import DeploymentService
from engine.automation.suggestions.service import SuggestionService
from engine.automation.suggestions.store import SuggestionStore
from engine.home.catalog import CatalogSource, catalog_from_import
from engine.patterns.pattern_store import PatternStore
from engine.patterns.service import PatternService
from engine.store.database import create_database_engine
from engine.store.migrate import migrate
from engine.store.schema import ha_automations, patterns
from engine.stream import StreamHub
from engine.training.runs import TrainingRunner

SUGGESTIONS = 500
ACTIONABLE = ("light", "cover", "fan", "switch", "media_player", "climate")
# (state, local time) of the habits planted per actionable entity.
HABITS = {
    "light": (("on", "06:45"), ("off", "23:10")),
    "cover": (("open", "07:30"), ("closed", "21:40")),
    "fan": (("on", "13:05"), ("off", "15:20")),
    "switch": (("on", "06:30"), ("off", "22:00")),
    "media_player": (("playing", "19:00"), ("off", "23:30")),
    "climate": (("heat", "06:00"), ("off", "22:30")),
}


def _pattern_rows(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    now = time.time()
    for number, entity in enumerate(entities):
        domain = entity["entity_id"].split(".")[0]
        for state, at in HABITS.get(domain, ()):
            rows.append(
                {
                    "id": f"p{number:04d}{state}",
                    "type": "time_of_day",
                    "entities": [entity["entity_id"]],
                    "description": f"On 18 of 21 weekdays {entity['name']} {state} around {at}.",
                    "confidence": 0.86,
                    "support_days": 18,
                    "observed_days": 21,
                    "score": 0.6 + (number % 37) / 100,
                    "detector_score": 0.7,
                    "details": {
                        "entity_id": entity["entity_id"],
                        "state": state,
                        "time": at,
                        "spread_minutes": 6.0,
                        "days": "weekdays",
                    },
                    "first_seen": now - 21 * 86400,
                    "last_seen": now,
                    "covered_by": [],
                    "suppressed": False,
                    "run_id": "bench",
                }
            )
    return rows


async def _generate(directory: Path) -> tuple[float, int, int]:
    body = {"devices": [], **home_body()}
    catalog = catalog_from_import(body, CatalogSource.IMPORT)
    engine = create_database_engine(f"sqlite+aiosqlite:///{directory / 'homeiq.db'}")
    try:
        await migrate(engine)
        rows = _pattern_rows(body["entities"])
        async with engine.begin() as connection:
            await connection.execute(insert(patterns), rows)
            # Existing automations of Home Assistant: the batch is checked against them.
            await connection.execute(
                insert(ha_automations),
                [
                    {
                        "entity_id": f"automation.existing_{n}",
                        "automation_id": str(n),
                        "config": {
                            "triggers": [{"trigger": "time", "at": "05:00:00"}],
                            "actions": [
                                {"action": "light.turn_on", "target": {"entity_id": f"light.x{n}"}}
                            ],
                        },
                    }
                    for n in range(100)
                ],
            )
        hub = StreamHub()
        service = SuggestionService(
            SuggestionStore(engine),
            lambda: catalog,
            PatternService(PatternStore(engine), TrainingRunner(engine, directory / "models")),
            # No Home Assistant: the benchmark never deploys.
            DeploymentService(engine, lambda: catalog, lambda: None, hub),
            hub,
        )
        started = time.perf_counter()
        made = await service.generate(SUGGESTIONS)
        elapsed = time.perf_counter() - started
        stored = await service.store.list(status="pending", min_score=None, limit=1, after=None)
        return elapsed, made["generated"], stored[1]
    finally:
        await engine.dispose()


def bench_suggestions() -> None:
    """Print how long generating (drafting, validating, storing) 500 suggestions takes."""
    with tempfile.TemporaryDirectory(prefix="homeiq-bench-") as directory:
        elapsed, generated, stored = asyncio.run(_generate(Path(directory)))
    print(
        f"suggestions: {generated} generated from time-of-day habits on a 500-entity home and "
        f"stored in one transaction in {elapsed * 1000:.0f} ms ({stored} pending in the store; "
        "target < 1 s)"
    )
