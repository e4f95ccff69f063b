"""Async client of the HomeIQ engine's HTTP API; no Home Assistant imports, so it stays portable."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final, NotRequired, TypedDict, cast
from urllib.parse import quote

import aiohttp
from yarl import URL

_LOGGER = logging.getLogger(__name__)

MIN_ENGINE_VERSION: Final = (0, 1, 0)
DEFAULT_TIMEOUT_S: Final = 10.0
DEFAULT_RETRIES: Final = 2
DEFAULT_BACKOFF_S: Final = 0.5
# The engine pings every 30 s too; a silent half-open connection is noticed within a minute.
STREAM_HEARTBEAT_S: Final = 30.0

_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")
# A reverse proxy answers these without the envelope when the engine behind it is down.
_GATEWAY_STATUSES: Final = frozenset({502, 503, 504})
_IDEMPOTENT: Final = frozenset({"GET", "HEAD"})


class HomeIQError(Exception):
    """Base of every error the client raises."""


class HomeIQConnectionError(HomeIQError):
    """The engine could not be reached."""


class HomeIQTimeoutError(HomeIQConnectionError):
    """The engine did not answer in time."""


class HomeIQAuthError(HomeIQError):
    """The engine refused the API token."""


class HomeIQInvalidResponseError(HomeIQError):
    """The engine's answer is not what the API specifies."""


class HomeIQUnsupportedVersionError(HomeIQError):
    """The engine is older than this client supports."""

    def __init__(self, version: str) -> None:
        minimum = ".".join(map(str, MIN_ENGINE_VERSION))
        super().__init__(f"Engine version {version} is older than the supported {minimum}")
        self.version = version
        self.minimum = minimum


class HomeIQResponseError(HomeIQError):
    """The engine answered with an error envelope."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class HomeIQBadRequestError(HomeIQResponseError):
    """The request was malformed (`bad_request`, `payload_too_large`)."""


class HomeIQNotFoundError(HomeIQResponseError):
    """The addressed resource does not exist (`not_found`)."""


class HomeIQConflictError(HomeIQResponseError):
    """The request conflicts with the engine's state, e.g. a run in progress (`conflict`)."""


class HomeIQUnprocessableError(HomeIQResponseError):
    """The request cannot be carried out, e.g. needs confirmation (`unprocessable`)."""


class HomeIQUnavailableError(HomeIQResponseError):
    """A service the engine needs is down (`ha_unavailable`, `llm_unavailable`)."""


_ERRORS: Final[dict[str, type[HomeIQResponseError]]] = {
    "bad_request": HomeIQBadRequestError,
    "payload_too_large": HomeIQBadRequestError,
    "not_found": HomeIQNotFoundError,
    "conflict": HomeIQConflictError,
    "unprocessable": HomeIQUnprocessableError,
    "ha_unavailable": HomeIQUnavailableError,
    "llm_unavailable": HomeIQUnavailableError,
}


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """What the engine's open health route says about it."""

    version: str
    instance_id: str


class RunAccepted(TypedDict):
    """The answer to queued long work (analysis, training)."""

    run_id: str
    status: str


class CacheStats(TypedDict):
    """The engine's query cache counters."""

    hits: int
    misses: int
    hit_rate: float
    entries: int


class QueryStats(TypedDict):
    """The engine's query latency counters."""

    count: int
    p50_ms: float | None
    p95_ms: float | None


class Stats(TypedDict):
    """GET /api/v1/stats."""

    cache: CacheStats
    queries: QueryStats
    events_total: int
    memory_rss_mb: float
    uptime_s: float


class Suggestion(TypedDict):
    """One suggested automation."""

    id: str
    source: str
    source_id: str | None
    title: str
    description: str
    score: float
    status: str
    automation: dict[str, Any]
    yaml: str
    validation: dict[str, Any]
    requires_confirmation: bool
    created_at: str
    updated_at: str
    explanation: NotRequired[str]
    reason: NotRequired[str | None]
    # The days and times that support it (API.md `evidence`).
    evidence: NotRequired[dict[str, Any]]


class SuggestionPage(TypedDict):
    """One page of suggestions, best first."""

    suggestions: list[Suggestion]
    next_cursor: str | None
    total: NotRequired[int]


class GeneratedSuggestions(TypedDict):
    """POST /api/v1/suggestions/generate."""

    generated: int
    suggestions: list[Suggestion]


class Deployment(TypedDict):
    """An automation the engine deployed to Home Assistant."""

    automation_id: str
    entity_id: str
    version: int
    status: str
    deployed_at: str
    suggestion_id: NotRequired[str | None]


class Approval(TypedDict):
    """POST /api/v1/suggestions/{id}/approve."""

    suggestion: Suggestion
    deployment: Deployment | None


class Rejection(TypedDict):
    """POST /api/v1/suggestions/{id}/reject."""

    suggestion: Suggestion


class PatternPage(TypedDict):
    """One page of patterns of the newest analysis, best first."""

    patterns: list[dict[str, Any]]
    next_cursor: str | None
    total: NotRequired[int]


class AnalysisRun(TypedDict):
    """One analysis run."""

    run_id: str
    status: str
    progress: float
    started_at: str | None
    finished_at: str | None
    stats: dict[str, Any]
    error: NotRequired[str | None]


class AnalysisRunPage(TypedDict):
    """Analysis runs, newest first."""

    runs: list[AnalysisRun]
    next_cursor: str | None


class Deployments(TypedDict):
    """GET /api/v1/deployment/automations."""

    automations: list[Deployment]


class AutomationVersion(TypedDict):
    """One stored version of a deployed automation."""

    version: int
    created_at: str
    automation: dict[str, Any]
    diff: str


class AutomationVersions(TypedDict):
    """GET /api/v1/deployment/{automation_id}/versions, oldest first."""

    versions: list[AutomationVersion]


class Safety(TypedDict):
    """The safety verdict on an automation."""

    score: int
    issues: list[dict[str, Any]]


class ValidationReport(TypedDict):
    """POST /api/v1/automations/validate: the verdict an approval would get."""

    valid: bool
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    safety: Safety
    requires_confirmation: bool
    yaml: str | None


class Exclusions(TypedDict, total=False):
    """What the analysis leaves out."""

    areas: list[str]
    entities: list[str]
    labels: list[str]


class LlmSettings(TypedDict, total=False):
    """Which language-model backend the engine uses (never its key)."""

    backend: str
    model: str | None
    ai_task_entity: str | None


class Settings(TypedDict, total=False):
    """The engine's settings; a PATCH sends any subset, every answer holds them all."""

    analysis_time: str
    analysis_days: int
    min_score: float
    exclude: Exclusions
    language: str
    llm: LlmSettings


class StreamMessage(TypedDict):
    """One push message of the engine's stream."""

    type: str
    data: dict[str, Any]


class Query(TypedDict):
    """A natural-language query and what the engine made of it."""

    query_id: str
    text: str
    status: str
    kind: str | None
    actions: list[dict[str, Any]]
    automation: dict[str, Any] | None
    clarifications: list[dict[str, Any]]
    suggestions: list[Suggestion]
    latency_ms: float
    message: NotRequired[str | None]


def parse_version(version: str) -> tuple[int, int, int] | None:
    """Return (major, minor, patch) from a version string, or None when it has none."""
    match = _VERSION.match(version)
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def is_supported(version: str) -> bool:
    """Return whether this client supports an engine of this version."""
    parsed = parse_version(version)
    return parsed is not None and parsed >= MIN_ENGINE_VERSION


def _params(**values: str | float | None) -> dict[str, str]:
    """Return the query parameters that are set, as strings."""
    return {name: str(value) for name, value in values.items() if value is not None}


def _segment(value: str) -> str:
    """Quote an opaque id for use as one path segment."""
    return quote(value, safe="")


class HomeIQClient:
    """Talks to one HomeIQ engine over a session owned by the caller."""

    def __init__(
        self,
        url: str,
        token: str,
        session: aiohttp.ClientSession,
        *,
        request_timeout: float = DEFAULT_TIMEOUT_S,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF_S,
    ) -> None:
        """Keep the engine's base URL, the token and the shared session."""
        self._base = str(URL(url)).rstrip("/")
        self._token = token
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._retries = retries
        self._backoff = backoff

    def __repr__(self) -> str:
        """Name the engine, never the token."""
        return f"HomeIQClient({self._base!r})"

    @property
    def url(self) -> str:
        """The engine's base URL."""
        return self._base

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        auth: bool = True,
    ) -> dict[str, Any]:
        """Send one request and return its JSON object, retrying only connection failures."""
        url = URL(f"{self._base}/{path}", encoded=True)
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self._token}"
        attempt = 0
        while True:
            try:
                return await self._send(method, url, headers, body, params)
            except HomeIQConnectionError as err:
                if attempt >= self._retries or not _retryable(err.__cause__, method):
                    raise
                delay = self._backoff * 2**attempt
                attempt += 1
                _LOGGER.debug(
                    "%s %s failed (%s); retry %s in %ss",
                    method,
                    path,
                    err,
                    attempt,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _send(
        self,
        method: str,
        url: URL,
        headers: dict[str, str],
        body: dict[str, Any] | None,
        params: dict[str, str] | None,
    ) -> dict[str, Any]:
        """Send one request once and map every failure to the client's errors."""
        where = f"{method} {url.path}"
        try:
            async with self._session.request(
                method, url, headers=headers, json=body, params=params, timeout=self._timeout
            ) as response:
                raw = await response.read()
                status = response.status
                content_type = response.content_type
        except TimeoutError as err:
            raise HomeIQTimeoutError(f"Timed out: {where}") from err
        except (aiohttp.ClientConnectionError, aiohttp.InvalidURL) as err:
            # aiohttp's messages name host and port, never request headers.
            raise HomeIQConnectionError(f"Cannot connect: {where}: {err}") from err
        except aiohttp.ClientError as err:
            raise HomeIQConnectionError(f"Request failed: {where}: {err}") from err
        data = _json_object(raw, content_type)
        if status < 400:
            if data is None:
                raise HomeIQInvalidResponseError(f"Not a JSON object: {where} ({status})")
            return data
        raise _error(status, data, where)

    async def get_info(self) -> EngineInfo:
        """Return the engine's version and instance id (open route: no token sent)."""
        data = await self._request("GET", "health", auth=False)
        version, instance_id = data.get("version"), data.get("instance_id")
        if not isinstance(version, str) or not isinstance(instance_id, str) or not instance_id:
            raise HomeIQInvalidResponseError("GET /health lacks version or instance_id")
        return EngineInfo(version=version, instance_id=instance_id)

    async def validate(self) -> EngineInfo:
        """Check reachability, version and token; return the engine's info."""
        info = await self.get_info()
        if not is_supported(info.version):
            raise HomeIQUnsupportedVersionError(info.version)
        # /health is open, so an authed route is what proves the token.
        await self.get_stats()
        return info

    async def get_stats(self) -> Stats:
        """Return the engine's cache, query and event counters."""
        return cast(Stats, await self._request("GET", "api/v1/stats"))

    async def list_suggestions(
        self,
        *,
        status: str | None = None,
        min_score: float | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> SuggestionPage:
        """Return one page of suggestions, best first."""
        params = _params(status=status, min_score=min_score, limit=limit, cursor=cursor)
        data = await self._request("GET", "api/v1/suggestions", params=params)
        return cast(SuggestionPage, data)

    async def list_patterns(
        self,
        *,
        pattern_type: str | None = None,
        entity_id: str | None = None,
        min_confidence: float | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> PatternPage:
        """Return one page of the newest analysis's patterns, best first, with their total."""
        params = _params(
            type=pattern_type,
            entity_id=entity_id,
            min_confidence=min_confidence,
            limit=limit,
            cursor=cursor,
        )
        return cast(PatternPage, await self._request("GET", "api/v1/patterns", params=params))

    async def list_analysis_runs(self, *, limit: int | None = None) -> AnalysisRunPage:
        """Return the analysis runs, newest first."""
        params = _params(limit=limit)
        data = await self._request("GET", "api/v1/analysis/runs", params=params)
        return cast(AnalysisRunPage, data)

    @asynccontextmanager
    async def stream(self) -> AsyncIterator[AsyncIterator[StreamMessage]]:
        """Connect to the engine's push stream; iterate what it yields until the engine closes."""
        url = URL(f"{self._base}/api/v1/stream", encoded=True)
        where = f"GET {url.path}"
        try:
            async with asyncio.timeout(self._timeout.total):
                socket = await self._session.ws_connect(
                    url,
                    headers={"Authorization": f"Bearer {self._token}"},
                    heartbeat=STREAM_HEARTBEAT_S,
                )
        except aiohttp.WSServerHandshakeError as err:
            if err.status == 401:
                raise HomeIQAuthError(f"The engine refused the API token: {where}") from err
            raise HomeIQConnectionError(f"No stream ({err.status}): {where}") from err
        except TimeoutError as err:
            raise HomeIQTimeoutError(f"Timed out: {where}") from err
        except aiohttp.ClientError as err:
            raise HomeIQConnectionError(f"Cannot connect: {where}: {err}") from err
        try:
            yield _stream_messages(socket)
        finally:
            await socket.close()

    async def get_suggestion(self, suggestion_id: str) -> Suggestion:
        """Return one suggestion."""
        data = await self._request("GET", f"api/v1/suggestions/{_segment(suggestion_id)}")
        return cast(Suggestion, data)

    async def approve_suggestion(
        self,
        suggestion_id: str,
        *,
        deploy: bool = True,
        confirm: bool = False,
        automation: dict[str, Any] | None = None,
    ) -> Approval:
        """Approve a suggestion, optionally edited, and deploy it unless told not to."""
        body: dict[str, Any] = {"deploy": deploy, "confirm": confirm}
        if automation is not None:
            body["automation"] = automation
        path = f"api/v1/suggestions/{_segment(suggestion_id)}/approve"
        return cast(Approval, await self._request("POST", path, body=body))

    async def reject_suggestion(self, suggestion_id: str, reason: str | None = None) -> Rejection:
        """Reject a suggestion so it is not made again."""
        body = {} if reason is None else {"reason": reason}
        path = f"api/v1/suggestions/{_segment(suggestion_id)}/reject"
        return cast(Rejection, await self._request("POST", path, body=body))

    async def generate_suggestions(self, limit: int | None = None) -> GeneratedSuggestions:
        """Make new suggestions from the newest findings."""
        body = {} if limit is None else {"limit": limit}
        data = await self._request("POST", "api/v1/suggestions/generate", body=body)
        return cast(GeneratedSuggestions, data)

    async def run_analysis(self, days: int | None = None) -> RunAccepted:
        """Queue an analysis run over the last `days` of history."""
        body = {} if days is None else {"days": days}
        return cast(RunAccepted, await self._request("POST", "api/v1/analysis/run", body=body))

    async def ask(self, text: str, *, language: str = "en", area_id: str | None = None) -> Query:
        """Ask the engine a natural-language command, automation or question."""
        body: dict[str, Any] = {"text": text, "language": language}
        if area_id is not None:
            body["context"] = {"area_id": area_id}
        return cast(Query, await self._request("POST", "api/v1/query", body=body))

    async def refine(
        self, query_id: str, answers: dict[str, str], text: str | None = None
    ) -> Query:
        """Answer a query's clarifications, optionally rewording it."""
        body: dict[str, Any] = {"answers": answers}
        if text is not None:
            body["text"] = text
        path = f"api/v1/query/{_segment(query_id)}/refine"
        return cast(Query, await self._request("POST", path, body=body))

    async def rollback(self, automation_id: str, version: int | None = None) -> Deployment:
        """Redeploy an earlier version of an automation (default: the previous one)."""
        body = {} if version is None else {"version": version}
        path = f"api/v1/deployment/{_segment(automation_id)}/rollback"
        return cast(Deployment, await self._request("POST", path, body=body))

    async def list_deployments(self) -> Deployments:
        """Return every automation the engine deployed, removed ones included."""
        data = await self._request("GET", "api/v1/deployment/automations")
        return cast(Deployments, data)

    async def list_versions(self, automation_id: str) -> AutomationVersions:
        """Return a deployed automation's versions, oldest first, each with its diff."""
        path = f"api/v1/deployment/{_segment(automation_id)}/versions"
        return cast(AutomationVersions, await self._request("GET", path))

    async def disable_automation(self, automation_id: str) -> Deployment:
        """Turn a deployed automation off in Home Assistant."""
        path = f"api/v1/deployment/{_segment(automation_id)}/disable"
        return cast(Deployment, await self._request("POST", path))

    async def enable_automation(self, automation_id: str) -> Deployment:
        """Turn a deployed automation on again in Home Assistant."""
        path = f"api/v1/deployment/{_segment(automation_id)}/enable"
        return cast(Deployment, await self._request("POST", path))

    async def delete_automation(self, automation_id: str) -> Deployment:
        """Delete a deployed automation from Home Assistant; the engine keeps its versions."""
        path = f"api/v1/deployment/{_segment(automation_id)}"
        return cast(Deployment, await self._request("DELETE", path))

    async def validate_automation(self, automation: dict[str, Any]) -> ValidationReport:
        """Return the verdict an approval of this automation would get, without deploying."""
        body = {"automation": automation}
        data = await self._request("POST", "api/v1/automations/validate", body=body)
        return cast(ValidationReport, data)

    async def get_settings(self) -> Settings:
        """Return the engine's settings."""
        return cast(Settings, await self._request("GET", "api/v1/settings"))

    async def update_settings(self, changes: Settings) -> Settings:
        """Change some settings; return them all."""
        body = cast(dict[str, Any], changes)
        return cast(Settings, await self._request("PATCH", "api/v1/settings", body=body))

    async def start_training(
        self, training_type: str, params: dict[str, Any] | None = None
    ) -> RunAccepted:
        """Queue a training run of one model type."""
        body = {} if params is None else {"params": params}
        path = f"api/v1/training/{_segment(training_type)}"
        return cast(RunAccepted, await self._request("POST", path, body=body))


async def _stream_messages(
    socket: aiohttp.ClientWebSocketResponse,
) -> AsyncIterator[StreamMessage]:
    """Yield the stream's well-formed messages; raise when the connection fails."""
    async for message in socket:
        if message.type is aiohttp.WSMsgType.TEXT:
            data = _json_object(message.data, "application/json")
            if data is None or not isinstance(data.get("type"), str):
                # A newer engine may send kinds this client does not know: skip, do not fail.
                _LOGGER.debug("Skipping a stream message that is not one: %.200s", message.data)
                continue
            yield StreamMessage(type=data["type"], data=data.get("data") or {})
        elif message.type is aiohttp.WSMsgType.ERROR:
            raise HomeIQConnectionError(f"The stream failed: {socket.exception()}")


def _retryable(cause: BaseException | None, method: str) -> bool:
    """Return whether a failed request may be sent again.

    A refused or unresolved connection never reached the engine, so any request may be
    retried; a dropped one may have, so only idempotent requests are. Timeouts are not
    retried: the caller already waited the whole timeout once.
    """
    if isinstance(cause, aiohttp.ClientConnectorError):
        return True
    if isinstance(cause, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        return method in _IDEMPOTENT
    return False


def _json_object(body: bytes | str, content_type: str) -> dict[str, Any] | None:
    """Return the body as a JSON object, or None when it is not one."""
    if content_type != "application/json":
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _error(status: int, data: dict[str, Any] | None, where: str) -> HomeIQError:
    """Map an error answer to the client's exception for it."""
    envelope = data.get("error") if data is not None else None
    if status == 401:
        return HomeIQAuthError(f"The engine refused the API token: {where}")
    if not isinstance(envelope, dict) or not isinstance(envelope.get("code"), str):
        if status in _GATEWAY_STATUSES:
            return HomeIQConnectionError(f"The engine is unreachable behind a proxy: {where}")
        return HomeIQInvalidResponseError(f"Error {status} without an error envelope: {where}")
    code: str = envelope["code"]
    message = str(envelope.get("message", ""))
    details = envelope.get("details")
    error_class = _ERRORS.get(code, HomeIQResponseError)
    return error_class(status, code, message, details if isinstance(details, dict) else None)
