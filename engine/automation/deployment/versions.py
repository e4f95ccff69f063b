"""What identifies a deployed automation's content: its id, its hash, its diff to the last one."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from typing import Any, Final

import orjson

from engine.automation.yaml_render import automation_to_yaml, normalise_automation
from engine.errors import UnprocessableError

ID_PREFIX: Final = "homeiq_"
HOMEIQ_NOTE: Final = "Created by HomeIQ."
# Ids travel in Home Assistant's and the engine's URL paths: plain characters only.
VALID_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
# Enough of the content hash to tell automations apart without an unwieldy id.
_DERIVED_ID_CHARS: Final = 16


def content_hash(automation: Mapping[str, Any]) -> str:
    """Return the SHA-256 of a config, independent of key order."""
    return hashlib.sha256(orjson.dumps(automation, option=orjson.OPT_SORT_KEYS)).hexdigest()


def automation_id_for(automation: Mapping[str, Any], suggestion_id: str | None) -> str:
    """Return the id to deploy under: the config's own, the suggestion's, or one from content."""
    given = automation.get("id")
    if given is not None and str(given) != "":
        return str(given)
    if suggestion_id is not None:
        return f"{ID_PREFIX}{suggestion_id}"
    # From the content, so a retry of the same automation lands on the same id.
    return f"{ID_PREFIX}{content_hash({**automation, 'id': None})[:_DERIVED_ID_CHARS]}"


def prepare(automation: Mapping[str, Any], suggestion_id: str | None = None) -> dict[str, Any]:
    """Return the config as deployed: modern syntax, an id, a description naming HomeIQ."""
    modern = normalise_automation(automation)
    automation_id = automation_id_for(modern, suggestion_id)
    if not VALID_ID.match(automation_id):
        raise UnprocessableError(
            "An automation id may only hold letters, digits, _ and - (at most 200)",
            {"field": "id", "id": automation_id},
        )
    description = modern.get("description")
    if not isinstance(description, str) or not description.strip():
        description = HOMEIQ_NOTE
    elif "HomeIQ" not in description:
        description = f"{description.rstrip()}\n\n{HOMEIQ_NOTE}"
    # The id first, as Home Assistant stores it; the rest keeps its given order.
    prepared = {"id": automation_id, **modern}
    prepared.update(id=automation_id, description=description)
    return prepared


def version_diff(
    previous: tuple[int, Mapping[str, Any]] | None, current: Mapping[str, Any], version: int
) -> str:
    """Return the unified diff of two versions' YAML, from nothing for the first one."""
    before = automation_to_yaml(previous[1]).splitlines(keepends=True) if previous else []
    return "".join(
        difflib.unified_diff(
            before,
            automation_to_yaml(current).splitlines(keepends=True),
            fromfile=f"version {previous[0]}" if previous else "/dev/null",
            tofile=f"version {version}",
        )
    )
