"""One request parsed into an answer: the automation parser, else the command parser."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Final, cast

import orjson

from engine.home.catalog import Catalog
from engine.query.automation import AutomationParser
from engine.query.commands import Clarification, CommandParser, CommandParsers
from engine.query.messages import messages
from engine.query.request import QueryRequest
from engine.query.wire import Clarification as WireClarification
from engine.query.wire import Option, Parsed, QuestionAnswer

# The parse of a question, kept with its answer (never shown): the answer is read again
# from the live states wherever it is shown.
ASKED: Final = "_asked"
# Parsers kept per process: a second catalog (a test's other home, the mirror's update
# racing an import) need not rebuild the first.
_KEPT_CATALOGS: Final = 2


def not_understood(language: str) -> str:
    """Return what a request that is neither a command nor an automation gets, in its language."""
    return messages(language).say("nothing_understood")


def fingerprint(catalog: Catalog) -> str:
    """Return the hash a catalog's answers are cached under."""
    encoded = orjson.dumps(asdict(catalog), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(encoded).hexdigest()[:16]


def _clarification(item: Clarification) -> WireClarification:
    # The parsers' options are each a value and a label.
    options = cast("list[Option]", item.options)
    return WireClarification(id=item.id, question=item.question, options=options)


@dataclass(frozen=True, slots=True)
class _Built:
    """One catalog's parsers, one pair per language."""

    commands: CommandParsers
    automations: dict[str, AutomationParser]


class Parsers:
    """The parsers of the latest catalogs, built once per catalog and language."""

    def __init__(self) -> None:
        self._built: OrderedDict[str, tuple[Catalog, _Built]] = OrderedDict()

    def get(
        self, key: str, language: str, catalog: Callable[[], Catalog]
    ) -> tuple[AutomationParser, CommandParser]:
        """Return the automation and command parsers of a catalog (by its key) for a language.

        `catalog` is called only when that catalog's parsers are not kept yet.
        """
        kept = self._built.get(key)
        if kept is None:
            kept = self._built[key] = (catalog(), _Built(CommandParsers(), {}))
            while len(self._built) > _KEPT_CATALOGS:
                self._built.popitem(last=False)
        self._built.move_to_end(key)
        home, built = kept
        commands = built.commands.get(home, language)
        parser = built.automations.get(commands.language)
        if parser is None:
            parser = AutomationParser(home, commands.language, commands=commands)
            built.automations[commands.language] = parser
        return parser, commands

    def catalog(self, key: str) -> Catalog:
        """Return the catalog kept under a key (`get` keeps it)."""
        return self._built[key][0]


def parse_request(
    automations: AutomationParser, commands: CommandParser, request: QueryRequest
) -> Parsed:
    """Return the answer of the automation parser, else the command parser, else none."""
    automation = automations.read(request)
    if automation is not None:
        return {
            "status": automation.status,
            "kind": "automation",
            "actions": [],
            "automation": automation.automation,
            "clarifications": [_clarification(c) for c in automation.clarifications],
            "suggestions": [],
            "message": automation.message,
        }
    command = commands.read(request)
    if command is not None:
        parsed: Parsed = {
            "status": command.status,
            "kind": command.kind,
            "actions": command.actions,
            "automation": None,
            "clarifications": [_clarification(c) for c in command.clarifications],
            "suggestions": [],
            "message": command.message,
        }
        if command.answer is not None:
            # A question's answer for machines (the message has it in words).
            parsed["answer"] = cast("QuestionAnswer", command.answer)
        if command.asked is not None:
            parsed[ASKED] = command.asked.as_dict()
        return parsed
    return {
        "status": "unsupported",
        "kind": None,
        "actions": [],
        "automation": None,
        "clarifications": [],
        "suggestions": [],
        "message": not_understood(commands.language),
    }
