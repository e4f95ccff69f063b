"""Learning from feedback: the Bayesian ranking, the suggestion_ranker model, a simulated user.

The acceptance test plays a household against candidates the real detectors found in
synthetic homes. Each trial pools three homes (entity ids tagged per home) and keeps an
equal number of candidates of two kinds, one the user accepts and one it rejects; half of
them are what has been suggested so far, the other half what later analyses will find.
Each round the user is shown the top five suggestions of the first half and judges each
by its kind; after 50 verdicts the top ten of every candidate without feedback (so mostly
ones never shown) must be of the accepted kind at least 85% of the time, for the Bayesian
ranking and for the model (retrained after every round once there is enough feedback).
Kinds are broad enough to stay plentiful whatever the detectors find: "triggered" (pairs
and chains) against "timed" (time-of-day habits and routines), and lights against every
other device, each way round; a second user flips a tenth of its verdicts, as people do.

Only learning may pass: each kind keeps the detector's order within itself, but the pool's
scores are dealt out to the two kinds in turn, so the detector's own order puts the
accepted kind in half of the top ten. The same simulation with a ranking blind to
feedback (the detector's order, a fixed random order) must fail in every scenario.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import voluptuous as vol

from engine.home.catalog import CatalogSource, catalog_from_import
from engine.patterns.arrays import EventArrays
from engine.patterns.detect import detect
from engine.patterns.ranker_model import (
    FEATURE_NAMES,
    MIN_TRAINING_SAMPLES,
    RANKER_PARAMS_SCHEMA,
    RankerModel,
    candidate_features,
    rank_with_model,
    train_ranker,
)
from engine.patterns.ranking import (
    FEEDBACK_ACTIONS,
    Candidate,
    Feedback,
    FeedbackAction,
    FeedbackRanking,
    candidate_from_pattern,
    candidate_from_synergy,
)
from engine.training.protocol import TrainingCancelled, TrainingReport
from engine.training.synthetic import generate_home

TRIALS = (
    (("family_house", 1), ("shared_flat", 1), ("home_office", 1)),
    (("family_house", 2), ("shared_flat", 2), ("home_office", 2)),
    (("family_house", 3), ("shared_flat", 3), ("home_office", 3)),
    (("family_house", 4), ("shared_flat", 4), ("home_office", 4)),
)
FEEDBACK_EVENTS = 50
PAGE = 5
TOP = 10
REQUIRED_SHARE = 0.85
NO_STOP = TrainingReport(lambda _: None, lambda: False)

# The suggestions so far must hold the 50 verdicts and leave a choice on the last pages.
SUGGESTED = FEEDBACK_EVENTS + 2 * PAGE
# Of each kind per trial: enough for SUGGESTED in the first half, few enough to stay quick.
MAX_PER_KIND = 100
TIMED = frozenset({"time_of_day", "routine"})
TRIGGERED = frozenset({"co_occurrence", "synergy"})

Kind = Callable[[Candidate], str]
# Candidates best first, given the household's verdicts so far.
Ranker = Callable[[Sequence[Feedback], Sequence[Candidate]], list[Candidate]]


def _type_kind(candidate: Candidate) -> str:
    """Return "timed" (at a time of day), "triggered" (one thing after another) or its type."""
    if candidate.type in TIMED:
        return "timed"
    if candidate.type in TRIGGERED:
        return "triggered"
    return candidate.type


def _domain_kind(candidate: Candidate) -> str:
    """Return "light" for what acts on a light, "other" for every other device."""
    return "light" if candidate.action_domain == "light" else "other"


KINDS: dict[str, Kind] = {"type": _type_kind, "domain": _domain_kind}
SCENARIOS = (
    ("type", "triggered", "timed"),
    ("type", "timed", "triggered"),
    ("domain", "other", "light"),
    ("domain", "light", "other"),
)


def _tagged(entity_id: str, tag: str) -> str:
    """Return an entity id made unique to one home, domain kept."""
    domain, _, object_id = entity_id.partition(".")
    return f"{domain}.{object_id}_{tag}"


def _home_candidates(home_type: str, seed: int) -> list[Candidate]:
    """Return the candidates the detectors find in one synthetic home."""
    home = generate_home(home_type, days=30, seed=seed)
    catalog = catalog_from_import(home.catalog, CatalogSource.SYNTHETIC)
    result = detect(EventArrays.from_api_events(home.events), catalog, time_zone=catalog.time_zone)
    tag = f"{home_type}{seed}"
    candidates = []
    for n, pattern in enumerate(result.patterns):
        shape: dict[str, Any] = dataclasses.asdict(pattern)
        shape["id"] = f"{tag}-p{n}"
        shape["entities"] = [_tagged(e, tag) for e in pattern.entities]
        candidates.append(candidate_from_pattern(shape))
    observed = max((p.observed_days for p in result.patterns), default=30)
    for n, synergy in enumerate(result.synergies):
        shape = dataclasses.asdict(synergy)
        shape["id"] = f"{tag}-s{n}"
        shape["chain"] = [
            {"entity_id": _tagged(step["entity_id"], tag), "state": step["state"]}
            for step in synergy.chain
        ]
        candidates.append(candidate_from_synergy(shape, observed))
    return candidates


@pytest.fixture(scope="module")
def households() -> list[list[Candidate]]:
    """Generate and analyse every trial's homes once for the whole module."""
    started = time.perf_counter()
    pools = [[c for home in trial for c in _home_candidates(*home)] for trial in TRIALS]
    print(f"\n{sum(map(len, pools))} candidates in {time.perf_counter() - started:.1f} s")
    return pools


def _candidate(
    candidate_id: str,
    *,
    kind: str = "time_of_day",
    entities: tuple[str, ...] = ("light.kitchen",),
    score: float = 0.6,
    support_days: int = 12,
    details: dict[str, Any] | None = None,
) -> Candidate:
    """Return a hand-made candidate."""
    if details is None:
        details = {"entity_id": entities[-1], "state": "on", "time": "07:00", "days": "all"}
    return Candidate(candidate_id, kind, entities, score, score, support_days, 30, details)


def _pair(candidate_id: str, trigger: str, action: str, score: float = 0.6) -> Candidate:
    """Return a hand-made co_occurrence candidate."""
    details = {
        "trigger": {"entity_id": trigger, "state": "on"},
        "action": {"entity_id": action, "state": "on"},
        "window_s": 120,
        "median_delay_s": 30.0,
        "lift": 40.0,
    }
    return _candidate(
        candidate_id,
        kind="co_occurrence",
        entities=(trigger, action),
        score=score,
        details=details,
    )


def _feedback(candidate: Candidate, action: FeedbackAction, at: float = 0.0) -> Feedback:
    return Feedback(candidate, action, at)


# -- the Bayesian ranking ----------------------------------------------------------------


def test_without_history_the_detector_order_stands(households: list[list[Candidate]]) -> None:
    ranking = FeedbackRanking.from_history([])
    pool = households[0]
    for candidate in pool:
        assert ranking.score(candidate) == candidate.score
        assert not ranking.suppressed(candidate)
    ranked = ranking.rank(pool)
    assert [c.id for c, _ in ranked] == [c.id for c in sorted(pool, key=lambda c: (-c.score, c.id))]
    assert [s for _, s in ranked] == sorted((c.score for c in pool), reverse=True)
    assert rank_with_model(None, ranking, pool) == ranked


def test_rejecting_a_kind_lowers_unseen_candidates_of_that_type_and_domain() -> None:
    rejected = [_candidate(f"t{i}", entities=(f"light.room_{i}",)) for i in range(5)]
    ranking = FeedbackRanking.from_history(_feedback(c, "reject") for c in rejected)
    same_kind = _candidate("habit-light", entities=("light.attic",))
    same_type = _candidate("habit-switch", entities=("switch.fan",))
    same_domain = _pair("pair-light", "binary_sensor.door", "light.attic")
    unrelated = _pair("pair-switch", "binary_sensor.door", "switch.fan")
    drop = {
        c.id: c.score - ranking.score(c) for c in (same_kind, same_type, same_domain, unrelated)
    }
    print(f"\nscore drops after 5 rejected light habits: {drop}")
    assert drop["habit-light"] > drop["habit-switch"] > 0.05
    assert drop["habit-light"] > drop["pair-light"] > 0.05
    # Saying no to light habits says nothing about switch pairs.
    assert drop["pair-switch"] == pytest.approx(0.0, abs=1e-9)


def test_approving_a_type_raises_unseen_candidates_of_that_type() -> None:
    approved = [_pair(f"p{i}", f"binary_sensor.d{i}", f"switch.s{i}") for i in range(5)]
    ranking = FeedbackRanking.from_history(_feedback(c, "approve") for c in approved)
    unseen = _pair("new", "binary_sensor.hall", "switch.fan", score=0.4)
    assert ranking.score(unseen) > unseen.score + 0.1
    assert ranking.acceptance(unseen) > 0.7


def test_an_entitys_own_record_moves_its_other_candidates() -> None:
    history = [
        _feedback(_candidate(f"k{i}", entities=("light.kitchen",)), "reject") for i in range(3)
    ]
    history += [
        _feedback(_candidate(f"h{i}", entities=("light.hall",)), "approve") for i in range(3)
    ]
    ranking = FeedbackRanking.from_history(history)
    kitchen = _pair("a", "binary_sensor.door", "light.kitchen")
    hall = _pair("b", "binary_sensor.door", "light.hall")
    elsewhere = _pair("c", "binary_sensor.door", "light.attic")
    assert ranking.score(kitchen) < ranking.score(elsewhere) < ranking.score(hall)


def test_with_history_the_score_still_follows_the_detector_within_a_kind() -> None:
    history = [
        _feedback(_candidate(f"t{i}", entities=(f"light.r{i}",)), "reject") for i in range(4)
    ]
    ranking = FeedbackRanking.from_history(history)
    scores = [
        ranking.score(_candidate("x", entities=("light.new",), score=s)) for s in (0.2, 0.5, 0.8)
    ]
    assert scores == sorted(scores)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_deleting_a_deployed_automation_weighs_more_than_a_reject() -> None:
    unseen = _candidate("new", entities=("light.attic",))
    rejected = FeedbackRanking.from_history([_feedback(_candidate("a"), "reject")])
    deleted = FeedbackRanking.from_history([_feedback(_candidate("a"), "delete")])
    assert deleted.score(unseen) < rejected.score(unseen) < unseen.score


def test_approve_then_deploy_counts_once() -> None:
    candidate = _candidate("a")
    once = FeedbackRanking.from_history([_feedback(candidate, "approve")])
    twice = FeedbackRanking.from_history(
        [_feedback(candidate, "approve", 1.0), _feedback(candidate, "deploy", 2.0)]
    )
    unseen = _candidate("new", entities=("light.attic",))
    assert once.score(unseen) == twice.score(unseen)


@pytest.mark.parametrize("action", ["reject", "disable", "delete"])
def test_a_rejected_candidate_stays_away_until_its_support_grows_materially(
    action: FeedbackAction,
) -> None:
    rejected = _candidate("a", support_days=12)
    ranking = FeedbackRanking.from_history([_feedback(rejected, action)])
    assert ranking.suppressed(rejected)
    assert ranking.suppressed(dataclasses.replace(rejected, support_days=14, score=0.9))
    assert ranking.suppressed(dataclasses.replace(rejected, support_days=8))
    # 25% of 12 is 3 days: 15 is material.
    assert not ranking.suppressed(dataclasses.replace(rejected, support_days=15))
    assert [c.id for c, _ in ranking.rank([rejected, _candidate("b")])] == ["b"]


def test_material_growth_is_at_least_three_days_and_a_quarter() -> None:
    thin = _candidate("thin", support_days=4)
    thick = _candidate("thick", support_days=20)
    ranking = FeedbackRanking.from_history([_feedback(thin, "reject"), _feedback(thick, "reject")])
    assert ranking.suppressed(dataclasses.replace(thin, support_days=6))
    assert not ranking.suppressed(dataclasses.replace(thin, support_days=7))
    assert ranking.suppressed(dataclasses.replace(thick, support_days=24))
    assert not ranking.suppressed(dataclasses.replace(thick, support_days=25))


def test_the_latest_verdict_decides_suppression() -> None:
    candidate = _candidate("a")
    approved_later = [_feedback(candidate, "approve", 2.0), _feedback(candidate, "reject", 1.0)]
    assert not FeedbackRanking.from_history(approved_later).suppressed(candidate)
    deployed_then_disabled = [
        _feedback(candidate, "approve", 1.0),
        _feedback(candidate, "deploy", 2.0),
        _feedback(candidate, "disable", 3.0),
    ]
    assert FeedbackRanking.from_history(deployed_then_disabled).suppressed(candidate)
    # A re-suggested pattern rejected again is judged against its new support.
    grown = dataclasses.replace(candidate, support_days=20)
    again = [_feedback(candidate, "reject", 1.0), _feedback(grown, "reject", 2.0)]
    ranking = FeedbackRanking.from_history(again)
    assert ranking.suppressed(dataclasses.replace(candidate, support_days=22))
    assert not ranking.suppressed(dataclasses.replace(candidate, support_days=25))


def test_candidates_round_trip_through_their_snapshot() -> None:
    candidate = _pair("a", "binary_sensor.door", "light.hall")
    assert Candidate.from_dict(candidate.to_dict()) == candidate
    assert candidate.action_entity == "light.hall"
    assert candidate.action_domain == "light"
    assert FEEDBACK_ACTIONS == ("approve", "reject", "deploy", "disable", "delete")


# -- the suggestion_ranker model ---------------------------------------------------------


def _mixed(household: Sequence[Candidate], count: int) -> list[Candidate]:
    """Return `count` candidates of a household, triggered and timed ones alternating."""
    triggered = [c for c in household if _type_kind(c) == "triggered"]
    timed = [c for c in household if _type_kind(c) == "timed"]
    mixed = [c for both in zip(triggered, timed, strict=False) for c in both]
    if len(mixed) < count:
        pytest.fail(f"{len(triggered)} triggered and {len(timed)} timed candidates: too few")
    return mixed[:count]


def _triggered_wanted(candidates: Sequence[Candidate]) -> list[Feedback]:
    """Return the verdicts of a household that wants pairs and chains, no timed habits."""
    return [
        _feedback(c, "approve" if _type_kind(c) == "triggered" else "reject", float(i))
        for i, c in enumerate(candidates)
    ]


def test_features_have_a_fixed_length_and_are_finite(households: list[list[Candidate]]) -> None:
    features = candidate_features(households[0])
    assert features.shape == (len(households[0]), len(FEATURE_NAMES))
    assert np.isfinite(features).all()
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert candidate_features([]).shape == (0, len(FEATURE_NAMES))
    # Loosely typed details never break the features.
    odd = Candidate("x", "anomaly", (), 0.2, 0.1, 0, 0, {"at": "not a time", "state": None})
    assert np.isfinite(candidate_features([odd])).all()


def test_a_routine_is_featured_by_its_time_and_days() -> None:
    details = {"kind": "first_activity", "area_id": "hall", "state": "on", "time": "18:00"}
    routine = _candidate(
        "r",
        kind="routine",
        entities=("binary_sensor.hall_motion",),
        details={**details, "spread_minutes": 30.0, "days": "weekdays"},
    )
    (features,) = candidate_features([routine])
    value = dict(zip(FEATURE_NAMES, features, strict=True))
    assert value["type_routine"] == 1.0
    assert value["days_weekdays"] == 1.0
    assert value["has_time"] == 1.0
    assert value["hour_cos"] == pytest.approx(0.0, abs=1e-9)
    assert value["hour_sin"] == pytest.approx(-1.0)
    assert value["spread_hours"] == pytest.approx(0.5)


def test_the_model_round_trips_through_bytes(households: list[list[Candidate]]) -> None:
    pool = _mixed(households[0], 60)
    outcome = train_ranker(_triggered_wanted(pool), {}, NO_STOP)
    model = RankerModel.from_bytes(outcome.model)
    loaded = RankerModel.from_bytes(model.to_bytes())
    predicted = model.predict(pool)
    np.testing.assert_array_equal(loaded.predict(pool), predicted)
    assert ((predicted >= 0.0) & (predicted <= 1.0)).all()
    assert b"pickle" not in outcome.model
    assert model.predict([]).shape == (0,)
    metrics = outcome.metrics
    assert metrics["samples"] == 60
    assert metrics["positives"] == 30
    assert metrics["cv_log_loss"] < metrics["cv_baseline_log_loss"]
    assert metrics["cv_accuracy"] >= 0.85
    print(f"\nmodel metrics: {metrics}")


def test_a_model_of_other_features_is_refused() -> None:
    model = RankerModel(np.zeros(3), np.ones(3), np.zeros(3), 0.0, 0.5)
    with pytest.raises(ValueError, match="other features"):
        RankerModel.from_bytes(model.to_bytes())
    buffer = io.BytesIO()
    size = len(FEATURE_NAMES)
    np.savez(
        buffer,
        version=np.array(1),
        feature_names=np.array([f"renamed_{n}" for n in FEATURE_NAMES]),
        mean=np.zeros(size),
        scale=np.ones(size),
        weights=np.zeros(size),
        bias=np.array(0.0),
        base_rate=np.array(0.5),
    )
    with pytest.raises(ValueError, match="other features"):
        RankerModel.from_bytes(buffer.getvalue())


def test_training_needs_enough_feedback_of_both_kinds(households: list[list[Candidate]]) -> None:
    pool = _mixed(households[0], 40)
    too_few = _triggered_wanted(pool[: MIN_TRAINING_SAMPLES - 1])
    with pytest.raises(ValueError, match=f"at least {MIN_TRAINING_SAMPLES}"):
        train_ranker(too_few, {}, NO_STOP)
    one_class = [_feedback(c, "approve", float(i)) for i, c in enumerate(pool)]
    with pytest.raises(ValueError, match="accepted and"):
        train_ranker(one_class, {}, NO_STOP)
    # Verdicts on one candidate count once, however many there are.
    repeated = [_feedback(pool[i % 5], "reject", float(i)) for i in range(40)]
    with pytest.raises(ValueError, match="feedback on 5"):
        train_ranker(repeated, {}, NO_STOP)


def test_params_default_and_bad_values_are_refused() -> None:
    defaults = RANKER_PARAMS_SCHEMA({})
    assert set(defaults) == {"epochs", "learning_rate", "l2", "folds", "seed"}
    for bad in (
        {"epochs": 0},
        {"epochs": "100"},
        {"epochs": True},
        {"epochs": 10.5},
        {"learning_rate": 0},
        {"learning_rate": -0.1},
        {"learning_rate": 5.0},
        {"learning_rate": float("nan")},
        {"l2": -1},
        {"l2": True},
        {"folds": 1},
        {"seed": -1},
        {"unknown": 1},
    ):
        with pytest.raises(vol.Invalid):
            RANKER_PARAMS_SCHEMA(bad)
    with pytest.raises(vol.Invalid):
        train_ranker([], {"epochs": -5}, NO_STOP)


def test_progress_is_reported_and_cancellation_propagates(
    households: list[list[Candidate]],
) -> None:
    pool = _mixed(households[0], 80)
    history = _triggered_wanted(pool[:40])
    progress: list[float] = []
    train_ranker(history, {"epochs": 200}, TrainingReport(progress.append, lambda: False))
    assert progress[0] == 0.0
    assert progress[-1] == 1.0
    assert progress == sorted(progress)
    calls = 0

    def stop_after_a_few() -> bool:
        nonlocal calls
        calls += 1
        return calls > 5

    with pytest.raises(TrainingCancelled):
        train_ranker(history, {"epochs": 200}, TrainingReport(lambda _: None, stop_after_a_few))


def test_ranking_with_a_model_leaves_suppressed_candidates_out(
    households: list[list[Candidate]],
) -> None:
    pool = _mixed(households[0], 80)
    history = _triggered_wanted(pool[:40])
    model = RankerModel.from_bytes(train_ranker(history, {}, NO_STOP).model)
    ranking = FeedbackRanking.from_history(history)
    ranked = rank_with_model(model, ranking, pool)
    rejected = {f.candidate.id for f in history if f.action == "reject"}
    assert {c.id for c, _ in ranked} == {c.id for c in pool} - rejected
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)


# -- the simulated household -------------------------------------------------------------


def _balanced(
    household: Sequence[Candidate], kind: Kind, accepted: str, rejected: str, trial: int
) -> list[Candidate]:
    """Return as many candidates of each kind, the detector's order alternating between them.

    Each kind keeps its own order; the pool's scores are dealt out to the two kinds in
    turn (which kind leads alternates by trial), so ranking by the detector's score alone
    puts the accepted kind in half of the top ten and only feedback can do better.
    """
    by_kind = {
        name: sorted((c for c in household if kind(c) == name), key=lambda c: (-c.score, c.id))
        for name in (accepted, rejected)
    }
    count = min(MAX_PER_KIND, *map(len, by_kind.values()))
    if count < SUGGESTED:
        # Fail, never skip: a detector change that starves the test must be seen.
        found = ", ".join(f"{len(found)} {name}" for name, found in by_kind.items())
        pytest.fail(f"trial {trial}: {found}; the test needs {SUGGESTED} of each")
    first, second = by_kind[accepted], by_kind[rejected]
    if trial % 2:
        first, second = second, first
    turns = [c for both in zip(first[:count], second[:count], strict=True) for c in both]
    scores = sorted((c.score for c in turns), reverse=True)
    # Strictly decreasing, so that ties broken by id cannot give one kind a run of places.
    pool = [
        dataclasses.replace(c, score=max(0.0, score - n * 1e-6))
        for n, (c, score) in enumerate(zip(turns, scores, strict=True))
    ]
    assert np.mean([kind(c) == accepted for c in _detector_order([], pool)[:TOP]]) == 0.5
    return pool


def _detector_order(
    _history: Sequence[Feedback], candidates: Sequence[Candidate]
) -> list[Candidate]:
    """Rank by the detector's score alone, blind to feedback."""
    return sorted(candidates, key=lambda c: (-c.score, c.id))


@dataclass(frozen=True)
class RandomOrder:
    """Rank by a fixed random order of the candidates, blind to feedback."""

    seed: int

    def __call__(
        self, _history: Sequence[Feedback], candidates: Sequence[Candidate]
    ) -> list[Candidate]:
        """Return the candidates in this seed's order (the same for every history)."""
        return sorted(candidates, key=lambda c: self._draw(c.id))

    def _draw(self, candidate_id: str) -> bytes:
        return hashlib.blake2b(f"{self.seed}:{candidate_id}".encode(), digest_size=8).digest()


@dataclass
class Learned:
    """The engine's ranking: the Bayesian update, or the suggestion_ranker once trained."""

    use_model: bool
    model: RankerModel | None = None
    trained_on: int = 0

    def __call__(
        self, history: Sequence[Feedback], candidates: Sequence[Candidate]
    ) -> list[Candidate]:
        """Return the candidates best first, retraining the model on new feedback."""
        fresh = len(history) != self.trained_on
        if self.use_model and fresh and len(history) >= MIN_TRAINING_SAMPLES:
            self.trained_on = len(history)
            try:
                self.model = RankerModel.from_bytes(train_ranker(history, {}, NO_STOP).model)
            except ValueError:
                self.model = None  # too few verdicts of one class: the Bayesian ranking carries on
        ranking = FeedbackRanking.from_history(history)
        return [c for c, _ in rank_with_model(self.model, ranking, candidates)]


@dataclass(frozen=True)
class Outcome:
    """What one simulated household ended with."""

    share: float  # the accepted kind's share of the top ten after the feedback
    detector_share: float  # the same share in the detector's own order, blind to feedback
    random_share: float  # the same share in a fixed random order, blind to feedback
    by_model: bool  # whether the model (not the Bayesian fallback) ranked that top ten


def _simulate(
    pool: Sequence[Candidate],
    kind: Kind,
    accepted: str,
    trial: int,
    *,
    ranker: Ranker,
    noise: float,
) -> Outcome:
    """Play one household that judges by kind, and flips a `noise` share of its verdicts."""
    rng = np.random.default_rng(trial)
    shuffled = rng.permutation(len(pool))
    suggested_so_far = {pool[i].id for i in shuffled[: len(pool) // 2]}
    history: list[Feedback] = []
    judged: set[str] = set()
    while len(history) < FEEDBACK_EVENTS:
        page = [c for c in pool if c.id in suggested_so_far and c.id not in judged]
        assert page, "the pool ran out of suggestions"
        for candidate in ranker(history, page)[:PAGE]:
            wanted = (kind(candidate) == accepted) != (rng.random() < noise)
            history.append(
                Feedback(candidate, "approve" if wanted else "reject", float(len(history)))
            )
            judged.add(candidate.id)
    unjudged = [c for c in pool if c.id not in judged]

    def share(ranked: list[Candidate]) -> float:
        assert len(ranked) >= TOP
        return float(np.mean([kind(c) == accepted for c in ranked[:TOP]]))

    return Outcome(
        share(ranker(history, unjudged)),
        share(_detector_order(history, unjudged)),
        share(RandomOrder(trial)(history, unjudged)),
        isinstance(ranker, Learned) and ranker.model is not None,
    )


def _play(
    households: list[list[Candidate]],
    scenario: tuple[str, str, str],
    ranker: Callable[[], Ranker],
    noise: float,
) -> list[Outcome]:
    """Play a scenario in every trial, a fresh ranker each."""
    kind_name, accepted, rejected = scenario
    kind = KINDS[kind_name]
    return [
        _simulate(
            _balanced(household, kind, accepted, rejected, trial),
            kind,
            accepted,
            trial,
            ranker=ranker(),
            noise=noise,
        )
        for trial, household in enumerate(households)
    ]


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values))


@pytest.mark.parametrize("noise", [0.0, 0.1], ids=["consistent", "noisy"])
@pytest.mark.parametrize("use_model", [False, True], ids=["bayes", "model"])
@pytest.mark.parametrize(("kind_name", "accepted", "rejected"), SCENARIOS)
def test_the_accepted_kind_fills_the_top_after_50_feedback_events(
    households: list[list[Candidate]],
    kind_name: str,
    accepted: str,
    rejected: str,
    *,
    use_model: bool,
    noise: float,
) -> None:
    outcomes = _play(households, (kind_name, accepted, rejected), lambda: Learned(use_model), noise)
    share = _mean([o.share for o in outcomes])
    detector_share = _mean([o.detector_share for o in outcomes])
    random_share = _mean([o.random_share for o in outcomes])
    by_model = sum(o.by_model for o in outcomes)
    print(
        f"\n{'model' if use_model else 'bayes'}, {noise:.0%} noise: accept {accepted} / reject "
        f"{rejected}: top-{TOP} share {share:.2f} (trials "
        f"{', '.join(f'{o.share:.1f}' for o in outcomes)}; detector order {detector_share:.2f}"
        f"; random order {random_share:.2f}"
        + (f"; model ranked {by_model} of {len(outcomes)})" if use_model else ")")
    )
    assert share >= REQUIRED_SHARE
    # The same candidates ranked without the feedback fall short: the share was learnt.
    assert detector_share < REQUIRED_SHARE
    assert random_share < REQUIRED_SHARE
    if use_model and noise > 0:
        # A household that sometimes says no gives the model both classes to learn from.
        assert by_model == len(outcomes)


@pytest.mark.parametrize("blind", ["detector", "random"])
def test_a_ranking_blind_to_feedback_fails_in_every_scenario(
    households: list[list[Candidate]], blind: str
) -> None:
    rankers: dict[str, Callable[[], Ranker]] = {
        "detector": lambda: _detector_order,
        "random": lambda: RandomOrder(7),
    }
    shares = {
        f"accept {scenario[1]} / reject {scenario[2]}": _mean(
            [o.share for o in _play(households, scenario, rankers[blind], 0.0)]
        )
        for scenario in SCENARIOS
    }
    print(f"\n{blind} order, top-{TOP} shares: {shares}")
    assert all(share < REQUIRED_SHARE for share in shares.values()), shares
