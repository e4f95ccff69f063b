"""The "when" and "if" clauses of an automation request, read from normalised English text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from engine.query.durations import (
    CLOCK,
    DAY_SET,
    DURATION,
    NUMBER,
    Clock,
    Duration,
    clock,
    duration,
    number,
    weekdays,
)

type Role = Literal["trigger", "condition"]
type SunEvent = Literal["sunrise", "sunset"]


@dataclass(frozen=True, slots=True)
class At:
    """At a time of day."""

    clock: Clock


@dataclass(frozen=True, slots=True)
class Sun:
    """At sunrise or sunset, shifted by a signed number of seconds."""

    event: SunEvent
    offset_s: int = 0


@dataclass(frozen=True, slots=True)
class Every:
    """Every so many seconds ("every 5 minutes")."""

    seconds: int


@dataclass(frozen=True, slots=True)
class Days:
    """On some days of the week (none: every day), maybe in a part of the day ("mornings")."""

    weekdays: tuple[str, ...] = ()
    part: str | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """Between two times of day, or after or before one."""

    after: Clock | None
    before: Clock | None


@dataclass(frozen=True, slots=True)
class Daylight:
    """Relative to sunrise and sunset: "after sunset", "when it is dark"."""

    after: SunEvent | None
    before: SunEvent | None


@dataclass(frozen=True, slots=True)
class Change:
    """A device in a state ("the front door opens"), maybe for a while."""

    role: Role
    subject: str
    state: str
    duration: Duration | None = None


@dataclass(frozen=True, slots=True)
class Threshold:
    """A measurement above or below a value, maybe for a while."""

    role: Role
    subject: str
    above: float | None
    below: float | None
    duration: Duration | None = None


@dataclass(frozen=True, slots=True)
class Presence:
    """People at home: someone arrives, someone is home, nobody is home."""

    role: Role
    kind: Literal["arrive", "occupied", "empty"]
    duration: Duration | None = None


type Clause = At | Sun | Every | Days | Window | Daylight | Change | Threshold | Presence


@dataclass(frozen=True, slots=True)
class Split:
    """A request read as its clauses and the words between them: what to do."""

    clauses: list[Clause] = field(default_factory=list)
    action: str = ""


def word_set(text: str) -> frozenset[str]:
    """Return the words of a text as a set."""
    return frozenset(text.split())


_TRIGGER_WORDS: Final = ("when", "whenever", "as soon as", "once", "each time", "every time")
_WHEN: Final = f"(?:{'|'.join(_TRIGGER_WORDS)})"
# "When the door opens and nobody is home": after a clause, "and" adds a condition.
_IF: Final = (
    r"(?:(?:and |but )?only (?:if|when|while)|(?:and |but )?if|while|as long as|provided(?: that)?"
    r"|and)"
)
_KEYWORD: Final = rf"(?P<kw>{_WHEN}|{_IF})"
_ONLY: Final = r"(?:(?:and |but )?only )?"
# A word of a subject or place: not one that starts another clause ("if it is dark when ...").
_WORD: Final = r"(?!(?:when|whenever|if|while|and|but|then|only)\b)[^\s,]+"
# At most six words, as few as the rest of the clause allows.
_SUBJECT: Final = rf"(?P<subject>(?:{_WORD} ){{0,5}}?{_WORD})"
_FOR: Final = rf"(?: for (?P<for>{DURATION}))?"
# Words that start what to do or another clause: a place said last in a clause ends there.
VERBS: Final = word_set(
    "turn switch open close shut lock unlock set dim brighten start stop pause play resume "
    "activate run toggle raise lower make change send return dock increase decrease mute "
    "unmute clean vacuum water add put"
)
_STARTS: Final = word_set("then and when if only at on between after before every while unless")
_NEXT: Final = rf"(?=(?: for {DURATION})?(?:,|$| (?:{'|'.join(sorted(VERBS | _STARTS))})\b))"
_PLACE: Final = rf"(?P<where>(?:{_WORD} ){{0,3}}?{_WORD}){_NEXT}"
# What a subject does, by the state it ends in.
_EVENTS: Final[dict[str, tuple[str, ...]]] = {
    "open": ("opens", "is opened", "gets opened", "has been opened", "opened"),
    "closed": ("closes", "shuts", "gets closed", "has been closed", "closed"),
    "on": ("turns on", "is turned on", "gets turned on", "switches on", "is switched on"),
    "off": ("turns off", "is turned off", "gets turned off", "switches off", "is switched off"),
    "locked": ("locks", "gets locked"),
    "unlocked": ("unlocks", "gets unlocked"),
    "playing": ("starts playing", "plays"),
    "paused": ("pauses", "gets paused"),
    "home": (
        "arrives home",
        "arrives",
        "comes home",
        "comes back home",
        "comes back",
        "gets home",
        "gets back home",
        "gets back",
        "returns home",
        "returns",
    ),
    "away": ("leaves home", "leaves the house", "leaves", "goes out", "goes away", "has left"),
    "cleaning": ("starts cleaning", "starts vacuuming"),
    "docked": ("docks", "returns to the dock", "returns to its dock", "is docked"),
    "armed": ("is armed", "gets armed"),
    "disarmed": ("is disarmed", "gets disarmed"),
    "detected": (
        "detects motion",
        "detects movement",
        "detects someone",
        "detects presence",
        "detects smoke",
        "detects a leak",
        "detects water",
        "detects something",
        "is triggered",
    ),
}
# What a subject is, maybe for a while: "is open", "stays on", "has been open".
_BEING: Final = r"(?:is|are|stays|stay|remains|has been|have been|is left|was left|is still)"
_STATES: Final[dict[str, tuple[str, ...]]] = {
    "open": ("open",),
    "closed": ("closed", "shut"),
    "on": ("on",),
    "off": ("off",),
    "locked": ("locked",),
    "unlocked": ("unlocked",),
    "playing": ("playing",),
    "paused": ("paused",),
    "home": ("home", "at home"),
    "away": ("away", "not home", "not at home"),
    "cleaning": ("cleaning", "vacuuming", "running"),
    "docked": ("docked", "charging"),
    "armed": ("armed",),
    "disarmed": ("disarmed", "not armed"),
}
# Words that stand for something the request names elsewhere ("turn it off").
PRONOUNS: Final = frozenset({"it", "them", "they", "that", "this"})
# Words for whoever makes the request ("when I get home").
SPEAKER: Final = "me"


def _alternatives(phrases: tuple[str, ...]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


_PREDICATE: Final = "|".join(
    [
        *(f"(?P<{key}>{_alternatives(phrases)})" for key, phrases in _EVENTS.items()),
        *(
            f"(?P<being_{key}>{_BEING} (?:{_alternatives(phrases)}))"
            for key, phrases in _STATES.items()
        ),
    ]
)
_ABOVE: Final = (
    r"(?:(?:goes|rises|gets|climbs|is|are|stays|remains|has been|is still) )?"
    r"(?:above|over|higher than|more than|greater than|warmer than)|exceeds|rises past|goes past"
)
_BELOW: Final = (
    r"(?:(?:goes|drops|falls|gets|is|are|stays|remains|has been|is still) )?"
    r"(?:below|under|lower than|less than|colder than)|drops past|falls past"
)
_VALUE: Final = (
    r"(?P<value>(?:minus |-)?\d+(?:\.\d+)?)"
    r"(?: ?(?:degrees?(?: celsius| fahrenheit| c| f)?|°[cf]?|%|percent|lux|lx|watts?|w|ppm|kwh))?"
)
_SOMEONE: Final = r"(?:someone|somebody|anyone|anybody)"
_NOBODY: Final = r"(?:nobody|no one|noone)"
_EVERYONE: Final = r"(?:everyone|everybody|we all|all of us)"
_SUN_EVENTS: Final[dict[str, SunEvent]] = {
    "sunrise": "sunrise",
    "sunup": "sunrise",
    "dawn": "sunrise",
    "sunset": "sunset",
    "sundown": "sunset",
    "dusk": "sunset",
}
_RISE: Final = r"(?:sunrise|sunup|dawn)"
_SET: Final = r"(?:sunset|sundown|dusk)"
_PART: Final = r"(?P<part>morning|afternoon|evening|night)s?"

type _Build = Callable[[dict[str, str | None]], Clause | None]


def _role(groups: dict[str, str | None]) -> Role:
    return "trigger" if groups.get("kw") in (*_TRIGGER_WORDS, None) else "condition"


def _lasting(groups: dict[str, str | None]) -> Duration | None:
    said = groups.get("for")
    return duration(said) if said else None


def _change(groups: dict[str, str | None]) -> Clause | None:
    subject = groups["subject"] or ""
    for key in _EVENTS.keys() | _STATES.keys():
        if groups.get(key) or groups.get(f"being_{key}"):
            return Change(_role(groups), subject, key, _lasting(groups))
    return None


def _threshold(groups: dict[str, str | None]) -> Clause:
    value = float((groups["value"] or "").replace("minus ", "-"))
    above = value if groups["above"] else None
    below = None if groups["above"] else value
    return Threshold(_role(groups), groups["subject"] or "", above, below, _lasting(groups))


def _motion(groups: dict[str, str | None]) -> Clause:
    state = "clear" if groups.get("no") else "detected"
    where = groups.get("where")
    subject = f"motion in {where}" if where else "motion"
    return Change(_role(groups), subject, state, _lasting(groups))


def _speaker(state: str) -> _Build:
    return lambda groups: Change(_role(groups), SPEAKER, state, _lasting(groups))


def _presence(kind: Literal["arrive", "occupied", "empty"]) -> _Build:
    return lambda groups: Presence(_role(groups), kind, _lasting(groups))


def _sun(groups: dict[str, str | None]) -> Clause | None:
    event = _SUN_EVENTS[groups["event"] or ""]
    said = groups["offset"]
    if not said:
        return Sun(event)
    offset = duration(said)
    if offset is None:
        return None
    sign = -1 if groups["relation"] in ("before", "prior to") else 1
    return Sun(event, sign * offset.seconds)


def _every(groups: dict[str, str | None]) -> Clause | None:
    count = number(groups["count"]) if groups["count"] else 1
    seconds = round(count * {"s": 1, "m": 60, "h": 3600}[(groups["unit"] or "s")[0]])
    return Every(seconds) if seconds > 0 else None


def _at(groups: dict[str, str | None]) -> Clause | None:
    said = clock(groups["clock"] or "")
    return At(said) if said else None


def _window(groups: dict[str, str | None]) -> Clause | None:
    after_said, before_said = groups.get("after"), groups.get("before")
    after = clock(after_said) if after_said else None
    before = clock(before_said) if before_said else None
    if (after_said and after is None) or (before_said and before is None):
        return None
    return Window(after, before)


def _days(groups: dict[str, str | None]) -> Clause:
    said = groups.get("days")
    return Days(weekdays(said) if said else (), groups.get("part"))


def _fixed(clause: Clause) -> _Build:
    return lambda _groups: clause


# Each clause as a pattern and what it means. When two read equally far, the first wins:
# "when nobody is home" is presence before it is a subject called "nobody".
_GRAMMAR: Final[list[tuple[str, _Build]]] = [
    (
        rf"{_KEYWORD} (?:there is |there are )?(?P<no>no )?(?:any )?(?:motion|movement)"
        rf"(?: is detected| detected)?(?: (?:in|on) {_PLACE})?{_FOR}",
        _motion,
    ),
    (rf"{_KEYWORD} {_SOMEONE} (?:enters|walks into|comes into) {_PLACE}", _motion),
    (
        rf"{_KEYWORD} (?:{_SOMEONE}|the first person) (?:arrives|comes|gets|returns)"
        r"(?: back)?(?: home)?",
        _presence("arrive"),
    ),
    (
        rf"{_KEYWORD} (?:{_SOMEONE} is (?:at )?(?:home|here|in)|the house is occupied){_FOR}",
        _presence("occupied"),
    ),
    (
        rf"{_KEYWORD} (?:{_NOBODY} is (?:at )?(?:home|here|in)|the house is empty|"
        rf"{_EVERYONE} (?:leaves|leave|has left|have left|is away|are away|is gone|are gone|"
        r"goes out|go out)(?: home| the house)?|the last person leaves(?: home| the house)?)"
        rf"{_FOR}",
        _presence("empty"),
    ),
    (
        rf"(?:at )?(?:(?P<offset>{DURATION}) (?P<relation>before|after|past|prior to) )?"
        r"(?:the )?(?P<event>sunrise|sunup|dawn|sunset|sundown|dusk)",
        _sun,
    ),
    (
        rf"{_KEYWORD} (?:the sun (?:sets|goes down)|it gets dark)",
        _fixed(Sun("sunset")),
    ),
    (
        rf"{_KEYWORD} (?:the sun (?:rises|comes up)|it gets light)",
        _fixed(Sun("sunrise")),
    ),
    (
        rf"{_ONLY}(?:after|past) (?:{_SET}|dark)|"
        rf"(?:{_WHEN} |{_IF} )?it is (?:dark|night|nighttime)(?: outside)?|"
        rf"{_ONLY}(?:at night|during the night|in the dark)",
        _fixed(Daylight("sunset", "sunrise")),
    ),
    (
        rf"(?:{_WHEN} |{_IF} )?it is (?:light|daytime|day)(?: outside)?|"
        rf"{_ONLY}(?:during the day|in daylight|in the daytime)",
        _fixed(Daylight("sunrise", "sunset")),
    ),
    (rf"{_ONLY}before {_RISE}", _fixed(Daylight(None, "sunrise"))),
    (rf"{_ONLY}after {_RISE}", _fixed(Daylight("sunrise", None))),
    (rf"{_ONLY}before (?:{_SET}|dark)", _fixed(Daylight(None, "sunset"))),
    (rf"at (?P<clock>{CLOCK})", _at),
    (
        rf"{_ONLY}(?:between|from) (?P<after>{CLOCK}) (?:and|to|until|till) (?P<before>{CLOCK})",
        _window,
    ),
    (rf"{_ONLY}(?:after|past|from) (?P<after>{CLOCK})", _window),
    (rf"{_ONLY}(?:before|until|till) (?P<before>{CLOCK})", _window),
    (
        rf"(?:every|each) (?:(?P<count>{NUMBER}) )?(?P<unit>seconds?|minutes?|hours?)",
        _every,
    ),
    (r"hourly", _fixed(Every(3600))),
    (r"every half hour", _fixed(Every(1800))),
    (
        rf"{_ONLY}(?:(?:every|on|each|at|during|over) (?:the )?)?(?P<days>{DAY_SET})"
        rf"(?: (?:in the )?{_PART})?",
        _days,
    ),
    (rf"(?:every ?day|daily|each day)(?: (?:in the )?{_PART})?", _days),
    (rf"(?:every|each|in the) {_PART}", _days),
    (r"tonight", _fixed(Days((), "night"))),
    (
        rf"{_KEYWORD} {_SUBJECT} (?:(?P<above>{_ABOVE})|{_BELOW}) {_VALUE}{_FOR}",
        _threshold,
    ),
    (rf"{_KEYWORD} {_SUBJECT} (?:{_PREDICATE}){_FOR}", _change),
    # "Turn off the coffee maker 30 minutes after it turns on": in that state that long.
    (rf"(?P<for>{DURATION}) after {_SUBJECT} (?:{_PREDICATE})", _change),
    # "When I get home": which of the home's people is the speaker is theirs to say.
    (
        rf"{_KEYWORD} (?:i|we) (?P<home>get|come|arrive|return|am|are)(?: back)?"
        r"(?: home| at home)?",
        _speaker("home"),
    ),
    (
        rf"{_KEYWORD} (?:i|we) (?P<away>leave|go out|go away|am away|are away)"
        r"(?: home| the house)?",
        _speaker("away"),
    ),
]
# A clause ends where a word, a comma or the text does.
_PATTERNS: Final = [
    (re.compile(rf"(?:{pattern})(?=[\s,]|$)"), build) for pattern, build in _GRAMMAR
]
_SPACE: Final = re.compile(r"[\s,]*")
_SEPARATOR: Final = re.compile(r"[\s,]*(?:(?:and|but|then|so)(?=[\s,]|$)[\s,]*)*")
_LEADING: Final = re.compile(r"^(?:(?:and|then|so|but)\b[\s,]*)+")
_TRAILING: Final = re.compile(r"(?:[\s,]+(?:and|then|so|but))+$")


def _clause_at(text: str, pos: int) -> tuple[Clause, int] | None:
    """Return the clause that reads furthest from a position, and where it ends."""
    best: tuple[Clause, int] | None = None
    for pattern, build in _PATTERNS:
        match = pattern.match(text, pos)
        if match is None or (best is not None and match.end() <= best[1]):
            continue
        clause = build(match.groupdict())
        if clause is not None:
            best = (clause, match.end())
    return best


def _end(match: re.Match[str] | None, default: int) -> int:
    return match.end() if match else default


def _read(text: str, pos: int) -> tuple[list[Clause], int]:
    """Return the clauses one after another from a position, and where they stop."""
    clauses: list[Clause] = []
    while pos < len(text):
        found = _clause_at(text, pos)
        if found is None:
            break
        clauses.append(found[0])
        # Both patterns match the empty string, so they always match.
        pos = _end(_SPACE.match(text, found[1]), found[1])
        if _clause_at(text, pos) is None:
            pos = _end(_SEPARATOR.match(text, found[1]), found[1])
    return clauses, pos


def split(text: str) -> Split:
    """Return a request's clauses (before and after what to do) and what to do."""
    front, pos = _read(text, 0)
    rest = text[pos:]
    back: list[Clause] = []
    for start in (i for i in range(1, len(rest)) if rest[i - 1] == " " and rest[i] != ","):
        clauses, end = _read(rest, start)
        if clauses and end == len(rest):
            back, rest = clauses, rest[:start]
            break
    middle, rest = _inside(rest)
    action = _TRAILING.sub("", _LEADING.sub("", rest.strip(" ,"))).strip(" ,")
    return Split([*front, *middle, *back], action)


def _inside(rest: str) -> tuple[list[Clause], str]:
    """Return clauses said inside what to do, and what to do without them.

    "Schalte jeden Tag um 7 Uhr das Küchenlicht ein" (read as "schalte every day at 07:00
    das küchenlicht ein"): a language whose verb comes in two parts says when in between.
    """
    found: list[Clause] = []
    starts = [i for i in range(1, len(rest)) if rest[i - 1] == " " and rest[i] != ","]
    for start in starts:
        if start >= len(rest):
            break
        clauses, end = _read(rest, start)
        if clauses and end > start:
            found += clauses
            rest = f"{rest[:start]} {rest[end:]}"
    return found, " ".join(rest.split())
