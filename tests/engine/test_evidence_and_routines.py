"""Evidence of findings and suggestions through the API, routines, and the 0007 upgrade."""

from __future__ import annotations

import dataclasses
import io
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from alembic import command
from sqlalchemy import Connection, insert, inspect

from engine.app import create_app
from engine.automation.keys import SUGGESTIONS
from engine.keys import DATABASE
from engine.patterns.coverage import ExistingAutomation, covered_by
from engine.patterns.details import (
    CoOccurrenceDetails,
    PatternType,
    RoutineDetails,
    details_from_dict,
)
from engine.patterns.detect import DetectedPattern, DetectedSynergy, DetectionResult
from engine.patterns.identity import pattern_id
from engine.patterns.keys import PATTERNS
from engine.patterns.ranker_model import FEATURE_NAMES, RankerModel
from engine.patterns.scoring import Scorer
from engine.settings import Settings
from engine.store.database import create_database_engine
from engine.store.migrate import alembic_config
from engine.store.schema import models, patterns, suggestions, synergies
from tests.engine.test_analysis_api import _all, _get
from tests.engine.test_suggestions_api import HOME, _pattern, _post

from .conftest import AUTH, Client, ClientFactory

SEEN = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
EMPTY: dict[str, Any] = {"days": []}
HABIT_EVIDENCE = {
    "days": [
        {"date": "2026-11-01", "times": ["20:31:04"]},
        {"date": "2026-11-02", "times": []},
        {"date": "2026-11-03", "times": ["20:28:40", "20:44:12"]},
    ]
}
PAIR_EVIDENCE = {
    "days": [
        {"date": "2026-11-01", "times": ["07:02:10", "18:40:00"], "delays_s": [3.5, 12.0]},
        {"date": "2026-11-02", "times": [], "delays_s": []},
    ]
}
CHAIN_EVIDENCE = {"days": [{"date": "2026-11-01", "times": ["07:02:10"]}]}
# In the order and with the keys the routine detector writes (an area's, so no entity).
ROUTINE_DETAILS: dict[str, Any] = {
    "kind": "first_activity",
    "area_id": "hall",
    "entity_id": None,
    "state": "on",
    "time": "07:35",
    "spread_minutes": 11.5,
    "days": "weekdays",
    "sensors": ["binary_sensor.door"],
    "quiet_minutes": 360,
}


def _found(
    kind: str, entities: list[str], details: dict[str, Any], evidence: dict[str, Any], score: float
) -> DetectedPattern:
    """Return a pattern as a detector would report it."""
    return DetectedPattern(
        type=PatternType(kind),
        entities=entities,
        description=f"On 18 of 21 days: {kind} of {', '.join(entities)}.",
        confidence=0.86,
        support_days=18,
        observed_days=21,
        score=score,
        details=details_from_dict(PatternType(kind), details),
        first_seen=SEEN,
        last_seen=SEEN + timedelta(days=20),
        evidence=evidence,
    )


HABIT = _found(
    "time_of_day",
    ["light.hall"],
    {
        "entity_id": "light.hall",
        "state": "on",
        "time": "20:30",
        "spread_minutes": 8.0,
        "days": "all",
    },
    HABIT_EVIDENCE,
    0.9,
)
PAIR = _found(
    "co_occurrence",
    ["binary_sensor.door", "light.hall"],
    {
        "trigger": {"entity_id": "binary_sensor.door", "state": "on"},
        "action": {"entity_id": "light.hall", "state": "on"},
        "window_s": 120,
        "median_delay_s": 6.0,
        "lift": 40.0,
    },
    PAIR_EVIDENCE,
    0.8,
)
ROUTINE = _found("routine", ["binary_sensor.door"], ROUTINE_DETAILS, EMPTY, 0.7)
CHAIN = DetectedSynergy(
    depth=2,
    chain=[
        {"entity_id": "binary_sensor.door", "state": "on"},
        {"entity_id": "light.hall", "state": "on"},
    ],
    confidence=0.8,
    support_days=15,
    score=0.6,
    description="On 15 days: Front door opened then Hall light turned on (15 of 18 times).",
    evidence=CHAIN_EVIDENCE,
)


async def _store(client: Client, result: DetectionResult) -> None:
    """Store findings as an analysis run would."""
    response = await client.post("/api/v1/home/import", json=HOME, headers=AUTH)
    assert response.status == 200, await response.text()
    await client.app[PATTERNS].store.replace("test", result, Scorer())


async def test_findings_serve_their_evidence(client: Client) -> None:
    await _store(client, DetectionResult([HABIT, PAIR, ROUTINE], [CHAIN]))
    listed = {p["type"]: p for p in await _all(client, "/api/v1/patterns", "patterns")}
    assert listed["time_of_day"]["evidence"] == HABIT_EVIDENCE
    assert listed["co_occurrence"]["evidence"] == PAIR_EVIDENCE
    assert listed["routine"]["evidence"] == EMPTY
    for pattern in listed.values():
        assert await _get(client, f"/api/v1/patterns/{pattern['id']}") == pattern
    (chain,) = await _all(client, "/api/v1/synergies", "synergies")
    assert chain["evidence"] == CHAIN_EVIDENCE
    assert await _get(client, f"/api/v1/synergies/{chain['id']}") == chain


async def test_a_suggestion_carries_its_findings_evidence(client: Client) -> None:
    await _store(client, DetectionResult([HABIT], []))
    made = await _post(client, "/api/v1/suggestions/generate", {})
    (suggestion,) = [s for s in made["suggestions"] if s["source"] == "pattern"]
    assert suggestion["evidence"] == HABIT_EVIDENCE
    assert await _get(client, f"/api/v1/suggestions/{suggestion['id']}") == suggestion
    listed = await _all(client, "/api/v1/suggestions", "suggestions")
    assert [s["evidence"] for s in listed] == [HABIT_EVIDENCE]


async def test_a_suggestion_asked_for_in_words_has_no_evidence(client: Client) -> None:
    await _store(client, DetectionResult())
    automation = {
        "alias": "Hall light when the door opens",
        "triggers": [{"trigger": "state", "entity_id": "binary_sensor.door", "to": "on"}],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": ["light.hall"]}}],
    }
    made = await client.app[SUGGESTIONS].from_query("q1", "door opens, hall light on", automation)
    assert made["evidence"] == EMPTY
    assert (await _get(client, f"/api/v1/suggestions/{made['id']}"))["evidence"] == EMPTY


async def test_routines_are_listed_by_type_and_bogus_types_are_400(client: Client) -> None:
    await _store(client, DetectionResult([HABIT, PAIR, ROUTINE], []))
    (routine,) = await _all(client, "/api/v1/patterns?type=routine", "patterns")
    assert routine["type"] == "routine"
    assert routine["details"] == ROUTINE_DETAILS
    assert routine["covered_by"] == []
    answer = await _get(client, "/api/v1/patterns?type=bogus", 400)
    assert answer["error"]["code"] == "bad_request"
    assert answer["error"]["message"]
    assert answer["error"]["details"]["field"] == "type"


def test_a_routine_keeps_its_id_when_its_time_and_counts_change() -> None:
    moved = dataclasses.replace(
        ROUTINE,
        description="On 25 of 30 weekdays the first hall activity is around 07:50.",
        confidence=0.83,
        support_days=25,
        observed_days=30,
        score=0.4,
        details=RoutineDetails.from_dict(
            {**ROUTINE_DETAILS, "time": "07:50", "spread_minutes": 25.0, "quiet_minutes": 300}
        ),
        first_seen=SEEN - timedelta(days=9),
        evidence=HABIT_EVIDENCE,
    )
    assert pattern_id(moved) == pattern_id(ROUTINE)
    others = [
        {**ROUTINE_DETAILS, "kind": "last_activity"},
        {**ROUTINE_DETAILS, "area_id": "kitchen"},
        {**ROUTINE_DETAILS, "state": "off"},
        {**ROUTINE_DETAILS, "days": "all"},
        {key: value for key, value in ROUTINE_DETAILS.items() if key != "area_id"}
        | {"entity_id": "binary_sensor.door"},
    ]
    ids = {
        pattern_id(dataclasses.replace(ROUTINE, details=RoutineDetails.from_dict(details)))
        for details in others
    }
    assert len(ids | {pattern_id(ROUTINE)}) == len(others) + 1


def test_a_routine_is_never_covered_by_an_automation() -> None:
    # Started by the routine's sensor and naming it in its actions: what covers other kinds.
    config = {
        "triggers": [{"trigger": "state", "entity_id": "binary_sensor.door", "to": "on"}],
        "actions": [
            {"condition": "state", "entity_id": "binary_sensor.door", "state": "on"},
            {"action": "light.turn_on", "target": {"entity_id": "light.hall"}},
        ],
    }
    existing = [ExistingAutomation("automation.hall", config)]
    assert covered_by(existing, "routine", ["binary_sensor.door"]) == []
    # An area's routine may name no entity at all.
    assert covered_by(existing, "routine", []) == []


def _upgrade_to(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _columns(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns(table)}


async def test_a_database_from_revision_0006_upgrades_and_reads_empty_evidence(
    aiohttp_client: ClientFactory, settings: Settings
) -> None:
    engine = create_database_engine(settings.resolved_database_url)
    now = time.time()
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade_to, "0006")
        assert "evidence" not in await connection.run_sync(_columns, "patterns")
        await connection.execute(
            insert(patterns), [_pattern("p-old", "light.hall", "on", "20:30", 0.9)]
        )
        await connection.execute(
            insert(synergies),
            [
                {
                    "id": "s-old",
                    "depth": 2,
                    "chain": CHAIN.chain,
                    "confidence": 0.8,
                    "support_days": 15,
                    "score": 0.6,
                    "detector_score": 0.6,
                    "description": CHAIN.description,
                    "suppressed": False,
                    "run_id": "old",
                }
            ],
        )
        await connection.execute(
            insert(suggestions),
            [
                {
                    "id": "g-old",
                    "source": "pattern",
                    "source_id": "p-old",
                    "fingerprint": "f" * 64,
                    "title": "Turn on Hall light every day at 20:30",
                    "description": "Every day at 20:30, turn on Hall light.",
                    "explanation": "On 18 of 21 days.",
                    "score": 0.9,
                    "status": "pending",
                    "automation": {"id": "homeiq_old", "triggers": [], "actions": []},
                    "validation": {"valid": True, "errors": [], "warnings": []},
                    "requires_confirmation": False,
                    "reason": None,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    await engine.dispose()

    client = await aiohttp_client(create_app(settings))
    async with client.app[DATABASE].connect() as connection:
        for table in ("patterns", "synergies", "suggestions"):
            assert "evidence" in await connection.run_sync(_columns, table)
    assert (await _get(client, "/api/v1/patterns/p-old"))["evidence"] == EMPTY
    assert (await _get(client, "/api/v1/synergies/s-old"))["evidence"] == EMPTY
    old = await _get(client, "/api/v1/suggestions/g-old")
    assert old["evidence"] == EMPTY
    assert old["title"] == "Turn on Hall light every day at 20:30"
    # New findings after the upgrade keep theirs.
    await client.app[PATTERNS].store.replace("new", DetectionResult([HABIT], []), Scorer())
    (habit,) = await _all(client, "/api/v1/patterns", "patterns")
    assert habit["evidence"] == HABIT_EVIDENCE


async def test_the_evidence_migration_downgrades(settings: Settings) -> None:
    engine = create_database_engine(settings.resolved_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade_to, "head")
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0006"))
        for table in ("patterns", "synergies", "suggestions"):
            assert "evidence" not in await connection.run_sync(_columns, table)
    await engine.dispose()


def _model_of_features(names: list[str]) -> bytes:
    """Return a saved ranker model of another feature list (as an older engine wrote it)."""
    buffer = io.BytesIO()
    np.savez(
        buffer,
        version=np.array(1),
        feature_names=np.array(names, dtype=str),
        mean=np.zeros(len(names)),
        scale=np.ones(len(names)),
        weights=np.zeros(len(names)),
        bias=np.array(0.0),
        base_rate=np.array(0.5),
    )
    return buffer.getvalue()


async def test_a_ranker_trained_before_routines_is_refused_and_the_bayesian_ranking_stands_in(
    client: Client, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    before = [name for name in FEATURE_NAMES if name != "type_routine"]
    assert len(before) == len(FEATURE_NAMES) - 1
    saved = _model_of_features(before)
    with pytest.raises(ValueError, match="other features"):
        RankerModel.from_bytes(saved)
    path = settings.data_dir / "old_ranker.npz"
    path.write_bytes(saved)
    async with client.app[DATABASE].begin() as connection:
        await connection.execute(
            insert(models).values(
                name="suggestion_ranker",
                version=1,
                trained_at=time.time(),
                metrics={},
                path=str(path),
                run_id="old",
            )
        )
    with caplog.at_level(logging.WARNING, logger="engine.patterns.service"):
        scorer = await client.app[PATTERNS].scorer()
    assert scorer.model is None
    assert "retrain" in caplog.text


def test_an_action_after_a_routine_is_another_pattern_than_after_its_sensor() -> None:
    """The same sensor and action, once after any motion and once after the routine."""
    moment = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
    details = {
        "trigger": {"entity_id": "binary_sensor.kitchen_motion", "state": "on"},
        "action": {"entity_id": "switch.coffee", "state": "on"},
    }
    pair = PatternType.CO_OCCURRENCE
    plain = DetectedPattern(
        pair, [], "", 0.5, 5, 30, 0.5, CoOccurrenceDetails.from_dict(details), moment, moment
    )
    routine = {"kind": "first_activity", "area_id": "kitchen", "days": "weekdays", "time": "06:40"}
    after = DetectedPattern(
        pair,
        [],
        "",
        0.5,
        5,
        30,
        0.5,
        CoOccurrenceDetails.from_dict(
            {**details, "trigger": {**details["trigger"], "routine": routine}}
        ),
        moment,
        moment,
    )
    later = {**routine, "time": "06:55"}
    drifted = DetectedPattern(
        pair,
        [],
        "",
        0.6,
        6,
        30,
        0.6,
        CoOccurrenceDetails.from_dict(
            {**details, "trigger": {**details["trigger"], "routine": later}}
        ),
        moment,
        moment,
    )
    assert pattern_id(plain) != pattern_id(after)
    assert pattern_id(after) == pattern_id(drifted)
