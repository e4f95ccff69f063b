"""JSON schemas of patterns, synergies and their evidence, for the OpenAPI document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, get_args

from engine.api.wire import json_schema
from engine.patterns import wire
from engine.patterns.details import DETAILS as DETAILS_BY_TYPE

# Derived from the typed answers the store builds (engine/patterns/wire.py).
STEP_SCHEMA: Final[dict[str, Any]] = json_schema(wire.Step)
EVIDENCE_SCHEMA: Final[dict[str, Any]] = json_schema(wire.DocumentedEvidence)
# Every pattern type with the shape of its details, derived from its dataclass.
DETAILS: Final[Mapping[str, dict[str, Any]]] = {
    kind.value: json_schema(model) for kind, model in DETAILS_BY_TYPE.items()
}
PATTERN_TYPES: Final = tuple(DETAILS)
DEPTHS: Final = get_args(wire.Depth)

PATTERN_SCHEMA: Final[dict[str, Any]] = {
    **json_schema(wire.Pattern),
    # The type decides the details: exactly one variant matches, by its `type` constant.
    "oneOf": [
        {
            "title": kind,
            "properties": {"type": {"const": kind}, "details": details},
        }
        for kind, details in DETAILS.items()
    ],
}

SYNERGY_SCHEMA: Final[dict[str, Any]] = json_schema(wire.Synergy)
