"""Patterns, synergies, feedback and Home Assistant's automations in the database."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from functools import cache
from types import SimpleNamespace
from typing import Any, Final, cast

from sqlalchemy import Select, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from engine.errors import NotFoundError
from engine.ha.automations import load_automations
from engine.patterns import wire
from engine.patterns.coverage import ExistingAutomation, covered_by
from engine.patterns.details import PatternDetails
from engine.patterns.detect import DetectionResult
from engine.patterns.findings import StoredPattern, StoredSynergy
from engine.patterns.identity import pattern_id, synergy_id
from engine.patterns.ranking import (
    Candidate,
    Feedback,
    FeedbackAction,
    candidate_from_pattern,
    candidate_from_synergy,
)
from engine.patterns.scoring import Scorer
from engine.store.pages import best_first
from engine.store.run_rows import iso_time
from engine.store.schema import feedback, pattern_entities, patterns, synergies

_LOGGER = logging.getLogger(__name__)
# Rows per INSERT: well under SQLite's bound-parameter limit for the widest table.
_BATCH = 500


def stored_evidence(value: Any) -> dict[str, Any]:
    """Return a row's evidence; rows stored before evidence was kept have none."""
    return value if isinstance(value, dict) else {"days": []}


def _evidence(value: Any) -> wire.Evidence:
    """Return a row's evidence as the API shows it (the analysis stored it in that shape)."""
    return cast(wire.Evidence, stored_evidence(value))


def pattern_to_dict(row: Any) -> wire.Pattern:
    """Return a stored pattern as the API shows it."""
    return {
        "id": row.id,
        "type": row.type,
        "entities": row.entities,
        "description": row.description,
        "confidence": row.confidence,
        "support_days": row.support_days,
        "observed_days": row.observed_days,
        "score": round(row.score, 4),
        "details": row.details,
        "first_seen": iso_time(row.first_seen),
        "last_seen": iso_time(row.last_seen),
        "covered_by": row.covered_by,
        "suppressed": row.suppressed,
        "evidence": _evidence(row.evidence),
    }


def synergy_to_dict(row: Any) -> wire.Synergy:
    """Return a stored synergy as the API shows it."""
    return {
        "id": row.id,
        "depth": row.depth,
        "chain": row.chain,
        "confidence": row.confidence,
        "support_days": row.support_days,
        "score": round(row.score, 4),
        "description": row.description,
        "suppressed": row.suppressed,
        "evidence": _evidence(row.evidence),
    }


def _pattern_candidate(row: Any) -> Candidate:
    """Return the ranking's view of a stored pattern (with the detector's own score)."""
    return candidate_from_pattern({**pattern_to_dict(row), "score": row.detector_score})


def _synergy_candidate(row: Any, observed_days: int) -> Candidate:
    return candidate_from_synergy(
        {**synergy_to_dict(row), "score": row.detector_score}, observed_days
    )


@cache
def _pattern_listing(*, by_type: bool, by_entity: bool, by_confidence: bool) -> Select[Any]:
    """Return the pattern listing's query for a shape of filter, values bound (built once)."""
    query = select(patterns)
    if by_type:
        query = query.where(patterns.c.type == bindparam("type"))
    if by_entity:
        query = query.where(
            patterns.c.id.in_(
                select(pattern_entities.c.pattern_id).where(
                    pattern_entities.c.entity_id == bindparam("entity_id")
                )
            )
        )
    if by_confidence:
        query = query.where(patterns.c.confidence >= bindparam("min_confidence"))
    return query


_SYNERGIES: Final = select(synergies)
_SYNERGIES_AT_DEPTH: Final = select(synergies).where(synergies.c.depth == bindparam("depth"))


class PatternStore:
    """The newest analysis's findings, ranked by the household's feedback."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def replace(
        self, run_id: str, result: DetectionResult, scorer: Scorer
    ) -> tuple[int, int]:
        """Replace every pattern and synergy with a new analysis's, in one transaction."""
        automations = await self.existing_automations()
        pattern_rows: list[dict[str, Any]] = []
        for found in result.patterns:
            row = {
                **asdict(found),
                # The store keeps the details' JSON (asdict would keep absent keys as null).
                "details": found.details.as_dict(),
                "id": pattern_id(found),
                "detector_score": found.score,
                "first_seen": found.first_seen.timestamp(),
                "last_seen": found.last_seen.timestamp(),
                "covered_by": covered_by(automations, found.type, found.entities),
                "suppressed": False,
                "run_id": run_id,
            }
            pattern_rows.append(row)
        # Two detections with one identity (e.g. an anomaly seen twice at one moment) keep
        # the better-scored one.
        unique = {row["id"]: row for row in sorted(pattern_rows, key=lambda r: r["score"])}
        pattern_rows = list(unique.values())
        observed = max((row["observed_days"] for row in pattern_rows), default=0)
        synergy_rows = list(
            {
                synergy_id(found): {
                    **asdict(found),
                    "id": synergy_id(found),
                    "detector_score": found.score,
                    "suppressed": False,
                    "run_id": run_id,
                }
                for found in result.synergies
            }.values()
        )
        history = await self.feedback_history()
        # Fresh rows are dicts; a namespace gives them the attribute access of stored rows.
        self._score(
            scorer,
            history,
            pattern_rows,
            [_pattern_candidate(SimpleNamespace(**row)) for row in pattern_rows],
        )
        self._score(
            scorer,
            history,
            synergy_rows,
            [_synergy_candidate(SimpleNamespace(**row), observed) for row in synergy_rows],
        )
        async with self._engine.begin() as connection:
            await connection.execute(delete(pattern_entities))
            await connection.execute(delete(patterns))
            await connection.execute(delete(synergies))
            await _insert(connection, patterns, pattern_rows)
            await _insert(
                connection,
                pattern_entities,
                [
                    {"pattern_id": row["id"], "entity_id": entity}
                    for row in pattern_rows
                    for entity in dict.fromkeys(row["entities"])
                ],
            )
            await _insert(connection, synergies, synergy_rows)
        return len(pattern_rows), len(synergy_rows)

    @staticmethod
    def _score(
        scorer: Scorer,
        history: Sequence[Feedback],
        rows: list[dict[str, Any]],
        candidates: list[Candidate],
    ) -> None:
        """Set each row's ranked score and suppression from the feedback so far."""
        for row, (score, suppressed) in zip(rows, scorer.score(candidates, history), strict=True):
            row["score"], row["suppressed"] = score, suppressed

    async def rescore(self, scorer: Scorer) -> None:
        """Rank the stored findings again (after new feedback or a newly trained model)."""
        history = await self.feedback_history()
        async with self._engine.begin() as connection:
            pattern_list = (await connection.execute(select(patterns))).all()
            synergy_list = (await connection.execute(select(synergies))).all()
            observed = max((row.observed_days for row in pattern_list), default=0)
            for table, rows, candidates in (
                (patterns, pattern_list, [_pattern_candidate(row) for row in pattern_list]),
                (
                    synergies,
                    synergy_list,
                    [_synergy_candidate(row, observed) for row in synergy_list],
                ),
            ):
                if not rows:
                    continue
                scored = scorer.score(candidates, history)
                for row, (score, suppressed) in zip(rows, scored, strict=True):
                    await connection.execute(
                        update(table)
                        .where(table.c.id == row.id)
                        .values(score=score, suppressed=suppressed)
                    )

    async def list_patterns(
        self,
        *,
        type_: str | None,
        entity_id: str | None,
        min_confidence: float | None,
        limit: int,
        after: tuple[float, str] | None,
    ) -> tuple[list[wire.Pattern], int]:
        """Return patterns best first after a cursor position, and how many match."""
        query = _pattern_listing(
            by_type=type_ is not None,
            by_entity=entity_id is not None,
            by_confidence=min_confidence is not None,
        )
        values = {"type": type_, "entity_id": entity_id, "min_confidence": min_confidence}
        rows, total = await best_first(self._engine, patterns, query, limit, after, values=values)
        return [pattern_to_dict(row) for row in rows], total

    async def get_pattern(self, pattern_id_: str) -> wire.Pattern:
        """Return one pattern (404 when the newest analysis did not find it)."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(patterns).where(patterns.c.id == pattern_id_))
            ).first()
        if row is None:
            raise NotFoundError(f"No pattern {pattern_id_!r}")
        return pattern_to_dict(row)

    async def list_synergies(
        self, *, depth: int | None, limit: int, after: tuple[float, str] | None
    ) -> tuple[list[wire.Synergy], int]:
        """Return synergies best first after a cursor position, and how many match."""
        query = _SYNERGIES_AT_DEPTH if depth is not None else _SYNERGIES
        rows, total = await best_first(
            self._engine, synergies, query, limit, after, values={"depth": depth}
        )
        return [synergy_to_dict(row) for row in rows], total

    async def suggestible(
        self, min_score: float
    ) -> tuple[list[StoredPattern[PatternDetails]], list[StoredSynergy]]:
        """Return the patterns and synergies not suppressed scoring at least `min_score`."""
        async with self._engine.connect() as connection:
            found = [
                (
                    await connection.execute(
                        select(table)
                        .where(~table.c.suppressed, table.c.score >= min_score)
                        .order_by(table.c.score.desc(), table.c.id)
                    )
                ).all()
                for table in (patterns, synergies)
            ]
        return (
            _readable(StoredPattern.from_dict, map(pattern_to_dict, found[0])),
            _readable(StoredSynergy.from_dict, map(synergy_to_dict, found[1])),
        )

    async def get_synergy(self, synergy_id_: str) -> wire.Synergy:
        """Return one synergy (404 when the newest analysis did not find it)."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(synergies).where(synergies.c.id == synergy_id_))
            ).first()
        if row is None:
            raise NotFoundError(f"No synergy {synergy_id_!r}")
        return synergy_to_dict(row)

    async def synergy_stats(self) -> wire.SynergyStats:
        """Return how many synergies there are, by depth, and their mean score."""
        query = select(synergies.c.depth, func.count(), func.avg(synergies.c.score)).group_by(
            synergies.c.depth
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        counts = dict.fromkeys((2, 3, 4), 0)
        total, weighted = 0, 0.0
        for depth, count, mean in rows:
            counts[depth] = count
            total += count
            weighted += count * float(mean or 0.0)
        return {
            "total": total,
            "by_depth": {"2": counts[2], "3": counts[3], "4": counts[4]},
            "mean_score": round(weighted / total, 4) if total else 0.0,
        }

    async def record_feedback(
        self, finding_id: str, action: FeedbackAction, at: float | None = None
    ) -> Candidate:
        """Store a verdict on a pattern or synergy, with a snapshot of it as it is now."""
        async with self._engine.begin() as connection:
            candidate = await self._candidate(connection, finding_id)
            await connection.execute(
                insert(feedback).values(
                    pattern_id=finding_id,
                    action=action,
                    at=time.time() if at is None else at,
                    candidate=candidate.to_dict(),
                )
            )
        return candidate

    async def _candidate(self, connection: AsyncConnection, finding_id: str) -> Candidate:
        row = (
            await connection.execute(select(patterns).where(patterns.c.id == finding_id))
        ).first()
        if row is not None:
            return _pattern_candidate(row)
        row = (
            await connection.execute(select(synergies).where(synergies.c.id == finding_id))
        ).first()
        if row is None:
            raise NotFoundError(f"No pattern or synergy {finding_id!r}")
        observed = await connection.scalar(select(func.max(patterns.c.observed_days)))
        return _synergy_candidate(row, int(observed or 0))

    async def feedback_history(self) -> list[Feedback]:
        """Return every verdict, oldest first."""
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(feedback).order_by(feedback.c.id))).all()
        return [Feedback(Candidate.from_dict(row.candidate), row.action, row.at) for row in rows]

    async def existing_automations(self) -> list[ExistingAutomation]:
        """Return the automations Home Assistant has, as last mirrored."""
        return [
            ExistingAutomation(a.entity_id, a.config) for a in await load_automations(self._engine)
        ]


def _readable[FindingT](
    read: Callable[[Mapping[str, Any]], FindingT], rows: Iterable[Mapping[str, Any]]
) -> list[FindingT]:
    """Return the typed findings of rows, leaving out (and logging) one that does not read."""
    found = []
    for row in rows:
        try:
            found.append(read(row))
        except (KeyError, TypeError, ValueError):
            _LOGGER.warning("Not suggesting from stored finding %s: it does not read", row["id"])
    return found


async def _insert(connection: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _BATCH):
        await connection.execute(insert(table), rows[start : start + _BATCH])
