"""The safety policy: what an automation may never do, and what needs the user's confirmation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from engine.automation.issues import Path, ValidationIssue, issue
from engine.automation.schemas import period_seconds
from engine.automation.walk import Node, entity_ids, service_call, target, walk
from engine.home.catalog import Catalog, Entity

BLOCKED_DOMAINS: Final = frozenset({"shell_command", "python_script", "hassio"})
BLOCKED_SERVICES: Final = frozenset({"homeassistant.stop", "homeassistant.restart"})
MAX_DELAY_S: Final = 24 * 3600
MAX_REPEAT_COUNT: Final = 100
_SECRET: Final = re.compile(
    r"!secret|secrets\.yaml|(?<![a-z])(?:token|password|passwd|api_?key)s?(?![a-z])",
    re.IGNORECASE,
)
# A Jinja template's markers; in a template, quotes joined by ~, +, % or a comma (or nothing)
# split one string into pieces, and %s or {} placeholders take the next one in.
_TEMPLATE: Final = re.compile(r"\{[{%#]")
_SEAM: Final = re.compile(r"""['"][\s~+%,()\[\]]*['"]""")
_PLACEHOLDER: Final = re.compile(r"%s|\{\d*\}")
# Pieces may split a name anywhere ('access' ~ 'token'): once joined, only the word's end
# is bounded. Applied to joined templates only, so ordinary words keep both boundaries.
_JOINED_SECRET: Final = re.compile(
    r"!secret|secrets\.yaml|(?:token|password|passwd|api_?key)s?(?![a-z])", re.IGNORECASE
)
# Home Assistant's homeassistant.turn_on/turn_off/toggle act on entities of any domain.
ANY_DOMAIN: Final = "homeassistant"
ANY_DOMAIN_SERVICES: Final = frozenset({"turn_on", "turn_off", "toggle"})
# Whether each of them turns its entities off: toggle may, or may not.
_SWITCH_OFF: Final[Mapping[str, bool | None]] = MappingProxyType(
    {"turn_on": False, "turn_off": True, "toggle": None}
)
# What a call's target may name, in a message's words; Home Assistant reads them from its
# data too.
TARGET_KEYS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "entity_id": "entity_id",
        "device_id": "device",
        "area_id": "area",
        "floor_id": "floor",
        "label_id": "label",
    }
)
# Covers that let people in (Home Assistant's device classes, or words in their names).
_GARAGE_CLASSES: Final = frozenset({"garage", "gate"})

# Points off the score of 100 per issue, by code. A score is a ranking hint, not a gate:
# errors already make an automation invalid and confirmations already need confirm: true.
SAFETY_WEIGHTS: Final[Mapping[str, int]] = MappingProxyType(
    {
        # Runs code on the host, manages add-ons or stops Home Assistant: never deployable.
        "blocked_service": 100,
        # Could copy a credential into a notification, a log or a device.
        "secret_reference": 100,
        # Fires every few seconds: floods the recorder and the devices it drives.
        "fast_time_pattern": 50,
        # A while/until loop may never end, holding its run (and mode: single) forever.
        "unbounded_repeat": 50,
        # Bounded, but enough commands to wear a device or a radio network out.
        "too_many_repeats": 40,
        # A run waiting over a day is forgotten, and a restart silently drops it.
        "long_delay": 30,
        # Disarming an alarm or opening a lock or garage lets people in while nobody watches.
        "confirm_alarm": 35,
        "confirm_lock": 30,
        "confirm_garage": 30,
        # Water or gas flowing unattended can flood or worse, but a valve rarely opens a home.
        "confirm_valve": 20,
        # Heating off is reversible and noticed, but can freeze pipes or chill a home.
        "confirm_climate_off": 15,
    }
)
# What each confirmation code's action does, in a message's words.
CONFIRMATIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "confirm_alarm": "arms or disarms an alarm panel",
        "confirm_lock": "locks or unlocks a lock",
        "confirm_garage": "opens or closes a garage door or gate",
        "confirm_valve": "opens or closes a valve",
        "confirm_climate_off": "turns heating or cooling off",
    }
)
# The same, for a call that may or may not do it (a script's, a scene's, a template's).
_MAY: Final[Mapping[str, str]] = MappingProxyType(
    {
        "confirm_alarm": "arm or disarm an alarm panel",
        "confirm_lock": "lock or unlock a lock",
        "confirm_garage": "open or close a garage door or gate",
        "confirm_valve": "open or close a valve",
        "confirm_climate_off": "turn heating or cooling off",
    }
)
_CONFIRMED_DOMAINS: Final = {
    "alarm_control_panel": "confirm_alarm",
    "lock": "confirm_lock",
    "valve": "confirm_valve",
}


@dataclass(frozen=True, slots=True)
class SafetyReport:
    """How safe an automation is (0-100) and why."""

    score: int
    issues: list[ValidationIssue]

    @property
    def requires_confirmation(self) -> bool:
        """Return whether deploying needs the user's explicit confirm: true."""
        return any(found.code in CONFIRMATIONS for found in self.issues)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as the API shows it."""
        return {"score": self.score, "issues": [found.as_dict() for found in self.issues]}


def assess_safety(automation: Mapping[str, Any], catalog: Catalog) -> SafetyReport:
    """Return the safety report of a modern-syntax automation config, nested actions included."""
    home = _Home(catalog)
    issues: list[ValidationIssue] = []
    for node in walk(automation):
        if node.kind == "trigger":
            issues.extend(_trigger_issues(node))
        elif node.kind == "action":
            issues.extend(_action_issues(node, home))
        elif node.kind == "condition":
            template = node.config.get("value_template")
            issues.extend(_secret_issues(template, (*node.path, "value_template")))
    deductions = sum(SAFETY_WEIGHTS[found.code] for found in issues)
    return SafetyReport(score=max(0, 100 - deductions), issues=issues)


def _trigger_issues(node: Node) -> Iterator[ValidationIssue]:
    seconds = node.config.get("seconds")
    # A fixed second fires once a minute; "*" and "/N" fire every second or every N seconds.
    fast = seconds == "*" or (isinstance(seconds, str) and seconds.startswith("/"))
    if node.config.get("trigger") == "time_pattern" and fast:
        yield issue(
            "fast_time_pattern",
            f"A time pattern on seconds ({seconds!r}) runs more than once a minute.",
            (*node.path, "seconds"),
        )


def _action_issues(node: Node, home: _Home) -> Iterator[ValidationIssue]:
    config, path = node.config, node.path
    name = config.get("action")
    if isinstance(name, str) and _is_template(name):
        # Rendered at run time, the name could be any service, shell_command.* included.
        message = "HomeIQ never calls a service named by a template: it could be any service."
        yield issue("blocked_service", message, (*path, "action"))
    elif (call := service_call(node)) is not None:
        yield from _call_issues(node, call, home)
    for key in ("target", "data", "stop"):
        yield from _secret_issues(config.get(key), (*path, key))
    delay = period_seconds(config.get("delay"))
    if delay is not None and delay > MAX_DELAY_S:
        yield issue("long_delay", "A delay may be at most 24 hours.", (*path, "delay"))
    repeat = config.get("repeat")
    if isinstance(repeat, Mapping):
        yield from _repeat_issues(repeat, (*path, "repeat"))


def _repeat_issues(repeat: Mapping[str, Any], path: Path) -> Iterator[ValidationIssue]:
    for key in ("while", "until"):
        if key in repeat:
            yield issue(
                "unbounded_repeat",
                f"A repeat {key} a condition may never end; repeat a count instead.",
                (*path, key),
            )
    count = repeat.get("count")
    if isinstance(count, int) and count > MAX_REPEAT_COUNT:
        yield issue(
            "too_many_repeats",
            f"A repeat may run at most {MAX_REPEAT_COUNT} times, not {count}.",
            (*path, "count"),
        )


def _call_issues(node: Node, call: tuple[str, str], home: _Home) -> Iterator[ValidationIssue]:
    domain, service = call
    name, path = f"{domain}.{service}", (*node.path, "action")
    if domain in BLOCKED_DOMAINS or name in BLOCKED_SERVICES:
        yield issue("blocked_service", f"HomeIQ never calls {name}.", path)
        return
    data = node.config.get("data")
    data = data if isinstance(data, Mapping) else {}
    # One issue per code and call, at the call: the first way found to reach it says why.
    found: dict[str, ValidationIssue] = {}
    for code in _direct_codes(domain, service, data):
        message = f"{name} {CONFIRMATIONS[code]}: deploying it needs confirm: true."
        found[code] = issue(code, message, path, severity="warning")
    for reached in _reached(node, domain, service, data, home):
        guard = _guard(reached.entity, reached.turns_off)
        if guard is not None and guard not in found:
            found[guard] = issue(guard, _because(name, guard, reached), path, "warning")
    yield from found.values()


def _direct_codes(domain: str, service: str, data: Mapping[str, Any]) -> list[str]:
    """Return the codes a service needs by its domain alone, whatever it acts on."""
    codes = [_CONFIRMED_DOMAINS[domain]] if domain in _CONFIRMED_DOMAINS else []
    if domain == "climate" and _turns_off(service, data):
        codes.append("confirm_climate_off")
    return codes


def _because(name: str, code: str, reached: _Reached) -> str:
    """Return a confirmation's message: what the call does, and how it gets there."""
    certain = reached.known and (code != "confirm_climate_off" or reached.turns_off is True)
    does = CONFIRMATIONS[code] if certain else f"may {_MAY[code]}"
    return f"{name} {reached.why}, so it {does}: deploying it needs confirm: true."


def _guard(entity: Entity, turns_off: bool | None) -> str | None:
    """Return the confirmation code of acting on an entity, None for an unguarded one."""
    if entity.domain in _CONFIRMED_DOMAINS:
        return _CONFIRMED_DOMAINS[entity.domain]
    if entity.domain == "cover" and _is_garage(entity):
        return "confirm_garage"
    if entity.domain == "climate" and turns_off is not False:
        return "confirm_climate_off"
    return None


@dataclass(frozen=True, slots=True)
class _Reached:
    """An entity a call may act on, and how it gets there, in a message's words."""

    entity: Entity
    why: str
    # Whether the call turns the entity off: True, False, or None when it cannot be told.
    turns_off: bool | None
    # False when HomeIQ cannot see what the call acts on, and assumes any guarded entity.
    known: bool = True


class _Home:
    """The catalog, indexed for following a call to the entities it reaches."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._entities = {entity.entity_id: entity for entity in catalog.entities}
        self._areas = {area.area_id for area in catalog.areas}
        self._floors = {floor.floor_id for floor in catalog.floors}
        self._devices = {device.device_id for device in catalog.devices}
        self._guarded: list[Entity] | None = None

    def entity(self, entity_id: str) -> Entity:
        """Return an entity of the catalog, or one known by its id alone."""
        return self._entities.get(entity_id) or Entity(entity_id=entity_id, name="")

    def held(self, key: str, value: str) -> list[Entity] | None:
        """Return the entities an area, device or floor holds; None when the catalog cannot say."""
        catalog = self._catalog
        if key == "area_id" and value in self._areas:
            return [e for e in catalog.entities if catalog.entity_area(e) == value]
        if key == "device_id" and value in self._devices:
            return [e for e in catalog.entities if e.device_id == value]
        if key == "floor_id" and value in self._floors:
            areas = {area.area_id for area in catalog.areas if area.floor_id == value}
            return [e for e in catalog.entities if catalog.entity_area(e) in areas]
        # The catalog has no labels, and an id it lacks may still be Home Assistant's.
        return None

    def anything(self, why: str) -> Iterator[_Reached]:
        """Yield every guarded entity of the home: what a call HomeIQ cannot follow may reach."""
        if self._guarded is None:
            self._guarded = [e for e in self._catalog.entities if _guard(e, None) is not None]
        for entity in self._guarded:
            why_here = f"{why}, and the home has {entity.entity_id}"
            yield _Reached(entity, why_here, None, known=False)


def _reached(
    node: Node, domain: str, service: str, data: Mapping[str, Any], home: _Home
) -> Iterator[_Reached]:
    """Yield every entity a service call may act on, whichever way it gets there."""
    if (runs := _runs_unseen(node, domain, service)) is not None:
        # A script's (or another automation's) actions live in Home Assistant, out of the
        # engine's sight, and may call any service on any entity: so running one may act on
        # every guarded entity the home has, and needs each of their confirmations. A home
        # with no lock has none a script could unlock, so it needs no confirm_lock.
        yield from home.anything(f"runs {runs}, whose actions HomeIQ cannot see")
        return
    if domain == "scene" and service in ("apply", "create"):
        yield from _with_members(_scene_data(service, data, home), home)
        return
    any_domain = domain == ANY_DOMAIN and service in ANY_DOMAIN_SERVICES
    known, unknown = _targets(node, home, _SWITCH_OFF.get(service, False) if any_domain else False)
    if any_domain or (domain == "scene" and service == "turn_on"):
        for why in unknown:
            yield from home.anything(why)
        turns_on = service != "turn_off"
        for reached in _with_members(known, home):
            if any_domain:
                yield reached
            # Home Assistant's turn_on of a scene or a script is the scene's or the script's.
            if turns_on and reached.entity.domain == "scene":
                yield from _scene_members(reached, home)
            elif any_domain and turns_on and reached.entity.domain == "script":
                yield from home.anything(f"{reached.why}, a script whose actions HomeIQ cannot see")
        return
    # Any other service acts only on its own domain's entities, wherever they are named.
    for why in unknown:
        yield from (r for r in home.anything(why) if r.entity.domain == domain)
    yield from (r for r in _with_members(known, home) if r.entity.domain == domain)


def _runs_unseen(node: Node, domain: str, service: str) -> str | None:
    """Return what a call runs whose actions the engine cannot see, or None."""
    if domain == "automation" and service == "trigger":
        return "another automation"
    if domain != "script" or service in ("turn_off", "reload"):
        return None
    if service not in ("turn_on", "toggle"):
        return f"script.{service}"
    named = [item for item, _ in entity_ids(target(node).get("entity_id"), ())]
    return ", ".join(named) or "a script"


def _targets(node: Node, home: _Home, off: bool | None) -> tuple[list[_Reached], list[str]]:
    """Return what a call's target names, and how it names what the engine cannot know."""
    known: list[_Reached] = []
    unknown: list[str] = []
    # Home Assistant merges a call's target into its data: data: {entity_id: ...} targets too.
    for field in ("target", "data"):
        section = node.config.get(field)
        if isinstance(section, str) and _is_template(section):
            unknown.append(f"acts on a {field} given by a template")
        if not isinstance(section, Mapping):
            continue
        for key, noun in TARGET_KEYS.items():
            for value, _ in entity_ids(section.get(key), ()):
                # entity_id: all is every entity the service acts on; none is none of them.
                if _is_template(value) or (key == "entity_id" and value.lower() == "all"):
                    unknown.append(f"acts on {noun} given by {value!r}")
                elif key == "entity_id":
                    if value.lower() != "none":
                        known.append(_Reached(home.entity(value), f"acts on {value}", off))
                elif (held := home.held(key, value)) is None:
                    unknown.append(f"acts on {noun} {value}, whose entities HomeIQ cannot know")
                else:
                    why = f"acts on {noun} {value}, which holds"
                    known.extend(_Reached(e, f"{why} {e.entity_id}", off) for e in held)
    return known, unknown


def _with_members(reached: Iterable[_Reached], home: _Home) -> Iterator[_Reached]:
    """Yield each reached entity and, for a group, its members: a group's call is theirs."""
    seen: set[tuple[str, bool | None]] = set()
    stack = list(reached)[::-1]
    while stack:
        current = stack.pop()
        entity = current.entity
        if (entity.entity_id, current.turns_off) in seen:
            continue
        seen.add((entity.entity_id, current.turns_off))
        yield current
        members = _members(entity)
        # A scene lists the entities it sets, but only turning it on sets them.
        if entity.domain != "scene" and members is not None:
            stack.extend(
                _Reached(
                    home.entity(member),
                    f"{current.why}, which holds {member}",
                    current.turns_off,
                    current.known,
                )
                for member in reversed(members)
            )


def _scene_members(scene: _Reached, home: _Home) -> Iterator[_Reached]:
    """Yield what turning a scene on sets: its entities when the catalog lists them."""
    members = _members(scene.entity)
    if members is None:
        yield from home.anything(f"{scene.why}, whose entities HomeIQ does not know")
        return
    # The scene's states are not in the catalog: a thermostat in it may be set to off.
    sets = (
        _Reached(home.entity(member), f"{scene.why}, which sets {member}", None)
        for member in members
    )
    yield from _with_members(sets, home)


def _scene_data(service: str, data: Mapping[str, Any], home: _Home) -> Iterator[_Reached]:
    """Yield the entities a scene.apply sets, or a scene.create's scene will set."""
    verb = "sets" if service == "apply" else "creates a scene that sets"
    entities = data.get("entities")
    if isinstance(entities, str):
        yield from home.anything(f"{verb} entities given by {entities!r}")
    elif isinstance(entities, Mapping):
        for entity_id, state in entities.items():
            if not isinstance(entity_id, str) or _is_template(entity_id):
                yield from home.anything(f"{verb} an entity given by {entity_id!r}")
            else:
                yield _Reached(home.entity(entity_id), f"{verb} {entity_id}", _state_off(state))
    # A snapshot is set back when the scene is turned on, whatever state it then undoes.
    for entity_id, _ in entity_ids(data.get("snapshot_entities"), ()):
        if _is_template(entity_id):
            yield from home.anything(f"creates a scene of entities given by {entity_id!r}")
        else:
            why = f"creates a scene that sets {entity_id} back"
            yield _Reached(home.entity(entity_id), why, None)


def _members(entity: Entity) -> list[str] | None:
    """Return the entities a group or scene lists in its entity_id attribute, or None."""
    listed = (entity.attributes or {}).get("entity_id")
    if isinstance(listed, str):
        return [listed]
    if isinstance(listed, list):
        return [member for member in listed if isinstance(member, str)]
    return None


def _state_off(state: Any) -> bool | None:
    """Return whether a scene's state for an entity turns it off (None: cannot be told)."""
    mode = state.get("hvac_mode") if isinstance(state, Mapping) else None
    state = state.get("state") if isinstance(state, Mapping) else state
    if _is_off(state) or _is_off(mode):
        return True
    if any(isinstance(value, str) and _is_template(value) for value in (state, mode)):
        return None
    return False


def _is_garage(entity: Entity) -> bool:
    """Return whether a cover lets people in: a garage door or a gate."""
    text = f"{entity.entity_id} {entity.name}".lower()
    return entity.device_class in _GARAGE_CLASSES or any(word in text for word in _GARAGE_CLASSES)


def _turns_off(service: str, data: Mapping[str, Any]) -> bool:
    # climate.set_temperature takes an hvac_mode too; a template may well render to off.
    mode = data.get("hvac_mode")
    hvac_off = _is_off(mode) or (isinstance(mode, str) and _is_template(mode))
    return service in ("turn_off", "toggle") or hvac_off


def _is_off(value: Any) -> bool:
    # YAML 1.1 reads an unquoted `off` as false, so a hand-edited state may be one.
    return value is False or (isinstance(value, str) and value.strip().lower() == "off")


def _is_template(text: str) -> bool:
    """Return whether a text is a Jinja template, which Home Assistant renders at run time."""
    return _TEMPLATE.search(text) is not None


def _secret_issues(value: Any, path: Path) -> Iterator[ValidationIssue]:
    """Yield an issue for the first text in a value that mentions a secret."""
    for text, text_path in _texts(value, path):
        if _mentions_secret(text):
            yield issue(
                "secret_reference", "An automation may not read or send secrets.", text_path
            )
            return


def _mentions_secret(text: str) -> bool:
    """Return whether a text names a secret, in a template also once its pieces are joined."""
    if _SECRET.search(text):
        return True
    if not _is_template(text):
        return False
    # states('input_text.' ~ 'api_' ~ 'key') reads input_text.api_key all the same.
    joined = _PLACEHOLDER.sub("", _SEAM.sub("", text))
    return joined != text and _JOINED_SECRET.search(joined) is not None


def _texts(value: Any, path: Path) -> Iterator[tuple[str, Path]]:
    """Yield every string in a value, keys included, each with its path, in the value's order."""
    # A stack rather than recursion: data of any depth is read without a RecursionError.
    stack: list[tuple[Any, Path]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield item, where
        elif isinstance(item, Mapping):
            pairs = [((key, (*where, key)), (child, (*where, key))) for key, child in item.items()]
            stack.extend(each for pair in reversed(pairs) for each in reversed(pair))
        elif isinstance(item, list):
            stack.extend(
                (child, (*where, index)) for index, child in reversed(list(enumerate(item)))
            )
