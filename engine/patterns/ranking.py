"""Learning from feedback: rank patterns and synergies by what this household accepts.

Each candidate's chance of being accepted, P(accept), is a Beta-Bernoulli posterior in a
small hierarchy of keys, from general to specific:

    root ─┬─ type ───────┬─ (type, domain) ──┐
          └─ domain ─┬───┘                   ├─ (type, entity)
                     └─ entity ──────────────┘

(domain and entity are those of the action entity, the last of `entities`). A key's prior
mean is what its parents believe, combined in log-odds as independent evidence (their sum
minus the ancestor they share, so the root is not counted twice); its prior strength is a
fixed number of pseudo-feedbacks. A key that has never had feedback therefore carries its
parents' belief unchanged: rejecting five time-of-day habits lowers the sixth one, never
shown, while an entity's own record refines it once there is one.

The ranked score multiplies the detector's odds by how much likelier than the household's
average this candidate is to be accepted:
odds(score) = odds(detector score) * odds(P(accept)) / odds(P(accept) of the household).
The detector says how reliable a habit is, feedback how much this household wants that
kind of automation. Relative to the household's average, so that a household that says no
more often than yes does not make every suggestion look worse (what it said no to is
suppressed anyway) and thresholds on the score keep their meaning. With no feedback
P(accept) is 1/2 everywhere, so the score is the detector's own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
FeedbackAction = Literal["approve", "reject", "deploy", "disable", "delete"]
FEEDBACK_ACTIONS: tuple[FeedbackAction, ...] = get_args(FeedbackAction)
POSITIVE_ACTIONS: frozenset[FeedbackAction] = frozenset({"approve", "deploy"})
# How much one verdict counts, in Bernoulli trials. Deleting a deployed automation weighs
# more than rejecting its description: the household lived with it and took it out. A
# disable weighs like a reject because it is often temporary (a holiday, the season).
FEEDBACK_WEIGHTS: Mapping[FeedbackAction, float] = {
    "approve": 1.0,
    "deploy": 1.0,
    "reject": 1.0,
    "disable": 1.0,
    "delete": 1.5,
}
# A rejected suggestion returns only once its support grew by at least this many days and
# this share of the support it had when rejected. Support is counted in distinct days over
# a rolling window, so a day or two more is noise of the window sliding; a quarter more
# means the habit kept happening well after the household said no (12 days → 15 days),
# and the floor of three days keeps a thin pattern (4 days → 5) from bouncing back.
MATERIAL_SUPPORT_GROWTH_DAYS = 3
MATERIAL_SUPPORT_GROWTH_SHARE = 0.25
# P(accept) before any feedback: indifferent, so the detector's score stands alone.
PRIOR_ACCEPTANCE = 0.5
# Prior strength of each level in pseudo-feedbacks: how many verdicts on a key it takes to
# move it halfway from its parents' belief to its own record. General keys are steadier;
# a single entity's record may speak sooner, as it is about exactly that entity.
ROOT_STRENGTH = 2.0
TYPE_STRENGTH = 4.0
DOMAIN_STRENGTH = 4.0
TYPE_DOMAIN_STRENGTH = 4.0
ENTITY_STRENGTH = 3.0
TYPE_ENTITY_STRENGTH = 2.0
# Probabilities are kept this far from 0 and 1 so log-odds stay finite.
_EPSILON = 1e-6


@dataclass(frozen=True)
class Candidate:
    """A pattern or synergy as ranking sees it."""

    id: str
    type: str  # "time_of_day" | "co_occurrence" | "anomaly" | "routine" | "synergy"
    entities: tuple[str, ...]  # entity ids; the last one is the action entity
    score: float  # the detector's score, 0..1
    confidence: float
    support_days: int
    observed_days: int
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def action_entity(self) -> str:
        """Return the entity an automation made of this candidate would change."""
        return self.entities[-1] if self.entities else ""

    @property
    def action_domain(self) -> str:
        """Return the action entity's domain ("light", "cover" ...)."""
        return self.action_entity.partition(".")[0]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready snapshot (for the feedback history)."""
        return {
            "id": self.id,
            "type": self.type,
            "entities": list(self.entities),
            "score": self.score,
            "confidence": self.confidence,
            "support_days": self.support_days,
            "observed_days": self.observed_days,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Candidate:
        """Return a candidate from a snapshot written by to_dict."""
        return cls(
            str(data["id"]),
            str(data["type"]),
            tuple(str(entity) for entity in data["entities"]),
            float(data["score"]),
            float(data["confidence"]),
            int(data["support_days"]),
            int(data["observed_days"]),
            dict(data.get("details") or {}),
        )


def candidate_from_pattern(pattern: Mapping[str, Any]) -> Candidate:
    """Return the candidate of an API-shaped Pattern (its "score" is the detector's)."""
    return Candidate(
        str(pattern["id"]),
        str(pattern["type"]),
        tuple(str(entity) for entity in pattern["entities"]),
        float(pattern["score"]),
        float(pattern["confidence"]),
        int(pattern["support_days"]),
        int(pattern["observed_days"]),
        dict(pattern.get("details") or {}),
    )


def candidate_from_synergy(synergy: Mapping[str, Any], observed_days: int) -> Candidate:
    """Return the candidate of an API-shaped Synergy; the analysis says the days observed."""
    chain: list[Mapping[str, str]] = list(synergy["chain"])
    return Candidate(
        str(synergy["id"]),
        "synergy",
        tuple(str(step["entity_id"]) for step in chain),
        float(synergy["score"]),
        float(synergy["confidence"]),
        int(synergy["support_days"]),
        observed_days,
        {"chain": [dict(step) for step in chain], "depth": len(chain)},
    )


@dataclass(frozen=True)
class Feedback:
    """One verdict of the household on a candidate."""

    candidate: Candidate  # snapshot of the candidate when the feedback was given
    action: FeedbackAction
    at: float  # epoch seconds


def latest_verdicts(history: Iterable[Feedback]) -> dict[str, Feedback]:
    """Return the newest feedback per candidate id (equal times: the later in history)."""
    latest: dict[str, Feedback] = {}
    for item in sorted(history, key=lambda f: f.at):
        latest[item.candidate.id] = item
    return latest


def verdict_label(item: Feedback) -> tuple[bool, float]:
    """Return whether a verdict is an acceptance, and how much it weighs."""
    return item.action in POSITIVE_ACTIONS, FEEDBACK_WEIGHTS[item.action]


def support_changed_materially(before: Candidate, now: Candidate) -> bool:
    """Return whether support grew enough since `before` to ask the household again."""
    needed = max(
        MATERIAL_SUPPORT_GROWTH_DAYS,
        math.ceil(MATERIAL_SUPPORT_GROWTH_SHARE * before.support_days),
    )
    return now.support_days - before.support_days >= needed


# The baseline is the household's average acceptance (FeedbackRanking.baseline,
# RankerModel.base_rate), so scores are relative to it; the default is indifference.
def blend(
    detector_scores: FloatArray, acceptance: FloatArray, baseline: float = PRIOR_ACCEPTANCE
) -> FloatArray:
    """Return the ranked scores: detector odds times acceptance odds over baseline odds."""
    score = np.clip(detector_scores, _EPSILON, 1.0 - _EPSILON)
    accept = np.clip(acceptance, _EPSILON, 1.0 - _EPSILON)
    logit = np.log(score / (1.0 - score)) + np.log(accept / (1.0 - accept)) - _logit(baseline)
    # Where feedback says nothing, the detector's score is returned exactly, not round-tripped.
    blended: FloatArray = np.where(
        acceptance == baseline, detector_scores, 1.0 / (1.0 + np.exp(-logit))
    )
    return blended


def detector_scores(candidates: Sequence[Candidate]) -> FloatArray:
    """Return the detectors' scores of candidates."""
    return np.array([c.score for c in candidates], dtype=np.float64)


def best_first(
    candidates: Sequence[Candidate], scores: FloatArray
) -> list[tuple[Candidate, float]]:
    """Return candidates with their scores, best first (ties: detector score, then id)."""
    scored = [(c, float(s)) for c, s in zip(candidates, scores, strict=True)]
    return sorted(scored, key=lambda item: (-item[1], -item[0].score, item[0].id))


def _logit(p: float) -> float:
    """Return log(p / (1 - p)), p kept inside (0, 1)."""
    p = min(1.0 - _EPSILON, max(_EPSILON, p))
    return math.log(p / (1.0 - p))


def _sigmoid(x: float) -> float:
    """Return 1 / (1 + e^-x)."""
    return 1.0 / (1.0 + math.exp(-x))


@dataclass
class _Tally:
    """Weighted accepted and rejected verdicts of one key."""

    accepted: float = 0.0
    rejected: float = 0.0

    def posterior_logit(self, prior_logit: float, strength: float) -> float:
        """Return the log-odds of the Beta posterior mean under a prior of that mean."""
        prior = _sigmoid(prior_logit)
        mean = (self.accepted + strength * prior) / (self.accepted + self.rejected + strength)
        return _logit(mean)


class FeedbackRanking:
    """Beta-Bernoulli acceptance per type, domain and entity, and the suppression rule."""

    def __init__(self, latest: Mapping[str, Feedback]) -> None:
        self._latest = dict(latest)
        self._tallies: dict[tuple[str, ...], _Tally] = {}
        # One verdict per candidate (its latest): approving then deploying the same pattern
        # is one acceptance, and approving then deleting it is a rejection, not a wash.
        for item in self._latest.values():
            accepted, weight = verdict_label(item)
            for key in _keys(item.candidate):
                tally = self._tallies.setdefault(key, _Tally())
                if accepted:
                    tally.accepted += weight
                else:
                    tally.rejected += weight

    @classmethod
    def from_history(cls, history: Iterable[Feedback]) -> FeedbackRanking:
        """Return the ranking learnt from a feedback history (any order)."""
        return cls(latest_verdicts(history))

    @property
    def baseline(self) -> float:
        """Return the household's overall P(accept), what `score` measures candidates against."""
        return _sigmoid(self._root()) if self._tallies else PRIOR_ACCEPTANCE

    def acceptance(self, candidate: Candidate) -> float:
        """Return the posterior probability that the household accepts this candidate."""
        if not self._tallies:
            return PRIOR_ACCEPTANCE
        kind, domain, entity = candidate.type, candidate.action_domain, candidate.action_entity
        root = self._root()
        by_type = self._posterior(("type", kind), root, TYPE_STRENGTH)
        by_domain = self._posterior(("domain", domain), root, DOMAIN_STRENGTH)
        by_type_domain = self._posterior(
            ("type_domain", kind, domain), by_type + by_domain - root, TYPE_DOMAIN_STRENGTH
        )
        by_entity = self._posterior(("entity", entity), by_domain, ENTITY_STRENGTH)
        by_type_entity = self._posterior(
            ("type_entity", kind, entity),
            by_type_domain + by_entity - by_domain,
            TYPE_ENTITY_STRENGTH,
        )
        return _sigmoid(by_type_entity)

    def acceptances(self, candidates: Sequence[Candidate]) -> FloatArray:
        """Return P(accept) of each candidate."""
        return np.array([self.acceptance(c) for c in candidates], dtype=np.float64)

    def score(self, candidate: Candidate) -> float:
        """Return the feedback-adjusted score, 0..1 (the detector's score without feedback)."""
        return float(self.scores([candidate])[0])

    def scores(self, candidates: Sequence[Candidate]) -> FloatArray:
        """Return the feedback-adjusted score of each candidate, in their order."""
        return blend(detector_scores(candidates), self.acceptances(candidates), self.baseline)

    def suppressed(self, candidate: Candidate) -> bool:
        """Return whether the household said no to it and its support has not grown since."""
        latest = self._latest.get(candidate.id)
        if latest is None or latest.action in POSITIVE_ACTIONS:
            return False
        return not support_changed_materially(latest.candidate, candidate)

    def unsuppressed(self, candidates: Iterable[Candidate]) -> list[Candidate]:
        """Return the candidates that may be suggested, in their order."""
        return [c for c in candidates if not self.suppressed(c)]

    def rank(self, candidates: Iterable[Candidate]) -> list[tuple[Candidate, float]]:
        """Return (candidate, score) best first, suppressed candidates left out."""
        kept = self.unsuppressed(candidates)
        return best_first(kept, self.scores(kept))

    def _root(self) -> float:
        """Return the log-odds of the household's overall acceptance."""
        return self._posterior(("root",), _logit(PRIOR_ACCEPTANCE), ROOT_STRENGTH)

    def _posterior(self, key: tuple[str, ...], prior_logit: float, strength: float) -> float:
        """Return a key's posterior log-odds given its prior's."""
        tally = self._tallies.get(key)
        return prior_logit if tally is None else tally.posterior_logit(prior_logit, strength)


def _keys(candidate: Candidate) -> tuple[tuple[str, ...], ...]:
    """Return the keys a verdict on this candidate counts towards."""
    kind, domain, entity = candidate.type, candidate.action_domain, candidate.action_entity
    return (
        ("root",),
        ("type", kind),
        ("domain", domain),
        ("type_domain", kind, domain),
        ("entity", entity),
        ("type_entity", kind, entity),
    )
