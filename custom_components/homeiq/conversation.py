"""The HomeIQ Assist agent: automation requests become drafts; everything else goes to Assist."""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from homeassistant.components import conversation
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.helpers.chat_session import CONVERSATION_TIMEOUT
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import HomeIQError, HomeIQResponseError, Query
from .coordinator import HomeIQConfigEntry, HomeIQCoordinator
from .labels import async_tag_deployment
from .phrases import PHRASES, Phrases, phrases_for

_LOGGER = logging.getLogger(__name__)

AUTOMATION: Final = "automation"
# A follow-up longer than this is a new request, not a yes, a no or an option.
MAX_FOLLOW_UP_WORDS: Final = 6
# How alike an answer's word and an option's word must be to count as the same word.
WORD_SIMILARITY: Final = 0.8
REJECT_REASON: Final = "Declined by voice"
PENDING: Final = "pending"
SWITCHED_ON: Final = frozenset({"approved", "deployed"})

_PUNCTUATION = re.compile(r"[^\w\s'-]+")


@dataclass(frozen=True, slots=True)
class Clarification:
    """A question of a query that waits for one of its options."""

    query_id: str
    clarification_id: str
    question: str
    options: tuple[tuple[str, str], ...]  # (value, label)


@dataclass(frozen=True, slots=True)
class Draft:
    """A drafted suggestion that waits for a yes (deploy) or a no (reject)."""

    suggestion_id: str
    what: str
    requires_confirmation: bool


@dataclass(frozen=True, slots=True)
class Pending:
    """What a conversation waits for, and until when."""

    waiting: Clarification | Draft
    expires: datetime


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomeIQConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's Assist agent."""
    async_add_entities([HomeIQConversationEntity(entry.runtime_data)])


class HomeIQConversationEntity(conversation.ConversationEntity):
    """Drafts automations from requests, asks back, deploys on a yes; hands the rest to Assist."""

    # Not a coordinator entity: with the engine down it stays available, since plain
    # commands still reach the built-in agent.
    _attr_has_entity_name = True
    _attr_translation_key = "assist"
    # Commands reach the built-in agent, which controls devices.
    _attr_supported_features = conversation.ConversationEntityFeature.CONTROL

    def __init__(self, coordinator: HomeIQCoordinator) -> None:
        """Belong to the engine device; remember nothing yet."""
        self.coordinator = coordinator
        self._attr_unique_id = f"{coordinator.config_entry.unique_id}_assist"
        self._attr_device_info = coordinator.device_info
        self._pending: dict[str, Pending] = {}

    @property
    def supported_languages(self) -> list[str]:
        """The languages the engine reads automations in (and this agent answers in)."""
        return sorted(PHRASES)

    async def _async_handle_message(
        self, user_input: conversation.ConversationInput, chat_log: conversation.ChatLog
    ) -> conversation.ConversationResult:
        """Answer a turn: a follow-up of this conversation's draft or question, else a request."""
        turn = _Turn(self, user_input, chat_log)
        pending = self._take_pending(chat_log.conversation_id)
        if pending is not None and (result := await turn.follow_up(pending.waiting)):
            return result
        return await turn.request()

    def remember(self, conversation_id: str, waiting: Clarification | Draft) -> None:
        """Keep what a conversation waits for as long as Home Assistant keeps the conversation."""
        self._pending[conversation_id] = Pending(waiting, dt_util.utcnow() + CONVERSATION_TIMEOUT)

    def _take_pending(self, conversation_id: str) -> Pending | None:
        """Return and forget what the conversation waits for; drop every expired wait."""
        now = dt_util.utcnow()
        self._pending = {key: p for key, p in self._pending.items() if p.expires > now}
        return self._pending.pop(conversation_id, None)


class _Turn:
    """One turn of a conversation: what was said, in which language, and how to answer."""

    def __init__(
        self,
        agent: HomeIQConversationEntity,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
    ) -> None:
        self.agent = agent
        self.hass = agent.hass
        self.client = agent.coordinator.client
        self.user_input = user_input
        self.chat_log = chat_log
        self.conversation_id = chat_log.conversation_id
        self.phrases: Phrases = phrases_for(user_input.language)

    async def request(self) -> conversation.ConversationResult:
        """Draft an automation request; hand anything else to Home Assistant's own agent."""
        try:
            query = await self.client.ask(self.user_input.text, language=self.user_input.language)
        except HomeIQError as err:
            # The engine being down must not take plain commands with it.
            _LOGGER.warning("HomeIQ engine unavailable, Assist answers instead: %s", err)
            return await self.hand_over()
        if query["kind"] != AUTOMATION:
            return await self.hand_over()
        return await self.answer(query)

    async def follow_up(
        self, waiting: Clarification | Draft
    ) -> conversation.ConversationResult | None:
        """Answer a follow-up; None when the turn is not one (then it is a new request)."""
        words = _words(self.user_input.text)
        if not words or len(words) > MAX_FOLLOW_UP_WORDS:
            return None
        if isinstance(waiting, Draft):
            return await self.decide(waiting, _said(words, self.phrases))
        return await self.choose(waiting, words)

    async def decide(
        self, draft: Draft, said: Literal["yes", "no"] | None
    ) -> conversation.ConversationResult | None:
        """Deploy a draft on a yes, drop it on a no; anything else is a new request."""
        if said == "yes":
            return await self.deploy(draft)
        if said == "no":
            return await self.drop(draft)
        return None

    async def choose(
        self, clarification: Clarification, words: list[str]
    ) -> conversation.ConversationResult | None:
        """Answer a question by the option the user named; a no drops the request."""
        if _said(words, self.phrases) == "no":
            return self.speak(self.phrases.cancelled)
        # A free answer (a time, a number) goes as said: the engine reads it.
        value = (
            _choose(words, clarification.options, self.phrases)
            if clarification.options
            else self.user_input.text.strip()
        )
        if value is None:
            return None
        try:
            query = await self.client.refine(
                clarification.query_id, {clarification.clarification_id: value}
            )
        except HomeIQError as err:
            return self.failed(err)
        return await self.answer(query)

    async def answer(self, query: Query) -> conversation.ConversationResult:
        """Say what became of an automation request: a question, a draft, or the engine's word."""
        if query["status"] == "needs_clarification" and query["clarifications"]:
            first = query["clarifications"][0]
            clarification = Clarification(
                query_id=query["query_id"],
                clarification_id=first["id"],
                question=first["question"],
                options=tuple((o["value"], o["label"]) for o in first.get("options") or ()),
            )
            self.agent.remember(self.conversation_id, clarification)
            return self.speak(_question(clarification, self.phrases), follow_up=True)
        if query["status"] != "ready" or not query["suggestions"]:
            return self.speak(query.get("message") or self.phrases.cancelled)
        suggestion = query["suggestions"][0]
        draft = Draft(
            suggestion_id=suggestion["id"],
            what=_sentence(suggestion["title"]),
            requires_confirmation=suggestion["requires_confirmation"],
        )
        if suggestion["status"] in SWITCHED_ON:
            return self.speak(self.phrases.already_on.format(what=draft.what))
        if suggestion["status"] != PENDING:
            return self.speak(self.phrases.dropped_before.format(what=draft.what))
        await self.agent.coordinator.async_request_refresh()
        # A sensitive draft is kept too: a "yes" is answered with where to confirm it.
        self.agent.remember(self.conversation_id, draft)
        if draft.requires_confirmation:
            return self.speak(self.phrases.drafted_sensitive.format(what=draft.what))
        return self.speak(self.phrases.drafted.format(what=draft.what), follow_up=True)

    async def deploy(self, draft: Draft) -> conversation.ConversationResult:
        """Approve and deploy a draft, unless it needs the panel's explicit confirmation."""
        if draft.requires_confirmation:
            return self.speak(self.phrases.confirm_in_panel.format(what=draft.what))
        try:
            approval = await self.client.approve_suggestion(draft.suggestion_id, deploy=True)
        except HomeIQError as err:
            return self.failed(err)
        if approval["deployment"] is not None:
            async_tag_deployment(self.hass, approval["deployment"])
        await self.agent.coordinator.async_request_refresh()
        return self.speak(self.phrases.deployed.format(what=draft.what))

    async def drop(self, draft: Draft) -> conversation.ConversationResult:
        """Reject a draft, so it is not suggested again."""
        try:
            await self.client.reject_suggestion(draft.suggestion_id, REJECT_REASON)
        except HomeIQError as err:
            return self.failed(err)
        await self.agent.coordinator.async_request_refresh()
        return self.speak(self.phrases.dropped.format(what=draft.what))

    async def hand_over(self) -> conversation.ConversationResult:
        """Let Home Assistant's built-in agent answer, in the same language and conversation."""
        return await conversation.async_converse(
            self.hass,
            self.user_input.text,
            self.conversation_id,
            self.user_input.context,
            language=self.user_input.language,
            agent_id=conversation.HOME_ASSISTANT_AGENT,
            device_id=self.user_input.device_id,
        )

    def failed(self, err: HomeIQError) -> conversation.ConversationResult:
        """Say that the engine refused or failed, with its own sentence when it has one."""
        reason = err.message if isinstance(err, HomeIQResponseError) else str(err)
        return self.speak(self.phrases.failed.format(error=reason), error=True)

    def speak(
        self, text: str, *, follow_up: bool = False, error: bool = False
    ) -> conversation.ConversationResult:
        """Answer with one spoken sentence; keep listening when a follow-up is expected."""
        self.chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.user_input.agent_id, content=text)
        )
        response = intent.IntentResponse(language=self.user_input.language)
        if error:
            response.async_set_error(intent.IntentResponseErrorCode.UNKNOWN, text)
        else:
            response.async_set_speech(text)
        return conversation.ConversationResult(
            response=response,
            conversation_id=self.conversation_id,
            continue_conversation=follow_up,
        )


def _normalize(text: str) -> str:
    """Return text lower-cased, accents kept, punctuation but apostrophes and hyphens dropped."""
    return _PUNCTUATION.sub(" ", unicodedata.normalize("NFC", text).casefold())


def _words(text: str) -> list[str]:
    """Return the normalized words of an utterance."""
    return _normalize(text).split()


def _said(words: list[str], phrases: Phrases) -> Literal["yes", "no"] | None:
    """Return whether a short answer says no or yes (a no wins: "no, don't")."""
    spoken = f" {' '.join(words)} "
    for verdict, choices in (("no", phrases.no), ("yes", phrases.yes)):
        if any(f" {_normalize(choice).strip()} " in spoken for choice in choices):
            return verdict  # type: ignore[return-value]
    return None


def _choose(words: list[str], options: tuple[tuple[str, str], ...], phrases: Phrases) -> str | None:
    """Return the value of the one option the answer names, leniently; None when unclear."""
    fillers = {_normalize(filler).strip() for filler in phrases.fillers}
    said = [word for word in words if word not in fillers] or words
    scores: list[tuple[float, str]] = []
    for value, label in options:
        names = _words(f"{label} {value.replace('.', ' ').replace('_', ' ')}")
        if " ".join(words) in (_normalize(label).strip(), value.casefold()):
            return value
        matched = sum(1 for word in said if _similar(word, names))
        scores.append((matched / len(said), value))
    scores.sort(reverse=True)
    best, value = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    return value if best >= 0.5 and best > runner_up else None


def _similar(word: str, names: list[str]) -> bool:
    """Return whether a word is (nearly) one of an option's words."""
    return any(
        difflib.SequenceMatcher(None, word, name).ratio() >= WORD_SIMILARITY for name in names
    )


def _question(clarification: Clarification, phrases: Phrases) -> str:
    """Ask a clarification with its options read out ("A, B or C")."""
    labels = [label for _, label in clarification.options]
    if not labels:
        return clarification.question
    options = (
        labels[0]
        if len(labels) == 1
        else f"{', '.join(labels[:-1])} {phrases.or_word} {labels[-1]}"
    )
    return phrases.ask_option.format(question=clarification.question, options=options)


def _sentence(title: str) -> str:
    """Return a suggestion's title as it reads inside a sentence (no full stop)."""
    return title.strip().rstrip(".")
