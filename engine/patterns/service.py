"""The patterns module's face to the rest of the engine: analysis, findings, feedback."""

from __future__ import annotations

import logging

from engine.patterns.pattern_store import PatternStore
from engine.patterns.ranker_model import RankerModel
from engine.patterns.ranker_training import NAME as RANKER_NAME
from engine.patterns.ranking import Candidate, FeedbackAction
from engine.patterns.scoring import Scorer
from engine.training.runs import TrainingRun, TrainingRunner

_LOGGER = logging.getLogger(__name__)


class PatternService:
    """Ranks findings with the household's feedback and the newest trained ranker."""

    def __init__(self, store: PatternStore, training: TrainingRunner) -> None:
        self.store = store
        self._training = training
        self._model: tuple[int, RankerModel] | None = None

    async def scorer(self) -> Scorer:
        """Return a scorer with the newest suggestion_ranker, loaded once per version."""
        newest = await self._training.newest_model(RANKER_NAME)
        if newest is None:
            return Scorer()
        version, data = newest
        if self._model is None or self._model[0] != version:
            try:
                self._model = (version, RankerModel.from_bytes(data))
            except ValueError as err:
                # A model of an older feature set (or a damaged file) must not stop the
                # ranking: the Bayesian update stands in until the ranker is trained again.
                _LOGGER.warning("suggestion_ranker v%d not used: %s", version, err)
                return Scorer()
        return Scorer(self._model[1])

    async def record_feedback(self, finding_id: str, action: FeedbackAction) -> Candidate:
        """Store a verdict on a pattern or synergy and rank every finding again."""
        candidate = await self.store.record_feedback(finding_id, action)
        await self.store.rescore(await self.scorer())
        return candidate

    async def model_trained(self, run: TrainingRun) -> None:
        """Rank again with a newly trained suggestion_ranker."""
        if run.training_type == RANKER_NAME:
            await self.store.rescore(await self.scorer())
