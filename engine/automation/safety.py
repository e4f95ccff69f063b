"""The safety policy: what an automation may never do, and what needs the user's confirmation."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
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
# Home Assistant's homeassistant.turn_on/turn_off/toggle act on entities of any domain.
ANY_DOMAIN: Final = "homeassistant"
ANY_DOMAIN_SERVICES: Final = frozenset({"turn_on", "turn_off", "toggle"})

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
        "confirm_garage": "opens or closes a garage door",
        "confirm_valve": "opens or closes a valve",
        "confirm_climate_off": "turns heating or cooling off",
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
    entities = {entity.entity_id: entity for entity in catalog.entities}
    issues: list[ValidationIssue] = []
    for node in walk(automation):
        if node.kind == "trigger":
            issues.extend(_trigger_issues(node))
        elif node.kind == "action":
            issues.extend(_action_issues(node, catalog, entities))
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


def _action_issues(
    node: Node, catalog: Catalog, entities: Mapping[str, Entity]
) -> Iterator[ValidationIssue]:
    config, path = node.config, node.path
    if (call := service_call(node)) is not None:
        yield from _call_issues(node, call, catalog, entities)
    for key in ("data", "stop"):
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


def _call_issues(
    node: Node, call: tuple[str, str], catalog: Catalog, entities: Mapping[str, Entity]
) -> Iterator[ValidationIssue]:
    domain, service = call
    name, path = f"{domain}.{service}", (*node.path, "action")
    if domain in BLOCKED_DOMAINS or name in BLOCKED_SERVICES:
        yield issue("blocked_service", f"HomeIQ never calls {name}.", path)
        return
    targets = _targets(node, domain, catalog, entities)
    data = node.config.get("data")
    for code in _confirmation_codes(
        domain, service, data if isinstance(data, Mapping) else {}, targets
    ):
        yield issue(
            code,
            f"{name} {CONFIRMATIONS[code]}: deploying it needs confirm: true.",
            path,
            severity="warning",
        )


def _targets(
    node: Node, domain: str, catalog: Catalog, entities: Mapping[str, Entity]
) -> list[Entity]:
    """Return the entities a call acts on: named ones, and those of its target areas."""
    named = [
        entities.get(entity_id) or Entity(entity_id=entity_id, name="")
        for entity_id, _ in entity_ids(target(node).get("entity_id"), ())
    ]
    areas = {area for area, _ in entity_ids(target(node).get("area_id"), ())}
    in_areas = [
        entity
        for entity in catalog.entities
        if catalog.entity_area(entity) in areas and domain in (entity.domain, ANY_DOMAIN)
    ]
    return [*named, *in_areas]


def _confirmation_codes(
    domain: str, service: str, data: Mapping[str, Any], targets: list[Entity]
) -> list[str]:
    """Return the confirmation codes of what a service call does to its targets."""
    switches_any = domain == ANY_DOMAIN and service in ANY_DOMAIN_SERVICES
    domains = {entity.domain for entity in targets} if switches_any else {domain}
    codes = [code for kind, code in _CONFIRMED_DOMAINS.items() if kind in domains]
    if "cover" in domains and any(
        entity.domain == "cover" and _is_garage(entity) for entity in targets
    ):
        codes.append("confirm_garage")
    if "climate" in domains and _turns_off(service, data):
        codes.append("confirm_climate_off")
    return codes


def _is_garage(entity: Entity) -> bool:
    return (
        entity.device_class == "garage" or "garage" in f"{entity.entity_id} {entity.name}".lower()
    )


def _turns_off(service: str, data: Mapping[str, Any]) -> bool:
    # YAML 1.1 reads an unquoted `off` as false, so a hand-edited hvac_mode may be one.
    mode = data.get("hvac_mode")
    hvac_off = mode is False or (isinstance(mode, str) and mode.lower() == "off")
    return service in ("turn_off", "toggle") or (service == "set_hvac_mode" and hvac_off)


def _secret_issues(value: Any, path: Path) -> Iterator[ValidationIssue]:
    """Yield an issue for the first text in a value that mentions a secret."""
    for text, text_path in _texts(value, path):
        if _SECRET.search(text):
            yield issue(
                "secret_reference", "An automation may not read or send secrets.", text_path
            )
            return


def _texts(value: Any, path: Path) -> Iterator[tuple[str, Path]]:
    """Yield every string in a value, keys included, each with its path."""
    if isinstance(value, str):
        yield value, path
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(key, (*path, key))
            yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, index))
