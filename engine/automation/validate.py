"""Whether an automation config is well formed, fits the home, and keeps the safety policy."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol
from rapidfuzz import fuzz, process

from engine.automation.issues import Path, ValidationIssue, issue
from engine.automation.nesting import too_deep
from engine.automation.safety import ANY_DOMAIN, CONFIRMATIONS, SafetyReport, assess_safety
from engine.automation.schemas import AUTOMATION_SCHEMA
from engine.automation.walk import Node, entity_ids, referenced_entities, service_call, target, walk
from engine.automation.yaml_render import normalise_automation
from engine.errors import UnprocessableError
from engine.home.catalog import Catalog

# Home Assistant always has the home zone, whether or not a catalog lists it.
_ALWAYS_PRESENT: Final = frozenset({"zone.home"})
# How alike (0-100) an existing id must be to a wrong one to be offered instead.
_SUGGESTION_CUTOFF: Final = 80


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """The outcome of validating an automation config."""

    valid: bool
    errors: list[ValidationIssue]
    warnings: list[ValidationIssue]
    safety: SafetyReport
    requires_confirmation: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the suggestion's validation object as the API shows it."""
        return {
            "valid": self.valid,
            "errors": [found.as_dict() for found in self.errors],
            "warnings": [found.as_dict() for found in self.warnings],
            "safety": self.safety.as_dict(),
        }


def validate_automation(
    config: Mapping[str, Any],
    catalog: Catalog,
    services: Mapping[str, Collection[str]] | None = None,
) -> ValidationResult:
    """Return whether a config is valid for the home, with its issues and safety report."""
    # `services` is Home Assistant's get_services (domain -> service names); without it,
    # only the services' domains are checked against the entities they target.
    # The structure is checked as given, so legacy syntax is reported; the rest is checked on
    # the modern form, so a legacy config gets every other finding too.
    deep = too_deep(config)
    if deep is not None:
        # Refused before anything else reads it: each check would only repeat the refusal,
        # in time that grows with the depth. Unchecked, it scores as low as a blocked one.
        message, path = deep
        return ValidationResult(
            valid=False,
            errors=[issue("invalid_structure", message, path)],
            warnings=[],
            safety=SafetyReport(score=0, issues=[]),
            requires_confirmation=False,
        )
    modern = normalise_automation(config)
    safety = assess_safety(modern, catalog)
    found = [
        *_structure_issues(config),
        *_catalog_issues(modern, catalog, services),
        *safety.issues,
    ]
    errors = [each for each in found if each.severity == "error"]
    return ValidationResult(
        valid=not errors,
        errors=errors,
        warnings=[each for each in found if each.severity == "warning"],
        safety=safety,
        requires_confirmation=safety.requires_confirmation,
    )


def check_deployable(result: ValidationResult, *, confirm: bool) -> None:
    """Raise 422 for an invalid automation, or one that needs a confirmation it did not get."""
    if not result.valid:
        raise UnprocessableError(
            "The automation is not valid: " + " ".join(e.message for e in result.errors),
            {"validation": result.as_dict()},
        )
    if result.requires_confirmation and not confirm:
        codes = sorted({i.code for i in result.safety.issues if i.code in CONFIRMATIONS})
        raise UnprocessableError(
            "The automation "
            + " and ".join(CONFIRMATIONS[code] for code in codes)
            + ": deploying it needs confirm: true",
            {"confirm": codes, "validation": result.as_dict()},
        )


def _structure_issues(config: Mapping[str, Any]) -> list[ValidationIssue]:
    try:
        AUTOMATION_SCHEMA(config)
    except vol.Invalid as err:
        errors = err.errors if isinstance(err, vol.MultipleInvalid) else [err]
        return [issue("invalid_structure", _readable(each), _path(each)) for each in errors]
    return []


def _path(error: vol.Invalid) -> Path:
    # A missing key's path ends in its schema marker, whose text is the key.
    return tuple(part if isinstance(part, int) else str(part) for part in error.path)


def _readable(error: vol.Invalid) -> str:
    """Return voluptuous's message, naming the key where it only says what is wrong."""
    key = _path(error)[-1] if error.path else None
    if error.error_message == "extra keys not allowed":
        return f"{key!r} is not a key the engine produces here"
    if error.error_message == "required key not provided":
        return f"{key!r} is required"
    return error.error_message


def _catalog_issues(
    automation: Mapping[str, Any],
    catalog: Catalog,
    services: Mapping[str, Collection[str]] | None,
) -> Iterator[ValidationIssue]:
    known = {entity.entity_id for entity in catalog.entities} | _ALWAYS_PRESENT
    areas = {area.area_id for area in catalog.areas}
    for node in walk(automation):
        for entity_id, path in referenced_entities(node):
            if entity_id not in known:
                message = f"{entity_id} is not in the home.{_did_you_mean(entity_id, known)}"
                yield issue("unknown_entity", message, path)
        for area_id, path in entity_ids(
            target(node).get("area_id"), (*node.path, "target", "area_id")
        ):
            if area_id not in areas:
                message = f"{area_id} is not an area of the home.{_did_you_mean(area_id, areas)}"
                yield issue("unknown_area", message, path)
        yield from _service_issues(node, services)


def _service_issues(
    node: Node, services: Mapping[str, Collection[str]] | None
) -> Iterator[ValidationIssue]:
    call = service_call(node)
    if call is None:
        return
    domain, service = call
    name = f"{domain}.{service}"
    if services is not None and service not in services.get(domain, ()):
        yield issue(
            "unknown_service", f"Home Assistant has no service {name}.", (*node.path, "action")
        )
    if domain == ANY_DOMAIN:
        return
    path = (*node.path, "target", "entity_id")
    for entity_id, entity_path in entity_ids(target(node).get("entity_id"), path):
        if entity_id.partition(".")[0] != domain:
            yield issue(
                "domain_mismatch",
                f"{name} acts on {domain} entities, not on {entity_id}.",
                entity_path,
            )


def _did_you_mean(wrong: str, choices: Iterable[str]) -> str:
    """Return " Did you mean …?" naming the closest choice, or "" when none is close."""
    nearest = process.extractOne(wrong, choices, scorer=fuzz.ratio, score_cutoff=_SUGGESTION_CUTOFF)
    return f" Did you mean {nearest[0]}?" if nearest else ""
