"""Property-based API tests: schemathesis cases from the engine's own OpenAPI document.

Every operation of the document gets generated requests, valid (positive) and invalid
(negative), sent over loopback to a real engine process that holds a demo home, analysed
patterns, suggestions and a query, so that ids in paths are sometimes real ones. Each answer
is checked against the document: no server error, a documented status, content type and
body. The CI tier (tests/engine/test_api_properties.py) runs a few cases per operation;
`scripts/bench` runs at least 10,000.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from unittest import SkipTest

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode, Response
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.engine.process import EngineProcess

TOKEN = "properties-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The stream is a WebSocket: the document lists it, plain HTTP only learns its 400.
SKIPPED = {("GET", "/api/v1/stream")}
# Without Home Assistant a deploy answers the documented 503 ha_unavailable: the dependency
# is missing, the engine is not failing. Every other 5xx is a failure.
DEPENDENCY_CODES = {"ha_unavailable", "llm_unavailable"}
REQUEST_TIMEOUT_S = 120.0
SETUP_DEADLINE_S = 120.0
CI_SYNTHETIC_DAYS = 3


@dataclass
class Tally:
    """What a run found."""

    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    dependency_unavailable: int = 0
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)
    # Valid requests by the document that the engine refused with a 400: the document is
    # looser than the validators.
    refused_valid: Counter[str] = field(default_factory=Counter)
    refused_example: dict[str, str] = field(default_factory=dict)
    # Invalid requests by the document that the engine carried out: the document is
    # stricter than the validators (or a validator is too loose).
    accepted_invalid: Counter[str] = field(default_factory=Counter)
    accepted_example: dict[str, str] = field(default_factory=dict)
    by_operation: Counter[str] = field(default_factory=Counter)
    seconds_by_operation: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failures(self) -> list[str]:
        """Every server error and non-conforming answer."""
        return self.server_errors + self.nonconforming


@dataclass(frozen=True, slots=True)
class KnownIds:
    """Ids that exist in the engine, by path parameter name."""

    by_name: Mapping[str, tuple[str, ...]]

    def strategy(self, name: str) -> st.SearchStrategy[str | None]:
        """Return a strategy of a known id for a parameter, or None (keep the generated one)."""
        known = self.by_name.get(name, ())
        return st.one_of(st.none(), st.sampled_from(known)) if known else st.none()


@contextmanager
def engine_with_home(data_dir: Path) -> Iterator[tuple[EngineProcess, KnownIds]]:
    """Run an engine process with a demo home, an analysis, suggestions and a query in it."""
    env = {"HOMEIQ_API_TOKEN": TOKEN, "HOMEIQ_LOG_LEVEL": "WARNING"}
    with (
        EngineProcess(data_dir, env) as engine,
        httpx.Client(base_url=engine.base_url, headers=AUTH, timeout=60) as client,
    ):
        yield engine, _seed_engine(client)


def _seed_engine(client: httpx.Client) -> KnownIds:
    """Fill the engine with findings, and return the ids that exist."""
    client.post("/api/v1/synthetic/home", json={"load": True, "days": 14, "seed": 7})
    run_id = client.post("/api/v1/analysis/run", json={"days": 14}).json()["run_id"]
    deadline = time.monotonic() + SETUP_DEADLINE_S
    while client.get(f"/api/v1/analysis/runs/{run_id}").json()["status"] in ("queued", "running"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"analysis run {run_id} did not finish in {SETUP_DEADLINE_S} s")
        time.sleep(0.1)
    client.post("/api/v1/suggestions/generate", json={"limit": 5})
    query = client.post("/api/v1/query", json={"text": "turn on the kitchen light"}).json()
    patterns = client.get("/api/v1/patterns", params={"limit": 5}).json()["patterns"]
    synergies = client.get("/api/v1/synergies", params={"limit": 5}).json()["synergies"]
    suggestions = client.get("/api/v1/suggestions", params={"limit": 5}).json()["suggestions"]
    ids = [p["id"] for p in patterns] + [s["id"] for s in synergies + suggestions]
    return KnownIds(
        {
            "id": tuple(ids),
            "run_id": (run_id,),
            "query_id": (query["query_id"],),
            "training_type": ("home_type_classifier", "suggestion_ranker"),
            "automation_id": tuple(f"homeiq_{s['id']}" for s in suggestions),
        }
    )


def _describe(case: Case, response: Response, what: str) -> str:
    body = response.text[:300]
    return (
        f"{case.operation.label} -> {response.status_code} {what}\n    {body}\n"
        f"    {case.as_curl_command(headers=AUTH)}"
    )


def _is_dependency_unavailable(case: Case, response: Response) -> bool:
    if response.status_code != 503 or "503" not in case.operation.definition.raw["responses"]:
        return False
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return False
    return code in DEPENDENCY_CODES


def _record(tally: Tally, case: Case, response: Response, mode: GenerationMode) -> None:
    """Check one answer and count it."""
    tally.cases += 1
    tally.statuses[response.status_code] += 1
    tally.by_operation[case.operation.label] += 1
    checks = CHECKS
    if _is_dependency_unavailable(case, response):
        tally.dependency_unavailable += 1
        checks = [check for check in CHECKS if check is not not_a_server_error]
    try:
        case.validate_response(response, checks=checks, headers=AUTH)
    except FailureGroup as failures:
        for failure in failures.exceptions:
            text = _describe(case, response, f"{type(failure).__name__}: {failure.title}")
            if response.status_code >= 500 and checks is CHECKS:
                tally.server_errors.append(text)
            else:
                tally.nonconforming.append(text)
    if mode is GenerationMode.NEGATIVE and response.status_code < 300:
        tally.accepted_invalid[case.operation.label] += 1
        tally.accepted_example.setdefault(case.operation.label, _describe(case, response, ""))
    if mode is GenerationMode.POSITIVE and response.status_code == 400:
        tally.refused_valid[case.operation.label] += 1
        tally.refused_example.setdefault(case.operation.label, response.text[:200])


CaseEdit = Callable[[Case], None]


def cap_synthetic_days(case: Case) -> None:
    """Keep a generated synthetic home small (a year of one takes a while to build)."""
    if case.path == "/api/v1/synthetic/home" and isinstance(case.body, dict):
        days = case.body.get("days")
        if isinstance(days, int) and not isinstance(days, bool) and days > CI_SYNTHETIC_DAYS:
            case.body["days"] = CI_SYNTHETIC_DAYS


def _has_input(operation: APIOperation[Any, Any, Any]) -> bool:
    """Whether an operation takes anything that a negative case could make invalid.

    A path parameter is any string: a negated one cannot be sent, and hypothesis spends
    seconds finding that out.
    """
    return bool(len(operation.query) or operation.body)


def run_properties(
    base_url: str,
    known: KnownIds,
    *,
    examples: int,
    seed: int,
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    edit: CaseEdit | None = None,
) -> Tally:
    """Send `examples` generated cases per operation and mode; return what was found."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", headers=AUTH)
    schema.config.update(base_url=base_url)
    tally = Tally()
    started = time.perf_counter()
    with requests.Session() as session:
        sender = _Sender(session, base_url, tally, edit)
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr] # the engine's own document
            if (operation.method.upper(), operation.path) in SKIPPED:
                continue
            names = [p.name for p in operation.path_parameters]
            for mode in modes:
                if mode is GenerationMode.NEGATIVE and not _has_input(operation):
                    continue
                # One mode at a time: a case that cannot be negated is then skipped at once,
                # where with both modes on hypothesis retries it until it gives up.
                # The bearer token is not a parameter to vary: without it every case is the
                # same 401, and the body it carried is never looked at.
                schema.config.generation.update(modes=[mode], with_security_parameters=False)
                begun = time.perf_counter()
                _run_operation(
                    operation.as_strategy(generation_mode=mode),
                    {name: known.strategy(name) for name in names},
                    partial(sender.send, mode=mode),
                    examples,
                    seed,
                )
                label = f"{operation.label} ({mode.value})"
                tally.seconds_by_operation[label] = time.perf_counter() - begun
    tally.seconds = time.perf_counter() - started
    return tally


@dataclass(frozen=True, slots=True)
class _Sender:
    """Sends cases over one session and counts what comes back."""

    session: requests.Session
    base_url: str
    tally: Tally
    edit: CaseEdit | None

    def send(self, case: Case, *, mode: GenerationMode) -> None:
        """Send one case and record its answer."""
        if self.edit is not None:
            self.edit(case)
        # The document declares no header parameters: what negative generation adds there
        # is noise, and bytes no HTTP parser takes are refused by aiohttp before the engine.
        case.headers.clear()
        response = case.call(
            base_url=self.base_url,
            session=self.session,
            headers=AUTH,
            timeout=REQUEST_TIMEOUT_S,
        )
        _record(self.tally, case, response, mode)


def _run_operation(
    cases: st.SearchStrategy[Case],
    ids: Mapping[str, st.SearchStrategy[str | None]],
    send: Callable[[Case], None],
    examples: int,
    seed: int,
) -> None:
    """Draw and send cases for one operation; failures are counted, never shrunk."""

    @hypothesis_seed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, chosen=st.fixed_dictionaries(dict(ids)))
    def one(case: Case, chosen: dict[str, str | None]) -> None:
        for name, value in chosen.items():
            if value is not None and case.path_parameters is not None:
                case.path_parameters[name] = value
        send(case)

    try:
        one()
    except (Unsatisfiable, SkipTest):
        # Nothing to negate (an operation without parameters or body): no invalid case exists.
        return


def print_tally(tally: Tally) -> None:
    """Print a run's figures and its first failures."""
    refused = sum(tally.refused_valid.values())
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items()))
    print(
        f"properties: {tally.cases} cases over {len(tally.by_operation)} operations in "
        f"{tally.seconds:.1f} s; 5xx {len(tally.server_errors)} (plus "
        f"{tally.dependency_unavailable} documented 503 without Home Assistant), "
        f"non-conforming {len(tally.nonconforming)}, valid requests refused {refused}, "
        f"invalid requests accepted {sum(tally.accepted_invalid.values())} "
        f"(statuses {statuses})"
    )
    for failure in tally.failures[:20]:
        print(f"  {failure}")
    for label, count in tally.refused_valid.most_common(10):
        print(f"  refused valid: {label}: {count} of {tally.by_operation[label]}")
        print(f"    e.g. {tally.refused_example[label]}")
    for label, count in tally.accepted_invalid.most_common(10):
        print(f"  accepted invalid: {label}: {count}")
        print(f"    e.g. {tally.accepted_example[label]}")


def bench_properties(examples: int, seed: int = 0) -> Tally:
    """Run the long property-based pass against a fresh engine and print its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        with engine_with_home(data_dir) as (engine, known):
            tally = run_properties(engine.base_url, known, examples=examples, seed=seed)
    print_tally(tally)
    return tally


def main() -> None:
    """Run the pass alone: `python -m bench.properties [examples per operation and mode]`."""
    import sys  # noqa: PLC0415 (only this entry point reads arguments)

    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 240
    tally = bench_properties(examples)
    raise SystemExit(1 if tally.failures else 0)


if __name__ == "__main__":
    main()
