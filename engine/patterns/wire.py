"""The pattern routes' answers, typed once: the store builds them, the document derives them."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, TypedDict

from engine.api.wire import DATE_TIME, SHARE, Schema
from engine.runs.wire import RunCourse

_CLOCK_SECONDS = Schema({"pattern": r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"})

# The values of details.PatternType (a test checks they agree).
PatternTypeName = Literal["time_of_day", "co_occurrence", "anomaly", "routine"]
AnalysisStatus = Literal["queued", "running", "succeeded", "failed"]
Depth = Literal[2, 3, 4]


class AnalysisStarted(TypedDict):
    """POST /api/v1/analysis/run (202)."""

    run_id: str
    status: AnalysisStatus


class AnalysisStats(TypedDict, total=False):
    """What a finished analysis counted; empty until it has finished."""

    events: int
    entities: int
    patterns: int
    synergies: int
    duration_s: float
    peak_memory_mb: float


class AnalysisRun(RunCourse):
    """One analysis run with its progress and stats, as API.md shapes it."""

    run_id: str
    status: AnalysisStatus
    days: int
    trigger: Literal["api", "schedule"]
    stats: AnalysisStats


class Step(TypedDict):
    """One entity reaching one state: a pair's trigger or action, a chain's link."""

    entity_id: str
    state: str


class EvidenceDay(TypedDict):
    """One observed day and the local times of the occurrences on it."""

    date: Annotated[str, Schema({"format": "date"})]
    times: list[Annotated[str, _CLOCK_SECONDS]]
    delays_s: NotRequired[
        Annotated[
            list[Annotated[float, Schema({"minimum": 0})]],
            Schema(
                {
                    "description": "Co-occurrence only: seconds from each trigger time "
                    "to the action, in the order of `times`"
                }
            ),
        ]
    ]


class Evidence(TypedDict):
    """What a picture of a finding needs."""

    days: list[EvidenceDay]


EVIDENCE_DESCRIPTION = (
    "What a picture of the finding needs, in the home's local time: one entry "
    "per observed day, with the times of the occurrences that support it (empty on a day "
    "without one). For a co-occurrence the times are the trigger's and `delays_s` holds the "
    "action's delay after each. Empty `days` where nothing was recorded (findings stored "
    "before evidence was kept, suggestions asked for in words)."
)
DocumentedEvidence = Annotated[Evidence, Schema({"description": EVIDENCE_DESCRIPTION})]


class Pattern(TypedDict):
    """A pattern of the newest analysis, as API.md's Pattern."""

    id: str
    type: PatternTypeName
    entities: list[str]
    description: str
    confidence: Annotated[float, SHARE]
    support_days: int
    observed_days: int
    score: Annotated[float, SHARE]
    details: Annotated[dict[str, Any], Schema({"description": "Its shape depends on `type`"})]
    first_seen: Annotated[str, DATE_TIME]
    last_seen: Annotated[str, DATE_TIME]
    covered_by: Annotated[
        list[str],
        Schema({"description": "Existing Home Assistant automations that already do this"}),
    ]
    suppressed: Annotated[
        bool,
        Schema({"description": "Rejected, and its support has not changed materially since"}),
    ]
    evidence: DocumentedEvidence


class Synergy(TypedDict):
    """A device chain of the newest analysis, as API.md's Synergy."""

    id: str
    depth: Depth
    chain: list[Step]
    confidence: float
    support_days: int
    score: float
    description: str
    suppressed: bool
    evidence: DocumentedEvidence


# The keys are the depths ("2", "3", "4"), which the class syntax cannot name.
SynergiesByDepth = TypedDict("SynergiesByDepth", {"2": int, "3": int, "4": int})


class SynergyStats(TypedDict):
    """GET /api/v1/synergies/stats."""

    total: int
    by_depth: SynergiesByDepth
    mean_score: float
