"""Suggestions: made from findings and requests, approved (and deployed) or rejected."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

from engine.automation.deployment.service import DeploymentService
from engine.automation.suggestions.asked import AskedSuggestions, publish_generated
from engine.automation.suggestions.drafts import Draft, Drafter
from engine.automation.suggestions.fingerprint import fingerprint
from engine.automation.suggestions.new import NewSuggestion, new_row
from engine.automation.suggestions.store import SuggestionStore
from engine.automation.suggestions.wire import Approved, Generated, Rejected, Suggestion
from engine.automation.validate import check_deployable, validate_automation
from engine.errors import ConflictError, NotFoundError
from engine.home.catalog import Catalog
from engine.patterns.coverage import covered_by
from engine.patterns.details import PatternType
from engine.patterns.detect import SUGGESTION_THRESHOLD
from engine.patterns.ranking import FeedbackAction
from engine.patterns.service import PatternService
from engine.preferences.exclusion import Excluded, resolve
from engine.preferences.model import Exclusions
from engine.stream import StreamHub

_LOGGER = logging.getLogger(__name__)

# Anomalies score at most 0.45 (they inform, they are no habit): a severe one still
# deserves a warning automation.
ANOMALY_MIN_SCORE: Final = 0.3
# Sources whose source_id is a pattern or synergy the ranking learns from.
_FINDING_SOURCES: Final = frozenset({"pattern", "synergy", "anomaly"})
# Statuses a verdict can still change.
_OPEN: Final = frozenset({"pending", "approved"})


class SuggestionService:
    """Makes suggestions from the newest findings and carries out the user's verdicts."""

    def __init__(
        self,
        store: SuggestionStore,
        catalog: Callable[[], Catalog],
        patterns: PatternService,
        deployer: DeploymentService,
        stream: StreamHub,
        *,
        exclusions: Callable[[], Exclusions] = Exclusions,
    ) -> None:
        self.store = store
        # Suggestions of automations asked for in words (stored with their requests).
        self.asked = AskedSuggestions(catalog, stream, store)
        self._catalog = catalog
        self._patterns = patterns
        self._deployer = deployer
        self._stream = stream
        # What the household left out (the exclude setting), read on every use.
        self._exclusions = exclusions
        # Generating is read-all-check-insert: two runs at once would both rank the same
        # new drafts. One suggestion from a request needs no turn: its insert skips an id
        # made meanwhile (ids derive from what an automation does), and every request
        # with an automation would otherwise wait for every other's.
        self._making = asyncio.Lock()

    def excluded(self) -> Excluded:
        """Return what the exclude setting leaves out of the home as it is now."""
        return resolve(self._exclusions(), self._catalog())

    async def listing(
        self,
        *,
        status: str | None,
        min_score: float | None,
        limit: int,
        after: tuple[float, str] | None,
    ) -> tuple[list[Suggestion], int]:
        """Return suggestions best first, without pending ones that use an excluded entity."""
        excluded = self.excluded()
        hidden: list[str] = []
        if excluded and status in (None, "pending"):
            hidden = [
                suggestion_id
                for suggestion_id, automation in await self.store.pending_automations()
                if excluded.involves(automation)
            ]
        return await self.store.list(
            status=status, min_score=min_score, limit=limit, after=after, hidden=hidden
        )

    async def generate(self, limit: int, min_score: float = 0.0) -> Generated:
        """Store up to `limit` new suggestions scoring at least `min_score`, best first."""
        async with self._making:
            made = await self._generate(limit, min_score)
        publish_generated(self._stream, [s["id"] for s in made])
        return {"generated": len(made), "suggestions": made}

    async def _generate(self, limit: int, min_score: float) -> list[Suggestion]:
        catalog = self._catalog()
        excluded = self.excluded()
        drafter = Drafter(catalog)
        known = await self.store.fingerprints()
        existing = await self._patterns.store.existing_automations()
        known |= {fingerprint(automation.config) for automation in existing}
        # Everything not suppressed is context (a lock's usual locking time, even when it
        # scores too low to suggest on its own); what scores high enough becomes drafts.
        found_patterns, found_synergies = await self._patterns.store.suggestible(0.0)
        wanted = [
            pattern
            for pattern in found_patterns
            if pattern.score
            >= (ANOMALY_MIN_SCORE if pattern.type == PatternType.ANOMALY else SUGGESTION_THRESHOLD)
            and not pattern.covered_by
        ]
        chains = [
            synergy
            for synergy in found_synergies
            if synergy.score >= SUGGESTION_THRESHOLD
            and not covered_by(
                existing,
                PatternType.CO_OCCURRENCE,
                [synergy.chain[0].entity_id, synergy.chain[-1].entity_id],
            )
        ]
        candidates: list[tuple[float, Draft | None]] = [
            (draft.score, draft) for draft in drafter.drafts(wanted, chains, found_patterns)
        ]
        candidates.sort(key=lambda item: -item[0])
        now = time.time()
        rows: list[NewSuggestion] = []
        for _score, draft in candidates:
            if len(rows) >= limit:
                break
            if draft is None or draft.fingerprint in known or draft.score < min_score:
                continue
            if excluded and excluded.involves(draft.automation):
                # Not made, so not used up: it can be made once the entity is back.
                continue
            result = validate_automation(draft.automation, catalog)
            if not result.valid:
                _LOGGER.debug("Not suggesting %s: %s", draft.title, result.errors)
                continue
            known.add(draft.fingerprint)
            rows.append(NewSuggestion(new_row(draft, result, now)))
        stored = await self.store.add(rows)
        return [stored.shown[made.row["id"]] for made in rows]

    async def from_query(
        self, query_id: str, text: str, automation: Mapping[str, Any]
    ) -> Suggestion:
        """Return the suggestion for an automation asked for in words (made once).

        A request's own is stored with the request (`QueryWriter`); this is the same alone.
        """
        made = self.asked.draft(query_id, text, automation)
        stored = await self.store.add([made])
        # Counted by the store as it stored it; the listeners are told here.
        publish_generated(self._stream, stored.new)
        return stored.shown[made.row["id"]]

    async def approve(
        self,
        suggestion_id: str,
        *,
        deploy: bool = True,
        confirm: bool = False,
        automation: Mapping[str, Any] | None = None,
    ) -> Approved:
        """Approve a suggestion (edited or as made), and deploy it unless told not to."""
        suggestion = await self.store.get(suggestion_id)
        if suggestion["status"] not in _OPEN:
            raise ConflictError(
                f"Suggestion {suggestion_id} is {suggestion['status']}",
                {"status": suggestion["status"]},
            )
        config = dict(automation if automation is not None else suggestion["automation"])
        # An edit keeps the suggestion's automation id: it is the same automation, changed,
        # and an id taken from elsewhere must not turn it into a version of another one.
        config["id"] = suggestion["automation"]["id"]
        result = validate_automation(config, self._catalog())
        check_deployable(result, confirm=confirm)
        first_verdict = suggestion["status"] == "pending"
        suggestion = await self.store.update(
            suggestion_id,
            status="approved",
            automation=config,
            validation=result.as_dict(),
            requires_confirmation=result.requires_confirmation,
        )
        if first_verdict:
            await self._feedback(suggestion, "approve")
            self._stream.publish("suggestions_updated", {"approved": [suggestion_id]})
        deployment = None
        if deploy:
            # Home Assistant unreachable: the error reaches the caller and the suggestion
            # stays approved, so a retry deploys it.
            deployment = await self._deployer.deploy(
                config, confirm=confirm, suggestion_id=suggestion_id
            )
            suggestion = await self.store.get(suggestion_id)
        return {"suggestion": suggestion, "deployment": deployment}

    async def reject(self, suggestion_id: str, reason: str | None) -> Rejected:
        """Reject a suggestion: it is not made again, and its kind ranks lower."""
        suggestion = await self.store.get(suggestion_id)
        if suggestion["status"] not in _OPEN:
            raise ConflictError(
                f"Suggestion {suggestion_id} is {suggestion['status']}",
                {"status": suggestion["status"]},
            )
        suggestion = await self.store.update(suggestion_id, status="rejected", reason=reason)
        await self._feedback(suggestion, "reject")
        self._stream.publish("suggestions_updated", {"rejected": [suggestion_id]})
        return {"suggestion": suggestion}

    async def deployment_feedback(self, suggestion_id: str, action: str) -> None:
        """Follow what happened to a suggestion's automation (deployed, disabled, deleted)."""
        try:
            suggestion = await self.store.get(suggestion_id)
        except NotFoundError:
            return
        if action == "deploy" and suggestion["status"] != "deployed":
            suggestion = await self.store.update(suggestion_id, status="deployed")
        elif action == "delete":
            suggestion = await self.store.update(suggestion_id, status="dismissed")
        if action in ("deploy", "disable", "delete"):
            await self._feedback(suggestion, cast(FeedbackAction, action))
        self._stream.publish("suggestions_updated", {action: [suggestion_id]})

    async def _feedback(self, suggestion: Mapping[str, Any], action: FeedbackAction) -> None:
        """Tell the ranking what the user thought of the finding behind a suggestion."""
        if suggestion["source"] not in _FINDING_SOURCES or not suggestion["source_id"]:
            return
        try:
            await self._patterns.record_feedback(suggestion["source_id"], action)
        except NotFoundError:
            # The newest analysis no longer finds it: nothing is left to rank.
            _LOGGER.info("No finding %s to record %s for", suggestion["source_id"], action)
